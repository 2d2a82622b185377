"""The one separation rule: are two occupied pieces of airspace far enough apart in space or in time?

The planner's deconfliction pass and the verifier both ask here; each measures its own gaps (distances, height
and time differences between what each flight may occupy, uncertainty buffers included).

Convention, "a minimum may be reached, not undercut": two occupancies are separated when their horizontal gap
reaches `horizontal_m`, or their vertical gap reaches `vertical_m`, or their time gap reaches `time_s`. Gaps
are signed: overlapping height bands or time intervals have a negative gap, so a time minimum of 0 s still
forbids sharing a moment. Horizontal gaps are distances between footprints (0 when they meet), so the horizontal
and vertical minima must be positive.
"""
from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field


class SeparationMinima(BaseModel):
    """Separation between any two flights of the day (and other operators' filed volumes), on top of each
    flight's own uncertainty buffers. Defaults are lowalt's, for small drones below 120 m: 30 m apart, or 15 m
    above one another, or 30 s apart in time (wake and downwash of a small multirotor fade within seconds; the
    margin is for people reading a shared map)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    horizontal_m: float = Field(30.0, gt=0)
    vertical_m: float = Field(15.0, gt=0)
    time_s: float = Field(30.0, ge=0)


def interval_gap(a0, a1, b0, b1):
    """Signed gap between intervals [a0, a1] and [b0, b1]: positive apart, negative overlapping (numpy or floats)."""
    return np.maximum(np.subtract(b0, a1), np.subtract(a0, b1))


def separated(horizontal_gap_m, vertical_gap_m, time_gap_s, minima: SeparationMinima):
    """True where any one gap reaches its minimum (numpy arrays broadcast; floats give a bool)."""
    result = ((np.asarray(horizontal_gap_m) >= minima.horizontal_m)
              | (np.asarray(vertical_gap_m) >= minima.vertical_m)
              | (np.asarray(time_gap_s) >= minima.time_s))
    return bool(result) if result.ndim == 0 else result
