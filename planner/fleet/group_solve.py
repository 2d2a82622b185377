"""Solve one group of hangars with the tasks assigned to it: costs, routing problem, solver, sorties.

A GroupJob is plain picklable data, so the same function runs in-process, in a process pool or on a Dask worker.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from airspace.paths import LegalAirspace
from airspace.projection import Projector
from missions.models import Scenario, Sortie, UnservedReason, UnservedTask
from planner.flight.costs import TransitCosts, build_sites
from planner.problem.epochs import Epoch
from planner.options import PlanOptions
from planner.problem.build import BuiltProblem, build_problem
from planner.problem.context import ProblemContext
from planner.routing.solver import solve
from planner.routing.problem import RoutingSolution, SolveParams, seconds
from planner.flight.sorties import build_sortie
from planner.problem.task_airspace import TaskWithEpochs

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupJob:
    name: str
    scenario: Scenario  # the whole scenario with only this group's hangars
    tasks: list[TaskWithEpochs]
    epochs: list[Epoch]
    window: tuple[int, int]
    transit_m: float
    projector: Projector
    options: PlanOptions  # progress is not sent to remote workers
    time_limit_s: float


@dataclass
class GroupResult:
    name: str
    sorties: list[Sortie]
    unserved: list[UnservedTask]
    objective: int | None
    stats: dict = field(default_factory=dict)


@dataclass
class PreparedGroup:
    """A group's routing problem and what turns its solution back into sorties."""

    built: BuiltProblem
    ctx: ProblemContext


def prepare_group(job: GroupJob) -> PreparedGroup:
    """The group's legal airspace, transit costs and RoutingProblem (what the solver sees)."""
    scenario, options = job.scenario, job.options
    zones = scenario.zones()
    airspace = LegalAirspace(zones, authorised=list(scenario.airspace.authorised),
                             ceiling_m=scenario.airspace.ceiling_m, clearance_m=options.clearance_m,
                             projector=job.projector)
    site = build_sites(scenario.hangars, [t.task for t in job.tasks], job.projector)
    costs = TransitCosts(site, airspace, job.epochs, job.transit_m)
    ctx = ProblemContext(scenario=scenario, tasks=job.tasks, epochs=job.epochs, window=job.window, site=site,
                         costs=costs, projector=job.projector, options=options, transit_m=job.transit_m)
    return PreparedGroup(build_problem(ctx), ctx)


def solve_group(job: GroupJob, progress: Callable[[int, float], None] | None = None) -> GroupResult:
    options = job.options
    prepared = prepare_group(job)
    built = prepared.built
    unserved = list(built.unserved)
    if not (built.problem.visits and built.problem.vehicles):
        unserved += [_no_capacity(t, "no sortie slot of its hangars can fly it") for t in built.tasks]
        return GroupResult(job.name, [], unserved, None, {"tasks": len(job.tasks)})
    solution = solve(built.problem, SolveParams(time_limit_s=job.time_limit_s, seed=options.seed,
                                                solution_limit=options.solution_limit, progress=progress))
    sorties = group_sorties(prepared, solution)
    unserved += [_no_capacity(built.tasks[t], f"no capacity left: the fleet's day is full "
                                              f"(priority {built.tasks[t].priority})") for t in solution.dropped_tasks]
    stats = {"tasks": len(job.tasks), "visits": len(built.problem.visits), "slots": len(built.problem.vehicles),
             "status": solution.status.value, "solve_s": round(solution.wall_time_s, 2),
             "first_solution_s": round(solution.history[0][0], 3) if solution.history else None}
    return GroupResult(job.name, sorties, unserved, solution.objective, stats)


def _no_capacity(task, detail: str) -> UnservedTask:
    return UnservedTask(task_id=task.task_id, target_id=task.target_id, reason=UnservedReason.NO_CAPACITY,
                        detail=detail, coordinates=task.coordinates)


def group_sorties(prepared: PreparedGroup, solution: RoutingSolution) -> list[Sortie]:
    """The solution's routes flown as sorties (numbered per drone in takeoff order)."""
    built, ctx = prepared.built, prepared.ctx
    scenario = ctx.scenario
    by_drone: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for v, route in enumerate(solution.routes):
        if route:
            by_drone[built.slots[v].drone_id].append((seconds(solution.departures[v]), v))
    tasks = {t.task_id: t for t in built.tasks}
    sorties = []
    for drone_id in sorted(by_drone):
        for number, (takeoff_s, v) in enumerate(sorted(by_drone[drone_id]), start=1):
            slot = built.slots[v]
            visits = [(tasks[built.visits[i].task_id], built.visits[i].reverse) for i in solution.routes[v]]
            sorties.append(build_sortie(
                f"{drone_id}-S{number}", drone_id, scenario.hangar(slot.hangar_id), ctx.flights[slot.model_id],
                slot.epoch, takeoff_s, visits, scenario, ctx.costs, ctx.projector, ctx.transit_m,
            ))
    return sorties
