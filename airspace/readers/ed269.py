"""EUROCAE ED-269 UAS zone documents -> zones (field names after interuss/uas_standards eurocae_ed269.py).
"""
from __future__ import annotations

from typing import Any

from airspace.readers import schedule, shapes
from airspace.readers.zone_fields import (
    ZoneContext, join, make_zone, metres, number, reference_note, restriction, upper_default,
)
from airspace.zones import Zone

LIST_KEYS = ("features", "UASZoneList")
# Fields that restrict flight in ways lowalt does not model: each is named in a warning when a file uses it.
UNAPPLIED = {
    "restrictionConditions": "conditions of REQ_AUTHORISATION/CONDITIONAL zones are not checked",
    "uSpaceClass": "U-space classes are not modelled",
}


def zone_list(doc: Any, ctx: ZoneContext) -> list:
    if not isinstance(doc, dict):
        raise ctx.error(f"an ED-269 document is a JSON object, not {type(doc).__name__}")
    key = next((k for k in LIST_KEYS if isinstance(doc.get(k), list)), None)
    if key is None:
        raise ctx.error("an ED-269 document holds a 'features' or 'UASZoneList' list of UAS zones", "features")
    return doc[key]


def identify(feature: Any) -> Any:
    return feature.get("identifier") if isinstance(feature, dict) else None


def read(feature: Any, ctx: ZoneContext) -> list[Zone]:
    """The zones of one UASZoneVersion (one per volume).

    A document is `{"title", "description", "features": [UASZoneVersion]}` or, as InterUSS and national services
    publish it, `{"formatVersion", "createdAt", "UASZoneList": [UASZoneVersion]}`. Each zone has `identifier`,
    `name`, `restriction` (PROHIBITED | REQ_AUTHORISATION | CONDITIONAL | NO_RESTRICTION), `geometry`: a list of
    volumes with `uomDimensions` (M | FT), `lowerLimit`/`upperLimit` (absent upper: the whole column),
    `lower/upperVerticalReference` (AGL | AMSL) and `horizontalProjection` (Polygon coordinates, or Circle
    `center` + `radius` in m), and `applicability`: [{permanent, startDateTime, endDateTime, schedule or
    dailyPeriod: [{day, startTime, endTime}]}]. Coordinates are read in GeoJSON order [lon, lat]. A zone of
    several volumes becomes one zone per volume, `<identifier>#<k>`.
    """
    if not isinstance(feature, dict):
        raise ctx.error("each zone must be a UASZoneVersion object")
    ident = feature.get("identifier")
    if ident in (None, ""):
        raise ctx.error("every zone needs an identifier", "identifier")
    kind = restriction(feature.get("restriction"), ctx, "restriction")
    active = schedule.windows(feature.get("applicability"), ctx, "applicability", permanent_key=True)
    for name, why in UNAPPLIED.items():
        if feature.get(name) not in (None, "", []):
            ctx.tally(f"unapplied:{name}", f"{name} is not applied: {why}", name)
    if str(feature.get("regulationExemption") or "").upper() == "YES":
        ctx.tally("exemption", "regulationExemption YES is not applied: the zone is avoided like any other",
                  "regulationExemption")
    volumes = feature.get("geometry")
    if not isinstance(volumes, list) or not volumes:
        raise ctx.error("must be a non-empty list of airspace volumes", "geometry")
    zones = []
    for k, volume in enumerate(volumes):
        field = f"geometry[{k}]"
        if not isinstance(volume, dict):
            raise ctx.error("an airspace volume is an object", field)
        shape = _projection(volume.get("horizontalProjection"), ctx, f"{field}.horizontalProjection")
        uom = volume.get("uomDimensions") or "M"
        lower = metres(number(volume.get("lowerLimit"), ctx, f"{field}.lowerLimit", 0.0), uom, ctx,
                       f"{field}.uomDimensions")
        upper = metres(number(volume.get("upperLimit"), ctx, f"{field}.upperLimit", upper_default(uom)), uom, ctx,
                       f"{field}.uomDimensions")
        note = reference_note(volume.get("lowerVerticalReference"), volume.get("upperVerticalReference"), ctx,
                              f"{field}.upperVerticalReference")
        zones.append(make_zone(
            ctx, id=str(ident) if len(volumes) == 1 else f"{ident}#{k}", name=join(feature.get("name"), note),
            restriction=kind, lower_m=lower, upper_m=upper, geometry=shape, active=active, source=ctx.file,
        ))
    return zones


def _projection(projection: Any, ctx: ZoneContext, field: str):
    if not isinstance(projection, dict):
        raise ctx.error("is missing or not an object", field)
    kind = projection.get("type")
    if kind == "Circle":
        return shapes.circle(projection.get("center"), projection.get("radius"), ctx, field)
    if kind in shapes.POLYGONAL:
        return shapes.polygon(projection, ctx, field)
    raise ctx.error(f"type {kind!r} is neither Polygon nor Circle", f"{field}.type")
