"""Which hangars can reach which tasks, for a whole city or country at once (vectorised, STRtree over reach boxes).

Tasks no operating radius covers leave as out_of_reach (nearest hangar, distances) before any matrix is built."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from airspace.projection import Projector
from missions.models import Hangar, InspectionTask, UnservedReason, UnservedTask
from planner.problem.task_airspace import with_geometry

CHUNK_ELEMENTS = 2_000_000  # vertex x hangar distances computed at once when naming the nearest hangar
SCALE_PROBE_M = 1000.0
# Pieces cut at an operating radius end this share of it inside: a group measures distances in its own UTM zone,
# whose scale differs from true metres by up to 0.1 % (UTM's 0.9996 at the meridian to ~1.001 at the zone edge).
DISC_MARGIN = 0.002  # a hangar's projection scale is measured over this geodesic distance
_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class Reach:
    """For one task: the hangars whose operating radius covers all of it, and how far its farthest point is."""

    hangars: tuple[int, ...]  # indices into the hangar list, nearest (by farthest point) first
    farthest_m: tuple[float, ...]  # same order


@dataclass(frozen=True)
class TaskVertices:
    """Every task's vertices projected once: xy (n, 2) metric and the slice of each task."""

    xy: np.ndarray
    offsets: np.ndarray  # task k owns xy[offsets[k]:offsets[k + 1]]

    @classmethod
    def of(cls, tasks: list[InspectionTask], projector: Projector) -> "TaskVertices":
        counts = np.array([len(t.coordinates) for t in tasks], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(counts)])
        if not tasks:
            return cls(np.zeros((0, 2)), offsets)
        lonlat = np.array([c[:2] for t in tasks for c in t.coordinates], dtype=float)
        x, y = projector.forward(lonlat[:, 0], lonlat[:, 1])
        return cls(np.column_stack([np.asarray(x, float), np.asarray(y, float)]), offsets)


def hangar_xy(hangars: list[Hangar], projector: Projector) -> np.ndarray:
    if not hangars:
        return np.zeros((0, 2))
    x, y = projector.forward(np.array([h.lon for h in hangars]), np.array([h.lat for h in hangars]))
    return np.column_stack([np.asarray(x, float), np.asarray(y, float)])


def hangar_scale(hangars: list[Hangar], projector: Projector) -> np.ndarray:
    """Projected metres per true metre at each hangar (1.0004 near the zone's meridian, 1.05 twenty degrees off it):
    a conformal projection scales alike in every direction over a hangar's few kilometres."""
    if not hangars:
        return np.zeros(0)
    lon, lat = np.array([h.lon for h in hangars]), np.array([h.lat for h in hangars])
    lon2, lat2, _ = _GEOD.fwd(lon, lat, np.zeros(len(lon)), np.full(len(lon), SCALE_PROBE_M))
    x1, y1 = projector.forward(lon, lat)
    x2, y2 = projector.forward(np.asarray(lon2), np.asarray(lat2))
    return np.hypot(np.asarray(x2) - x1, np.asarray(y2) - y1) / SCALE_PROBE_M


def reach_table(tasks: list[InspectionTask], hangars: list[Hangar], projector: Projector,
                vertices: TaskVertices | None = None) -> list[Reach]:
    """Per task, the hangars whose operating radius holds every vertex of it (what slot_reason also demands)."""
    vertices = vertices or TaskVertices.of(tasks, projector)
    hxy = hangar_xy(hangars, projector)
    scale = hangar_scale(hangars, projector)
    radius = np.array([h.operating_radius_m for h in hangars], dtype=float) * scale  # projected metres
    if not tasks or not hangars:
        return [Reach((), ()) for _ in tasks]
    # Candidates: the task's bounding box inside the hangar's reach box (necessary for lying inside the disc).
    lo = np.column_stack([np.minimum.reduceat(vertices.xy[:, 0], vertices.offsets[:-1]),
                          np.minimum.reduceat(vertices.xy[:, 1], vertices.offsets[:-1])])
    hi = np.column_stack([np.maximum.reduceat(vertices.xy[:, 0], vertices.offsets[:-1]),
                          np.maximum.reduceat(vertices.xy[:, 1], vertices.offsets[:-1])])
    boxes = shapely.box(hxy[:, 0] - radius, hxy[:, 1] - radius, hxy[:, 0] + radius, hxy[:, 1] + radius)
    tree = shapely.STRtree(boxes)
    task_boxes = shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
    pair_task, pair_hangar = tree.query(task_boxes, predicate="within")
    # Exact farthest distance for each candidate pair: expand pairs to the task's vertices, reduce per pair.
    counts = np.diff(vertices.offsets)[pair_task]
    pair_of = np.repeat(np.arange(len(pair_task)), counts)
    starts = np.repeat(vertices.offsets[pair_task] - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    vertex = starts + np.arange(len(pair_of))
    dist = np.hypot(vertices.xy[vertex, 0] - hxy[pair_hangar[pair_of], 0],
                    vertices.xy[vertex, 1] - hxy[pair_hangar[pair_of], 1])
    farthest = np.zeros(len(pair_task))
    np.maximum.at(farthest, pair_of, dist)
    inside = farthest <= radius[pair_hangar]
    farthest = farthest / scale[pair_hangar]  # true metres
    table: list[list[tuple[float, int]]] = [[] for _ in tasks]
    for t, h, far in zip(pair_task[inside].tolist(), pair_hangar[inside].tolist(), farthest[inside].tolist()):
        table[t].append((far, h))
    result = []
    for entries in table:
        entries.sort()
        result.append(Reach(tuple(h for _, h in entries), tuple(f for f, _ in entries)))
    return result


def split_at_reach(tasks: list[InspectionTask], hangars: list[Hangar], projector: Projector,
                   vertices: TaskVertices | None = None) -> list[InspectionTask]:
    """Line tasks no single radius holds, cut where they cross operating radii: a leg of river from 4 to 9 km of
    a hangar with an 8 km radius flies its first 4 km; only the piece beyond every radius is out of reach.

    Each piece lies wholly inside the same radii (or none); consecutive pieces inside a common radius stay one.
    Tasks that touch no radius (most of a national layer) are found in one bulk query and returned as they are.
    """
    if not hangars or not tasks:
        return tasks
    vertices = vertices or TaskVertices.of(tasks, projector)
    hxy = hangar_xy(hangars, projector)
    radius = (np.array([h.operating_radius_m for h in hangars], dtype=float) * (1 - DISC_MARGIN)
              * hangar_scale(hangars, projector))
    discs = shapely.buffer(shapely.points(hxy), radius, quad_segs=64)  # inscribed: inside it is inside the circle
    lines = [shapely.LineString(vertices.xy[a:b]) if b - a > 1 else None
             for a, b in zip(vertices.offsets[:-1].tolist(), vertices.offsets[1:].tolist())]
    task_idx, disc_idx = shapely.STRtree(discs).query(
        [line if line is not None else shapely.Point() for line in lines], predicate="intersects")
    touching: dict[int, list[int]] = {}
    for t, d in zip(task_idx.tolist(), disc_idx.tolist()):
        touching.setdefault(t, []).append(d)
    out: list[InspectionTask] = []
    for k, task in enumerate(tasks):
        line = lines[k]
        pieces = _pieces_by_disc(line, [discs[d] for d in touching[k]]) if line is not None and k in touching else []
        if len(pieces) < 2:
            out.append(task)
            continue
        out += [with_geometry(task, f"{task.task_id}/{n}", piece, projector) for n, piece in enumerate(pieces, 1)]
    return out


def _pieces_by_disc(line: shapely.LineString, discs: list) -> list[shapely.LineString]:
    """`line` cut at the discs' boundaries, consecutive pieces merged while some disc (or none) holds them all."""
    from shapely.ops import split

    cut = split(line, shapely.MultiLineString([d.exterior for d in discs]))
    parts = [g for g in cut.geoms if g.length > 0]
    merged: list[tuple[list, frozenset]] = []
    for part in parts:
        mid = part.interpolate(0.5, normalized=True)
        holders = frozenset(k for k, d in enumerate(discs) if d.contains(mid))
        if merged and (merged[-1][1] & holders or (not merged[-1][1] and not holders)):
            coords, common = merged[-1]
            merged[-1] = (coords + list(part.coords)[1:], common & holders if holders else common)
        else:
            merged.append((list(part.coords), holders))
    return [shapely.LineString(coords) for coords, _ in merged]


def out_of_reach(tasks: list[InspectionTask], hangars: list[Hangar], projector: Projector,
                 vertices: TaskVertices | None = None) -> list[UnservedTask]:
    """The out_of_reach reason of tasks no hangar covers: the hangar whose radius falls shortest, its radius, and
    the task's nearest and farthest distance from it."""
    if not tasks:
        return []
    vertices = vertices or TaskVertices.of(tasks, projector)
    hxy = hangar_xy(hangars, projector)
    scale = hangar_scale(hangars, projector)
    radius = np.array([h.operating_radius_m for h in hangars], dtype=float)
    unserved: list[UnservedTask] = []
    if not hangars:
        return [UnservedTask(task_id=t.task_id, target_id=t.target_id, reason=UnservedReason.OUT_OF_REACH,
                             detail="the scenario has no hangar", coordinates=t.coordinates) for t in tasks]
    per_chunk = max(1, CHUNK_ELEMENTS // max(1, len(hangars)))
    start = 0
    while start < len(tasks):
        # Whole tasks per chunk, about per_chunk vertices each.
        stop = int(np.searchsorted(vertices.offsets, vertices.offsets[start] + per_chunk, side="right")) - 1
        stop = min(len(tasks), max(start + 1, stop))
        a, b = vertices.offsets[start], vertices.offsets[stop]
        d = np.hypot(vertices.xy[a:b, 0, None] - hxy[None, :, 0], vertices.xy[a:b, 1, None] - hxy[None, :, 1]) / scale
        local = vertices.offsets[start:stop] - a
        far = np.maximum.reduceat(d, local, axis=0)
        shortfall = far - radius[None, :]
        best = np.argmin(shortfall, axis=1)
        for k, h in enumerate(best.tolist()):
            task = tasks[start + k]
            near_m, far_m = _geodesic_span(task, hangars[h])  # the text's numbers, free of projection scale
            unserved.append(UnservedTask(
                task_id=task.task_id, target_id=task.target_id, reason=UnservedReason.OUT_OF_REACH,
                detail=reach_text(task, hangars[h], near_m, far_m), coordinates=task.coordinates))
        start = stop
    return unserved


def _geodesic_span(task: InspectionTask, hangar: Hangar) -> tuple[float, float]:
    lons = [c[0] for c in task.coordinates]
    lats = [c[1] for c in task.coordinates]
    _, _, dist = _GEOD.inv([hangar.lon] * len(lons), [hangar.lat] * len(lats), lons, lats)
    return float(np.min(dist)), float(np.max(dist))


def reach_text(task: InspectionTask, hangar: Hangar, near_m: float, far_m: float) -> str:
    far = _km_beside(far_m, hangar.operating_radius_m)
    where = (f"{far} km" if len(task.coordinates) == 1 or far_m - near_m < 50
             else f"{_km_beside(near_m, hangar.operating_radius_m)}-{far} km")
    radius = hangar.operating_radius_m / 1000
    return f"{where} from the nearest hangar, {hangar.id}: beyond its {radius:.1f} km operating radius"


def _km_beside(metres: float, radius_m: float) -> str:
    """Kilometres with as many decimals (1 to 3) as it takes not to print the radius itself: 8.04, not 8.0."""
    for digits in (1, 2):
        if f"{metres / 1000:.{digits}f}" != f"{radius_m / 1000:.{digits}f}":
            return f"{metres / 1000:.{digits}f}"
    return f"{metres / 1000:.3f}"
