"""Keep-out geofences for a sortie: each zone outline pushed out by a clearance, so no fence edge lies in a zone.

Polygonised arcs (circles, rounded corners) bulge beyond their chords; that bulge is added, and the path stays outside.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString

from airspace.projection import Projector
from airspace.zones import Zone
from missions.models import Sortie

logger = logging.getLogger(__name__)

FENCE_CLEARANCE_M = 5.0  # fence to zone: a drone drifting this far off a leg trips the fence before it enters
PATH_SLACK_M = 1.0  # the fence stays at least this far from the planned path, so the mission never trips it
MITRE_LIMIT = 2.0  # >= 1: a bevelled corner still lies outside the round buffer of the same distance
# A run of at least three chords of equal length turning by the same small angle is read as a polygonised arc.
ARC_MAX_TURN_DEG = 45.0
ARC_LENGTH_TOLERANCE = 0.02  # relative
ARC_TURN_TOLERANCE_DEG = 0.05


@dataclass(frozen=True)
class Fence:
    """An exclusion fence around one zone: open rings of (lon, lat), and the distances that define it."""

    zone_id: str
    rings: tuple[tuple[tuple[float, float], ...], ...]
    clearance_m: float  # from the zone's true outline (its arcs included) to the fence
    arc_bulge_m: float  # how far the zone's polygonised arcs reach beyond their chords
    offset_m: float  # from the zone polygon as listed to the fence: clearance + bulge


@dataclass(frozen=True)
class Unfenced:
    """A keep-out zone the fence file leaves out, and why (a fence cannot follow a schedule or an altitude band)."""

    zone_id: str
    reason: str


def arc_bulge_m(ring: np.ndarray) -> float:
    """Largest chord-to-arc distance (sagitta) of the polygonised arcs in a closed metric ring; 0 if it has none."""
    pts = np.asarray(ring, dtype=float)[:, :2]
    if len(pts) > 1 and np.allclose(pts[0], pts[-1]):
        pts = pts[:-1]
    n = len(pts)
    if n < 4:
        return 0.0
    edges = np.roll(pts, -1, axis=0) - pts  # edge i runs from vertex i to vertex i+1
    lengths = np.hypot(edges[:, 0], edges[:, 1])
    headings = np.arctan2(edges[:, 1], edges[:, 0])
    turns = (np.roll(headings, -1) - headings + math.pi) % (2 * math.pi) - math.pi  # turn from edge i to i+1
    bulge = 0.0
    limit, tol = math.radians(ARC_MAX_TURN_DEG), math.radians(ARC_TURN_TOLERANCE_DEG)
    for i in range(n):
        before, after = turns[i - 1], turns[i]  # into and out of edge i
        same_length = all(abs(lengths[j] / lengths[i] - 1) <= ARC_LENGTH_TOLERANCE for j in (i - 1, (i + 1) % n))
        if (same_length and 0 < abs(after) <= limit and np.sign(before) == np.sign(after)
                and abs(before - after) <= tol):
            bulge = max(bulge, lengths[i] / 2 * math.tan(abs(after) / 4))
    return float(bulge)


def sortie_fences(sortie: Sortie, zones: list[Zone], clearance_m: float = FENCE_CLEARANCE_M
                  ) -> tuple[list[Fence], list[Unfenced]]:
    """A fence per keep-out zone, `clearance_m` outside its true outline, narrowed where the path passes closer."""
    if not zones:
        return [], []
    hangar = sortie.waypoints[0]
    projector = Projector.for_lonlat(hangar.lon, hangar.lat)
    xs, ys = projector.forward([w.lon for w in sortie.waypoints], [w.lat for w in sortie.waypoints])
    path = LineString(list(zip(xs, ys)))
    fences, unfenced = [], []
    for zone in zones:
        shape = projector.to_metric(zone.geometry.shape)
        parts = list(getattr(shape, "geoms", [shape]))
        bulge = max(arc_bulge_m(np.asarray(p.exterior.coords)) for p in parts)
        room = path.distance(shape) - PATH_SLACK_M  # the farthest the fence may sit from the zone polygon
        if room < bulge:
            reason = (f"sortie {sortie.sortie_id} passes {room + PATH_SLACK_M:.1f} m from zone {zone.id}'s outline "
                      f"(its arcs reach {bulge:.1f} m beyond their chords): legal only outside the zone's active "
                      "time or altitude band, which a fence cannot express")
            logger.warning("no fence for zone %s: %s", zone.id, reason)
            unfenced.append(Unfenced(zone.id, reason))
            continue
        clearance = min(clearance_m, room - bulge)
        if clearance < clearance_m:
            logger.warning("sortie %s: fence of zone %s kept %.1f m from the zone (not %.1f m): the path passes "
                           "%.1f m from it", sortie.sortie_id, zone.id, clearance, clearance_m, room + PATH_SLACK_M)
        offset = clearance + bulge
        grown = shapely.buffer(shape, offset, join_style="mitre", mitre_limit=MITRE_LIMIT) if offset > 0 else shape
        rings = []
        for part in getattr(grown, "geoms", [grown]):
            # Fences have no holes: the outer ring keeps the drone out of the whole outline.
            lon, lat = projector.inverse(*np.asarray(part.exterior.coords)[:-1, :2].T)
            rings.append(tuple((float(x), float(y)) for x, y in zip(lon, lat)))
        fences.append(Fence(zone.id, tuple(rings), round(clearance, 3), round(bulge, 3), round(offset, 3)))
    return fences, unfenced
