"""Split a city into groups of nearby hangars and give every task to one group that can fly it.

Groups come from recursive bisection of hangar positions (balanced, deterministic); a task several groups can
reach goes to the one with the most spare drone time, so neighbouring groups share the load before solving.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from airspace.projection import Projector
from missions.models import Hangar, InspectionTask, Scenario
from planner.fleet.reach import Reach, hangar_xy, reach_table
from planner.flight.energy import FlightEnergy
from planner.problem.feasibility import grounded
from planner.problem.task_airspace import TaskWithEpochs

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Group:
    name: str
    hangar_ids: tuple[str, ...]
    tasks: tuple[TaskWithEpochs, ...]


def bisect_hangars(hangars: list[Hangar], xy: np.ndarray, max_size: int) -> list[list[int]]:
    """Index groups of at most max_size hangars, split along the longer axis at the median."""
    groups: list[list[int]] = []
    pending = [list(range(len(hangars)))]
    while pending:
        members = pending.pop(0)
        if len(members) <= max_size:
            groups.append(members)
            continue
        pts = xy[members]
        axis = int(np.argmax(pts.max(axis=0) - pts.min(axis=0)))
        order = sorted(members, key=lambda i: (xy[i, axis], hangars[i].id))
        half = len(order) // 2
        pending += [order[:half], order[half:]]
    return sorted(groups, key=lambda g: min(hangars[i].id for i in g))


def partition(scenario: Scenario, tasks: list[TaskWithEpochs], projector: Projector, max_hangars: int,
              window: tuple[int, int], transit_m: float, reach: list[Reach] | None = None,
              spare_s: np.ndarray | None = None) -> list[Group]:
    """Groups of <= max_hangars nearby hangars, each task given to one group that can fly it (by radius, drones
    not grounded, one battery for the round trip), the one with the most spare drone time. `reach` (per task, from
    planner.fleet.reach) saves recomputing which hangars cover each task; `spare_s` (per hangar) replaces the
    whole-day estimate of its drones' time (the repair pass knows their free time)."""
    hangars = list(scenario.hangars)
    if len(hangars) <= max_hangars:
        return [Group("group-01", tuple(h.id for h in hangars), tuple(tasks))]
    hxy = hangar_xy(hangars, projector)
    members = bisect_hangars(hangars, hxy, max_hangars)
    group_of = {i: g for g, idx in enumerate(members) for i in idx}
    flying = np.array([h.drones > 0 and not grounded(scenario.drone_model(h.drone_model), scenario) for h in hangars])
    reach = reach if reach is not None else reach_table([t.task for t in tasks], hangars, projector)

    # Spare drone time per group: usable battery time (at hover power) times the sorties a day allows (rough,
    # for balance only).
    day_s = window[1] - window[0]
    models = [scenario.drone_model(h.drone_model) for h in hangars]
    flights = {m.id: FlightEnergy.of(m, scenario.weather) for m in scenario.drone_models}
    capacity = np.zeros(len(members))
    for i, hangar in enumerate(hangars):
        if flying[i]:
            usable = flights[models[i].id].usable_hover_s
            sorties = max(1.0, day_s / (usable + hangar.recharge_min * 60))
            capacity[group_of[i]] += hangar.drones * usable * sorties if spare_s is None else spare_s[i]
    load = np.zeros(len(members))
    # Battery share per metre of the way there and back at transit height, and along a leg at inspection
    # height flown its cheaper way, each at the worst heading of the day's wind.
    transit_e = np.array([flights[m.id].round_trip_per_metre(transit_m, m.cruise_speed_ms)[1]
                          for m in models])
    usable_e = np.array([flights[m.id].usable for m in models])

    candidates: list[tuple[TaskWithEpochs, list[int], int, float]] = []
    for item, covered in zip(tasks, reach):
        task = item.task
        nearest = int(covered.hangars[0]) if covered.hangars else -1
        idx = np.array(covered.hangars, dtype=int)
        groups: list[int] = []
        if len(idx):
            coords = np.asarray(task.coordinates, dtype=float)[[0, -1], :2]
            tx, ty = projector.forward(coords[:, 0], coords[:, 1])
            ends = np.hypot(np.asarray(tx)[:, None] - hxy[None, idx, 0], np.asarray(ty)[:, None] - hxy[None, idx, 1])
            # Reachable on one battery with the wind priced in: a group that only has hangars at the edge of their
            # radius would just report the task out of reach.
            inspect_e = np.array([_inspection_share(flights[models[i].id], task) for i in idx])
            trip_e = (ends[0] + ends[1]) * transit_e[idx] + inspect_e
            ok = flying[idx] & (trip_e <= usable_e[idx])
            if spare_s is not None:  # a hangar with no free drone time left (a replan, a repair round) flies nothing
                ok &= np.asarray(spare_s, dtype=float)[idx] > 0
            groups = sorted({group_of[int(i)] for i in idx[ok]})
        candidates.append((item, groups, nearest, covered.farthest_m[0] if covered.hangars else 0.0))
    # Tasks with the fewest options choose first; ties by priority (high first), then id, for determinism.
    order = sorted(range(len(candidates)),
                   key=lambda k: (len(candidates[k][1]) or 99, -candidates[k][0].task.priority,
                                  candidates[k][0].task.task_id))
    assigned: list[list[TaskWithEpochs]] = [[] for _ in members]
    for k in order:
        item, groups, nearest, nearest_m = candidates[k]
        if not groups:
            # Nobody can fly it; its nearest hangar's group will explain why (plan() reports tasks no radius
            # covers before partitioning; the first group takes any that reach here without one).
            assigned[group_of[nearest] if nearest >= 0 else 0].append(item)
            continue
        work = item.task.length_m / 8.0 + item.task.hover_s + 2 * nearest_m / 15.0
        best = min(groups, key=lambda g: ((load[g] + work) / max(capacity[g], 1.0), g))
        load[best] += work
        assigned[best].append(item)
    result = []
    for g, idx in enumerate(members):
        ids = tuple(hangars[i].id for i in sorted(idx, key=lambda i: hangars[i].id))
        result.append(Group(f"group-{g + 1:02d}", ids, tuple(assigned[g])))
    logger.info("decomposition: %d groups of <= %d hangars; tasks per group %s", len(result), max_hangars,
                [len(g.tasks) for g in result])
    return result


def _inspection_share(flight: FlightEnergy, task: InspectionTask) -> float:
    """Battery share of a task's inspection alone (its line flown the cheaper way at the worst heading, hover)."""
    per_m = flight.either_way_per_metre(task.altitude_m, flight.model.inspection_speed_ms)[1]
    return task.length_m * per_m + flight.station_power(task.altitude_m) * task.hover_s
