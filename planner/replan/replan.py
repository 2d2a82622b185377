"""replan(scenario, plan, at, changes, options): the rest of the day planned again after something changed.

Sorties flown before --at stay; those in the air stay or are cut short (failure, recall); everything else is planned
again on each drone's free time from --at (after its landing and recharge), and the merged day verifies as a whole.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from airspace.errors import LowaltError
from airspace.windows import seconds_from_clock
from missions.errors import Problem
from missions.intents import with_intents
from missions.models import MissionPlan, Scenario
from missions.stranding import flyable_alone
from planner.deconflict import retime_to_clear
from planner.fleet.budget import Budget
from planner.fleet.decompose import partition
from planner.options import PlanOptions
from planner.plan import (_assemble, after_deconfliction, default_max_leg_m, operating_window, prepare, solve_jobs,
                          transit_altitude)
from planner.problem.availability import drone_times
from planner.replan.apply import changed_scenario
from planner.replan.changes import NO_CHANGES, Changes, ChangesError, check_changes, clock
from planner.replan.diff import ReplanDiff, plan_diff
from planner.replan.holds import hold_to_clear
from planner.replan.pool import remaining_work
from planner.replan.state import DayState, Frame, day_state
from planner.replan.urgent import explain_urgent
from planner.routing import compile_search

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplanResult:
    plan: MissionPlan  # the merged day: flown, airborne and cut sorties plus the new ones
    scenario: Scenario  # the changed day the merged plan verifies against (missions.verify_plan)
    diff: ReplanDiff  # what moved, what was added, what is now unserved and why
    day: DayState  # each original sortie's fate at --at
    problems: list[Problem]  # warnings about the changes themselves (clipped windows, grounded models, ...)


def replan(scenario: Scenario, plan: MissionPlan, at: str | float, changes: Changes = NO_CHANGES,
           options: PlanOptions | None = None) -> ReplanResult:
    """Plan the rest of `plan`'s day from clock time `at` ('HH:MM' or seconds after midnight) with `changes`
    (planner.replan.changes; load a file with load_changes). Raises ChangesError when the changes do not fit the
    scenario, LowaltError when the plan is not the scenario's."""
    at_s = int(seconds_from_clock(at) if isinstance(at, str) else at)
    if plan.scenario != scenario.name or plan.date != scenario.date:
        raise LowaltError(f"the plan is for {plan.scenario!r} on {plan.date}, the scenario is {scenario.name!r} on "
                          f"{scenario.date}")
    problems = check_changes(changes, scenario, at_s)
    if any(p.severity == "error" for p in problems):
        raise ChangesError(problems)
    options = options or PlanOptions()
    compile_search()  # before the clock starts: the first run after an install compiles the search
    budget = Budget(options.time_limit_s)
    if options.transit_altitude_m is None and plan.summary.transit_altitude_m is not None:
        options = options.model_copy(update={"transit_altitude_m": plan.summary.transit_altitude_m})
    if "objective" not in options.model_fields_set and plan.options.get("objective") in ("flight_time", "distance"):
        # The rest of the day minimises what the morning's plan did, unless the caller chose.
        options = options.model_copy(update={"objective": plan.options["objective"]})
    changed = changed_scenario(scenario, changes, at_s)
    # The new sorties all fly after --at, in the wind from then on: plan them as a day in that one wind.
    planning = changed.model_copy(update={"weather": changed.weather_at(at_s), "weather_updates": []})
    transit_m = transit_altitude(planning, options)
    frame = Frame.of(changed, options.clearance_m, transit_m)
    day = hold_to_clear(day_state(plan, frame, changes, at_s), plan, frame, options.deconfliction)
    kept = day.kept
    work = remaining_work(plan, changed, {t for s in kept for t in s.tasks}, changes, at_s,
                          options.max_leg_m or default_max_leg_m(planning, transit_m))
    city, unserved = prepare(planning, options, (work.todo, work.new), start_s=at_s)
    tasks = list(city.tasks.values())
    free = drone_times(planning, kept, city.window, options.max_sorties_per_drone)
    spare = np.array([sum(b - a for d in h.drone_ids() if free[d].sorties_left > 0 for a, b in free[d].free)
                      for h in planning.hangars], dtype=float)
    groups = partition(planning, tasks, city.projector, options.max_group_hangars, city.window, city.transit_m,
                       [city.reach[t.task.task_id] for t in tasks], spare)
    jobs = [city.job(g.name, g.hangar_ids, list(g.tasks),
                     {d: free[d] for h in g.hangar_ids for d in planning.hangar(h).drone_ids()
                      if free[d].free and free[d].sorties_left > 0})
            for g in groups if g.tasks]
    solved = solve_jobs(city, jobs, budget, flown=kept)
    warnings = day.warnings + solved.warnings
    urgent = {t.task.task_id for t in tasks if t.task.urgent}
    left = [explain_urgent(u, city, free, kept) if u.task_id in urgent else u for u in unserved + solved.unserved]
    merged = _assemble(changed, options, city, work.flown + [t.task for t in tasks] + work.cancelled,
                       sorted(kept + solved.sorties, key=lambda s: (s.takeoff, s.sortie_id)),
                       work.settled + left, budget.elapsed(), solved.objective, solved.groups, warnings,
                       solved.repaired)
    merged = with_intents(merged, options.deconfliction)
    flown = frozenset(s.sortie_id for s in kept)

    def deconflict(draft: MissionPlan, pinned: frozenset[str] = flown) -> MissionPlan:
        return retime_to_clear(draft, changed, options.deconfliction, (city.window[0], operating_window(changed)[1]),
                               options.clearance_m, pinned=pinned)

    merged = after_deconfliction(merged, deconflict(merged), changed, city, solved, budget, deconflict, flown)
    originals = {t.task_id: t for t in plan.tasks}
    recoverable = {t for t in day.orphaned() if t in originals and flyable_alone(
        originals[t], planning, kept, city.transit_m, options.max_sorties_per_drone, start_s=at_s) is not None}
    diff = plan_diff(plan, merged, changed, day, changes, at_s, recoverable)
    logger.info("replan %s from %s: %d sorties kept, %d new, %d of %d orphaned tasks recovered, %.1f s",
                scenario.name, clock(at_s), len(kept), len(solved.sorties), diff.recovered, diff.orphaned,
                budget.elapsed())
    return ReplanResult(merged, changed, diff, day, [p for p in problems if p.severity == "warning"])
