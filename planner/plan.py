"""plan(scenario, options) -> MissionPlan: tasks, reach, airspace split, groups, repair, sorties, deconfliction,
freed time (planner.refill), summary.

Every task ends up in a sortie or in `unserved` with a reason; nothing is dropped silently. The time limit covers
all of it (planner.fleet.budget).
"""
from __future__ import annotations

import dataclasses
import logging
import math
from typing import Sequence

import numpy as np
import shapely

from airspace.errors import LowaltError
from airspace.projection import Projector
from missions.intents import with_intents
from missions.models import GroupSummary, InspectionTask, MissionPlan, PlanSummary, Scenario, Sortie, UnservedTask
from missions.plan_totals import with_totals
from missions.tasks import tasks_from_targets
from planner.deconflict import retime_to_clear
from planner.fleet.budget import TAIL_S_PER_1000_TASKS, Budget, repair_reserve
from planner.fleet.city import City, reach_area
from planner.fleet.decompose import partition
from planner.fleet.executors import run_groups
from planner.fleet.group_solve import DroppedTask, GroupJob
from planner.fleet.reach import TaskVertices, out_of_reach, reach_table, split_at_reach
from planner.fleet.repair import repair
from planner.fleet.undone import PlanBudget
from planner.fleet.zone_index import ZoneIndex
from planner.flight.energy import FlightEnergy
from planner.options import PlanOptions
from planner.problem.epochs import epochs_for
from planner.problem.feasibility import grounded
from planner.problem.task_airspace import TaskWithEpochs, split_tasks_by_airspace
from planner.refill import Deconflict, numbered_after, refill
from planner.routing import compile_search

logger = logging.getLogger(__name__)

DEFAULT_TRANSIT_M = 100.0
LEG_SHARE_OF_BATTERY = 0.25  # a leg takes at most this share of a usable battery (the rest: transits to and from it)


def plan(scenario: Scenario, options: PlanOptions | None = None) -> MissionPlan:
    options = with_deconfliction(scenario, options or PlanOptions())
    if scenario.weather_updates:
        first = scenario.weather_updates[0]
        raise LowaltError(f"the scenario's wind changes at {first.at} (weather_updates): plan() plans a day in one "
                          f"wind; plan the rest of the day with lowalt replan")
    compile_search()  # before the clock starts: the first run after an install compiles the search
    budget = Budget(options.time_limit_s)
    city, jobs, unserved = _first_pass(scenario, options)
    tasks = list(city.tasks.values())
    solved = solve_jobs(city, jobs, budget)
    # plan.tasks: every flyable task (served or unserved); pieces that could never be flown are only in unserved.
    result = _assemble(scenario, options, city, [t.task for t in tasks], solved.sorties, unserved + solved.unserved,
                       budget.elapsed(), solved.objective, solved.groups, solved.warnings, solved.repaired)
    result = with_intents(result, options.deconfliction)  # each sortie's operational intent (missions.intents)

    def deconflict(draft: MissionPlan, pinned: frozenset[str] = frozenset()) -> MissionPlan:
        return retime_to_clear(draft, scenario, options.deconfliction, operating_window(scenario),
                               options.clearance_m, pinned)

    result = after_deconfliction(result, deconflict(result), scenario, city, solved, budget, deconflict)
    logger.info("plan %s: %d sorties, %d drones, coverage %.1f %%, %d unserved, %.1f s", scenario.name,
                result.summary.sorties, result.summary.drones_used, 100 * result.summary.coverage,
                len(result.unserved), result.summary.solve_time_s)
    return result


@dataclasses.dataclass
class Solved:
    """What the groups and the repair pass made of a city's jobs."""

    sorties: list[Sortie]  # numbered per drone after any flown ones
    unserved: list[UnservedTask]
    objective: int | None
    groups: list[GroupSummary]
    warnings: list[str]
    repaired: int  # tasks the repair pass placed
    undone: dict[str, DroppedTask]  # how each task left no_capacity or time_limit came to be undone
    plan_budget: PlanBudget  # what the time_limit reasons quote


def solve_jobs(city: City, jobs: list[GroupJob], budget: Budget, flown: Sequence[Sortie] = ()) -> Solved:
    """Solve the groups' jobs, then place what they left undone on any drone with free time (the repair pass).
    `flown`: sorties already in the day (a replan's flown and airborne ones): the repair pass works around them
    and new sorties are numbered after them."""
    options = city.options
    tail_s = _tail_s(city)

    def keep_s(done, pending: int) -> float:
        return tail_s + repair_reserve(options.time_limit_s, len(jobs), pending, sum(len(r.dropped) for r in done),
                                       sum(r.stats.get("tasks", 0) for r in done))

    results = run_groups(jobs, options.executor, options.workers, budget, keep_s, options.scheduler_address,
                         options.progress)
    sorties = [s for r in results for s in r.sorties]
    unserved = [u for r in results for u in r.unserved]
    objective = sum(r.objective for r in results if r.objective is not None)
    penalties = {t: p for r in results if r.objective is not None for t, p in r.penalties.items()}
    report = options.progress
    plan_budget = PlanBudget(options.time_limit_s, len(jobs), options.workers)
    fixed = repair(city, list(flown) + sorties, [d for r in results for d in r.dropped], penalties, budget,
                   plan_budget, tail_s, None if report is None else lambda change, s: report(objective + change, s))
    before = {(s.drone_id, s.takeoff) for s in flown}
    sorties = [s for s in number_sorties(list(flown) + sorties + fixed.sorties) if (s.drone_id, s.takeoff) not in before]
    unserved += fixed.unserved
    summaries = [_group_summary(0, r.name, r.stats) for r in results]
    summaries += [_group_summary(k["round"], name, stats) for k in fixed.rounds for name, stats in k["groups"]]
    return Solved(sorties, unserved,
                  objective + fixed.objective_change if any(r.objective is not None for r in results) else None,
                  summaries, _warnings(summaries, options), sum(k["placed"] for k in fixed.rounds), fixed.left,
                  plan_budget)


def after_deconfliction(before: MissionPlan, after: MissionPlan, scenario: Scenario, city: City, solved: Solved,
                        budget: Budget, deconflict: Deconflict, pinned: frozenset[str] = frozenset()) -> MissionPlan:
    """`after` (`before` deconflicted) with the drone time of the sorties it dropped offered to the undone tasks
    (planner.refill), its summary and warnings brought up to date."""
    options = city.options
    done = refill(before, after, scenario, city, dict(solved.undone), budget, solved.plan_budget, _tail_s(city),
                  deconflict, options.deconfliction, pinned)
    result = done.plan
    if done.rounds:
        last = max((g.round for g in result.summary.groups), default=0)
        groups = [_group_summary(last + k, name, stats) for k, round_ in enumerate(done.rounds, 1)
                  for name, stats in round_["groups"]]
        result = result.model_copy(update={
            "warnings": list(result.warnings) + _warnings(groups, options),
            "summary": result.summary.model_copy(update={
                "groups": list(result.summary.groups) + groups, "solve_time_s": round(budget.elapsed(), 3),
                "repaired_tasks": result.summary.repaired_tasks + done.placed})})
    late = [u for u in result.unserved if u.reason.value == "time_limit"]
    if late:
        result = result.model_copy(update={"warnings": list(result.warnings) + [
            f"{_count(len(late), 'task')} left undone when the {options.time_limit_s:g} s time limit ran out while "
            f"a drone within reach was free (reason time_limit); give more time"]})
    return result


def _tail_s(city: City) -> float:
    """Seconds kept after the last solve for assembling the plan."""
    return 0.5 + TAIL_S_PER_1000_TASKS * len(city.tasks) / 1000


def plan_jobs(scenario: Scenario, options: PlanOptions) -> tuple[list[GroupJob], list[TaskWithEpochs],
                                                                 list[UnservedTask]]:
    """The first pass as plain jobs, each with the share of the time limit (by its size) it would get if all started
    now (plan() hands out the budget as groups start), the flyable tasks, and the tasks that can never be flown with
    their reasons: what a benchmark needs to solve the same groups plan() solves."""
    city, jobs, unserved = _first_pass(scenario, options)
    shares = Budget(options.time_limit_s).shares_up_front([len(job.tasks) for job in jobs], options.workers)
    return ([dataclasses.replace(job, time_limit_s=share) for job, share in zip(jobs, shares)],
            list(city.tasks.values()), unserved)


def _first_pass(scenario: Scenario, options: PlanOptions) -> tuple[City, list[GroupJob], list[UnservedTask]]:
    city, unserved = prepare(scenario, options)
    tasks = list(city.tasks.values())
    groups = partition(scenario, tasks, city.projector, options.max_group_hangars, city.window, city.transit_m,
                       [city.reach[t.task.task_id] for t in tasks])
    return city, [city.job(group.name, group.hangar_ids, list(group.tasks)) for group in groups], unserved


def prepare(scenario: Scenario, options: PlanOptions,
            work: tuple[list[InspectionTask], list[UnservedTask]] | None = None,
            start_s: int | None = None) -> tuple[City, list[UnservedTask]]:
    """Tasks cut, those no hangar reaches reported, the rest split by airspace, with the hangars reaching each.

    Out-of-reach tasks leave before the airspace split and before any matrix, and only zones within the fleet's
    reach take part, so a national layer or a country's zones cost an index query, not a dense matrix.
    A replan gives its own `work` (tasks still to fly, and what can never be flown) and the clock time `start_s`
    from which the rest of the day is planned.
    """
    window = operating_window(scenario)
    if start_s is not None:
        window = (max(window[0], start_s), window[1])
    transit_m = transit_altitude(scenario, options)
    hangars = list(scenario.hangars)
    projector = Projector.for_geometry(_extent(scenario))
    index = ZoneIndex(scenario.zones())
    raw_tasks, unserved = work if work is not None else tasks_from_targets(
        scenario, max_leg_m=options.max_leg_m or default_max_leg_m(scenario, transit_m))
    vertices = TaskVertices.of(raw_tasks, projector)
    covered = reach_table(raw_tasks, hangars, projector, vertices)
    far = [k for k, r in enumerate(covered) if not r.hangars]
    if far:  # lines crossing an operating radius: the piece inside it is flown, only the rest is out of reach
        pieces = split_at_reach([raw_tasks[k] for k in far], hangars, projector, _subset(vertices, far))
        if len(pieces) > len(far):
            raw_tasks = [t for t, r in zip(raw_tasks, covered) if r.hangars] + pieces
            vertices = TaskVertices.of(raw_tasks, projector)
            covered = reach_table(raw_tasks, hangars, projector, vertices)
            far = [k for k, r in enumerate(covered) if not r.hangars]
    if far:
        unserved = list(unserved) + out_of_reach([raw_tasks[k] for k in far], hangars, projector,
                                                 _subset(vertices, far))
        logger.info("%d of %d tasks beyond every hangar's operating radius", len(far), len(raw_tasks))
    near = [t for t, r in zip(raw_tasks, covered) if r.hangars]
    zones = index.near(reach_area(hangars, projector), projector)
    authorised = list(scenario.airspace.authorised)
    recharge_s = max((h.recharge_min * 60.0 for h in scenario.hangars), default=0.0)
    epochs = epochs_for(window, zones, authorised, min_length_s=int(options.min_sortie_min * 60),
                        blackouts=scenario.clock.unflyable_spans(recharge_s))
    tasks, blocked = [], []
    for local, members in _by_utm_zone(near).items():
        # Clearance buffers are metres: cut each task in the projection of its own UTM zone.
        kept, cut = split_tasks_by_airspace(members, zones, authorised, epochs, local, options.clearance_m,
                                            transit_m, scenario.airspace.ceiling_m)
        tasks += kept
        blocked += cut
    reach = reach_table([t.task for t in tasks], hangars, projector)
    city = City(scenario, options, window, transit_m, epochs, projector, index,
                {t.task.task_id: t for t in tasks}, {t.task.task_id: r for t, r in zip(tasks, reach)})
    logger.info("%d zones of %d within the fleet's reach; %d epochs", len(zones), len(index), len(epochs))
    return city, list(unserved) + blocked


def transit_altitude(scenario: Scenario, options: PlanOptions) -> float:
    """The options' transit altitude, else the scenario's (planning.transit_altitude_m), else 100 m or the ceiling
    when lower. One set above the ceiling is an error, not silently lowered."""
    chosen = options.transit_altitude_m or scenario.planning.transit_altitude_m
    ceiling = scenario.airspace.ceiling_m
    if chosen is None:
        return min(DEFAULT_TRANSIT_M, ceiling)
    if chosen > ceiling:
        raise LowaltError(f"transit altitude {chosen:g} m is above the airspace ceiling ({ceiling:g} m)")
    return float(chosen)


def with_deconfliction(scenario: Scenario, options: PlanOptions) -> PlanOptions:
    """`options` with the deconfliction settings that apply: the options' own when given (the CLI's
    --separation, --max-takeoff-shift), else the scenario's (planning.deconfliction), else lowalt's."""
    if "deconfliction" in options.model_fields_set or scenario.planning.deconfliction is None:
        return options
    return options.model_copy(update={"deconfliction": scenario.planning.deconfliction})


def operating_window(scenario: Scenario) -> tuple[int, int]:
    from missions.daylight import operating_window_of

    window = operating_window_of(scenario)
    return window.start_s, window.end_s


def default_max_leg_m(scenario: Scenario, transit_m: float = DEFAULT_TRANSIT_M) -> float:
    """Longest leg: a share of a usable battery for the weakest drone flying today, flying the leg its cheaper way
    at the worst heading of the wind at the highest inspection height; no longer than a typical hangar's reach."""
    flying = [m for m in scenario.drone_models if not grounded(m, scenario)] or list(scenario.drone_models)
    top = max((t.altitude_m for t in scenario.resolved_targets()), default=transit_m)
    radii = sorted(h.operating_radius_m for h in scenario.hangars)
    lengths = []
    for model in flying:
        flight = FlightEnergy.of(model, scenario.weather)
        per_m = flight.either_way_per_metre(top, model.inspection_speed_ms)[1]
        if math.isfinite(per_m):
            lengths.append(flight.usable * LEG_SHARE_OF_BATTERY / per_m)
    if radii:
        lengths.append(radii[len(radii) // 2])
    return min(lengths, default=math.inf)  # nothing bounds it (no hangar, no holdable heading): one leg per line


def number_sorties(sorties: list[Sortie]) -> list[Sortie]:
    """Sorties in takeoff order, numbered per drone S1, S2, ... (repair sorties join a drone's earlier ones)."""
    return sorted(numbered_after(sorties, set()), key=lambda s: (s.takeoff, s.sortie_id))


def _extent(scenario: Scenario) -> shapely.Geometry:
    """Where the fleet flies: its hangars (targets beyond their reach are reported, not flown, so they must not
    pull the metric projection away from the city)."""
    points = [shapely.Point(h.lon, h.lat) for h in scenario.hangars]
    if not points:
        points = [t.geometry.shape for t in scenario.resolved_targets()] or [shapely.Point(0, 0)]
    return shapely.GeometryCollection(points)


def _by_utm_zone(tasks: list) -> dict[Projector, list]:
    zones: dict[Projector, list] = {}
    for task in tasks:
        first = task.coordinates[0]
        zones.setdefault(Projector.for_lonlat(first[0], first[1]), []).append(task)
    return zones


def _subset(vertices: TaskVertices, keep: list[int]) -> TaskVertices:
    counts = np.diff(vertices.offsets)[keep]
    rows = np.concatenate([np.arange(vertices.offsets[k], vertices.offsets[k + 1]) for k in keep])
    return TaskVertices(vertices.xy[rows], np.concatenate([[0], np.cumsum(counts)]))


def _group_summary(round_: int, name: str, stats: dict) -> GroupSummary:
    return GroupSummary(name=name, round=round_, hangars=list(stats.get("hangar_ids", [])),
                        tasks=stats.get("tasks", 0), status=str(stats.get("status", "")),
                        time_limit_s=float(stats.get("time_limit_s", 0.0)), solve_s=float(stats.get("solve_s", 0.0)))


def _warnings(groups: list[GroupSummary], options: PlanOptions) -> list[str]:
    """Solver statuses that leave work undone (not the wall time itself: the same scenario, options and seed give
    the same plan and the same warnings). How many tasks the time limit cost: after_deconfliction."""
    from planner.fleet.group_solve import NO_PLAN, NOT_SOLVED

    warnings = []
    more = f"give more time (--time-limit above {options.time_limit_s:g} s)"
    for g in groups:
        size = f"{_count(len(g.hangars), 'hangar')}, {_count(g.tasks, 'task')}"
        if g.status in NO_PLAN:
            stage = "" if g.round == 0 else f" (repair round {g.round})"
            warnings.append(f"{g.name}{stage} ({size}): the solver found no plan within its {g.time_limit_s:.1f} s "
                            f"(status {g.status}); {more}")
        elif g.status == NOT_SOLVED:
            warnings.append(f"{g.name} ({size}): the time limit was spent before this repair round could run; {more}")
    return warnings


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _assemble(scenario, options, city: City, tasks: list[InspectionTask], sorties, unserved, solve_time, objective,
              groups, warnings, repaired) -> MissionPlan:
    draft = MissionPlan(
        scenario=scenario.name, date=scenario.date, timezone=scenario.timezone, tasks=tasks,
        sorties=sorties, unserved=sorted(unserved, key=lambda u: u.task_id),
        summary=PlanSummary(scenario=scenario.name, coverage=0.0, total_distance_m=0.0, sorties=0, drones_used=0,
                            solve_time_s=round(solve_time, 3), objective=objective, seed=options.seed,
                            time_limit_s=options.time_limit_s, transit_altitude_m=city.transit_m,
                            repaired_tasks=repaired, groups=groups),
        warnings=warnings, options=options.summary(),
    )
    return with_totals(draft, scenario)
