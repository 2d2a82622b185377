"""Solve one group of hangars with the tasks assigned to it: costs, routing problem, solver, sorties.

A GroupJob is plain picklable data (in-process, process pool or Dask); tasks left undone come back as DroppedTask."""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Mapping

from airspace.paths import LegalAirspace
from airspace.projection import Projector
from missions.models import InspectionTask, Scenario, Sortie, UnservedTask
from planner.flight.costs import TransitCosts, build_sites
from planner.problem.availability import DroneTime
from planner.problem.epochs import Epoch
from planner.options import PlanOptions
from planner.problem.build import BuiltProblem, build_problem, solo_round_trip
from planner.problem.context import ProblemContext
from planner.routing.solver import solve
from planner.routing.problem import RoutingSolution, SolveParams, SolveStatus, seconds
from planner.flight.sorties import build_sortie
from planner.problem.task_airspace import TaskWithEpochs

logger = logging.getLogger(__name__)

# Solver statuses meaning "no plan at all was found": every task is optional, so a plan always exists and only
# time (or OR-Tools' own proof) stops the search without one.
NO_PLAN = frozenset({SolveStatus.TIME_LIMIT.value, SolveStatus.INFEASIBLE.value})
NOT_SOLVED = "not solved: no time left"  # a repair check run after the plan's budget was spent


@dataclass(frozen=True)
class GroupJob:
    name: str
    scenario: Scenario  # the whole scenario with only this group's hangars and the zones near them
    tasks: list[TaskWithEpochs]
    epochs: list[Epoch]
    window: tuple[int, int]
    transit_m: float
    projector: Projector
    options: PlanOptions  # progress is not sent to remote workers
    time_limit_s: float
    availability: Mapping[str, DroneTime] | None = None  # repair pass: the drones offered and their free time


@dataclass(frozen=True)
class DroppedTask:
    """A task some drone of the group could fly alone, left undone by the group's solve."""

    task: InspectionTask
    solo_s: float  # the cheapest sortie flying it alone, seconds (solver's conservative times)
    solo_hangar: str  # ... from this hangar,
    solo_drone: str  # by this drone,
    solo_span: tuple[int, int]  # within this slot (clock seconds)
    group: str
    status: str  # the group's solver status
    time_limit_s: float  # the group's solver time


@dataclass
class GroupResult:
    name: str
    sorties: list[Sortie]
    unserved: list[UnservedTask]  # never flyable by this group's drones, with the reason
    objective: int | None
    dropped: list[DroppedTask] = field(default_factory=list)
    penalties: dict[str, int] = field(default_factory=dict)  # task id -> penalty in the objective, dropped ones
    stats: dict = field(default_factory=dict)


@dataclass
class PreparedGroup:
    """A group's routing problem and what turns its solution back into sorties."""

    built: BuiltProblem
    ctx: ProblemContext


def prepare_group(job: GroupJob) -> PreparedGroup:
    """The group's legal airspace, transit costs and RoutingProblem (what the solver sees)."""
    scenario, options = job.scenario, job.options
    airspace = LegalAirspace(scenario.zones(), authorised=list(scenario.airspace.authorised),
                             ceiling_m=scenario.airspace.ceiling_m, clearance_m=options.clearance_m,
                             projector=job.projector)
    site = build_sites(scenario.hangars, [t.task for t in job.tasks], job.projector)
    costs = TransitCosts(site, airspace, job.epochs, job.transit_m)
    ctx = ProblemContext(scenario=scenario, tasks=job.tasks, epochs=job.epochs, window=job.window, site=site,
                         costs=costs, projector=job.projector, options=options, transit_m=job.transit_m,
                         availability=job.availability)
    return PreparedGroup(build_problem(ctx), ctx)


def solve_group(job: GroupJob, progress: Callable[[int, float], None] | None = None) -> GroupResult:
    started = time.perf_counter()
    prepared = prepare_group(job)
    built = prepared.built
    unserved = list(built.unserved)
    stats = {"tasks": len(job.tasks), "visits": len(built.problem.visits), "slots": len(built.problem.vehicles),
             "hangar_ids": [h.id for h in job.scenario.hangars], "zones": len(job.scenario.zones()),
             "time_limit_s": round(job.time_limit_s, 2)}
    if not built.problem.visits:
        stats.update(status="nothing to fly", solve_s=0.0, overhead_s=round(time.perf_counter() - started, 3))
        return GroupResult(job.name, [], unserved, None, stats=stats)
    if job.time_limit_s <= 0:
        # No time left in the plan's budget: only which drone could still fly each task is worth knowing.
        dropped = [_dropped(built, t, job, NOT_SOLVED) for t in range(len(built.tasks))]
        stats.update(status=NOT_SOLVED, solve_s=0.0, overhead_s=round(time.perf_counter() - started, 3))
        return GroupResult(job.name, [], unserved, None, dropped, stats=stats)
    solution = solve(built.problem, SolveParams(time_limit_s=job.time_limit_s, seed=job.options.seed,
                                                solution_limit=job.options.solution_limit, progress=progress))
    status = solution.status.value
    sorties = group_sorties(prepared, solution)
    dropped = [_dropped(built, t, job, status) for t in solution.dropped_tasks]
    penalties = {built.tasks[t].task_id: int(built.problem.task_penalties[t] or 0) for t in solution.dropped_tasks}
    stats.update(status=status, solve_s=round(solution.wall_time_s, 2),
                 first_solution_s=round(solution.history[0][0], 3) if solution.history else None,
                 overhead_s=round(time.perf_counter() - started - solution.wall_time_s, 3))
    objective = None if status in NO_PLAN else solution.objective
    return GroupResult(job.name, sorties, unserved, objective, dropped, penalties, stats)


def _dropped(built: BuiltProblem, t: int, job: GroupJob, status: str) -> DroppedTask:
    solo_s, slot = solo_round_trip(built, t)
    return DroppedTask(built.tasks[t], solo_s, slot.hangar_id, slot.drone_id, (slot.epoch.start_s, slot.epoch.end_s),
                       job.name, status, job.time_limit_s)


def group_sorties(prepared: PreparedGroup, solution: RoutingSolution) -> list[Sortie]:
    """The solution's routes flown as sorties (numbered per drone in takeoff order; plan() renumbers across
    groups and repair rounds)."""
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
