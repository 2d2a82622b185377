"""Constructive start for the routing core: randomised giant tours split optimally into routes.

Used when the fleet is uniform (one depot, one profile, no visit windows): CARP and simple drone days.
"""
from __future__ import annotations

import logging
import time

import numpy as np

from planner.routing.problem import RoutingProblem

logger = logging.getLogger(__name__)


def applies(problem: RoutingProblem) -> bool:
    """True when any sequence of routes that fits capacity and span is feasible for the full problem."""
    vehicles = problem.vehicles
    first = vehicles[0]
    uniform = all(
        (v.depot, v.profile, v.window, v.max_span, v.capacity, v.fixed_cost) ==
        (first.depot, first.profile, first.window, first.max_span, first.capacity, first.fixed_cost)
        and v.chain is None
        for v in vehicles
    )
    plain_visits = all(v.window is None and v.allowed_vehicles is None for v in problem.visits)
    same_cost = problem.cost_matrices is None
    return uniform and plain_visits and same_cost and all(p is None for p in problem.task_penalties)


class GiantTourSplit:
    """Route-first cluster-second: a task order is cut into routes by a DP that also picks each
    task's alternative (a leg's orientation), as in Ulusoy's / Beullens' split for arc routing."""

    def __init__(self, problem: RoutingProblem):
        nd = problem.num_depots
        veh = problem.vehicles[0]
        self.problem = problem
        self.depot = veh.depot
        self.matrix = np.asarray(problem.time_matrices[veh.profile], dtype=np.int64)
        self.capacity = veh.capacity if veh.capacity is not None else np.iinfo(np.int64).max
        window = veh.window[1] - veh.window[0]
        self.max_time = min(window, veh.max_span) if veh.max_span is not None else window
        self.max_routes = len(problem.vehicles)
        options: list[list[int]] = [[] for _ in range(problem.num_tasks)]
        for i, visit in enumerate(problem.visits):
            options[visit.task].append(nd + i)
        width = max(len(o) for o in options)
        # Pad alternatives by repeating the first, so every task has `width` node columns.
        self.options = np.array([o + [o[0]] * (width - len(o)) for o in options], dtype=np.int64)
        self.demand = np.zeros(problem.num_tasks, dtype=np.int64)
        for visit in problem.visits:
            self.demand[visit.task] = visit.demand

    def split(self, order: np.ndarray) -> tuple[int, list[list[int]]] | None:
        """Optimal cut of `order` (task indices) into routes; returns (cost, routes of node indices)."""
        m, opts, depot = self.matrix, self.options, self.depot
        n = len(order)
        best = np.full(n + 1, np.iinfo(np.int64).max // 4, dtype=np.int64)
        best[0] = 0
        back: list[tuple[int, list[int]]] = [(0, [])] * (n + 1)
        for i in range(n):
            if best[i] >= np.iinfo(np.int64).max // 4:
                continue
            load = 0
            first = opts[order[i]]
            reach = m[depot, first]  # cost from the depot to each alternative of the current last task
            pred: list[np.ndarray] = []
            for j in range(i, n):
                load += self.demand[order[j]]
                if load > self.capacity:
                    break
                if j > i:
                    prev, cur = opts[order[j - 1]], opts[order[j]]
                    step = reach[:, None] + m[np.ix_(prev, cur)]
                    pred.append(step.argmin(axis=0))
                    reach = step.min(axis=0)
                close = reach + m[opts[order[j]], depot]
                k = int(close.argmin())
                route_cost = int(close[k])
                if route_cost > self.max_time:
                    break
                if best[i] + route_cost < best[j + 1]:
                    best[j + 1] = best[i] + route_cost
                    nodes = [k]
                    for p in reversed(pred):
                        nodes.append(int(p[nodes[-1]]))
                    nodes.reverse()
                    back[j + 1] = (i, [int(opts[order[i + q]][c]) for q, c in enumerate(nodes)])
        if best[n] >= np.iinfo(np.int64).max // 4:
            return None
        routes, j = [], n
        while j > 0:
            i, nodes = back[j]
            routes.append(nodes)
            j = i
        routes.reverse()
        if len(routes) > self.max_routes:
            return None
        return int(best[n]), routes

    def nearest_neighbour_order(self, rng: np.random.Generator, noise: float) -> np.ndarray:
        """Task order by (noisy) nearest next alternative from the current node."""
        m, opts = self.matrix, self.options
        left = np.ones(len(opts), dtype=bool)
        cur, order = self.depot, []
        for _ in range(len(opts)):
            d = m[cur, opts].min(axis=1).astype(float)
            if noise:
                d *= 1.0 + noise * rng.random(len(d))
            d[~left] = np.inf
            t = int(d.argmin())
            order.append(t)
            left[t] = False
            cur = int(opts[t][m[cur, opts[t]].argmin()])
        return np.array(order, dtype=np.int64)

    def tasks_of(self, routes: list[list[int]]) -> np.ndarray:
        nd = self.problem.num_depots
        return np.array([self.problem.visits[node - nd].task for r in routes for node in r], dtype=np.int64)


def start_routes(problem: RoutingProblem, seed: int, budget_s: float, max_splits: int | None = None,
                 max_iters: int | None = None) -> list[list[int]] | None:
    """Routes (visit indices per vehicle): split giant tours improved by ruin-and-recreate, or None if n/a.

    A tenth of `budget_s` goes to noisy nearest-neighbour tours cut by split, the rest to the
    improvement phase (planner.routing.search). With `max_splits` and `max_iters` the work is a fixed
    number of splits and iterations (deterministic for a seed); `budget_s` then only guards a slow machine.
    """
    if not problem.vehicles or not problem.visits or not applies(problem):
        return None
    from planner.routing.search import RuinRecreate

    t0 = time.monotonic()
    gts = GiantTourSplit(problem)
    rng = np.random.default_rng(seed)
    best: tuple[int, list[list[int]]] | None = None
    tries = 0
    limit = max_splits if max_splits is not None else np.iinfo(np.int64).max
    while tries < limit and (time.monotonic() - t0 < budget_s * 0.1
                             or best is None and time.monotonic() - t0 < budget_s):
        got = gts.split(gts.nearest_neighbour_order(rng, 0.0 if tries == 0 else 0.3))
        tries += 1
        if got and (best is None or got[0] < best[0]):
            best = got
    if best is None:
        return None
    split_cost = best[0]
    big = np.iinfo(np.int64).max // 4
    search = RuinRecreate(gts.matrix, gts.options, gts.demand, gts.depot, int(min(gts.capacity, big)),
                          int(min(gts.max_time, big)), gts.max_routes)
    left = max(0.0, budget_s - (time.monotonic() - t0))
    cost, routes, iters = search.improve(best[1], rng, max_iters, left)
    # Re-cutting the improved routes' task order can only help: split is optimal for a fixed order.
    resplit = gts.split(gts.tasks_of(routes))
    if resplit is not None and resplit[0] < cost:
        cost, routes = resplit
    nd = problem.num_depots
    out = [[node - nd for node in r] for r in routes]
    out += [[] for _ in range(len(problem.vehicles) - len(out))]
    logger.info("start: split %d from %d giant tours, %d after %d ruin-and-recreate steps, %.2f s",
                split_cost, tries, cost, iters, time.monotonic() - t0)
    return out
