"""Repair pass: tasks the groups left undone go to any drone within reach that still has the time, in any group.

Rounds solve them on the drones' free time until none is left a free drone could fly; the rest get their true reason."""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from missions.models import Sortie, UnservedReason, UnservedTask
from planner.fleet.budget import LATER_ROUNDS_SHARE, MIN_SOLVE_S, Budget
from planner.fleet.city import City
from planner.fleet.decompose import partition
from planner.fleet.executors import run_groups
from planner.fleet.group_solve import DroppedTask, GroupResult, solve_group
from planner.fleet.reach import Reach
from planner.fleet.undone import PlanBudget, no_capacity, time_limit
from planner.problem.availability import DroneTime, drone_times, free_spans

logger = logging.getLogger(__name__)

CHECKED_ONLY = "checked only: repair_rounds is 0"

# The reasons of a task the repair pass could not place, which a later pass (planner.refill) may offer again.
UNDONE = (UnservedReason.NO_CAPACITY, UnservedReason.TIME_LIMIT)


@dataclass
class Repair:
    sorties: list[Sortie]  # added by the repair rounds
    unserved: list[UnservedTask]  # the undone tasks' final reasons
    objective_change: int = 0  # repair objectives minus the penalties they replace
    rounds: list[dict] = field(default_factory=list)  # per round: tasks offered, placed, groups, seconds
    left: dict[str, DroppedTask] = field(default_factory=dict)  # how each task it left no_capacity/time_limit came

    def leave(self, task_id: str, reason: UnservedTask, first: dict[str, DroppedTask]) -> None:
        self.unserved.append(reason)
        if task_id in first and reason.reason in UNDONE:
            self.left[task_id] = first[task_id]


def repair(city: City, sorties: list[Sortie], dropped: list[DroppedTask], penalties: dict[str, int],
           budget: Budget, plan_budget: PlanBudget, keep_s: float,
           progress: Callable[[int, float], None] | None = None, standing: dict[str, UnservedTask] | None = None,
           rounds: int | None = None, held: dict[str, list[tuple[float, float]]] | None = None) -> Repair:
    """Place `dropped` tasks on free drones within reach. `penalties`: what each dropped task costs in the
    objective so far (it leaves the objective when a round re-solves it). `standing`: reasons of their own (a sortie
    deconfliction dropped: `conflict`) that stay the tasks' when a free drone could fly them but none did (instead of
    time_limit). `rounds`: solving rounds (default the options' repair_rounds; 0 only checks). `held`: per
    drone, clock spans no round may have it fly in.

    A task whose round found no free slot for it is offered to the other hangars within reach next round; it is
    no_capacity once no hangar within reach is left with free time it has not been checked against. One a free
    slot could fly that is still undone when rounds or time run out is time_limit.
    """
    standing = standing or {}
    rounds = city.options.repair_rounds if rounds is None else rounds
    first = {d.task.task_id: d for d in dropped}
    undone = set(first)
    checked: dict[str, set[int]] = {t: set() for t in undone}  # hangars whose free time cannot fly the task
    flown = list(sorties)
    result = Repair([], [])
    solving_rounds = 0
    while undone:
        free = _outside(drone_times(city.scenario, flown, city.window, city.options.max_sorties_per_drone),
                        held or {})
        candidates = {t: _candidates(city, t, free) - checked[t] for t in undone}
        for t in sorted(t for t, c in candidates.items() if not c):
            result.leave(t, no_capacity(city, first[t], flown), first)
            undone.discard(t)
        if not undone:
            break
        check_only = (solving_rounds >= rounds
                      or budget.left() - keep_s < MIN_SOLVE_S + budget.overhead_s())
        offered = sorted(undone)
        # The search uses all the time it is given: keep a share for the rounds after this one, which place what
        # this one leaves on the hangars not yet tried.
        last = solving_rounds + 1 >= rounds
        later = 0.0 if last else LATER_ROUNDS_SHARE * max(0.0, budget.left() - keep_s)
        results = _round(city, offered, {t: candidates[t] for t in offered}, free, budget, keep_s + later, check_only)
        solving_rounds += 0 if check_only else 1
        placed = [s for r in results for s in r.sorties]
        flown += placed
        result.sorties += placed
        if not check_only:
            solved = {d.task.task_id for r in results for d in r.dropped} | {t for s in placed for t in s.tasks}
            result.objective_change += sum(r.objective or 0 for r in results)
            result.objective_change -= sum(penalties.pop(t, 0) for t in solved)
            for r in results:
                penalties.update(r.penalties if r.objective is not None else {})
        for r in results:
            hangars = {city.hangar_index[h] for h in r.stats.get("hangar_ids", [])}
            for u in r.unserved:  # no free slot of this group's drones can fly it: try the others within reach
                checked[u.task_id] |= hangars
        undone -= {t for s in placed for t in s.tasks}
        feasible = [d for r in results for d in r.dropped]
        served = sum(len(s.tasks) for s in placed)
        result.rounds.append({"round": len(result.rounds) + 1, "offered": len(offered), "placed": served,
                              "check_only": check_only, "groups": [(r.name, r.stats) for r in results],
                              "left_s": round(budget.left(), 2)})
        logger.info("repair round %d%s: %d tasks offered to free drones, %d placed, %d still undone",
                    len(result.rounds), " (check only)" if check_only else "", len(offered), served, len(undone))
        if feasible and (check_only or served == 0):
            # A free slot could fly these, but the search is out of time or rounds, or placed nothing.
            for d in feasible:
                t = d.task.task_id
                result.leave(t, standing[t] if t in standing else time_limit(d, first[t], plan_budget), first)
                undone.discard(t)
    if progress is not None and result.rounds:
        progress(result.objective_change, budget.elapsed())
    return result


def _outside(free: dict[str, DroneTime], held: dict[str, list[tuple[float, float]]]) -> dict[str, DroneTime]:
    """`free` without each drone's `held` spans."""
    out = dict(free)
    for drone, spans in held.items():
        if drone in free:
            cut = tuple(part for span in free[drone].free for part in free_spans(span, spans))
            out[drone] = DroneTime(cut, free[drone].sorties_left)
    return out


def _candidates(city: City, task_id: str, free: dict[str, DroneTime]) -> set[int]:
    """Hangars within reach of the task, flying today, with a drone that has free time and sorties left."""
    hangars = city.scenario.hangars
    return {i for i in city.reach[task_id].hangars if city.flying(hangars[i])
            and any(free[d].free and free[d].sorties_left > 0 for d in hangars[i].drone_ids())}


def _round(city: City, offered: list[str], candidates: dict[str, set[int]], free: dict[str, DroneTime],
           budget: Budget, keep_s: float, check_only: bool) -> list[GroupResult]:
    """One repair round: the offered tasks and their candidate hangars, split like the first pass (by free drone
    time), solved on the free time of their drones (or only checked, with no time left)."""
    hangars = city.scenario.hangars
    used = sorted(set().union(*candidates.values()))
    local = city.scenario.model_copy(update={"hangars": [hangars[i] for i in used]})
    remap = {old: new for new, old in enumerate(used)}
    items = [city.tasks[t] for t in offered]
    reach = [_renumbered(city.reach[t], remap, candidates[t]) for t in offered]
    spare = np.array([sum(_free_s(free[d]) for d in hangars[i].drone_ids()) for i in used])
    groups = partition(local, items, city.projector, city.options.max_group_hangars, city.window, city.transit_m,
                       reach, spare)
    jobs = []
    for group in groups:
        if not group.tasks:
            continue
        # Every drone of the group's hangars, offered or not: the slots skip those with no free time or sorties
        # left, and a task none can fly is told which of the two stopped each.
        availability = {drone: free[drone] for h in group.hangar_ids
                        for drone in hangars[city.hangar_index[h]].drone_ids()}
        jobs.append(city.job(f"repair-{group.name}", group.hangar_ids, list(group.tasks), availability))
    if check_only:
        results = [solve_group(dataclasses.replace(job, time_limit_s=0.0)) for job in jobs]
        if city.options.repair_rounds == 0:
            for r in results:
                r.stats["status"] = CHECKED_ONLY
        return results
    return run_groups(jobs, city.options.executor, city.options.workers, budget, keep_s,
                      city.options.scheduler_address)


def _free_s(time_: DroneTime) -> float:
    return sum(b - a for a, b in time_.free) if time_.sorties_left > 0 else 0.0


def _renumbered(reach: Reach, remap: dict[int, int], keep: set[int]) -> Reach:
    kept = [(h, f) for h, f in zip(reach.hangars, reach.farthest_m) if h in keep]
    return Reach(tuple(remap[h] for h, _ in kept), tuple(f for _, f in kept))


