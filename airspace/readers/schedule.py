"""Zone schedules -> active windows of the planned day: ED-269 applicability, ED-318 limitedApplicability,
GeoJSON timeBegin/timeEnd.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from airspace.clock import DAY_S, DayClock
from airspace.readers.zone_fields import ZoneContext
from airspace.windows import TimeWindow

_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)


def _parse_datetime(value: Any, ctx: ZoneContext, field: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ctx.error(f"{value!r} is not an ISO 8601 date-time", field) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ctx.tz)  # no offset: local time of the scenario


def _parse_time(value: Any, ctx: ZoneContext, field: str) -> tuple[int, dt.tzinfo]:
    """'hh:mm[:ss[.ss]][offset]' -> (seconds after that clock's midnight, the clock's zone)."""
    match = _TIME.match(str(value).strip())
    if not match:
        raise ctx.error(f"{value!r} is not a time hh:mm[:ss[.ss]] with an optional offset", field)
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if hours > 24 or minutes > 59 or seconds > 59 or (hours == 24 and (minutes or seconds)):
        raise ctx.error(f"{value!r} is not a time of day", field)
    offset = match[5]
    if offset is None:
        tz = ctx.tz  # no offset: a reading of the scenario's own clock
    elif offset.upper() == "Z":
        tz = dt.timezone.utc
    else:
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        if int(digits[:2]) > 23 or int(digits[2:]) > 59:
            raise ctx.error(f"{value!r} has an offset beyond +-23:59", field)
        tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return hours * 3600 + minutes * 60 + seconds, tz


def _schedule_intervals(schedule: list, ctx: ZoneContext, field: str, day_start: dt.datetime) -> list[tuple]:
    """Intervals of instants from a weekly schedule around the planned day (yesterday..tomorrow)."""
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for k, entry in enumerate(schedule):
        where = f"{field}[{k}]"
        if not isinstance(entry, dict):
            raise ctx.error("a schedule entry is an object with day, startTime, endTime", where)
        days = entry.get("day") or ["ANY"]
        days = [days] if isinstance(days, str) else days
        if not isinstance(days, list):
            raise ctx.error(f"day {days!r} must be a list of MON..SUN or ANY", f"{where}.day")
        wanted = {str(d).strip().upper() for d in days}
        if not wanted <= set(_WEEKDAYS) | {"ANY"}:
            raise ctx.error(f"day {sorted(wanted - set(_WEEKDAYS))[0]!r} is not MON..SUN or ANY", f"{where}.day")
        events = [entry.get(key) for key in ("startEvent", "endEvent") if entry.get(key)]
        if events:
            ctx.tally("daylight-event", f"schedule uses daylight events ({'/'.join(map(str, events))}), which lowalt "
                                        "does not resolve: that period counts as the whole day (the safe reading)",
                      where)
            (start_s, start_tz), (end_s, end_tz) = (0, ctx.tz), (DAY_S, ctx.tz)
        else:
            start_s, start_tz = _parse_time(entry.get("startTime") or "00:00", ctx, f"{where}.startTime")
            end_s, end_tz = _parse_time(entry.get("endTime") or "24:00", ctx, f"{where}.endTime")
        for shift in (-1, 0, 1):
            # The weekday is read in the schedule's own zone (its times carry their offset).
            day = (day_start.astimezone(start_tz) + dt.timedelta(days=shift)).date()
            if "ANY" not in wanted and _WEEKDAYS[day.weekday()] not in wanted:
                continue
            # Wall-clock arithmetic in the entry's zone: "08:00" on a clock-change day is 08:00 on that clock.
            begin = dt.datetime.combine(day, dt.time(0), start_tz) + dt.timedelta(seconds=start_s)
            end = dt.datetime.combine(day, dt.time(0), end_tz) + dt.timedelta(seconds=end_s)
            if end <= begin:  # e.g. 22:00-02:00 runs past midnight
                end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), end_tz) + dt.timedelta(seconds=end_s)
            out.append((begin, end))
    return out


def windows(periods: Any, ctx: ZoneContext, field: str, *, permanent_key: bool) -> list[TimeWindow] | None:
    """Active windows on ctx.date from ED-269 applicability / ED-318 limitedApplicability (None: all day).

    Every period is an interval of instants; `DayClock.spans` puts it on the scenario's clock (airspace.clock).

    Every period is an interval of instants put on the scenario's clock by airspace.clock.DayClock, so a schedule
    published in UTC reads right on daylight-saving days. Daylight events (sunrise, sunset) cannot be resolved here:
    such a period counts as the whole day (the safe reading) and a warning says so.
    """
    if periods is None or periods == []:
        return None
    if not isinstance(periods, list):
        raise ctx.error("must be a list of time periods", field)
    if ctx.date is None:
        return None  # no planned day: assume active all day (the safe reading)
    clock = DayClock(ctx.date, ctx.tz)
    day_start, day_end = clock.moment(0), clock.moment(DAY_S)
    spans: list[tuple[float, float]] = []
    for k, period in enumerate(periods):
        where = f"{field}[{k}]"
        if not isinstance(period, dict):
            raise ctx.error("a time period is an object", where)
        if permanent_key and str(period.get("permanent", "NO")).strip().upper() == "YES":
            return None
        lo = _parse_datetime(period["startDateTime"], ctx, f"{where}.startDateTime") if period.get(
            "startDateTime") else day_start
        hi = _parse_datetime(period["endDateTime"], ctx, f"{where}.endDateTime") if period.get(
            "endDateTime") else day_end
        if hi <= lo:
            raise ctx.error(f"endDateTime {period.get('endDateTime')} is not after startDateTime "
                            f"{period.get('startDateTime')}", f"{where}.endDateTime")
        key = "schedule" if period.get("schedule") else "dailyPeriod"  # dailyPeriod: ED-269's own name for it
        schedule = period.get(key)
        if schedule:
            if not isinstance(schedule, list):
                raise ctx.error("must be a list of daily periods", f"{where}.{key}")
            pieces = _schedule_intervals(schedule, ctx, f"{where}.{key}", day_start)
        else:
            pieces = [(lo, hi)]
        for begin, end in pieces:
            spans += clock.spans(max(begin, lo), min(end, hi))
    return _as_windows(spans)


def between(begin: Any, end: Any, ctx: ZoneContext, begin_field: str, end_field: str) -> list[TimeWindow] | None:
    """Active windows on ctx.date of the interval [begin, end) (GeoJSON timeBegin/timeEnd; either may be absent)."""
    if begin in (None, "") and end in (None, ""):
        return None
    if ctx.date is None:
        return None
    clock = DayClock(ctx.date, ctx.tz)
    lo = _parse_datetime(begin, ctx, begin_field) if begin not in (None, "") else clock.moment(0)
    hi = _parse_datetime(end, ctx, end_field) if end not in (None, "") else clock.moment(DAY_S)
    if hi <= lo:
        raise ctx.error(f"{end_field} {end} is not after {begin_field} {begin}", end_field)
    return _as_windows(clock.spans(lo, hi))


def _as_windows(spans: list[tuple[float, float]]) -> list[TimeWindow]:
    spans = sorted(spans)
    merged: list[list[float]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    # Whole seconds, widened outwards: a zone is never shorter than published.
    out = []
    for begin, end in merged:
        b, e = math.floor(begin), min(math.ceil(end), DAY_S)
        if e > b:
            out.append(TimeWindow.from_seconds(b, e))
    return out
