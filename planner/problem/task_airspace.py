"""Cut inspection tasks where they run into keep-out zones at their own altitude.

Pieces inside an always-active zone become unserved (blocked by airspace); pieces inside a temporary
closure stay tasks that may only be flown in epochs when the closure is inactive.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import shapely
from shapely.geometry import LineString, MultiLineString, Point

from airspace.projection import Projector
from airspace.rules import band_meets, is_keep_out
from airspace.zones import Zone
from missions.models import InspectionTask, UnservedReason, UnservedTask
from planner.problem.epochs import Epoch, clock, zone_active_in

logger = logging.getLogger(__name__)

# Pieces end this far beyond the clearance buffer: the legal-path graph cannot start a leg right on the
# buffer's edge (a point 22 m from a zone with 20 m clearance was unreachable; 35 m is, measured).
EDGE_MARGIN_M = 15.0
MIN_PIECE_M = 5.0  # shorter slivers between zones are not worth a flight; they are reported, not dropped
TOUCH_M = 1e-3  # parts of a line shorter than this where it meets a buffered zone's edge are rounding, not pieces


@dataclass(frozen=True)
class TaskWithEpochs:
    task: InspectionTask
    blocked_epochs: frozenset[int]  # epochs in which a closure over the task forbids flying it


def split_tasks_by_airspace(
    tasks: list[InspectionTask],
    zones: list[Zone],
    authorised: list[str],
    epochs: list[Epoch],
    projector: Projector,
    clearance_m: float,
    transit_m: float,
    ceiling_m: float,
) -> tuple[list[TaskWithEpochs], list[UnservedTask]]:
    """A task is flown at its altitude but entered and left by a vertical move from transit height, so a
    zone anywhere in the band between the two blocks it."""
    keep_out = [z for z in zones if is_keep_out(z, authorised) and any(zone_active_in(z, e) for e in epochs)]
    buffered = [projector.to_metric(z.geometry.shape).buffer(clearance_m + EDGE_MARGIN_M) for z in keep_out]
    tree = shapely.STRtree(buffered) if buffered else None
    kept: list[TaskWithEpochs] = []
    unserved: list[UnservedTask] = []
    for task in tasks:
        if task.altitude_m > ceiling_m:
            unserved.append(_unserved(task, f"inspection altitude {task.altitude_m:g} m is above the "
                                            f"{ceiling_m:g} m airspace ceiling"))
            continue
        geom = _task_metric(task, projector)
        hits = [] if tree is None else [int(i) for i in tree.query(geom, predicate="intersects")]
        low, high = min(task.altitude_m, transit_m), max(task.altitude_m, transit_m)
        hits = [i for i in hits if band_meets(keep_out[i], low, high)]
        if not hits:
            kept.append(TaskWithEpochs(task, frozenset()))
            continue
        pieces = _pieces(geom, [buffered[i] for i in hits])
        for number, (piece, inside) in enumerate(pieces, start=1):
            piece_id = task.task_id if len(pieces) == 1 else f"{task.task_id}/{number}"
            piece_task = with_geometry(task, piece_id, piece, projector)
            zones_in = [keep_out[hits[k]] for k in inside]
            blocked = frozenset(e.index for e in epochs if any(zone_active_in(z, e) for z in zones_in))
            length = piece.length
            if zones_in and len(blocked) == len(epochs):
                names = ", ".join(f"{z.id} ({z.restriction.value}, {z.lower_m:g}-{z.upper_m:g} m)" for z in zones_in)
                hours = f"{clock(epochs[0].start_s)}-{clock(epochs[-1].end_s)}" if epochs else "all day"
                unserved.append(_unserved(piece_task, f"inside keep-out zone {names}, within {clearance_m:g} m "
                                                      f"clearance, at its {task.altitude_m:g} m inspection height "
                                                      f"or on the climb to {transit_m:g} m, whenever the fleet "
                                                      f"may fly ({hours})"))
            elif task.kind != "point" and length < MIN_PIECE_M:
                unserved.append(_unserved(piece_task, f"{length:.1f} m sliver beside keep-out zones, too short to fly"))
            else:
                kept.append(TaskWithEpochs(piece_task, blocked))
    if unserved:
        logger.info("airspace split: %d task pieces blocked by keep-out zones", len(unserved))
    return kept, unserved


def _task_metric(task: InspectionTask, projector: Projector) -> shapely.Geometry:
    coords = [(c[0], c[1]) for c in task.coordinates]
    geom = Point(coords[0]) if len(coords) == 1 else LineString(coords)
    return projector.to_metric(geom)


def _pieces(geom: shapely.Geometry, zone_polys: list[shapely.Geometry]) -> list[tuple[shapely.Geometry, list[int]]]:
    """Split a line (or point) into pieces outside all zones and pieces inside some, in order along the line."""
    union = shapely.union_all(zone_polys)
    if isinstance(geom, Point):
        inside = [k for k, poly in enumerate(zone_polys) if poly.intersects(geom)]
        return [(geom, inside)]
    # A line ending on a buffer's edge (a piece cut before, split again in a replan) touches it: a point, or a
    # sliver of rounding on either side, which is no piece.
    parts = [(p, False) for p in _lines(geom.difference(union)) if p.length > TOUCH_M]
    parts += [(p, True) for p in _lines(geom.intersection(union)) if p.length > TOUCH_M]
    if not parts:  # the whole line is a sliver: it stays one piece, judged by the caller
        return [(geom, [k for k, poly in enumerate(zone_polys) if poly.intersects(geom)])]
    parts.sort(key=lambda item: geom.project(Point(item[0].coords[0])))
    result = []
    for part, is_inside in parts:
        inside = [k for k, poly in enumerate(zone_polys) if poly.intersects(part)] if is_inside else []
        result.append((part, inside))
    return result


def _lines(geom: shapely.Geometry) -> list[LineString]:
    if geom.is_empty:
        return []
    if isinstance(geom, LineString):
        return [geom]
    if isinstance(geom, MultiLineString):
        return list(geom.geoms)
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, LineString) and not g.is_empty]


def with_geometry(task: InspectionTask, task_id: str, piece_metric: shapely.Geometry, projector: Projector) -> InspectionTask:
    """A piece of `task` (metric geometry) as a task of its own: its id, coordinates and length."""
    piece = projector.to_wgs84(piece_metric)
    coords = [[float(x), float(y)] for x, y in ((c[0], c[1]) for c in piece.coords)]
    length = 0.0 if isinstance(piece_metric, Point) else float(piece_metric.length)
    return task.model_copy(update={"task_id": task_id, "coordinates": coords, "length_m": length})


def _unserved(task: InspectionTask, detail: str) -> UnservedTask:
    return UnservedTask(
        task_id=task.task_id,
        target_id=task.target_id,
        reason=UnservedReason.BLOCKED_BY_AIRSPACE,
        detail=detail,
        coordinates=task.coordinates,
    )
