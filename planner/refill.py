"""Freed time: a sortie deconfliction drops leaves its drone free, so the tasks left undone are offered to it again.

A bounded loop of repair rounds on the drones' free time, each followed by deconfliction around the kept sorties."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from missions.intent_models import DeconflictionOptions
from missions.intents import sortie_intent
from missions.models import MissionPlan, Scenario, Sortie, UnservedReason, UnservedTask
from missions.plan_totals import with_totals
from planner.fleet.budget import Budget
from planner.fleet.city import City
from planner.deconflict import held_after
from planner.fleet.group_solve import DroppedTask, solve_group
from planner.fleet.repair import UNDONE, repair
from planner.fleet.undone import PlanBudget

logger = logging.getLogger(__name__)

# Rounds that re-plan freed time. Each may drop new sorties and free time again, so the loop is cut here; a last
# round only checks, so every reason still standing is told against the sorties finally flown.
MAX_ROUNDS = 2

Deconflict = Callable[[MissionPlan, frozenset[str]], MissionPlan]  # (plan, sorties that must not move) -> plan


@dataclass
class Refill:
    plan: MissionPlan
    placed: int = 0  # tasks flown in freed time (in sorties deconfliction kept)
    rounds: list[dict] = field(default_factory=list)  # the repair rounds that could solve (planner.fleet.repair)


def refill(before: MissionPlan, plan: MissionPlan, scenario: Scenario, city: City, undone: dict[str, DroppedTask],
           budget: Budget, plan_budget: PlanBudget, keep_s: float, deconflict: Deconflict,
           options: DeconflictionOptions, pinned: frozenset[str] = frozenset()) -> Refill:
    """`plan` (`before` deconflicted) with the time of the sorties deconfliction dropped offered to the tasks left
    no_capacity or time_limit (`undone`: how each came to be undone) and to the dropped sorties' own tasks.

    New sorties are numbered after every id the drone has used (the conflict reasons name the dropped ones) and
    deconflicted with every sortie already kept pinned: they move or are dropped, never the kept ones. A drone whose
    new sortie is dropped is offered again only outside the time what that sortie's path met is in the sky
    (planner.deconflict.held_after: the tasks it packed together there cannot clear; a shorter sortie landing before,
    or one taking off after, may), and a task dropped twice is not offered again.
    Then every undone task is checked against the sorties finally flown: no_capacity when no drone within reach has
    the time, else time_limit, or for a dropped sortie's task its conflict."""
    result = Refill(plan)
    names = {s.sortie_id for s in before.sorties}  # ids in use, flown or dropped: none is given twice
    dropped = _dropped(before, plan)
    # A task in two dropped sorties is not offered again: what it needs (its window, its place) meets another
    # flight however it is packed, and it would take the tasks packed with it down again.
    drops = Counter(t for s in dropped for t in s.tasks)
    held: dict[str, list[tuple[float, float]]] = {}
    conflicts = {u.task_id: u for u in plan.unserved if u.reason == UnservedReason.CONFLICT}  # the latest of each
    for round_ in range(MAX_ROUNDS):
        if not dropped:
            break
        offered, standing = _offered(plan, city, undone, {t for t, n in drops.items() if n > 1})
        if not offered:
            break
        fixed = repair(city, list(plan.sorties), offered, {}, budget, plan_budget, keep_s, standing=standing,
                       held=held)
        undone.update(fixed.left)
        result.rounds += fixed.rounds
        new = [s.model_copy(update={"intent": sortie_intent(s, options.intent)})
               for s in numbered_after(fixed.sorties, names)]
        names |= {s.sortie_id for s in new}
        draft = _with(plan, new, offered, fixed.unserved, conflicts, scenario)
        if not new:
            plan = draft
            break
        cleared = deconflict(draft, pinned | frozenset(s.sortie_id for s in plan.sorties))
        # Pinned sorties that meet each other (a replan's flown ones) are named again by each pass: once is enough.
        fresh = [w for w in cleared.warnings[len(draft.warnings):] if w not in draft.warnings]
        plan = cleared.model_copy(update={"warnings": list(draft.warnings) + fresh})
        dropped = _dropped(draft, plan)
        conflicts.update({u.task_id: u for u in plan.unserved if u.reason == UnservedReason.CONFLICT})
        drops.update(t for s in dropped for t in s.tasks)
        spans = held_after(dropped, plan, scenario, options)
        for sortie in dropped:
            held.setdefault(sortie.drone_id, []).append(spans[sortie.sortie_id])
        result.placed += sum(len(s.tasks) for s in new if s.sortie_id not in spans)
        logger.info("freed time, round %d: %d tasks offered, %d sorties added, %d of them dropped", round_ + 1,
                    len(offered), len(new), len(dropped))
    if result.rounds:
        offered, standing = _offered(plan, city, undone)
        fixed = repair(city, list(plan.sorties), offered, {}, budget, plan_budget, keep_s, standing=standing,
                       rounds=0)
        undone.update(fixed.left)
        plan = _with(plan, [], offered, fixed.unserved, conflicts, scenario)
    result.plan = plan
    return result


def _offered(plan: MissionPlan, city: City, undone: dict[str, DroppedTask], spent: set[str] = frozenset()
             ) -> tuple[list[DroppedTask], dict[str, UnservedTask]]:
    """The undone tasks a drone with free time could take: those left no_capacity or time_limit, and those of
    sorties deconfliction dropped (but not the `spent` ones), with their conflict reasons."""
    standing = {u.task_id: u for u in plan.unserved if u.reason == UnservedReason.CONFLICT and u.task_id in city.tasks
                and u.task_id not in spent}
    undone.update(first_look(city, sorted(t for t in standing if t not in undone)))
    offered = [undone[u.task_id] for u in plan.unserved if u.task_id in undone
               and (u.reason in UNDONE or u.task_id in standing)]
    return offered, {t: u for t, u in standing.items() if t in undone}


def first_look(city: City, task_ids: list[str]) -> dict[str, DroppedTask]:
    """How the hangars within reach could fly each task alone over the whole day (a check, no search): what the
    no_capacity reason quotes for a task that was flown until deconfliction dropped its sortie."""
    if not task_ids:
        return {}
    hangars = city.scenario.hangars
    used = sorted({i for t in task_ids for i in city.reach[t].hangars if city.flying(hangars[i])})
    if not used:
        return {}
    job = city.job("freed-time check", tuple(hangars[i].id for i in used), [city.tasks[t] for t in task_ids])
    return {d.task.task_id: d for d in solve_group(job).dropped}


def _dropped(before: MissionPlan, after: MissionPlan) -> list[Sortie]:
    kept = {s.sortie_id for s in after.sorties}
    return [s for s in before.sorties if s.sortie_id not in kept]


def _with(plan: MissionPlan, new: list[Sortie], offered: list[DroppedTask], reasons: list[UnservedTask],
          conflicts: dict[str, UnservedTask], scenario: Scenario) -> MissionPlan:
    """`plan` with the `new` sorties, and the `offered` tasks' reasons replaced by `reasons` (a task whose sortie
    deconfliction dropped, now without a free drone, says both)."""
    again = {d.task.task_id for d in offered}
    reasons = [u.model_copy(update={"detail": f"{u.detail}; it was planned before: {conflicts[u.task_id].detail}"})
               if u.task_id in conflicts and u.reason == UnservedReason.NO_CAPACITY else u for u in reasons]
    unserved = [u for u in plan.unserved if u.task_id not in again] + reasons
    return with_totals(plan.model_copy(update={
        "sorties": sorted(list(plan.sorties) + new, key=lambda s: (s.takeoff, s.sortie_id)),
        "unserved": sorted(unserved, key=lambda u: u.task_id)}), scenario)


def numbered_after(sorties: list[Sortie], names: set[str]) -> list[Sortie]:
    """`sorties` in takeoff order numbered per drone after the highest S-number its ids in `names` use."""
    last: dict[str, int] = {}
    for name in names:
        drone, _, number = name.rpartition("-S")
        if number.isdigit():
            last[drone] = max(last.get(drone, 0), int(number))
    out = []
    for sortie in sorted(sorties, key=lambda s: (s.takeoff, s.drone_id, s.sortie_id)):
        last[sortie.drone_id] = last.get(sortie.drone_id, 0) + 1
        out.append(renamed(sortie, f"{sortie.drone_id}-S{last[sortie.drone_id]}"))
    return out


def renamed(sortie: Sortie, name: str) -> Sortie:
    """`sortie` called `name`, its inspections too."""
    if name == sortie.sortie_id:
        return sortie
    return sortie.model_copy(update={"sortie_id": name, "inspections": [
        i.model_copy(update={"sortie_id": name}) for i in sortie.inspections]})
