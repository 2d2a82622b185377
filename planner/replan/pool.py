"""The work left at --at: the plan's tasks no kept sortie flies (with pieces once blocked, which a lifted closure may
free), the urgent targets' tasks; and what is settled: cancelled targets, pieces that can never be flown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from airspace.projection import geodesic_length_m
from missions.models import InspectionTask, MissionPlan, Scenario, Target, UnservedReason, UnservedTask
from missions.tasks import tasks_from_targets
from planner.replan.changes import Changes, clock

_PASS = re.compile(r"#p(\d+)-")


@dataclass
class Work:
    flown: list[InspectionTask] = field(default_factory=list)  # served by the sorties that stay
    todo: list[InspectionTask] = field(default_factory=list)  # to plan from --at
    cancelled: list[InspectionTask] = field(default_factory=list)  # flyable tasks of cancelled targets
    settled: list[UnservedTask] = field(default_factory=list)  # unserved for good: cancelled, never flyable
    new: list[UnservedTask] = field(default_factory=list)  # urgent targets' pieces that cannot become tasks


def remaining_work(plan: MissionPlan, changed: Scenario, kept_tasks: set[str], changes: Changes, at_s: int,
                   max_leg_m: float) -> Work:
    """Sort the plan's tasks and unserved pieces by what happens to them now; cut the urgent targets into tasks."""
    work = Work()
    cancelled = set(changes.cancelled_targets)
    targets = {t.id: t for t in changed.resolved_targets()}
    listed = {t.task_id for t in plan.tasks}

    def cancel(task_id: str, target_id: str, coordinates: list[list[float]]) -> UnservedTask:
        return UnservedTask(task_id=task_id, target_id=target_id, reason=UnservedReason.CANCELLED,
                            detail=f"target {target_id} was cancelled at {clock(at_s)}", coordinates=coordinates)

    for task in plan.tasks:
        if task.task_id in kept_tasks:
            work.flown.append(task)
        elif task.target_id in cancelled:
            work.cancelled.append(task)
            work.settled.append(cancel(task.task_id, task.target_id, task.coordinates))
        else:
            work.todo.append(task)
    for item in plan.unserved:
        if item.task_id in listed:
            continue  # a flyable task: sorted above
        if item.target_id in cancelled:
            work.settled.append(cancel(item.task_id, item.target_id, item.coordinates))
        elif item.reason == UnservedReason.BLOCKED_BY_AIRSPACE and item.target_id in targets:
            # The airspace may have changed: the piece is split again, freed or blocked anew with today's reason.
            work.todo.append(_piece_task(item, targets[item.target_id]))
        else:
            work.settled.append(item)  # beyond every radius or not a task: no change moves a hangar or a target
    urgent = [t for t in changed.resolved_targets() if t.id in {u.id for u in changes.urgent_targets}]
    if urgent:
        tasks, pieces = tasks_from_targets(changed.model_copy(update={"targets": urgent}), max_leg_m=max_leg_m)
        work.todo += tasks
        work.new += pieces
    return work


def _piece_task(item: UnservedTask, target: Target) -> InspectionTask:
    """A piece the original plan left unserved, as a task again (its target's height, priority and window)."""
    point = len(item.coordinates) == 1
    found = _PASS.search(item.task_id)
    return InspectionTask(
        task_id=item.task_id, target_id=item.target_id, kind=target.kind, coordinates=item.coordinates,
        length_m=0.0 if point else geodesic_length_m(item.coordinates), altitude_m=target.altitude_m,
        priority=target.priority, urgent=target.urgent, window=target.window,
        hover_s=target.hover_s if point else 0.0, reversible=not point,
        pass_index=int(found.group(1)) if found else None,
    )
