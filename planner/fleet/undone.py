"""Why a task the solvers left undone stays undone: every drone in reach is busy, or the time ran out.

no_capacity names the drones, their longest free gap and what the task needs; time_limit a free drone and the time."""
from __future__ import annotations

from dataclasses import dataclass

from missions.models import Hangar, Sortie, UnservedReason, UnservedTask
from planner.fleet.city import City
from planner.fleet.group_solve import NO_PLAN, DroppedTask
from planner.problem.availability import drone_times
from planner.problem.epochs import clock
from planner.problem.slots import zone_over_hangar
from planner.problem.task_airspace import TaskWithEpochs


@dataclass(frozen=True)
class PlanBudget:
    """What the advice quotes: the plan's time limit, how many groups shared it, on how many workers."""

    limit_s: float
    groups: int
    workers: int


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"


def usable_spans(city: City, item: TaskWithEpochs, solo_s: float, shut: frozenset[int] = frozenset()
                 ) -> list[tuple[int, int]]:
    """Clock spans in which a sortie could fly this task: its epochs when no closure is over it (nor, `shut`, over
    the hangar), and within its window widened by the flight there and back."""
    spans = [(e.start_s, e.end_s) for e in city.epochs if e.index not in item.blocked_epochs | shut]
    window = item.task.window
    if window is not None:
        lo, hi = window.start_s - solo_s, window.end_s + solo_s
        spans = [(max(a, int(lo)), min(b, int(hi))) for a, b in spans]
    return [(a, b) for a, b in spans if b > a]


def _grounded_epochs(city: City, hangar: Hangar) -> frozenset[int]:
    scenario = city.group_scenario((hangar.id,))
    return frozenset(e.index for e in city.epochs if zone_over_hangar(hangar, e, scenario, city.transit_m) is not None)


def no_capacity(city: City, dropped: DroppedTask, sorties: list[Sortie]) -> UnservedTask:
    """Every drone within reach is flying, recharging or through its sorties whenever the task could be flown."""
    item = city.tasks[dropped.task.task_id]
    task = item.task
    hangars = [city.scenario.hangars[i] for i in city.reach[task.task_id].hangars]
    hangars = [h for h in hangars if city.flying(h)]
    drones = [d for h in hangars for d in h.drone_ids()]
    max_sorties = city.options.max_sorties_per_drone
    times = drone_times(city.scenario, sorties, city.window, max_sorties, hangars)
    longest = (0, "", 0, 0)
    for hangar in hangars:
        # Epochs in which a keep-out zone over the hangar keeps its drones on the dock do not count as free.
        spans = usable_spans(city, item, dropped.solo_s, _grounded_epochs(city, hangar))
        for drone in hangar.drone_ids():
            if times[drone].sorties_left <= 0:
                continue
            for a, b in times[drone].free:
                for lo, hi in spans:
                    start, end = max(a, lo), min(b, hi)
                    if end - start > longest[0]:
                        longest = (end - start, drone, start, end)
    # A drone through its sorties may still have free time: say that the budget, not the time, stops it.
    spent = [d for d in drones if times[d].sorties_left <= 0]
    budget = (f"{', '.join(spent)} {'has flown its' if len(spent) == 1 else 'have flown their'} {max_sorties} "
              f"sortie{'s' if max_sorties != 1 else ''}, the most a drone may fly (max_sorties_per_drone); "
              if spent else "")
    gap = (f"the longest free gap is {minutes(longest[0])} ({longest[1]} {clock(longest[2])}-{clock(longest[3])})"
           if longest[0] > 0 else "none with a sortie left has a free gap" if spent else "none has a free gap")
    where = []
    if task.window is not None:
        where.append(f"its window {task.window.start}-{task.window.end}")
    if item.blocked_epochs:
        where.append("no closure over it")
    when = f" ({' and '.join(where)})" if where else ""
    mine = {s.drone_id for s in sorties} & set(drones)
    flown = [city.tasks[t].task.priority for s in sorties if s.drone_id in mine for t in s.tasks if t in city.tasks]
    lowest, highest = min(flown, default=0), max(flown, default=0)
    priorities = f"{lowest}" if lowest == highest else f"{lowest}-{highest}"
    others = (f"they flew {len(flown)} other task{'s' if len(flown) != 1 else ''} of priority {priorities}" if flown
              else "they flew nothing else")
    out = [f"{d} {o.start}-{o.end}" for h in hangars for d in h.drone_ids() for o in h.outages
           if o.covers(d) and o.start_s < city.window[1] and o.end_s > city.window[0]]
    states = "flying, recharging, " + (f"out of service ({', '.join(out)}), " if out else "")
    detail = (f"no capacity: every drone within reach ({len(drones)}: {', '.join(h.id for h in hangars)}) is {states}"
              f"through its {max_sorties} sortie{'s' if max_sorties != 1 else ''} or under a closure whenever it "
              f"could be flown{when}: {budget}{gap}, and it needs {minutes(dropped.solo_s)} alone from {dropped.solo_hangar}; its priority is "
              f"{task.priority}, {others}")
    return UnservedTask(task_id=task.task_id, target_id=task.target_id, reason=UnservedReason.NO_CAPACITY,
                        detail=detail, coordinates=task.coordinates)


def time_limit(dropped: DroppedTask, first: DroppedTask, budget: PlanBudget) -> UnservedTask:
    """A drone could still fly it (`dropped`, from the last check), but the search ran out of time. `first` is
    how its own group's solve left it."""
    task = dropped.task
    share = (f"{first.group}'s search had {first.time_limit_s:.1f} s of the {budget.limit_s:g} s limit "
             f"({budget.groups} group{'s' if budget.groups != 1 else ''} on {budget.workers} "
             f"worker{'s' if budget.workers != 1 else ''})")
    if first.status in NO_PLAN:
        head = f"no plan within the time limit: {share} and found none"
    else:
        head = f"left undone by the search: {share}"
    detail = (f"{head}; {dropped.solo_drone} is free {clock(dropped.solo_span[0])}-{clock(dropped.solo_span[1])} and "
              f"could fly it alone in {minutes(dropped.solo_s)} from {dropped.solo_hangar}: give more time "
              f"(--time-limit above {budget.limit_s:g} s)")
    return UnservedTask(task_id=task.task_id, target_id=task.target_id, reason=UnservedReason.TIME_LIMIT,
                        detail=detail, coordinates=task.coordinates)
