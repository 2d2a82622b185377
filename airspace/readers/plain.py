"""Plain zone features (GeoJSON, or any vector file lowalt reads) -> zones.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import ValidationError

from airspace.readers import schedule, shapes
from airspace.readers.features import Feature
from airspace.readers.zone_fields import (
    NotAZone, ZoneContext, join, make_zone, metres, number, reference_note, restriction,
)
from airspace.windows import TimeWindow
from airspace.zones import CHINA_CEILING_M, Zone

FIELDS = {"id", "name", "restriction", "lower_m", "upper_m", "active", "timeBegin", "timeEnd",
          "lowerCeiling", "upperCeiling"}


def identify(feature: Feature, ctx: ZoneContext) -> Any:
    props = feature.properties
    if ctx.id_property:
        return props.get(ctx.id_property)
    return props.get("id", feature.id)


def name_of(feature: Feature, ctx: ZoneContext) -> Any:
    return feature.properties.get(ctx.name_property or "name")


def read(feature: Feature, ident: str, ctx: ZoneContext) -> list[Zone]:
    """The zone of one feature; `ident` is its id (given or the stable fallback, see zones.fallback_ids).

    Fields: `id` (or the file reference's `id_property`, or the feature's own id), `name` (or `name_property`),
    `restriction` (or the reference's default), `lower_m`/`upper_m` (metres above ground, default 0 and 120),
    `active` ([{start, end}] clock windows), `timeBegin`/`timeEnd` (ISO 8601 instants) and openAIP's
    `lowerCeiling`/`upperCeiling` {value, unit, referenceDatum}. Other properties holding numbers, lengths or dates
    (a limit, buffer or schedule lowalt does not apply?) are named in one warning.
    """
    props = feature.properties
    geometry = feature.geometry
    if not isinstance(geometry, dict) or not geometry.get("type"):
        raise NotAZone("feature has no geometry")
    if geometry.get("type") not in shapes.POLYGONAL:
        raise NotAZone(f"a {geometry.get('type')} is no area (zones are Polygon or MultiPolygon)")
    ctx.unread_fields.update(k for k in set(props) - FIELDS - {ctx.id_property, ctx.name_property}
                             if _could_constrain(props[k]))
    shape = shapes.polygon(geometry, ctx, "geometry")
    lower, upper, note = _limits(props, ctx)
    active = _active(props.get("active"), ctx)
    period = schedule.between(props.get("timeBegin"), props.get("timeEnd"), ctx, "timeBegin", "timeEnd")
    if period is not None:
        active = period if active is None else _intersect(active, period)
    return [make_zone(
        ctx, id=str(ident), name=join(name_of(feature, ctx), note),
        restriction=restriction(props.get("restriction"), ctx, "restriction"),
        lower_m=lower, upper_m=upper, geometry=shape, active=active, source=ctx.file,
    )]


_MEASURE = re.compile(r"^\s*[-+]?\d+([.,]\d+)?\s*(m|km|ft|fod|nm|meter|metre|meters|metres|feet)?\s*$", re.IGNORECASE)


def _could_constrain(value: Any) -> bool:
    """A property holding a number, a length ("5 km"), a date or a structure could be a limit, buffer or schedule
    lowalt does not apply; descriptive text and flags could not."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float, dict, list)):
        return True
    text = str(value)
    if _MEASURE.match(text):
        return True
    try:
        dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def _limits(props: dict, ctx: ZoneContext) -> tuple[float, float, str | None]:
    lower = number(props.get("lower_m"), ctx, "lower_m", 0.0)
    upper = number(props.get("upper_m"), ctx, "upper_m", CHINA_CEILING_M)
    refs = []
    for key, bound in (("lowerCeiling", "lower"), ("upperCeiling", "upper")):  # openAIP's limits
        limit = props.get(key)
        if limit is None:
            continue
        if not isinstance(limit, dict):
            raise ctx.error("must be an object {value, unit, referenceDatum}", key)
        value = metres(number(limit.get("value"), ctx, f"{key}.value"), limit.get("unit"), ctx, f"{key}.unit")
        lower, upper = (value, upper) if bound == "lower" else (lower, value)
        refs.append(limit.get("referenceDatum"))
    note = reference_note(*(refs + [None, None])[:2], ctx, "upperCeiling.referenceDatum") if refs else None
    return lower, upper, note


def _active(value: Any, ctx: ZoneContext) -> list[TimeWindow] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ctx.error("must be a list of {start, end} windows", "active")
    try:
        return [TimeWindow.model_validate(w) for w in value]
    except ValidationError as exc:
        raise ctx.error(exc.errors()[0]["msg"].removeprefix("Value error, "), "active") from None


def _intersect(a: list[TimeWindow], b: list[TimeWindow]) -> list[TimeWindow]:
    out = []
    for x in a:
        for y in b:
            start, end = max(x.start_s, y.start_s), min(x.end_s, y.end_s)
            if end > start:
                out.append(TimeWindow.from_seconds(start, end))
    return out
