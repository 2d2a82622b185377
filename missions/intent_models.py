"""Operational intents as data: how a sortie's 4D volumes are drawn (IntentOptions), one volume of a sortie
(IntentVolume), another operator's filed volume (ExternalVolume) and the deconfliction settings of a plan.

Heights are metres above ground, like every lowalt height; times are aware datetimes.
"""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from airspace.geometry import Geometry
from airspace.separation import SeparationMinima

FROZEN = ConfigDict(frozen=True, extra="forbid")


class IntentOptions(BaseModel):
    """How wide, tall and long each volume of a sortie's intent is drawn around its planned path.

    Defaults (lowalt's, for dock drones with GNSS and route speeds held over the ground):
    - horizontal_accuracy_m 10: position error plus path-keeping error in gusts, each side of the path;
    - vertical_accuracy_m 5: barometric/GNSS height error, above and below the planned height;
    - timing_uncertainty_s 30: a launch may slip or the drone run ahead by this much;
    - timing_drift 0.01: plus 1 % of the time since takeoff (hovers and turns vary; route speeds are held over
      the ground, so wind misforecasts cost energy rather than time);
    - volume_max_s 30: one volume covers at most 30 s of nominal flight, so volumes stay tight in time.
    """

    model_config = FROZEN

    horizontal_accuracy_m: float = Field(10.0, gt=0)  # > 0: a footprint must be an area, a band a thickness
    vertical_accuracy_m: float = Field(5.0, gt=0)
    timing_uncertainty_s: float = Field(30.0, ge=0)
    timing_drift: float = Field(0.01, ge=0, lt=1)  # < 1: occupied times must still move forward with the flight
    volume_max_s: float = Field(30.0, gt=0)

    def uncertainty_s(self, since_takeoff_s):
        """How early or late the drone may be at a point it is planned to reach `since_takeoff_s` after takeoff."""
        return self.timing_uncertainty_s + self.timing_drift * since_takeoff_s


class DeconflictionOptions(BaseModel):
    """Everything strategic deconfliction needs: the intent buffers, the separation minima (airspace.separation)
    and how much earlier or later the planner may launch a sortie to clear a conflict (0: never; a sortie no shift
    clears is not flown, planner.deconflict)."""

    model_config = FROZEN

    intent: IntentOptions = Field(default_factory=IntentOptions)
    separation: SeparationMinima = Field(default_factory=SeparationMinima)
    max_takeoff_shift_s: float = Field(1800.0, ge=0)
    # False: conflicts are only named in plan.warnings (the plan will not verify); for measuring what routing
    # alone produces (benchmarks/deconfliction.py), never for a plan to fly.
    resolve: bool = True


class IntentVolume(BaseModel):
    """One 4D volume of a sortie's operational intent: the path flown from `t_from_s` to `t_to_s` after takeoff,
    widened by `buffer_m` on each side, from `altitude_lower_m` to `altitude_upper_m` above ground, occupied
    from `time_start` to `time_end` (the nominal times widened by the timing uncertainty)."""

    model_config = FROZEN

    t_from_s: float
    t_to_s: float
    buffer_m: float = Field(ge=0)
    altitude_lower_m: float
    altitude_upper_m: float
    time_start: dt.datetime
    time_end: dt.datetime


class IntentFileRef(BaseModel):
    """`- file: others.geojson` inside `airspace.intents`: other operators' volumes (missions.intents_io format)."""

    model_config = FROZEN

    file: str
    # Ellipsoidal (WGS84) height of the ground under these volumes: converts W84 altitudes (ASTM F3548's only
    # reference) to heights above ground. Needed only when the file uses W84.
    ground_height_w84_m: float | None = None


class ExternalVolume(BaseModel):
    """A volume another operator filed: footprint (WGS84), heights above ground, and an aware time interval."""

    model_config = FROZEN

    intent_id: str = Field(min_length=1)
    operator: str | None = None
    geometry: Geometry
    lower_m: float
    upper_m: float
    start: dt.datetime
    end: dt.datetime
    source: str | None = None  # "file: feature", for messages

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("needs a UTC offset (RFC 3339), e.g. 2026-11-21T01:30:00Z")
        return value

    @model_validator(mode="after")
    def _check(self) -> "ExternalVolume":
        if self.geometry.type not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"an intent volume's outline is a Polygon or MultiPolygon, not {self.geometry.type}")
        if self.upper_m <= self.lower_m:
            raise ValueError(f"upper_m {self.upper_m:g} must be above lower_m {self.lower_m:g}")
        if self.end <= self.start:
            raise ValueError(f"end {self.end.isoformat()} must be after start {self.start.isoformat()}")
        return self
