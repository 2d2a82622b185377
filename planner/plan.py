"""plan(scenario, options) -> MissionPlan: tasks, airspace split, costs, routing, sorties, summary.

Every task ends up in a sortie or in `unserved` with a reason; nothing is dropped silently.
"""
from __future__ import annotations

import logging
import math
import time

import shapely

from airspace.projection import Projector
from missions.intents import with_intents
from missions.models import MissionPlan, PlanSummary, Scenario, UnservedTask
from missions.tasks import tasks_from_targets
from planner.deconflict import retime_to_clear
from planner.fleet.decompose import partition
from planner.problem.epochs import epochs_for
from planner.fleet.executors import run_groups
from planner.fleet.group_solve import GroupJob
from planner.flight.energy import FlightEnergy
from planner.options import PlanOptions
from planner.problem.feasibility import grounded
from planner.problem.task_airspace import TaskWithEpochs, split_tasks_by_airspace

logger = logging.getLogger(__name__)

DEFAULT_TRANSIT_M = 100.0
LEG_SHARE_OF_BATTERY = 0.25  # a leg takes at most this share of a usable battery (the rest: transits to and from it)
MIN_GROUP_TIME_S = 1.0
GROUP_ZONE_MARGIN_M = 3000.0  # zones this far beyond a group's reach still shape its detours


def plan(scenario: Scenario, options: PlanOptions | None = None) -> MissionPlan:
    options = options or PlanOptions()
    started = time.perf_counter()
    jobs, tasks, unserved = plan_jobs(scenario, options)
    results = run_groups(jobs, options.executor, options.workers, options.scheduler_address, options.progress)
    for r in results:
        logger.info("group %s: %s", r.name, r.stats)
    sorties = [s for r in results for s in r.sorties]
    sorties.sort(key=lambda s: (s.takeoff, s.sortie_id))
    unserved += [u for r in results for u in r.unserved]
    objectives = [r.objective for r in results if r.objective is not None]
    objective = sum(objectives) if objectives else None
    solve_time = time.perf_counter() - started
    # plan.tasks: every flyable task (served or unserved); pieces that could never be flown are only in unserved.
    result = _assemble(scenario, options, [t.task for t in tasks], sorties, unserved, solve_time, objective)
    result = with_intents(result, options.deconfliction)  # each sortie's operational intent (missions.intents)
    result = retime_to_clear(result, scenario, options.deconfliction, operating_window(scenario),
                             options.clearance_m)
    logger.info("plan %s: %d sorties, %d drones, coverage %.1f %%, %d unserved, %.1f s", scenario.name,
                result.summary.sorties, result.summary.drones_used, 100 * result.summary.coverage,
                len(result.unserved), solve_time)
    return result


def plan_jobs(scenario: Scenario, options: PlanOptions) -> tuple[list[GroupJob], list[TaskWithEpochs],
                                                                 list[UnservedTask]]:
    """Tasks cut and split by airspace, and one solve job per group of nearby hangars with its time share;
    also the tasks that can never be flown, with their reasons."""
    window = operating_window(scenario)
    transit_m = min(options.transit_altitude_m or DEFAULT_TRANSIT_M, scenario.airspace.ceiling_m)
    zones = scenario.zones()
    authorised = list(scenario.airspace.authorised)
    recharge_s = max((h.recharge_min * 60.0 for h in scenario.hangars), default=0.0)
    epochs = epochs_for(window, zones, authorised, min_length_s=int(options.min_sortie_min * 60),
                        blackouts=scenario.clock.unflyable_spans(recharge_s))
    projector = Projector.for_geometry(_extent(scenario))

    raw_tasks, unserved = tasks_from_targets(scenario,
                                             max_leg_m=options.max_leg_m or default_max_leg_m(scenario, transit_m))
    tasks, blocked = split_tasks_by_airspace(raw_tasks, zones, authorised, epochs, projector, options.clearance_m,
                                             transit_m, scenario.airspace.ceiling_m)
    groups = partition(scenario, tasks, projector, options.max_group_hangars, window, transit_m)
    per_group_s = _group_time_limit(options, len(groups))
    jobs = [
        GroupJob(
            name=group.name,
            scenario=_group_scenario(scenario, group.hangar_ids, projector, len(groups) > 1),
            tasks=list(group.tasks), epochs=epochs, window=window, transit_m=transit_m, projector=projector,
            options=options.model_copy(update={"progress": None}), time_limit_s=per_group_s,
        )
        for group in groups
    ]
    return jobs, tasks, list(unserved) + blocked


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


def _extent(scenario: Scenario) -> shapely.Geometry:
    points = [shapely.Point(h.lon, h.lat) for h in scenario.hangars]
    points += [t.geometry.shape for t in scenario.resolved_targets()]
    return shapely.GeometryCollection(points)


def _group_scenario(scenario: Scenario, hangar_ids: tuple[str, ...], projector: Projector, local: bool) -> Scenario:
    """The scenario as one group sees it: its hangars and, in a split city, only the zones near them.

    Each group builds a legal-path graph per epoch; with every zone of a city in it, that graph cost more than
    the solver (23 s of 54 s at 150 hangars, measured). Sorties never leave their hangars' radius, so zones
    beyond it plus a margin cannot touch them; the verifier still checks every zone.
    """
    hangars = [scenario.hangar(h) for h in hangar_ids]
    if not local:
        return scenario.model_copy(update={"hangars": hangars})
    area = shapely.unary_union([
        projector.to_metric(shapely.Point(h.lon, h.lat)).buffer(h.operating_radius_m + GROUP_ZONE_MARGIN_M)
        for h in hangars
    ]).convex_hull
    zones = [z for z in scenario.zones() if projector.to_metric(z.geometry.shape).intersects(area)]
    airspace = scenario.airspace.model_copy(update={"zones": zones})
    return scenario.model_copy(update={"hangars": hangars, "airspace": airspace})


def _group_time_limit(options: PlanOptions, groups: int) -> float:
    """Share the wall-clock budget: each worker solves groups one after another."""
    if groups <= 1:
        return options.time_limit_s
    rounds = -(-groups // max(1, options.workers))
    return max(MIN_GROUP_TIME_S, options.time_limit_s / rounds)


def _assemble(scenario, options, tasks, sorties, unserved, solve_time, objective) -> MissionPlan:
    from missions.coverage import coverage

    draft = MissionPlan(
        scenario=scenario.name, date=scenario.date, timezone=scenario.timezone, tasks=tasks, sorties=sorties,
        unserved=sorted(unserved, key=lambda u: u.task_id),
        summary=PlanSummary(scenario=scenario.name, coverage=0.0, total_distance_m=0.0, sorties=0, drones_used=0,
                            solve_time_s=0.0),
        options=options.summary(),
    )
    served = sum(len(s.tasks) for s in sorties)
    summary = PlanSummary(
        scenario=scenario.name,
        coverage=round(coverage(draft, scenario), 6),
        total_distance_m=round(sum(s.distance_m for s in sorties), 2),
        sorties=len(sorties),
        drones_used=len({s.drone_id for s in sorties}),
        solve_time_s=round(solve_time, 3),
        objective=objective,
        seed=options.seed,
        time_limit_s=options.time_limit_s,
        served_tasks=served,
        unserved_tasks=len(unserved),
    )
    return draft.model_copy(update={"summary": summary})
