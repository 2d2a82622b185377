"""Airspace zones: restriction class, altitude band and active windows, as read from any format.

Whether a zone keeps a drone out at a height and time is decided in one place: airspace.rules.
"""
from __future__ import annotations

from enum import Enum
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from airspace.geometry import Geometry
from airspace.windows import TimeWindow

CHINA_CEILING_M = 120.0  # true height cap for light drones in suitable airspace (2024 interim regulation, Art. 19)


class Restriction(str, Enum):
    PROHIBITED = "prohibited"
    AUTHORISATION_REQUIRED = "authorisation_required"
    CONDITIONAL = "conditional"
    ADVISORY = "advisory"


class Zone(BaseModel):
    """One airspace volume: a polygon, an altitude band above ground, a restriction and when it applies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    name: str | None = None
    restriction: Restriction
    lower_m: float = 0.0
    upper_m: float = CHINA_CEILING_M
    geometry: Geometry
    active: list[TimeWindow] | None = None  # None: active all day
    source: str | None = None  # file it came from, for messages and the map

    @field_validator("restriction", mode="before")
    @classmethod
    def _restriction_spelling(cls, value: object) -> object:
        # ED-269/ED-318 and US/UK spellings name the same class.
        if isinstance(value, str):
            key = value.strip().lower().replace("-", "_").replace(" ", "_")
            aliases = {"authorization_required": "authorisation_required", "req_authorisation": "authorisation_required",
                       "req_authorization": "authorisation_required", "restricted": "authorisation_required"}
            return aliases.get(key, key)
        return value

    @model_validator(mode="after")
    def _check(self) -> "Zone":
        if self.geometry.type not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"zone geometry must be Polygon or MultiPolygon, not {self.geometry.type}")
        if self.upper_m < self.lower_m:
            raise ValueError(f"upper_m ({self.upper_m}) is below lower_m ({self.lower_m})")
        return self
