"""What flying costs one drone model in the day's wind: ground speed per leg, seconds and battery share.

The planner's one place for leg physics: cost matrices, feasibility, leg sizing and the sortie tracks ask here;
the physics itself (wind by height, power curve) is missions.physics, the rule the verifier applies too.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from airspace.projection import Projector
from missions.models import DroneModel, Weather
from missions.physics.power import PowerCurve
from missions.physics.wind import WindProfile, airspeed_needed, fastest_ground_speed

# Slowest leg the planner plans: a DJI WPML route speed is 1-15 m/s, so a leg that cannot make 1 m/s over the
# ground at the airspeed limit cannot be written, let alone flown; it is refused for wind.
MIN_GROUND_SPEED_MS = 1.0
_HEADINGS = 1440  # headings sampled for bounds over every direction (a quarter degree apart)
_BOUND_MARGIN = 1.001  # sampled maxima of smooth functions of heading, rounded up by 0.1 %


@dataclass(frozen=True)
class FlightEnergy:
    """One drone model in one day's wind.

    A leg is flown at its route speed over the ground (the autopilot holds it) when the wind triangle needs
    no more than the airspeed limit; otherwise at the fastest ground speed the limit allows along the track,
    which is what an autopilot at its speed limit does. Energies are shares of a full battery.
    """

    model: DroneModel
    wind: WindProfile
    curve: PowerCurve
    limit_ms: float  # airspeed limit
    grid_north_deg: float = 0.0  # bearing of true north in the metric grid the tracks (dx, dy) are measured in

    @classmethod
    def of(cls, model: DroneModel, weather: Weather | None, grid_north_deg: float = 0.0) -> "FlightEnergy":
        wind = weather.profile if weather is not None else WindProfile.calm()
        return cls(model, wind, model.power_curve, model.airspeed_limit_ms, grid_north_deg)

    def wind_at(self, alt_m: float) -> tuple[float, float]:
        """(east, north) wind at `alt_m` in grid axes: the true-north components turned by the grid's convergence
        (1.3 deg in Wuhan's UTM zone), so a leg's heading meets the wind the verifier measures geodesically."""
        return self._grid(*self.wind.at(alt_m))

    def _grid(self, east, north) -> tuple[float, float]:
        theta = np.radians(self.grid_north_deg)
        east, north = float(east), float(north)
        return (east * np.cos(theta) + north * np.sin(theta), -east * np.sin(theta) + north * np.cos(theta))

    @property
    def usable(self) -> float:
        """Share of a full battery one sortie may use."""
        return self.model.usable_battery

    @property
    def usable_hover_s(self) -> float:
        """Seconds the usable share lasts hovering in still air (a time scale for rough estimates)."""
        return self.usable / self.curve.hover

    # -- horizontal legs
    def ground_speed(self, dx, dy, alt_m: float, route_ms: float) -> np.ndarray:
        """Planned ground speed along tracks (dx, dy) metres east/north at `alt_m`; NaN where refused for wind.
        A zero-length track gets the route speed (there is nothing to hold)."""
        dx, dy = np.asarray(dx, dtype=float), np.asarray(dy, dtype=float)
        length = np.hypot(dx, dy)
        safe = np.where(length > 0, length, 1.0)
        east, north = self.wind_at(alt_m)
        fastest = fastest_ground_speed(dx / safe, dy / safe, east, north, self.limit_ms)
        with np.errstate(invalid="ignore"):
            speed = np.where(fastest >= MIN_GROUND_SPEED_MS, np.minimum(route_ms, fastest), np.nan)
        return np.where(length > 0, speed, route_ms)

    def horizontal(self, dx, dy, alt_m: float, route_ms: float) -> tuple[np.ndarray, np.ndarray]:
        """(seconds, battery share) to fly tracks (dx, dy) at `alt_m`; inf where refused for wind."""
        dx, dy = np.asarray(dx, dtype=float), np.asarray(dy, dtype=float)
        length = np.hypot(dx, dy)
        speed = self.ground_speed(dx, dy, alt_m, route_ms)
        safe = np.where(length > 0, length, 1.0)
        east, north = self.wind_at(alt_m)
        air = airspeed_needed(speed * dx / safe, speed * dy / safe, east, north)
        with np.errstate(invalid="ignore", divide="ignore"):
            seconds = np.where(length > 0, length / speed, 0.0)
            energy = seconds * self.curve.level(air)
        refused = np.isnan(speed)
        return np.where(refused, np.inf, seconds), np.where(refused, np.inf, energy)

    # -- vertical moves and time on station
    def vertical(self, from_m: float, to_m: float) -> tuple[float, float]:
        """(seconds, battery share) to climb or descend on the spot at the model's climb/descent rate."""
        if from_m == to_m:
            return 0.0, 0.0
        up = to_m > from_m
        rate = self.model.climb_speed_ms if up else self.model.descent_rate_ms
        seconds = abs(to_m - from_m) / rate
        east, north = self.wind.on_segment(from_m, to_m)
        power = self.curve.power(float(np.hypot(east, north)), rate if up else -rate)
        return seconds, seconds * float(power)

    def station_power(self, alt_m: float) -> float:
        """Share per second to hold position at `alt_m` (hover or wait): level flight at the wind's speed."""
        return float(self.curve.level(float(self.wind.speed_at(alt_m))))

    def can_hold_station(self, alt_m: float) -> bool:
        return float(self.wind.speed_at(alt_m)) < self.limit_ms

    def idle_bound(self, altitudes) -> float:
        """Share per second a wait may draw at any of `altitudes` (at least still-air hover power)."""
        return max([self.curve.hover] + [self.station_power(h) for h in altitudes])

    # -- bounds over every heading (legal paths that bend around zones)
    def per_metre_bound(self, alt_m: float, route_ms: float) -> tuple[float, float]:
        """(seconds, battery share) per metre at the worst heading; inf when some heading is refused."""
        seconds, energy = self._per_metre(alt_m, route_ms)
        return float(np.max(seconds)) * _BOUND_MARGIN, float(np.max(energy)) * _BOUND_MARGIN

    def round_trip_per_metre(self, alt_m: float, route_ms: float) -> tuple[float, float]:
        """(seconds, battery share) per metre of a there-and-back trip, at its worst heading."""
        seconds, energy = self._per_metre(alt_m, route_ms)
        half = len(seconds) // 2
        both = lambda a: (a[:half] + a[half:]) / 2.0  # noqa: E731 -- heading and its reverse
        return float(np.max(both(seconds))) * _BOUND_MARGIN, float(np.max(both(energy))) * _BOUND_MARGIN

    def either_way_per_metre(self, alt_m: float, route_ms: float) -> tuple[float, float]:
        """(seconds, battery share) per metre of a reversible leg flown in its cheaper direction, worst heading."""
        seconds, energy = self._per_metre(alt_m, route_ms)
        half = len(seconds) // 2
        return (float(np.max(np.minimum(seconds[:half], seconds[half:]))) * _BOUND_MARGIN,
                float(np.max(np.minimum(energy[:half], energy[half:]))) * _BOUND_MARGIN)

    def _per_metre(self, alt_m: float, route_ms: float) -> tuple[np.ndarray, np.ndarray]:
        east, north = self.wind_at(alt_m)
        upwind = np.arctan2(-east, -north)  # bearing into the wind, where ground speed is least: sampled exactly
        bearing = upwind + np.linspace(0.0, 2.0 * np.pi, _HEADINGS, endpoint=False)
        return self.horizontal(np.sin(bearing), np.cos(bearing), alt_m, route_ms)

    # -- reasons
    def refusal(self, dx: float, dy: float, alt_m: float, route_ms: float) -> str | None:
        """Why a track (dx, dy) at `alt_m` cannot be flown in this wind, with the numbers (None: it can)."""
        east, north = self.wind_at(alt_m)
        wind = float(np.hypot(east, north))
        if not self.can_hold_station(alt_m):
            return (f"{wind:.1f} m/s wind at {alt_m:.0f} m is at or above {self.model.id}'s {self.limit_ms:g} m/s "
                    f"airspeed limit: it cannot even hold position there")
        length = float(np.hypot(dx, dy))
        if length == 0 or np.isfinite(self.ground_speed(dx, dy, alt_m, route_ms)):
            return None
        ux, uy = dx / length, dy / length
        need = float(airspeed_needed(MIN_GROUND_SPEED_MS * ux, MIN_GROUND_SPEED_MS * uy, east, north))
        return (f"heading {(np.degrees(np.arctan2(dx, dy)) - self.grid_north_deg) % 360:.0f} deg into {wind:.1f} m/s wind at {alt_m:.0f} m, "
                f"{self.model.id} would need {need:.1f} m/s airspeed to make even {MIN_GROUND_SPEED_MS:g} m/s over "
                f"the ground; its limit is {self.limit_ms:g} m/s")

    def headwind(self, dx: float, dy: float, alt_m: float) -> float:
        """Wind component against the track (dx, dy) at `alt_m`, m/s (negative: a tailwind)."""
        length = float(np.hypot(dx, dy))
        if length == 0:
            return 0.0
        east, north = self.wind_at(alt_m)
        return -(east * dx + north * dy) / length


def grid_north_deg(projector: Projector, lon: float, lat: float) -> float:
    """Bearing of true north in the projector's grid at (lon, lat) (the meridian convergence), degrees."""
    x, y = projector.forward(np.array([lon, lon]), np.array([lat, lat + 1e-3]))
    return float(np.degrees(np.arctan2(x[1] - x[0], y[1] - y[0])))
