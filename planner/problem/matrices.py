"""Solver time, cost and energy matrices and visit windows in integer units, rounded so the solver never under-estimates.

arc[i, j] = service at i + travel from the end of i to the start of j, per (drone model, epoch) profile; the cost
matrix is what PlanOptions.objective minimises outside the inspections (see ArcMatrices).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from missions.models import InspectionTask
from planner.flight.costs import ADJACENT_M, ServiceCost
from planner.flight.energy import FlightEnergy
from planner.problem.context import ProblemContext
from planner.problem.epochs import Epoch
from planner.problem.objective import cost_units_per, counts_metres
from planner.routing import TIME_UNITS_PER_S

UNREACHABLE = 10**9  # matrix value meaning "no legal path": the routing core forbids the arc
# Energy unit of the solver: a ten-millionth of the drone model's full battery. Arcs round up by less than one
# unit each; a hover rate per decisecond (~4e-6 of a battery for a 40-min hover) rounds up by under 0.3 %.
ENERGY_UNITS_PER_BATTERY = 10_000_000


@dataclass(frozen=True)
class VisitInfo:
    """One way of flying a task: its id and whether the line is flown end to start."""

    task_id: str
    reverse: bool


def units_up(seconds: float) -> int:
    """Seconds -> solver units, rounded up so the solver never under-estimates a duration."""
    return int(math.ceil(seconds * TIME_UNITS_PER_S - 1e-9))


def units_down(seconds: float) -> int:
    return int(math.floor(seconds * TIME_UNITS_PER_S + 1e-9))


def energy_units_down(share: float) -> int:
    """Battery share -> solver energy units, rounded down (a capacity is never over-stated)."""
    return int(math.floor(share * ENERGY_UNITS_PER_BATTERY + 1e-9))


ServiceTable = dict[tuple[str, str, bool], ServiceCost]  # (task id, model id, reverse) -> service cost


@dataclass(frozen=True)
class ArcMatrices:
    """One profile's arcs in solver units. `time` is the clock: windows, spans and the drone's day. `cost` is what
    the plan minimises, the flying outside the inspections (their work is the same whoever flies it; charged by
    their time, a quicker-inspecting model's far hangar wins a task from a near one: the demo's time-optimal plan
    flew 2.4 km more to save 5.6 s): its time, or its horizontal metres (planner.problem.objective) under the
    "distance" objective. Work left undone is charged by the task penalties instead."""

    time: np.ndarray
    cost: np.ndarray
    energy: np.ndarray


def visit_window(task: InspectionTask, model_ids, services: ServiceTable, reverse: bool) -> tuple[int, int] | None:
    """Bounds on the solver's arrival (at transit height over the start) that keep the inspection in its window."""
    if task.window is None:
        return None
    relevant = [services[(task.task_id, m, reverse)] for m in model_ids if (task.task_id, m, reverse) in services]
    earliest = task.window.start_s - min(s.descend_s for s in relevant)
    latest = task.window.end_s - max(s.descend_s + s.inspect_s for s in relevant)
    return units_up(max(0.0, earliest)), units_down(max(0.0, latest))


def arc_matrices(ctx: ProblemContext, flight: FlightEnergy, epoch: Epoch, depot_hangars: list[str],
                 visits: list[VisitInfo], tasks: list[InspectionTask],
                 services: ServiceTable) -> ArcMatrices:
    """Time, cost and energy in solver units, each `service at i + travel from the end of i to the start of j`, ceil."""
    site, costs, transit_m = ctx.site, ctx.costs, ctx.transit_m
    model = flight.model
    arcs = costs.transit(flight, epoch)
    by_id = {t.task_id: t for t in tasks}
    starts = np.array([site.task_end[v.task_id] if v.reverse else site.task_start[v.task_id] for v in visits], dtype=int)
    ends = np.array([site.task_start[v.task_id] if v.reverse else site.task_end[v.task_id] for v in visits], dtype=int)
    service = [services[(v.task_id, model.id, v.reverse)] for v in visits]
    altitude = np.array([by_id[v.task_id].altitude_m for v in visits])
    hangar_sites = np.array([site.hangar_index[h] for h in depot_hangars], dtype=int)
    adjacent = (costs.straight[np.ix_(ends, starts)] < ADJACENT_M) & (altitude[:, None] == altitude[None, :])
    take_off, land = flight.vertical(0.0, transit_m), flight.vertical(transit_m, 0.0)

    # Consecutive legs of one line at one height are flown straight on at that height, no climb to transit height
    # and back: the sub-metre hop between them is priced at the worse of the two heights' winds.
    hop_s, hop_e = arcs.seconds[np.ix_(ends, starts)].copy(), arcs.energy[np.ix_(ends, starts)].copy()
    rows, cols = np.nonzero(adjacent)
    for height in np.unique(altitude[rows]):
        at = altitude[rows] == height
        r, c = rows[at], cols[at]
        low_s, low_e = flight.horizontal(costs.dx[ends[r], starts[c]], costs.dy[ends[r], starts[c]], float(height),
                                         model.cruise_speed_ms)
        hop_s[r, c] = np.maximum(hop_s[r, c], low_s)
        hop_e[r, c] = np.maximum(hop_e[r, c], low_e)

    def matrix(transit: np.ndarray, hop: np.ndarray, total, inspect, descend, up: float, down: float) -> np.ndarray:
        n_d, n_v = len(depot_hangars), len(visits)
        values = np.full((n_d + n_v, n_d + n_v), np.inf)
        np.fill_diagonal(values[:n_d, :n_d], 0.0)
        values[:n_d, n_d:] = up + transit[np.ix_(hangar_sites, starts)]
        values[n_d:, :n_d] = total[:, None] + transit[np.ix_(ends, hangar_sites)] + down
        on_line = descend[:, None] + inspect[:, None] + hop - descend[None, :]
        values[n_d:, n_d:] = np.where(adjacent, np.maximum(on_line, 0.0), total[:, None] + hop)
        return values

    descend_s = np.array([s.descend_s for s in service])
    seconds = matrix(arcs.seconds, hop_s, np.array([s.total_s for s in service]),
                     np.array([s.inspect_s for s in service]), descend_s, take_off[0], land[0])
    if counts_metres(ctx.options.objective):
        # Horizontal metres as the flown track measures them: legal paths at transit height, the hop between legs
        # of one line straight at the task's height; take-offs, landings, climbs and descents add none.
        metres = costs.legal[epoch.index]
        hop_m = np.where(adjacent, costs.straight[np.ix_(ends, starts)], metres[np.ix_(ends, starts)])
        none = np.zeros(len(service))
        outside = matrix(metres, hop_m, none, none, none, 0.0, 0.0)
    else:
        outside = matrix(arcs.seconds, hop_s, np.array([s.descend_s + s.climb_s for s in service]),
                         np.zeros(len(service)), descend_s, take_off[0], land[0])
    cost_per = cost_units_per(ctx.options.objective)
    energy = matrix(arcs.energy, hop_e, np.array([s.total_e for s in service]), np.array([s.inspect_e for s in service]),
                    np.array([s.descend_e for s in service]), take_off[1], land[1])
    unreachable = ~np.isfinite(seconds) | ~np.isfinite(energy)
    # A bent path between two tasks that leaves a hangar's radius is closed (planner.problem.radius).
    unreachable[len(depot_hangars):, len(depot_hangars):] |= ctx.radius_guard.closed_between(ends, starts, epoch)

    def units(values: np.ndarray, per: float) -> np.ndarray:
        rounded = np.ceil(np.where(unreachable, 0.0, values) * per - 1e-9)
        return np.minimum(np.where(unreachable, UNREACHABLE, rounded), UNREACHABLE).astype(np.int64)

    return ArcMatrices(units(seconds, TIME_UNITS_PER_S), units(outside, cost_per),
                       units(energy, ENERGY_UNITS_PER_BATTERY))
