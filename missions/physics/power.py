"""Rotary-wing propulsion power against airspeed (Zeng, Xu & Zhang 2019) plus climb, fitted to a drone's figures.

Power is a share of a full battery per second, so an energy is directly the share of a battery a flight uses.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Y. Zeng, J. Xu, R. Zhang, "Energy minimization for wireless communication with rotary-wing UAV", IEEE Trans.
# Wireless Commun. 18(4):2329-2345, 2019, Table I: blade tip speed of their example rotorcraft.
ZENG_TIP_SPEED_MS = 120.0


@dataclass(frozen=True)
class PowerCurve:
    """Zeng et al. eq. (12): P(V) = P0 (1 + 3V^2/U_tip^2) + Pi (sqrt(1 + V^4/(4 v0^4)) - V^2/(2 v0^2))^(1/2)
    + 1/2 d0 rho s A V^3 for level flight at airspeed V: blade profile, induced and parasite power.

    `blade_profile` (P0) and `induced` (Pi, both at hover) are shares of a full battery per second, `parasite`
    (1/2 d0 rho s A) per (m/s)^3; `induced_velocity_ms` is v0, the rotor's mean induced velocity in hover.
    """

    blade_profile: float
    induced: float
    parasite: float
    induced_velocity_ms: float
    tip_speed_ms: float

    @property
    def hover(self) -> float:
        return self.blade_profile + self.induced

    def level(self, airspeed_ms):
        """Power in level flight at `airspeed_ms` (scalar or array)."""
        v = np.asarray(airspeed_ms, dtype=float)
        a = v * v / (2.0 * self.induced_velocity_ms**2)
        # (sqrt(1 + a^2) - a)^(1/2) written as 1 / (sqrt(1 + a^2) + a)^(1/2): no cancellation at high speed.
        induced = 1.0 / np.sqrt(np.sqrt(1.0 + a * a) + a)
        profile = 1.0 + 3.0 * v * v / self.tip_speed_ms**2
        return self.blade_profile * profile + self.induced * induced + self.parasite * v**3

    def climb_extra(self, rate_ms):
        """Power added by climbing at `rate_ms` (m/s up; scalar or array); descending adds nothing.

        Climbing: Pi v_c / v0 = (1 + k) W v_c, the rate of gaining potential energy with Zeng's induced-power
        factor. It bounds momentum theory's axial climb, Pi (v_c/2v0 + sqrt((v_c/2v0)^2 + 1) - 1), from above
        and is what a climb in forward flight costs (Leishman, Principles of Helicopter Aerodynamics, 2nd ed.
        2006, sections 2.5 and 5.2). Descending: at dock-drone descent rates (below 2 v0) the rotor is in the
        vortex-ring state, where momentum theory does not hold and measured power stays near level-flight power
        (ibid., section 2.6); no saving is claimed.
        """
        rate = np.maximum(np.asarray(rate_ms, dtype=float), 0.0)
        return self.induced * rate / self.induced_velocity_ms

    def power(self, airspeed_ms, vertical_ms=0.0):
        """Power at a horizontal airspeed while moving vertically at `vertical_ms` (positive up)."""
        return self.level(airspeed_ms) + self.climb_extra(vertical_ms)


def fit_power_curve(hover_s: float, best_s: float, best_speed_ms: float, induced_velocity_ms: float,
                    tip_speed_ms: float = ZENG_TIP_SPEED_MS) -> PowerCurve:
    """The curve through a drone's published figures, in shares of a battery per second.

    A full battery hovers `hover_s` seconds and lasts `best_s` seconds at `best_speed_ms`, its maximum flight
    time, so power is least there (dP/dV = 0). With v0 and U_tip given, the three conditions fix P0, Pi and the
    parasite coefficient (they enter P linearly). Raises ValueError when no curve of this family fits.
    """
    return _fit(float(hover_s), float(best_s), float(best_speed_ms), float(induced_velocity_ms), float(tip_speed_ms))


@lru_cache(maxsize=256)
def _fit(hover_s: float, best_s: float, speed: float, v0: float, tip: float) -> PowerCurve:
    a = speed * speed / (2.0 * v0 * v0)
    root = math.sqrt(1.0 + a * a)
    induced = 1.0 / math.sqrt(root + a)
    d_induced = -speed / (2.0 * v0 * v0 * root) * induced  # d/dV of the induced factor
    rows = np.array([
        [1.0, 1.0, 0.0],  # hover
        [1.0 + 3.0 * speed**2 / tip**2, induced, speed**3],  # at the best-endurance speed
        [6.0 * speed / tip**2, d_induced, 3.0 * speed**2],  # power is least there
    ])
    rhs = np.array([1.0 / hover_s, 1.0 / best_s, 0.0])
    try:
        p0, pi, parasite = (float(x) for x in np.linalg.solve(rows, rhs))
    except np.linalg.LinAlgError:
        p0 = pi = parasite = math.nan
    if not all(math.isfinite(x) and x > 0 for x in (p0, pi, parasite)):
        raise ValueError(
            f"no rotor power curve (Zeng et al. 2019, hover induced velocity {v0:g} m/s) hovers {hover_s / 60:g} min "
            f"and flies longest, {best_s / 60:g} min, at {speed:g} m/s; a multirotor's best-endurance speed lies "
            f"a few times its induced velocity above hover, with a flight time somewhat above its hover time")
    return PowerCurve(p0, pi, parasite, v0, tip)
