"""plan(scenario, options) -> MissionPlan: tasks, airspace split, costs, routing, sorties, summary.

Every task ends up in a sortie or in `unserved` with a reason; nothing is dropped silently.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict

import shapely

from airspace.paths import LegalAirspace
from airspace.projection import Projector
from missions.models import MissionPlan, PlanSummary, Scenario, Sortie, UnservedReason, UnservedTask
from missions.tasks import tasks_from_targets
from planner.costs import TransitCosts, build_sites
from planner.epochs import epochs_for
from planner.options import PlanOptions
from planner.problem import BuiltProblem, build_problem, grounded
from planner.routing import solve
from planner.routing_problem import SolveParams, seconds
from planner.sorties import build_sortie
from planner.task_airspace import split_tasks_by_airspace

logger = logging.getLogger(__name__)

DEFAULT_TRANSIT_M = 100.0
LEG_SHARE_OF_BATTERY = 0.3  # a leg takes at most this share of a usable battery at inspection speed


def plan(scenario: Scenario, options: PlanOptions | None = None) -> MissionPlan:
    options = options or PlanOptions()
    started = time.perf_counter()
    window = operating_window(scenario)
    transit_m = min(options.transit_altitude_m or DEFAULT_TRANSIT_M, scenario.airspace.ceiling_m)
    zones = scenario.zones()
    authorised = list(scenario.airspace.authorised)
    epochs = epochs_for(window, zones, authorised, min_length_s=int(options.min_sortie_min * 60))
    projector = Projector.for_geometry(_extent(scenario))

    raw_tasks, unserved = tasks_from_targets(scenario, max_leg_m=options.max_leg_m or default_max_leg_m(scenario))
    tasks, blocked = split_tasks_by_airspace(raw_tasks, zones, authorised, epochs, projector, options.clearance_m)
    unserved = list(unserved) + blocked

    airspace = LegalAirspace(zones, authorised=authorised, ceiling_m=scenario.airspace.ceiling_m,
                             clearance_m=options.clearance_m, projector=projector)
    site = build_sites(scenario.hangars, [t.task for t in tasks], projector)
    costs = TransitCosts(site, airspace, epochs, transit_m, scenario.weather)
    built = build_problem(scenario, tasks, epochs, window, site, costs, projector, options, transit_m)
    unserved += built.unserved

    sorties: list[Sortie] = []
    objective = None
    if built.problem.visits and built.problem.vehicles:
        solution = solve(built.problem, SolveParams(time_limit_s=options.time_limit_s, seed=options.seed,
                                                    solution_limit=options.solution_limit, progress=options.progress))
        objective = solution.objective
        sorties = _sorties(built, solution, scenario, costs, projector, transit_m)
        unserved += [
            UnservedTask(task_id=built.tasks[t].task_id, target_id=built.tasks[t].target_id,
                         reason=UnservedReason.NO_CAPACITY,
                         detail=f"no capacity left: the fleet's day is full (priority {built.tasks[t].priority})",
                         coordinates=built.tasks[t].coordinates)
            for t in solution.dropped_tasks
        ]
    else:
        unserved += [
            UnservedTask(task_id=t.task_id, target_id=t.target_id, reason=UnservedReason.NO_CAPACITY,
                         detail="no sortie slot could be formed", coordinates=t.coordinates)
            for t in built.tasks
        ]
    solve_time = time.perf_counter() - started
    # plan.tasks: every flyable task (served or unserved); pieces that could never be flown are only in unserved.
    result = _assemble(scenario, options, [t.task for t in tasks], sorties, unserved, solve_time, objective)
    logger.info("plan %s: %d sorties, %d drones, coverage %.1f %%, %d unserved, %.1f s", scenario.name,
                result.summary.sorties, result.summary.drones_used, 100 * result.summary.coverage,
                len(result.unserved), solve_time)
    return result


def operating_window(scenario: Scenario) -> tuple[int, int]:
    from missions.daylight import operating_window_of

    window = operating_window_of(scenario)
    return window.start_s, window.end_s


def default_max_leg_m(scenario: Scenario) -> float:
    """Longest leg: a share of a usable battery flown into today's wind, and no longer than a hangar's reach."""
    wind = scenario.weather.wind_speed_ms if scenario.weather else 0.0
    flying = [m for m in scenario.drone_models if not grounded(m, scenario)] or list(scenario.drone_models)
    by_battery = max(
        m.endurance_min * 60 * (1 - m.reserve_fraction) * max(m.inspection_speed_ms - wind, 1.0) * LEG_SHARE_OF_BATTERY
        for m in flying
    )
    radii = sorted(h.operating_radius_m for h in scenario.hangars) or [by_battery]
    return min(by_battery, radii[len(radii) // 2])


def _extent(scenario: Scenario) -> shapely.Geometry:
    points = [shapely.Point(h.lon, h.lat) for h in scenario.hangars]
    points += [t.geometry.shape for t in scenario.resolved_targets()]
    return shapely.GeometryCollection(points)


def _sorties(built: BuiltProblem, solution, scenario: Scenario, costs: TransitCosts, projector: Projector,
             transit_m: float) -> list[Sortie]:
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
                f"{drone_id}-S{number}", drone_id, scenario.hangar(slot.hangar_id),
                scenario.drone_model(slot.model_id), slot.epoch, takeoff_s, visits, scenario, costs,
                projector, transit_m,
            ))
    sorties.sort(key=lambda s: (s.takeoff, s.sortie_id))
    return sorties


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
