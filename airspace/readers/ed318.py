"""EUROCAE ED-318 geozone collections -> zones (field names after interuss/uas_standards eurocae_ed318.py).
"""
from __future__ import annotations

from typing import Any

from airspace.geometry import Geometry
from airspace.readers import schedule, shapes
from airspace.readers.ed318_check import check_feature
from airspace.readers.zone_fields import (
    NotAZone, ZoneContext, join, make_zone, metres, number, reference_note, restriction, text, upper_default,
)
from airspace.zones import Zone

UNAPPLIED = {
    "restrictionConditions": "conditions of REQ_AUTHORIZATION/CONDITIONAL zones are not checked",
}


def identify(feature: Any) -> Any:
    if not isinstance(feature, dict):
        return None
    props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
    return props.get("identifier", feature.get("id"))


def read(feature: Any, ctx: ZoneContext) -> list[Zone]:
    """The zones of one ED-318 feature (one per layered geometry).

    A GeoJSON FeatureCollection; `properties` carry `identifier`, `name` (string or [{lang, text}]), `type` (the
    restriction: PROHIBITED | REQ_AUTHORIZATION | CONDITIONAL | NO_RESTRICTION | USPACE; a `restriction` member is
    accepted too), `zoneAuthority` and `limitedApplicability` ([TimePeriod], absent: always). Each geometry carries
    `layer` {upper, upperReference, lower, lowerReference (AGL | AMSL | WGS84), uom m | ft}; a Point with `extent`
    {subType Circle, radius (m)} is a circle; a GeometryCollection gives one zone per member, `<identifier>#<k>`.
    Every feature is also checked against the published schema (ed318_check): breaks are warnings.
    """
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ctx.error("each entry of 'features' must be a GeoJSON Feature", "type")
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise ctx.error("properties must be an ED-318 UASZone object", "properties")
    check_feature(feature, ctx)
    ident = identify(feature)
    if ident in (None, ""):
        raise ctx.error("every zone needs an identifier", "properties.identifier")
    parts = _parts(feature.get("geometry"), ctx)
    value = props.get("restriction", props.get("type"))
    kind = restriction(value, ctx, "properties.restriction" if "restriction" in props else "properties.type")
    active = schedule.windows(props.get("limitedApplicability"), ctx, "properties.limitedApplicability",
                              permanent_key=False)
    for name, why in UNAPPLIED.items():
        if props.get(name) not in (None, "", []):
            ctx.tally(f"unapplied:{name}", f"{name} is not applied: {why}", f"properties.{name}")
    if str(props.get("regulationExemption") or "").upper() == "YES":
        ctx.tally("exemption", "regulationExemption YES is not applied: the zone is avoided like any other",
                  "properties.regulationExemption")
    authority = props.get("zoneAuthority")
    authority_name = text(authority[0].get("name")) if isinstance(authority, list) and authority and isinstance(
        authority[0], dict) else None
    zones = []
    for k, (shape, layer, where) in enumerate(parts):
        field = f"{where}.layer"
        layer = layer or {}
        uom = layer.get("uom") or "m"
        lower = metres(number(layer.get("lower"), ctx, f"{field}.lower", 0.0), uom, ctx, f"{field}.uom")
        upper = metres(number(layer.get("upper"), ctx, f"{field}.upper", upper_default(uom)), uom, ctx,
                       f"{field}.uom")
        note = reference_note(layer.get("lowerReference"), layer.get("upperReference"), ctx, f"{field}.upperReference")
        zones.append(make_zone(
            ctx, id=str(ident) if len(parts) == 1 else f"{ident}#{k}",
            name=join(text(props.get("name")), f"authority: {authority_name}" if authority_name else None, note),
            restriction=kind, lower_m=lower, upper_m=upper, geometry=shape, active=active, source=ctx.file,
        ))
    return zones


def _parts(geometry: Any, ctx: ZoneContext) -> list[tuple[Geometry, dict | None, str]]:
    if not isinstance(geometry, dict):
        raise ctx.error("geometry must be a GeoJSON object", "geometry")
    if geometry.get("type") != "GeometryCollection":
        return [_part(geometry, ctx, "geometry")]
    members = geometry.get("geometries")
    if not isinstance(members, list) or not members:
        raise ctx.error("GeometryCollection holds no geometries", "geometry.geometries")
    parts = []
    for k, sub in enumerate(members):
        try:
            parts.append(_part(sub, ctx, f"geometry.geometries[{k}]"))
        except NotAZone as skipped:
            ctx.warn(f"{skipped}; that member is skipped", f"geometry.geometries[{k}].type")
    if not parts:
        raise NotAZone("no member of its GeometryCollection is an area")
    return parts


def _part(geometry: Any, ctx: ZoneContext, field: str) -> tuple[Geometry, dict | None, str]:
    if not isinstance(geometry, dict):
        raise ctx.error("must be a GeoJSON geometry object", field)
    layer = geometry.get("layer")
    if layer is not None and not isinstance(layer, dict):
        raise ctx.error("layer must be an object with upper, lower, uom and references", f"{field}.layer")
    kind = geometry.get("type")
    if kind == "Point":
        extent = geometry.get("extent")
        if not isinstance(extent, dict) or str(extent.get("subType", "")).lower() != "circle":
            raise NotAZone("a Point without extent {subType: Circle, radius} is no area")
        return shapes.circle(geometry.get("coordinates"), extent.get("radius"), ctx, f"{field}.extent"), layer, field
    if kind not in shapes.POLYGONAL:
        raise NotAZone(f"a {kind} geometry is no area (zones are Polygon, MultiPolygon or a circle)")
    return shapes.polygon(geometry, ctx, field), layer, field
