"""Clock-time windows ("08:00"-"17:30") in local time of the planned day, and clock text <-> seconds.

Everything in lowalt reasons in clock seconds after local midnight; airspace.clock maps them to instants.
"""
from __future__ import annotations

import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def seconds_from_clock(text: str) -> int:
    """'08:30' or '08:30:15' -> seconds after midnight; '24:00' is the end of the day."""
    match = _CLOCK.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a clock time HH:MM or HH:MM:SS")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and (minutes or seconds)):
        raise ValueError(f"{text!r} is not a clock time between 00:00 and 24:00")
    return hours * 3600 + minutes * 60 + seconds


def clock_text(value: object) -> str:
    """A clock time as written ('08:30'; YAML 1.1 reads an unquoted 08:30 as the sexagesimal integer 510 minutes,
    which is accepted) -> its text, checked; ValueError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value // 60:02d}:{value % 60:02d}"
    text = str(value)
    seconds_from_clock(text)
    return text


def clock_from_seconds(seconds: float) -> str:
    """Seconds after midnight -> 'HH:MM:SS' (for messages and tables)."""
    whole = int(round(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


class TimeWindow(BaseModel):
    """A window [start, end) of local clock time on the planned day."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: ClassVar[str] = "window"  # the noun of the ordering error ("outage" for an Outage)

    start: str
    end: str

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock_text(cls, value: object) -> str:
        return clock_text(value)

    @model_validator(mode="after")
    def _ordered(self) -> "TimeWindow":
        if self.end_s <= self.start_s:
            raise ValueError(f"{self.kind} ends ({self.end}) before or when it starts ({self.start})")
        return self

    @property
    def start_s(self) -> int:
        return seconds_from_clock(self.start)

    @property
    def end_s(self) -> int:
        return seconds_from_clock(self.end)

    def overlaps(self, t0_s: float, t1_s: float) -> bool:
        """True if [t0_s, t1_s] meets this window (touching counts: a leg at 12:00 meets 09:00-12:00)."""
        return t0_s <= self.end_s and t1_s >= self.start_s

    def contains(self, t0_s: float, t1_s: float) -> bool:
        return self.start_s <= t0_s and t1_s <= self.end_s

    @classmethod
    def from_seconds(cls, start_s: float, end_s: float) -> "TimeWindow":
        return cls(start=clock_from_seconds(start_s), end=clock_from_seconds(end_s))
