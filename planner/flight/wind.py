"""Wind triangle: ground speed along a track for a drone flying a given airspeed in a steady wind.

Ground speed = sqrt(V^2 - w_perp^2) + w_par, so A->B and B->A take different times.
"""
from __future__ import annotations

import numpy as np


def wind_vector(speed_ms: float, from_deg: float) -> tuple[float, float]:
    """(east, north) components of the air mass motion; `from_deg` is where the wind blows FROM."""
    to_rad = np.radians((from_deg + 180.0) % 360.0)
    return speed_ms * float(np.sin(to_rad)), speed_ms * float(np.cos(to_rad))


def ground_speed(dx, dy, airspeed_ms: float, wind_east: float, wind_north: float):
    """Ground speed along the track (dx, dy) metres east/north; NaN where the drone cannot hold the track.

    Works on scalars or arrays. A zero-length track gets the still-air speed (nothing to correct).
    """
    dx = np.asarray(dx, dtype=float)
    dy = np.asarray(dy, dtype=float)
    length = np.hypot(dx, dy)
    safe = np.where(length > 0, length, 1.0)
    ux, uy = dx / safe, dy / safe
    w_par = wind_east * ux + wind_north * uy
    w_perp = -wind_east * uy + wind_north * ux
    crab = airspeed_ms**2 - w_perp**2
    speed = np.where(crab > 0, np.sqrt(np.maximum(crab, 0.0)) + w_par, np.nan)
    speed = np.where(speed > 0, speed, np.nan)
    return np.where(length > 0, speed, airspeed_ms)


def worst_case_speed(airspeed_ms: float, wind_speed_ms: float) -> float:
    """Slowest ground speed over all headings (straight into the wind); a safe bound for bent paths."""
    return airspeed_ms - wind_speed_ms


def track_time_s(xs, ys, airspeed_ms: float, wind_east: float, wind_north: float) -> np.ndarray:
    """Seconds to fly each segment of a metric polyline (len(xs) - 1 values); inf where impossible."""
    dx, dy = np.diff(np.asarray(xs, float)), np.diff(np.asarray(ys, float))
    speed = ground_speed(dx, dy, airspeed_ms, wind_east, wind_north)
    length = np.hypot(dx, dy)
    with np.errstate(invalid="ignore", divide="ignore"):
        times = np.where(length > 0, length / speed, 0.0)
    return np.where(np.isnan(times), np.inf, times)
