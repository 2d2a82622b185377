"""The wind a drone meets: the scenario's wind by height (power law or given layers) and the wind triangle.

Route speeds are held over the ground, so the airspeed a leg needs is |v_ground - w| (vectors); both the
planner and the verifier take the wind at a height and the airspeed needed from here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# WMO standard height of a surface wind observation; the scenario's wind is measured there unless it says.
REFERENCE_HEIGHT_M = 10.0
# Power-law (Hellmann) shear exponent for open terrain, the exposure of a standard weather station: 1/7
# (Peterson & Hennessey, "On the use of power laws for estimates of wind power potential", J. Appl. Meteor.
# 17, 1978). A 10 m reading at such a station, extrapolated with it, is the wind above a city's roofs to
# within the scatter of the law; a reading taken inside the city is slower near the ground and grows faster
# with height, so a scenario with a rooftop or street-level anemometer sets ~0.25-0.3 (Davenport's urban
# profiles) or gives the wind by height.
OPEN_TERRAIN_SHEAR = 1.0 / 7.0


def wind_vector(speed_ms: float, from_deg: float) -> tuple[float, float]:
    """(east, north) components of the air mass motion; `from_deg` is where the wind blows FROM."""
    to_rad = math.radians((from_deg + 180.0) % 360.0)
    return speed_ms * math.sin(to_rad), speed_ms * math.cos(to_rad)


@dataclass(frozen=True)
class WindProfile:
    """The day's wind as a function of height above ground.

    Without layers: the reference wind scaled by (h / reference_height_m) ** shear_exponent, direction constant.
    With layers (height, east, north), sorted by height: the vector interpolated linearly in height, held
    constant below the lowest and above the highest layer.
    """

    east_ms: float
    north_ms: float
    reference_height_m: float = REFERENCE_HEIGHT_M
    shear_exponent: float = OPEN_TERRAIN_SHEAR
    layers: tuple[tuple[float, float, float], ...] = ()

    @classmethod
    def calm(cls) -> "WindProfile":
        return cls(0.0, 0.0)

    def at(self, height_m) -> tuple[np.ndarray, np.ndarray]:
        """(east, north) wind at `height_m` (scalar or array) above ground."""
        h = np.asarray(height_m, dtype=float)
        if self.layers:
            heights = np.array([layer[0] for layer in self.layers])
            east = np.interp(h, heights, np.array([layer[1] for layer in self.layers]))
            north = np.interp(h, heights, np.array([layer[2] for layer in self.layers]))
            return east, north
        scale = np.power(np.maximum(h, 0.0) / self.reference_height_m, self.shear_exponent)
        return self.east_ms * scale, self.north_ms * scale

    def speed_at(self, height_m) -> np.ndarray:
        east, north = self.at(height_m)
        return np.hypot(east, north)

    def on_segment(self, from_m, to_m) -> tuple[np.ndarray, np.ndarray]:
        """The wind a segment between two heights meets: the wind at its mean height (the rule both the planner
        and the verifier apply to climbs and descents)."""
        return self.at((np.asarray(from_m, dtype=float) + np.asarray(to_m, dtype=float)) / 2.0)


def airspeed_needed(ground_east, ground_north, wind_east, wind_north):
    """Airspeed that holds a ground velocity in a wind: |v_ground - w| (scalars or arrays)."""
    return np.hypot(np.asarray(ground_east, float) - wind_east, np.asarray(ground_north, float) - wind_north)


def fastest_ground_speed(ux, uy, wind_east, wind_north, airspeed_ms):
    """Fastest ground speed along the unit track (ux, uy) at `airspeed_ms`: w_par + sqrt(V^2 - w_perp^2);
    NaN where the crosswind alone exceeds the airspeed (the track cannot be held at any ground speed)."""
    w_par = wind_east * np.asarray(ux, float) + wind_north * np.asarray(uy, float)
    w_perp = -wind_east * np.asarray(uy, float) + wind_north * np.asarray(ux, float)
    crab = airspeed_ms**2 - w_perp**2
    with np.errstate(invalid="ignore"):
        return np.where(crab >= 0, w_par + np.sqrt(np.maximum(crab, 0.0)), np.nan)
