"""lowalt's time axis (clock seconds after local midnight of the planned day) and its one conversion to
instants: readers, planner, verifier and map all go through DayClock, so they agree on every day of the year.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY_S = 24 * 3600
_UTC = dt.timezone.utc
_SCAN_STEP = dt.timedelta(minutes=15)  # offsets change at most once per quarter hour in the tz database


@dataclass(frozen=True)
class Discontinuity:
    """A change of UTC offset on the planned day: the clock jumps from `clock_before_s` to `clock_after_s`."""

    instant: dt.datetime  # UTC instant of the change
    clock_before_s: float  # clock reading just before the change (axis seconds)
    clock_after_s: float  # clock reading at the change

    @property
    def span(self) -> tuple[float, float]:
        """Clock span [lo, hi) that is skipped (spring forward) or repeated (fall back)."""
        return min(self.clock_before_s, self.clock_after_s), max(self.clock_before_s, self.clock_after_s)

    @property
    def skipped(self) -> bool:
        return self.clock_after_s > self.clock_before_s

    def describe(self) -> str:
        lo, hi = self.span
        what = "does not exist" if self.skipped else "happens twice"
        return f"the clock change at {_hhmm(self.clock_before_s)} ({_hhmm(lo)}-{_hhmm(hi)} {what})"


def _hhmm(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}"


def _tz(tz: str | dt.tzinfo) -> dt.tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


class DayClock:
    """The clock of one planned day in one time zone.

    Policy on daylight-saving days (documented in docs/user-guide.md, "Time"):
    - an instant maps to the axis by its reading on the scenario's clock: `moment.astimezone(tz)` then h:m:s (naive
      datetimes are read as scenario-local clock times);
    - an axis value maps to the instant that clock shows; in a repeated hour (fall back) that is the first pass
      (PEP 495 fold=0), in a skipped hour (spring forward) the clock reading before the change is extended;
    - the clock span that is skipped or repeated is a `Discontinuity`: lowalt never plans a flight that touches it
      (the planner cuts the operating window there, the verifier rejects such a sortie), so every planned time has
      exactly one instant and a sortie's clock duration equals its elapsed duration;
    - an interval of instants (a zone's schedule in UTC) maps to the clock spans it covers, split at each change:
      a zone active in either pass of a repeated hour covers that clock hour (the conservative reading);
    - durations between plan times (recharge, overlap) are elapsed time: `elapsed_s` compares instants.
    """

    def __init__(self, date: dt.date, tz: str | dt.tzinfo):
        self.date = date
        self.tz = _tz(tz)

    # -------------------------------------------------------------------------------- axis <-> datetimes
    def seconds(self, moment: dt.datetime) -> float:
        """Axis seconds of `moment` (aware: read on this clock; naive: already a local clock reading)."""
        local = moment.astimezone(self.tz) if moment.tzinfo is not None else moment
        days = (local.date() - self.date).days
        return (days * DAY_S + local.hour * 3600 + local.minute * 60 + local.second
                + local.microsecond / 1e6)

    def moment(self, seconds: float) -> dt.datetime:
        """The aware datetime this clock shows `seconds` after midnight (first pass of a repeated hour)."""
        midnight = dt.datetime.combine(self.date, dt.time(0), tzinfo=self.tz)
        return midnight + dt.timedelta(seconds=seconds)  # same-zone arithmetic is wall-clock arithmetic

    def instant(self, seconds: float) -> dt.datetime:
        """The UTC instant of axis `seconds`."""
        return self.moment(seconds).astimezone(_UTC)

    @staticmethod
    def elapsed_s(start: dt.datetime, end: dt.datetime) -> float:
        """Seconds that really pass from `start` to `end` (aware datetimes; compared as UTC instants)."""
        return (end.astimezone(_UTC) - start.astimezone(_UTC)).total_seconds()

    # -------------------------------------------------------------------------------- daylight saving
    @property
    def discontinuities(self) -> tuple[Discontinuity, ...]:
        """Offset changes whose clock readings fall on the planned day (usually none; one on DST days)."""
        return _discontinuities(self.date, self.tz)

    def unflyable_spans(self, recharge_s: float = 0.0) -> list[tuple[float, float]]:
        """Clock spans no flight may touch: each skipped or repeated span of this day.

        Before a skipped span also `recharge_s`: a drone landing before it and launching after it rests an
        hour less than its clock says, so a planner counting clock time must not land there either.
        """
        return [(lo - recharge_s if d.skipped else lo, hi) for d in self.discontinuities for lo, hi in [d.span]]

    def discontinuity_in(self, start_s: float, end_s: float) -> Discontinuity | None:
        """The first discontinuity whose span meets [start_s, end_s] (in either order), or None."""
        start_s, end_s = min(start_s, end_s), max(start_s, end_s)  # across a fall back, landing reads earlier
        for change in self.discontinuities:
            lo, hi = change.span
            if start_s < hi and end_s >= lo:
                return change
        return None

    # -------------------------------------------------------------------------------- instants -> spans
    def spans(self, begin: dt.datetime, end: dt.datetime) -> list[tuple[float, float]]:
        """Axis spans [lo, hi) covered by the instants [begin, end) (aware), clipped to the planned day.

        The interval is cut at each offset change; within a piece clock time and elapsed time advance together.
        """
        day_start, day_end = self.instant(0), self.instant(DAY_S)
        begin, end = max(begin.astimezone(_UTC), day_start), min(end.astimezone(_UTC), day_end)
        if end <= begin:
            return []
        cuts = [d.instant for d in self.discontinuities if begin < d.instant < end]
        out = []
        for lo, hi in zip([begin, *cuts], [*cuts, end]):
            start_s = self.seconds(lo)
            stop_s = start_s + (hi - lo).total_seconds()
            start_s, stop_s = max(0.0, start_s), min(float(DAY_S), stop_s)
            if stop_s > start_s:
                out.append((start_s, stop_s))
        return out


@lru_cache(maxsize=256)
def _discontinuities(date: dt.date, tz: dt.tzinfo) -> tuple[Discontinuity, ...]:
    # Scan the UTC hours that can show this date on some clock (offsets lie within -12 h .. +14 h).
    midnight = dt.datetime.combine(date, dt.time(0), tzinfo=_UTC)
    at, stop = midnight - dt.timedelta(hours=15), midnight + dt.timedelta(hours=39)
    found = []
    previous = at.astimezone(tz).utcoffset()
    while at < stop:
        step = at + _SCAN_STEP
        offset = step.astimezone(tz).utcoffset()
        if offset != previous:
            lo, hi = at, step  # offset(lo) == previous, offset(hi) == offset: bisect to the second
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == previous:
                    lo = mid
                else:
                    hi = mid
            change = hi.replace(microsecond=0)
            before = _axis(change + previous, date)
            after = _axis(change + offset, date)
            if 0 <= before <= DAY_S or 0 <= after <= DAY_S:
                found.append(Discontinuity(change, before, after))
            previous = offset
        at = step
    return tuple(found)


def _axis(wall_as_utc: dt.datetime, date: dt.date) -> float:
    """Seconds from the date's midnight to a wall-clock reading carried in a UTC datetime."""
    return (wall_as_utc.replace(tzinfo=None) - dt.datetime.combine(date, dt.time(0))).total_seconds()
