"""Which targets a plan serves: fully, partly or not at all, counted by task, with the unserved reasons.

A target is served when every task cut from it flies in some sortie, partly when only some do.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from missions.models import MissionPlan, Target, UnservedTask


@dataclass(frozen=True)
class TargetStatus:
    target_id: str
    state: str  # "served" | "partly" | "unserved"
    served_tasks: int
    total_tasks: int
    unserved: list[UnservedTask] = field(default_factory=list)


def target_statuses(plan: MissionPlan, targets: list[Target]) -> dict[str, TargetStatus]:
    """Status of every scenario target; a target the plan has no task for counts as unserved."""
    flown = {task_id for sortie in plan.sorties for task_id in sortie.tasks}
    task_ids: dict[str, set[str]] = {}
    for task in plan.tasks:
        task_ids.setdefault(task.target_id, set()).add(task.task_id)
    unserved: dict[str, list[UnservedTask]] = {}
    for item in plan.unserved:
        task_ids.setdefault(item.target_id, set()).add(item.task_id)
        unserved.setdefault(item.target_id, []).append(item)
    statuses = {}
    for target in targets:
        ids = task_ids.get(target.id, set())
        served = len(ids & flown)
        if ids and served == len(ids):
            state = "served"
        elif served:
            state = "partly"
        else:
            state = "unserved"
        statuses[target.id] = TargetStatus(target.id, state, served, len(ids), unserved.get(target.id, []))
    return statuses
