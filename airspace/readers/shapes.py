"""Zone footprints: GeoJSON polygons (invalid rings repaired when that keeps their area) and circles.
"""
from __future__ import annotations

import shapely
from pydantic import ValidationError
from shapely.geometry import Point
from shapely.geometry import shape as shapely_shape
from shapely.validation import explain_validity

from airspace.geometry import Geometry
from airspace.projection import Projector
from airspace.readers.zone_fields import ZoneContext, number

CIRCLE_SEGMENTS = 64
REPAIR_AREA_TOLERANCE = 0.01  # 1 % of the area: a self-touching vertex or a sliver loop, not a redrawn zone
POLYGONAL = ("Polygon", "MultiPolygon")


def polygon(geometry: dict, ctx: ZoneContext, field: str) -> Geometry:
    """A Polygon/MultiPolygon GeoJSON geometry as a valid Geometry, repaired if it may be (see module doc).

    A published ring that touches or crosses itself is repaired with GEOS make_valid and kept with a warning naming
    the zone, when the repaired area differs from the ring's own (shoelace) area by at most REPAIR_AREA_TOLERANCE;
    beyond that the repair would guess at the authority's intent, so the zone is an error naming both areas.
    """
    kind = geometry.get("type")
    try:
        return Geometry(type=kind, coordinates=geometry.get("coordinates"))
    except ValidationError as exc:
        message = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        if " is invalid: " not in message:  # empty, out of range, malformed: nothing to repair
            raise ctx.error(message, f"{field}.coordinates") from None
    return _repaired(shapely_shape(geometry), ctx, field)


def _repaired(raw: shapely.Geometry, ctx: ZoneContext, field: str) -> Geometry:
    reason = explain_validity(raw)
    fixed = shapely.make_valid(raw, method="structure", keep_collapsed=False)
    parts = [g for g in shapely.get_parts(fixed) if g.geom_type in POLYGONAL and not g.is_empty]
    fixed = shapely.union_all(parts) if parts else shapely.Polygon()
    before, after = abs(raw.area), fixed.area
    change = abs(after - before) / max(before, after) if max(before, after) > 0 else 1.0
    if fixed.is_empty or change > REPAIR_AREA_TOLERANCE:
        raise ctx.error(f"{raw.geom_type} is invalid ({reason}); repairing it would change its area by "
                        f"{change:.1%} (more than {REPAIR_AREA_TOLERANCE:.0%}), so lowalt will not guess: fix the "
                        "ring in the file", f"{field}.coordinates")
    ctx.warn(f"{raw.geom_type} was invalid ({reason}) and was repaired; its area changed by {change:.2%}",
             f"{field}.coordinates")
    return Geometry.from_shape(fixed)


def circle(center: object, radius: object, ctx: ZoneContext, field: str) -> Geometry:
    """A disc of `radius` metres around [lon, lat], CIRCLE_SEGMENTS vertices, buffered in metres."""
    if not (isinstance(center, (list, tuple)) and len(center) >= 2):
        raise ctx.error(f"circle center {center!r} must be [lon, lat]", f"{field}.center")
    lon = number(center[0], ctx, f"{field}.center")
    lat = number(center[1], ctx, f"{field}.center")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ctx.error(f"circle center {center!r} is out of range (lon -180..180, lat -90..90)", f"{field}.center")
    r = number(radius, ctx, f"{field}.radius")
    if r <= 0:
        raise ctx.error(f"circle radius {radius!r} must be > 0 m", f"{field}.radius")
    projector = Projector.for_lonlat(lon, lat)
    disc = projector.to_metric(Point(lon, lat)).buffer(r, quad_segs=CIRCLE_SEGMENTS // 4)
    try:
        return Geometry.from_shape(projector.to_wgs84(disc))
    except ValidationError as exc:  # a radius so small the disc is empty, or so large it leaves the globe
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise ctx.error(f"circle radius {radius!r} gives no usable zone ({reason})", f"{field}.radius") from None
