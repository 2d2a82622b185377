"""Zone files -> Zone lists: plain GeoJSON, EUROCAE ED-269 JSON, EUROCAE ED-318 GeoJSON and KML.

Every error is an InputError naming the file, the feature (index and id) and the field at fault.

Field mapping is based on the models in interuss/uas_standards (src/uas_standards/eurocae_ed269.py:
UASZoneVersion, UASZoneAirspaceVolume, CircleOrPolygonType, ApplicableTimePeriod, DailyPeriod; and
src/uas_standards/eurocae_ed318.py: UASZone, VerticalLayer, ExtentCircle, TimePeriod, DailyPeriod):

- ED-269: a document `{"title", "description", "features": [UASZoneVersion]}`; each zone has `identifier`,
  `name`, `restriction` (PROHIBITED | REQ_AUTHORISATION | CONDITIONAL | NO_RESTRICTION), `geometry`: a list
  of volumes with `uomDimensions` (M | FT), `lowerLimit`/`upperLimit`, `lowerVerticalReference`/
  `upperVerticalReference` (AGL | AMSL) and `horizontalProjection` {type Polygon + coordinates, or type
  Circle + center + radius (m)}, and `applicability`: [{permanent YES|NO, startDateTime, endDateTime,
  schedule: [{day: [MON..SUN|ANY], startTime, endTime}]}], times as "hh:mm[:ss.ss]" + offset (Z, +0800).
  Coordinates are read in GeoJSON order [lon, lat].
- ED-318: a GeoJSON FeatureCollection; `properties` carry `identifier`, `name` (string or [{lang, text}]),
  `type` (the restriction: PROHIBITED | REQ_AUTHORIZATION | CONDITIONAL | NO_RESTRICTION | USPACE; a
  `restriction` member is accepted too), `zoneAuthority` and `limitedApplicability` ([TimePeriod], absent:
  always); each geometry carries `layer` {upper, upperReference, lower, lowerReference (AGL|AMSL|WGS84),
  uom m|ft}, and a Point with `extent` {subType Circle, radius (m)} is a circle.

lowalt zones are bands above ground. AMSL / WGS84 limits are kept as numbers and treated as above-ground,
because ground elevation is unknown here; the zone name says so and a warning is logged. USPACE zones map
to `conditional` and NO_RESTRICTION to `advisory` (shown, not avoided). Daylight events (sunrise, sunset)
in a schedule cannot be resolved here, so such a period counts as the whole day (conservative).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from shapely.geometry import Point, mapping

from airspace.errors import InputError
from airspace.geometry import Geometry
from airspace.projection import Projector
from airspace.clock import DAY_S, DayClock
from airspace.windows import TimeWindow
from airspace.zones import Restriction, Zone

logger = logging.getLogger(__name__)

FORMATS = ("geojson", "ed269", "ed318", "kml")
FT_TO_M = 0.3048
UNLIMITED_M = 10_000.0  # an absent upper limit: the whole column
CIRCLE_SEGMENTS = 64
_RESTRICTIONS = {
    "PROHIBITED": Restriction.PROHIBITED,
    "REQ_AUTHORISATION": Restriction.AUTHORISATION_REQUIRED,
    "REQ_AUTHORIZATION": Restriction.AUTHORISATION_REQUIRED,
    "AUTHORISATION_REQUIRED": Restriction.AUTHORISATION_REQUIRED,
    "AUTHORIZATION_REQUIRED": Restriction.AUTHORISATION_REQUIRED,
    "RESTRICTED": Restriction.AUTHORISATION_REQUIRED,
    "CONDITIONAL": Restriction.CONDITIONAL,
    "USPACE": Restriction.CONDITIONAL,
    "NO_RESTRICTION": Restriction.ADVISORY,
    "ADVISORY": Restriction.ADVISORY,
}
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)
_GEOJSON_FIELDS = {"id", "name", "restriction", "lower_m", "upper_m", "active"}


class _Ctx:
    """Where we are in a file, so each error names file, feature and field."""

    def __init__(self, file: str, date: dt.date | None, tz: dt.tzinfo):
        self.file = file
        self.date = date
        self.tz = tz
        self.feature: str | None = None
        self.warned_reference = False

    def error(self, message: str, field: str | None = None) -> InputError:
        return InputError(message, file=self.file, feature=self.feature, field=field)


# ---------------------------------------------------------------------------------------------- entry point
def load_zones(
    path: str | Path,
    *,
    format: str | None = None,
    default_restriction: Restriction | str | None = None,
    date: dt.date | None = None,
    timezone: str | None = None,
) -> list[Zone]:
    """Zones from a GeoJSON, ED-269, ED-318 or KML file; `format` None detects it from the content.

    `date` and `timezone` (IANA name) turn ED-269/ED-318 applicability into active windows for that day:
    a zone not applicable that day gets `active=[]`; permanent zones `active=None`. Without a date every
    zone counts as active all day.
    """
    path = Path(path)
    file = str(path)
    if format is not None and format not in FORMATS:
        raise InputError(f"format {format!r} is not one of {', '.join(FORMATS)}", file=file, field="format")
    tz = _timezone(timezone, file)
    ctx = _Ctx(file, date, tz)
    default = _default_restriction(default_restriction, file)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read zone file: {exc.strerror or exc}", file=file) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"zone file is not UTF-8 text (byte {exc.start}: {exc.reason})", file=file) from None
    looks_xml = text.lstrip().startswith("<")
    if format == "kml" or (format is None and (looks_xml or path.suffix.lower() == ".kml")):
        zones = _read_kml(text, ctx, default)
        kind = "kml"
    else:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", file=file) from None
        except RecursionError:  # json's decoder recurses per level: [[[[...]]]] thousands deep
            raise InputError("JSON nests too deeply to be a zone file", file=file) from None
        kind = format or _detect(doc, ctx)
        reader = {"geojson": _read_geojson, "ed269": _read_ed269, "ed318": _read_ed318}[kind]
        try:
            zones = reader(doc, ctx, default)
        except OverflowError:  # an integer beyond float range (JSON ints are unbounded) where a number belongs
            raise ctx.error("a number is too large (beyond the float range)") from None
    _check_unique(zones, file)
    logger.info("%s: %d zones (%s)", file, len(zones), kind)
    return zones


def _timezone(name: str | None, file: str) -> dt.tzinfo:
    if name is None:
        return dt.timezone.utc
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a tz database folder such as "Asia"
        raise InputError(f"timezone {name!r} is not an IANA time zone name", file=file, field="timezone") from None


def _default_restriction(value: Restriction | str | None, file: str) -> Restriction | None:
    if value is None or isinstance(value, Restriction):
        return value
    mapped = _RESTRICTIONS.get(str(value).strip().upper().replace("-", "_").replace(" ", "_"))
    if mapped is None:
        try:
            return Restriction(str(value))
        except ValueError:
            raise InputError(f"default restriction {value!r} is unknown", file=file, field="restriction") from None
    return mapped


def _detect(doc: Any, ctx: _Ctx) -> str:
    if not isinstance(doc, dict):
        raise ctx.error(f"a zone file is a JSON object, not {type(doc).__name__}")
    features = doc.get("features")
    if doc.get("type") == "Feature":
        raise ctx.error("this is a single GeoJSON Feature; zone files need a FeatureCollection around it", "type")
    if not isinstance(features, list):
        raise ctx.error("no 'features' list: expected a GeoJSON FeatureCollection, ED-269 or ED-318 document",
                        "features")
    dicts = [f for f in features if isinstance(f, dict)]
    if doc.get("type") != "FeatureCollection" and any(isinstance(f.get("geometry"), list) for f in dicts):
        return "ed269"  # UASZoneVersion: geometry is a list of volumes, no GeoJSON wrapper
    if doc.get("type") != "FeatureCollection":
        raise ctx.error(f"type is {doc.get('type')!r}; expected 'FeatureCollection' (or an ED-269 document)", "type")
    for feature in dicts:
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        if isinstance(geometry, dict) and ("layer" in geometry or "extent" in geometry):
            return "ed318"
        if isinstance(props, dict) and "identifier" in props and ("zoneAuthority" in props or "type" in props):
            return "ed318"
    return "geojson"


def _check_unique(zones: list[Zone], file: str) -> None:
    seen: set[str] = set()
    for zone in zones:
        if zone.id in seen:
            raise InputError(f"zone id {zone.id!r} appears more than once", file=file, feature=zone.id, field="id")
        seen.add(zone.id)


# ---------------------------------------------------------------------------------------------- shared pieces
def _restriction(value: Any, default: Restriction | None, ctx: _Ctx, field: str) -> Restriction:
    if value is None or value == "":
        if default is None:
            raise ctx.error("no restriction given and the file reference sets no default", field)
        return default
    if isinstance(value, Restriction):
        return value
    key = str(value).strip().upper().replace("-", "_").replace(" ", "_")
    if key in _RESTRICTIONS:
        return _RESTRICTIONS[key]
    raise ctx.error(f"restriction {value!r} is not one of PROHIBITED, REQ_AUTHORISATION, CONDITIONAL, "
                    "NO_RESTRICTION (or prohibited, authorisation_required, conditional, advisory)", field)


def _number(value: Any, ctx: _Ctx, field: str, default: float | None = None) -> float:
    if value is None:
        if default is None:
            raise ctx.error("is missing", field)
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ctx.error(f"{value!r} is not a number", field) from None
    except OverflowError:
        raise ctx.error("number is too large (beyond the float range)", field) from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise ctx.error(f"{value!r} is not a finite number", field)
    return number


def _metres(value: float, uom: Any, ctx: _Ctx, field: str) -> float:
    unit = str(uom or "M").strip().upper()
    if unit in ("M", "METRE", "METER", "METRES", "METERS"):
        return value
    if unit in ("FT", "FEET", "FOOT"):
        return value * FT_TO_M
    raise ctx.error(f"unit {uom!r} is neither M nor FT", field)


def _reference_note(lower_ref: Any, upper_ref: Any, ctx: _Ctx) -> str | None:
    refs = {str(r).strip().upper() for r in (lower_ref, upper_ref) if r is not None}
    bad = refs - {"AGL", "SFC", "GND"}
    unknown = bad - {"AMSL", "MSL", "WGS84"}
    if unknown:
        raise ctx.error(f"vertical reference {sorted(unknown)[0]!r} is not AGL, AMSL or WGS84", "verticalReference")
    if not bad:
        return None
    if not ctx.warned_reference:
        logger.warning("%s: limits referenced to %s are treated as above ground (ground elevation unknown)",
                       ctx.file, "/".join(sorted(bad)))
        ctx.warned_reference = True
    return f"limits {'/'.join(sorted(bad))} treated as AGL: ground elevation unknown"


def _circle(center: Any, radius: Any, ctx: _Ctx, field: str) -> Geometry:
    if not (isinstance(center, (list, tuple)) and len(center) >= 2):
        raise ctx.error(f"circle center {center!r} must be [lon, lat]", f"{field}.center")
    lon = _number(center[0], ctx, f"{field}.center")
    lat = _number(center[1], ctx, f"{field}.center")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ctx.error(f"circle center {center!r} is out of range (lon -180..180, lat -90..90)", f"{field}.center")
    r = _number(radius, ctx, f"{field}.radius")
    if r <= 0:
        raise ctx.error(f"circle radius {radius!r} must be > 0 m", f"{field}.radius")
    # Buffered in metres around the centre, CIRCLE_SEGMENTS vertices in all (quad_segs counts a quarter).
    projector = Projector.for_lonlat(lon, lat)
    disc = projector.to_metric(Point(lon, lat)).buffer(r, quad_segs=CIRCLE_SEGMENTS // 4)
    try:
        return Geometry.from_shape(projector.to_wgs84(disc))
    except ValidationError as exc:  # a radius so small the disc is empty, or so large it leaves the globe
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise ctx.error(f"circle radius {radius!r} gives no usable zone ({reason})", f"{field}.radius") from None


def _polygon(geometry: Any, ctx: _Ctx, field: str) -> Geometry:
    if not isinstance(geometry, dict):
        raise ctx.error(f"geometry must be a GeoJSON object, not {type(geometry).__name__}", field)
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise ctx.error(f"zone geometry must be Polygon or MultiPolygon, not {kind!r}", f"{field}.type")
    try:
        return Geometry(type=kind, coordinates=geometry.get("coordinates"))
    except ValidationError as exc:
        raise ctx.error("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors()),
                        f"{field}.coordinates") from None


def _make_zone(ctx: _Ctx, **fields: Any) -> Zone:
    try:
        return Zone(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        loc = ".".join(str(part) for part in first["loc"]) or None
        if loc is None:  # a whole-zone check: name the field its message is about
            loc = next((name for name in ("upper_m", "lower_m", "geometry") if name in message), None)
        raise ctx.error(message, loc) from None


def _text(value: Any) -> str | None:
    """ED-318 text is a string or [{lang, text}]: prefer English, else the first."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = [v for v in value if isinstance(v, dict) and v.get("text")]
        english = [v for v in texts if str(v.get("lang", "")).lower().startswith("en")]
        chosen = (english or texts or [None])[0]
        return _plain(chosen["text"]) if chosen else None
    if isinstance(value, dict):
        return _plain(value.get("text"))
    return str(value)


def _plain(value: Any) -> str | None:
    # A name must end up as text even when a file nests a list or object where the string belongs.
    return value if value is None or isinstance(value, str) else json.dumps(value, default=str)


def _join(*parts: Any) -> str | None:
    kept = [_plain(p) for p in parts if p]
    return " - ".join(kept) if kept else None


# ---------------------------------------------------------------------------------------------- applicability
def _parse_datetime(value: Any, ctx: _Ctx, field: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ctx.error(f"{value!r} is not an ISO 8601 date-time", field) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ctx.tz)  # no offset: local time of the scenario


def _parse_time(value: Any, ctx: _Ctx, field: str) -> tuple[int, dt.tzinfo]:
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


def _schedule_intervals(schedule: list, ctx: _Ctx, field: str, day_start: dt.datetime) -> list[tuple]:
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
        if entry.get("startEvent") or entry.get("endEvent"):
            logger.warning("%s: feature %s: daylight events are not resolved; the period counts as all day",
                           ctx.file, ctx.feature)
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


def _windows(periods: Any, ctx: _Ctx, field: str, *, permanent_key: bool) -> list[TimeWindow] | None:
    """Active windows on ctx.date from ED-269 applicability / ED-318 limitedApplicability (None: all day).

    Every period is an interval of instants; `DayClock.spans` puts it on the scenario's clock (airspace.clock).
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
        schedule = period.get("schedule")
        if schedule:
            if not isinstance(schedule, list):
                raise ctx.error("must be a list of daily periods", f"{where}.schedule")
            pieces = _schedule_intervals(schedule, ctx, f"{where}.schedule", day_start)
        else:
            pieces = [(lo, hi)]
        for begin, end in pieces:
            spans += clock.spans(max(begin, lo), min(end, hi))
    spans.sort()
    merged: list[list[float]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    # Whole seconds, widened outwards: a zone is never shorter than published.
    windows = []
    for begin, end in merged:
        b, e = math.floor(begin), min(math.ceil(end), DAY_S)
        if e > b:
            windows.append(TimeWindow.from_seconds(b, e))
    return windows


# ---------------------------------------------------------------------------------------------- GeoJSON
def _features(doc: Any, ctx: _Ctx, kind: str) -> list:
    if not isinstance(doc, dict):
        raise ctx.error(f"a {kind} file is a JSON object, not {type(doc).__name__}")
    if doc.get("type") == "Feature":
        raise ctx.error("this is a single GeoJSON Feature; zone files need a FeatureCollection around it", "type")
    if doc.get("type") != "FeatureCollection":
        raise ctx.error(f"type is {doc.get('type')!r}; a {kind} file is a FeatureCollection", "type")
    features = doc.get("features")
    if not isinstance(features, list):
        raise ctx.error("'features' must be a list", "features")
    return features


def _feature_label(index: int, ident: Any) -> str:
    return f"{index} ({ident})" if ident not in (None, "") else str(index)


def _read_geojson(doc: Any, ctx: _Ctx, default: Restriction | None) -> list[Zone]:
    zones = []
    for index, feature in enumerate(_features(doc, ctx, "GeoJSON zone")):
        ctx.feature = str(index)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ctx.error("each entry of 'features' must be a GeoJSON Feature", "type")
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise ctx.error("properties must be an object", "properties")
        ident = props.get("id", feature.get("id"))
        ctx.feature = _feature_label(index, ident)
        if ident in (None, ""):
            raise ctx.error("every zone needs an id (properties.id or the feature's id)", "id")
        geometry = _polygon(feature.get("geometry"), ctx, "geometry")
        active = props.get("active")
        if active is not None:
            if not isinstance(active, list):
                raise ctx.error("must be a list of {start, end} windows", "active")
            try:
                active = [TimeWindow.model_validate(w) for w in active]
            except ValidationError as exc:
                raise ctx.error(exc.errors()[0]["msg"].removeprefix("Value error, "), "active") from None
        zones.append(_make_zone(
            ctx, id=str(ident), name=props.get("name"),
            restriction=_restriction(props.get("restriction"), default, ctx, "restriction"),
            lower_m=_number(props.get("lower_m"), ctx, "lower_m", 0.0),
            upper_m=_number(props.get("upper_m"), ctx, "upper_m", 120.0),
            geometry=geometry, active=active, source=ctx.file,
        ))
    return zones


# ---------------------------------------------------------------------------------------------- ED-269
def _read_ed269(doc: Any, ctx: _Ctx, default: Restriction | None) -> list[Zone]:
    if not isinstance(doc, dict) or not isinstance(doc.get("features"), list):
        raise ctx.error("an ED-269 document is an object with a 'features' list of UAS zones", "features")
    zones = []
    for index, feature in enumerate(doc["features"]):
        ctx.feature = str(index)
        if not isinstance(feature, dict):
            raise ctx.error("each feature must be a UASZoneVersion object")
        ident = feature.get("identifier")
        ctx.feature = _feature_label(index, ident)
        if ident in (None, ""):
            raise ctx.error("every zone needs an identifier", "identifier")
        restriction = _restriction(feature.get("restriction"), default, ctx, "restriction")
        active = _windows(feature.get("applicability"), ctx, "applicability", permanent_key=True)
        volumes = feature.get("geometry")
        if not isinstance(volumes, list) or not volumes:
            raise ctx.error("must be a non-empty list of airspace volumes", "geometry")
        for k, volume in enumerate(volumes):
            field = f"geometry[{k}]"
            if not isinstance(volume, dict):
                raise ctx.error("an airspace volume is an object", field)
            projection = volume.get("horizontalProjection")
            if not isinstance(projection, dict):
                raise ctx.error("is missing or not an object", f"{field}.horizontalProjection")
            kind = projection.get("type")
            if kind == "Circle":
                shape = _circle(projection.get("center"), projection.get("radius"), ctx,
                                f"{field}.horizontalProjection")
            elif kind in ("Polygon", "MultiPolygon"):
                shape = _polygon(projection, ctx, f"{field}.horizontalProjection")
            else:
                raise ctx.error(f"type {kind!r} is neither Polygon nor Circle", f"{field}.horizontalProjection.type")
            uom = volume.get("uomDimensions", "M")
            lower = _metres(_number(volume.get("lowerLimit"), ctx, f"{field}.lowerLimit", 0.0), uom, ctx,
                            f"{field}.uomDimensions")
            upper = _metres(_number(volume.get("upperLimit"), ctx, f"{field}.upperLimit", UNLIMITED_M / FT_TO_M
                                    if str(uom).upper() == "FT" else UNLIMITED_M), uom, ctx, f"{field}.uomDimensions")
            note = _reference_note(volume.get("lowerVerticalReference"), volume.get("upperVerticalReference"), ctx)
            zones.append(_make_zone(
                ctx, id=str(ident) if len(volumes) == 1 else f"{ident}#{k}",
                name=_join(feature.get("name"), note), restriction=restriction,
                lower_m=lower, upper_m=upper, geometry=shape, active=active, source=ctx.file,
            ))
    return zones


# ---------------------------------------------------------------------------------------------- ED-318
def _ed318_parts(geometry: Any, ctx: _Ctx) -> list[tuple[Geometry, dict | None]]:
    if not isinstance(geometry, dict):
        raise ctx.error("geometry must be a GeoJSON object", "geometry")
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        parts = []
        members = geometry.get("geometries") or []
        if not isinstance(members, list):
            raise ctx.error("geometries must be a list of geometries", "geometry.geometries")
        for k, sub in enumerate(members):
            parts.extend(_ed318_part(sub, ctx, f"geometry.geometries[{k}]"))
        if not parts:
            raise ctx.error("GeometryCollection holds no geometries", "geometry.geometries")
        return parts
    return _ed318_part(geometry, ctx, "geometry")


def _ed318_part(geometry: Any, ctx: _Ctx, field: str) -> list[tuple[Geometry, dict | None]]:
    if not isinstance(geometry, dict):
        raise ctx.error("must be a GeoJSON geometry object", field)
    layer = geometry.get("layer")
    if layer is not None and not isinstance(layer, dict):
        raise ctx.error("layer must be an object with upper, lower, uom and references", f"{field}.layer")
    if geometry.get("type") == "Point":
        extent = geometry.get("extent")
        if not isinstance(extent, dict) or str(extent.get("subType", "")).lower() != "circle":
            raise ctx.error("a Point zone needs extent {subType: Circle, radius}", f"{field}.extent")
        return [(_circle(geometry.get("coordinates"), extent.get("radius"), ctx, f"{field}.extent"), layer)]
    return [(_polygon(geometry, ctx, field), layer)]


def _read_ed318(doc: Any, ctx: _Ctx, default: Restriction | None) -> list[Zone]:
    zones = []
    for index, feature in enumerate(_features(doc, ctx, "ED-318")):
        ctx.feature = str(index)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ctx.error("each entry of 'features' must be a GeoJSON Feature", "type")
        props = feature.get("properties")
        if not isinstance(props, dict):
            raise ctx.error("properties must be an ED-318 UASZone object", "properties")
        ident = props.get("identifier", feature.get("id"))
        ctx.feature = _feature_label(index, ident)
        if ident in (None, ""):
            raise ctx.error("every zone needs an identifier", "properties.identifier")
        value = props.get("restriction", props.get("type"))
        restriction = _restriction(value, default, ctx,
                                   "properties.restriction" if "restriction" in props else "properties.type")
        active = _windows(props.get("limitedApplicability"), ctx, "properties.limitedApplicability",
                          permanent_key=False)
        parts = _ed318_parts(feature.get("geometry"), ctx)
        authority = props.get("zoneAuthority")
        authority_name = _text(authority[0].get("name")) if isinstance(authority, list) and authority and isinstance(
            authority[0], dict) else None
        for k, (shape, layer) in enumerate(parts):
            field = "geometry.layer" if len(parts) == 1 else f"geometry.geometries[{k}].layer"
            layer = layer or {}
            uom = layer.get("uom", "m")
            lower = _metres(_number(layer.get("lower"), ctx, f"{field}.lower", 0.0), uom, ctx, f"{field}.uom")
            upper_default = UNLIMITED_M / FT_TO_M if str(uom).upper() == "FT" else UNLIMITED_M
            upper = _metres(_number(layer.get("upper"), ctx, f"{field}.upper", upper_default), uom, ctx,
                            f"{field}.uom")
            note = _reference_note(layer.get("lowerReference"), layer.get("upperReference"), ctx)
            zones.append(_make_zone(
                ctx, id=str(ident) if len(parts) == 1 else f"{ident}#{k}",
                name=_join(_text(props.get("name")), f"authority: {authority_name}" if authority_name else None, note),
                restriction=restriction, lower_m=lower, upper_m=upper, geometry=shape, active=active,
                source=ctx.file,
            ))
    return zones


# ---------------------------------------------------------------------------------------------- KML
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> Iterable[ET.Element]:
    return (child for child in element if _local(child.tag) == name)


def _descendants(element: ET.Element, name: str) -> list[ET.Element]:
    return [node for node in element.iter() if _local(node.tag) == name]


def _kml_ring(element: ET.Element | None, ctx: _Ctx, field: str) -> list[list[float]]:
    coords = _descendants(element, "coordinates") if element is not None else []
    if not coords or not (coords[0].text or "").strip():
        raise ctx.error("LinearRing has no coordinates", field)
    ring = []
    for token in coords[0].text.split():
        try:
            values = [float(v) for v in token.split(",")]
        except ValueError:
            raise ctx.error(f"coordinate {token!r} is not lon,lat[,alt]", field) from None
        if len(values) < 2:
            raise ctx.error(f"coordinate {token!r} is not lon,lat[,alt]", field)
        ring.append(values[:2])  # KML altitude is display height, not a zone limit
    return ring


def _kml_polygon(polygon: ET.Element, ctx: _Ctx) -> list[list[list[float]]]:
    outer = next(iter(_descendants(next(iter(_children(polygon, "outerBoundaryIs")), polygon), "LinearRing")), None)
    rings = [_kml_ring(outer, ctx, "Polygon.outerBoundaryIs")]
    for inner in _children(polygon, "innerBoundaryIs"):
        rings.append(_kml_ring(next(iter(_descendants(inner, "LinearRing")), None), ctx, "Polygon.innerBoundaryIs"))
    return rings


def _kml_data(placemark: ET.Element) -> dict[str, str]:
    data: dict[str, str] = {}
    for extended in _children(placemark, "ExtendedData"):
        for node in extended.iter():
            tag = _local(node.tag)
            if tag == "Data" and node.get("name"):
                value = next(iter(_children(node, "value")), None)
                data[node.get("name")] = (value.text if value is not None else "") or ""
            elif tag == "SimpleData" and node.get("name"):
                data[node.get("name")] = node.text or ""
    return {k: v.strip() for k, v in data.items()}


def _read_kml(text: str, ctx: _Ctx, default: Restriction | None) -> list[Zone]:
    # ElementTree expands internal entities; refuse DTDs outright so "billion laughs" cannot start.
    if re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise ctx.error("KML with a DOCTYPE or ENTITY declaration is refused (entity expansion risk)")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ctx.error(f"not well-formed XML ({exc})") from None
    if _local(root.tag) != "kml":
        raise ctx.error(f"root element is <{_local(root.tag)}>, not <kml>")
    zones = []
    for index, placemark in enumerate(_descendants(root, "Placemark")):
        data = _kml_data(placemark)
        name_el = next(iter(_children(placemark, "name")), None)
        name = (name_el.text or "").strip() if name_el is not None else None
        ident = data.get("id") or placemark.get("id") or name
        ctx.feature = _feature_label(index, ident)
        polygons = _descendants(placemark, "Polygon")
        if not polygons:
            logger.warning("%s: placemark %s has no Polygon; skipped", ctx.file, ctx.feature)
            continue
        if not ident:
            raise ctx.error("a zone placemark needs an id attribute, an ExtendedData id or a name", "id")
        rings = [_kml_polygon(p, ctx) for p in polygons]
        geometry = {"type": "Polygon", "coordinates": rings[0]} if len(rings) == 1 else {
            "type": "MultiPolygon", "coordinates": rings}
        zones.append(_make_zone(
            ctx, id=str(ident), name=name or None,
            restriction=_restriction(data.get("restriction"), default, ctx, "ExtendedData.restriction"),
            lower_m=_number(data.get("lower_m") or None, ctx, "ExtendedData.lower_m", 0.0),
            upper_m=_number(data.get("upper_m") or None, ctx, "ExtendedData.upper_m", 120.0),
            geometry=_polygon(geometry, ctx, "Polygon"), source=ctx.file,
        ))
    return zones


def zone_to_feature(zone: Zone) -> dict:
    """A zone as a plain GeoJSON Feature that `load_zones` reads back (for tests and exports)."""
    return {
        "type": "Feature",
        "geometry": mapping(zone.geometry.shape),
        "properties": {key: value for key, value in zone.model_dump(mode="json").items()
                       if key in _GEOJSON_FIELDS and value is not None},
    }
