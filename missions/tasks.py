"""Inspection tasks from targets: lines and shoreline rings cut into legs a battery can fly, corridor passes, points.

Nothing is dropped silently: a piece that cannot become a task comes back as an UnservedTask with the reason.
"""
from __future__ import annotations

import logging
import math

from shapely.geometry import LineString
from shapely.ops import substring

from missions.coverage import Requirement, RequiredLine, requirement_of
from missions.models import Camera, InspectionTask, Scenario, Target, UnservedReason, UnservedTask

logger = logging.getLogger(__name__)


def cut_line(line: LineString, max_leg_m: float) -> list[LineString]:
    """Cut a metric line into n = ceil(L / max_leg_m) legs of equal length, in order along the line."""
    if max_leg_m <= 0:
        raise ValueError(f"max_leg_m must be positive, got {max_leg_m}")
    length = line.length
    count = max(1, math.ceil(length / max_leg_m - 1e-9))
    step = length / count
    return [substring(line, k * step, (k + 1) * step) for k in range(count)]


def _lonlat(coords) -> list[list[float]]:
    return [[float(c[0]), float(c[1])] for c in coords]


def _line_tasks(req: Requirement, max_leg_m: float) -> list[InspectionTask]:
    """Legs of every required line, numbered along the target (per pass when there is a corridor)."""
    target = req.target
    tasks: list[InspectionTask] = []
    leg_numbers: dict[int | None, int] = {}
    for required in req.lines:
        for leg in cut_line(required.line, max_leg_m):
            number = leg_numbers.get(required.pass_index, 0) + 1
            leg_numbers[required.pass_index] = number
            if required.pass_index is None:
                task_id = f"{target.id}#{number}"
            else:
                task_id = f"{target.id}#p{required.pass_index}-{number}"
            tasks.append(InspectionTask(
                task_id=task_id,
                target_id=target.id,
                kind=target.kind,
                coordinates=_lonlat(req.projector.to_wgs84(leg).coords),
                length_m=float(leg.length),
                altitude_m=target.altitude_m,
                priority=target.priority,
                urgent=target.urgent,
                window=target.window,
                hover_s=0.0,
                reversible=True,
                pass_index=required.pass_index,
            ))
    return tasks


def _point_tasks(req: Requirement) -> list[InspectionTask]:
    target = req.target
    tasks = []
    for k, point in enumerate(req.points, start=1):
        lonlat = req.projector.to_wgs84(point)
        tasks.append(InspectionTask(
            task_id=f"{target.id}#pt{k}",
            target_id=target.id,
            kind=target.kind,
            coordinates=[[float(lonlat.x), float(lonlat.y)]],
            length_m=0.0,
            altitude_m=target.altitude_m,
            priority=target.priority,
            urgent=target.urgent,
            window=target.window,
            hover_s=target.hover_s,
            reversible=False,
        ))
    return tasks


def _unserved_of(req: Requirement) -> list[UnservedTask]:
    target = req.target
    unserved = []
    for piece, line in req.degenerate:
        unserved.append(UnservedTask(
            task_id=f"{target.id}#z{piece}",
            target_id=target.id,
            reason=UnservedReason.INVALID,
            detail=f"line {piece} of target {target.id} has zero length ({line.length:.3f} m): nothing to fly",
            coordinates=_lonlat(req.projector.to_wgs84(line).coords),
        ))
    if req.problem is not None:
        for k, required in enumerate(req.lines, start=1):
            unserved.append(UnservedTask(
                task_id=f"{target.id}#{k}",
                target_id=target.id,
                reason=UnservedReason.INVALID,
                detail=f"target {target.id}: {req.problem}",
                coordinates=_lonlat(req.projector.to_wgs84(required.line).coords),
            ))
    return unserved


def tasks_from_target(
    target: Target, scenario: Scenario, *, max_leg_m: float, default_camera: Camera | None = None
) -> tuple[list[InspectionTask], list[UnservedTask]]:
    req = requirement_of(target, scenario.drone_models, default_camera=default_camera)
    unserved = _unserved_of(req)
    if req.problem is not None:
        return [], unserved
    tasks = _point_tasks(req) if req.points else _line_tasks(req, max_leg_m)
    return tasks, unserved


def tasks_from_targets(
    scenario: Scenario, *, max_leg_m: float, default_camera: Camera | None = None
) -> tuple[list[InspectionTask], list[UnservedTask]]:
    """Every target of a resolved scenario as tasks (legs <= max_leg_m), plus pieces that cannot be tasks.

    `default_camera` stands in when no drone model has a camera (corridor targets need one).
    """
    if max_leg_m <= 0:
        raise ValueError(f"max_leg_m must be positive, got {max_leg_m}")
    tasks: list[InspectionTask] = []
    unserved: list[UnservedTask] = []
    for target in scenario.resolved_targets():
        target_tasks, target_unserved = tasks_from_target(
            target, scenario, max_leg_m=max_leg_m, default_camera=default_camera
        )
        tasks.extend(target_tasks)
        unserved.extend(target_unserved)
    logger.info("%d targets -> %d tasks (%.1f km of lines), %d unserved as invalid",
                len(scenario.resolved_targets()), len(tasks), sum(t.length_m for t in tasks) / 1000, len(unserved))
    return tasks, unserved


__all__ = ["cut_line", "tasks_from_target", "tasks_from_targets", "RequiredLine"]
