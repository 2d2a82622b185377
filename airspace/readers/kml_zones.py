"""KML placemarks -> zones: flat polygons, and the extruded prisms authorities export (UK NATS eAIP 3D).
"""
from __future__ import annotations

import shapely

from airspace.geometry import Geometry
from airspace.readers import shapes
from airspace.readers.kml import KmlGeometry, Placemark
from airspace.readers.zone_fields import (
    NotAZone, ZoneContext, join, make_zone, number, reference_note, restriction,
)
from airspace.zones import CHINA_CEILING_M, Zone

WALL_AREA_DEG2 = 1e-12  # a face whose footprint is narrower than this is a vertical wall
SAME_FOOTPRINT = 1e-6  # faces whose footprints differ by this share of their area are one prism
HEIGHT_MODES = {"relativeToGround": "AGL", "absolute": "AMSL", "relativeToSeaFloor": "AGL"}


def identify(mark: Placemark, ctx: ZoneContext):
    if ctx.id_property:
        return mark.data.get(ctx.id_property)
    return mark.data.get("id") or mark.id or mark.name


def read(mark: Placemark, ident: str, ctx: ZoneContext) -> list[Zone]:
    """The zones of one placemark (one per distinct altitude band).

    A prism is a MultiGeometry of a floor face, a ceiling face and vertical walls. Walls (no horizontal area) are
    dropped; faces with the same footprint make one zone whose band runs from the lowest to the highest face. A
    single face drawn `extrude`d, or floating at a height, reaches from the ground to that height. Heights count
    only when altitudeMode says what they are above: relativeToGround (AGL) or absolute (AMSL, treated as AGL with
    the usual caveat); clampToGround ignores them (KML's own rule). ExtendedData `lower_m`/`upper_m`, when given,
    are the zone's limits; `restriction` and `id` come from ExtendedData too (or the file reference's default).
    """
    faces = [g for g in mark.geometries if g.type == "Polygon"]
    if not faces:
        kinds = ", ".join(sorted({g.type for g in mark.geometries})) or "nothing"
        raise NotAZone(f"no Polygon (it holds {kinds})")
    kind = restriction(mark.data.get("restriction"), ctx, "ExtendedData.restriction")
    bands = _prisms(faces, ctx)
    given = [mark.data.get(k) or None for k in ("lower_m", "upper_m")]
    name = mark.data.get(ctx.name_property) if ctx.name_property else mark.name
    groups: dict[tuple[float, float, str | None], list] = {}
    for footprint, low, high, mode in bands:
        if any(v is not None for v in given):
            lower = number(given[0], ctx, "ExtendedData.lower_m", 0.0)
            upper = number(given[1], ctx, "ExtendedData.upper_m", CHINA_CEILING_M)
            if mode is not None and (abs(lower - low) > 1 or abs(upper - high) > 1):
                ctx.tally("kml-limits", f"ExtendedData limits {lower:g}-{upper:g} m are used; the KML heights say "
                                        f"{low:g}-{high:g} m", "ExtendedData.lower_m")
            low, high, mode = lower, upper, None
        elif mode is None:
            low, high = 0.0, CHINA_CEILING_M
        note = reference_note("AGL", HEIGHT_MODES[mode], ctx, "altitudeMode") if mode else None
        groups.setdefault((low, high, note), []).append(footprint)
    zones = []
    for k, ((low, high, note), footprints) in enumerate(groups.items()):
        merged = shapely.union_all(footprints)
        zones.append(make_zone(
            ctx, id=str(ident) if len(groups) == 1 else f"{ident}#{k}", name=join(name, note), restriction=kind,
            lower_m=low, upper_m=high, geometry=Geometry.from_shape(merged), source=ctx.file,
        ))
    return zones


def _prisms(faces: list[KmlGeometry], ctx: ZoneContext) -> list[tuple[shapely.Geometry, float, float, str | None]]:
    """(footprint, lowest, highest, height mode or None) per distinct footprint; walls dropped."""
    groups: list[list] = []  # [footprint, heights, mode, extruded]
    walls = 0
    for k, face in enumerate(faces):
        outline = shapely.Polygon([p[:2] for p in face.coordinates[0]]) if len(face.coordinates[0]) >= 4 else None
        if outline is None or outline.area <= WALL_AREA_DEG2:
            walls += 1
            continue
        footprint = shapes.polygon({"type": "Polygon", "coordinates": face.flat()}, ctx, f"Polygon[{k}]").shape
        heights = [p[2] for ring in face.coordinates for p in ring if len(p) > 2]
        mode = face.altitude_mode if face.altitude_mode in HEIGHT_MODES else None
        if mode is None and any(heights):
            ctx.tally("clamped", f"heights are ignored: altitudeMode {face.altitude_mode} puts the polygon on the "
                                 "ground", "altitudeMode")
        for group in groups:
            if group[2] == mode and _same(group[0], footprint):
                group[1] += heights
                group[3] = group[3] or face.extrude
                break
        else:
            groups.append([footprint, list(heights), mode, face.extrude])
    if not groups:
        raise NotAZone(f"placemark's {walls} polygons are all vertical walls (no horizontal area)")
    out = []
    for footprint, heights, mode, extruded in groups:
        if mode is None or not heights or max(heights) <= 0:  # no height above its reference: no band given
            out.append((footprint, 0.0, 0.0, None))
            continue
        low, high = min(heights), max(heights)
        if low == high:  # one face: extruded to the ground, or a floating sheet read the same way (the safe side)
            if not extruded and high > 0:
                ctx.tally("floating", f"a polygon drawn at {high:g} m without extrude is read as a zone from the "
                                      f"ground to {high:g} m", "extrude")
            low = 0.0
        out.append((footprint, low, high, mode))
    return out


def _same(a: shapely.Geometry, b: shapely.Geometry) -> bool:
    return a.symmetric_difference(b).area <= SAME_FOOTPRINT * max(a.area, b.area)
