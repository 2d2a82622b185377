"""Solver time matrices and visit windows in integer units, rounded so the solver never under-estimates.

time[i, j] = service at i + travel from the end of i to the start of j, per (drone model, epoch) profile.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from missions.models import DroneModel, InspectionTask
from planner.flight.costs import ADJACENT_M, ServiceTime, vertical_s
from planner.problem.context import ProblemContext
from planner.problem.epochs import Epoch
from planner.routing import TIME_UNITS_PER_S

UNREACHABLE = 10**9  # matrix value meaning "no legal path": the routing core forbids the arc


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


ServiceTable = dict[tuple[str, str, bool], ServiceTime]  # (task id, model id, reverse) -> service time


def visit_window(task: InspectionTask, model_ids, services: ServiceTable, reverse: bool) -> tuple[int, int] | None:
    """Bounds on the solver's arrival (at transit height over the start) that keep the inspection in its window."""
    if task.window is None:
        return None
    relevant = [services[(task.task_id, m, reverse)] for m in model_ids if (task.task_id, m, reverse) in services]
    earliest = task.window.start_s - min(s.descend_s for s in relevant)
    latest = task.window.end_s - max(s.descend_s + s.inspect_s for s in relevant)
    return units_up(max(0.0, earliest)), units_down(max(0.0, latest))


def time_matrix(ctx: ProblemContext, model: DroneModel, epoch: Epoch, depot_hangars: list[str],
                visits: list[VisitInfo], tasks: list[InspectionTask], services: ServiceTable) -> np.ndarray:
    """time[i, j] = service at i + travel from the end of i to the start of j (solver units, ceil)."""
    site, costs, transit_m = ctx.site, ctx.costs, ctx.transit_m
    transit = costs.transit_s(model, epoch)
    by_id = {t.task_id: t for t in tasks}
    starts = np.array([site.task_end[v.task_id] if v.reverse else site.task_start[v.task_id] for v in visits], dtype=int)
    ends = np.array([site.task_start[v.task_id] if v.reverse else site.task_end[v.task_id] for v in visits], dtype=int)
    service = [services[(v.task_id, model.id, v.reverse)] for v in visits]
    total = np.array([s.total_s for s in service])
    inspect = np.array([s.inspect_s for s in service])
    descend = np.array([s.descend_s for s in service])
    altitude = np.array([by_id[v.task_id].altitude_m for v in visits])
    hangar_sites = np.array([site.hangar_index[h] for h in depot_hangars], dtype=int)
    take_off = vertical_s(0, transit_m, model)
    land = vertical_s(transit_m, 0, model)

    n_d, n_v = len(depot_hangars), len(visits)
    seconds = np.full((n_d + n_v, n_d + n_v), np.inf)
    np.fill_diagonal(seconds[:n_d, :n_d], 0.0)
    seconds[:n_d, n_d:] = take_off + transit[np.ix_(hangar_sites, starts)]
    seconds[n_d:, :n_d] = total[:, None] + transit[np.ix_(ends, hangar_sites)] + land
    hop = transit[np.ix_(ends, starts)]
    between = total[:, None] + hop
    # Consecutive legs of one line at one height: fly straight on, no climb to transit height and back.
    adjacent = (costs.straight[np.ix_(ends, starts)] < ADJACENT_M) & (altitude[:, None] == altitude[None, :])
    on_line = descend[:, None] + inspect[:, None] + hop - descend[None, :]
    between = np.where(adjacent, np.maximum(on_line, 0.0), between)
    seconds[n_d:, n_d:] = between
    units = np.where(np.isfinite(seconds), np.ceil(seconds * TIME_UNITS_PER_S - 1e-9), UNREACHABLE)
    return np.minimum(units, UNREACHABLE).astype(np.int64)
