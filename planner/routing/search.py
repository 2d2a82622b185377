"""Improvement phase for the uniform-fleet start: ruin-and-recreate with simulated annealing (SISR).

Routes of problem nodes are ruined by removing strings of nearby tasks and rebuilt by cheapest insertion
that also picks each task's alternative (a leg's orientation); capacity and route duration always hold.
"""
from __future__ import annotations

import math
import time

import numpy as np

_INF = np.iinfo(np.int64).max // 4


class RuinRecreate:
    """Slack Induction by String Removals (Christiaens & Vanden Berghe, 2020) over task alternatives.

    `opts[t]` lists task t's alternative nodes (padded by repetition); a route is a list of nodes whose
    cost is the matrix path depot -> nodes -> depot. A route is feasible when its load is within
    `capacity` and its cost (= duration: the start only applies when cost and time matrices agree)
    within `max_time`. At most `max_routes` routes are non-empty.
    """

    MEAN_REMOVED = 10  # SISR's c-bar: average number of tasks removed per ruin
    MAX_STRING = 10  # SISR's L-max: longest string removed from one route
    BLINK = 0.01  # probability of skipping an insertion position (SISR's blinks)
    NEAR = 20  # insertion looks at the routes of this many nearest tasks first (granular search)
    T_START, T_END = 2.0, 0.02  # annealing temperatures in mean arcs of the start (tuned on egl-s, gdb8-9)

    def __init__(self, matrix: np.ndarray, opts: np.ndarray, demand: np.ndarray, depot: int,
                 capacity: int, max_time: int, max_routes: int):
        self.m = np.asarray(matrix, dtype=np.int64)
        self.opts = np.asarray(opts, dtype=np.int64)
        self.demand = np.asarray(demand, dtype=np.int64)
        self.depot, self.capacity, self.max_time, self.max_routes = depot, capacity, max_time, max_routes
        self.task_of = np.full(len(self.m), -1, dtype=np.int64)
        for t, row in enumerate(self.opts):
            self.task_of[row] = t
        # Task proximity: cheapest connection either way between any alternatives of the two tasks.
        sub = self.m[np.ix_(self.opts.ravel(), self.opts.ravel())]
        n, w = self.opts.shape
        sub = sub.reshape(n, w, n, w).min(axis=(1, 3))
        prox = np.minimum(sub, sub.T).astype(float)
        np.fill_diagonal(prox, -1.0)  # a task is its own nearest neighbour: the ruin starts from it
        self.neighbours = np.argsort(prox, axis=1, kind="stable")
        # Both-orientation service of a task alone on a route (the "new route" insertion).
        self.alone = self.m[depot, self.opts] + self.m[self.opts, depot]
        # Duration checks are skipped when even a route through every node could not exceed max_time.
        self.timed = max_time < int(self.m[np.r_[depot, self.opts.ravel()]].max(axis=1).sum())
        # Per task: arc costs from every node into each alternative, and from each alternative out.
        self.into = [np.ascontiguousarray(self.m[:, row]) for row in self.opts]
        self.out_of = [np.ascontiguousarray(self.m[row, :].T) for row in self.opts]

    # --- route bookkeeping -------------------------------------------------------------------------
    def route_cost(self, route: list[int]) -> int:
        if not route:
            return 0
        nodes = [self.depot] + route + [self.depot]
        return int(self.m[nodes[:-1], nodes[1:]].sum())

    def total(self, routes: list[list[int]]) -> int:
        return sum(self.route_cost(r) for r in routes)

    def feasible(self, routes: list[list[int]]) -> bool:
        tasks = [int(self.task_of[x]) for r in routes for x in r]
        if sorted(tasks) != list(range(len(self.opts))):
            return False
        if sum(1 for r in routes if r) > self.max_routes:
            return False
        for r in routes:
            if sum(int(self.demand[self.task_of[x]]) for x in r) > self.capacity:
                return False
            if self.route_cost(r) > self.max_time:
                return False
        return True

    # --- ruin ----------------------------------------------------------------------------------------
    def ruin(self, s: "_State", rng: np.random.Generator) -> list[int]:
        """Remove strings around a random seed task from nearby routes; returns the removed tasks."""
        sizes = [len(r) for r in s.routes if r]
        ls_max = min(self.MAX_STRING, sum(sizes) / len(sizes))
        ks_max = 4.0 * self.MEAN_REMOVED / (1.0 + ls_max) - 1.0
        ks = int(rng.random() * ks_max) + 1
        seed = int(rng.integers(len(self.opts)))
        removed: list[int] = []
        ruined: set[int] = set()
        for t in self.neighbours[seed]:
            if len(ruined) >= ks:
                break
            r = int(s.where[t])
            if r < 0 or r in ruined:
                continue
            route = s.routes[r]
            size = int(rng.random() * min(len(route), ls_max)) + 1
            pos = next(i for i, x in enumerate(route) if self.task_of[x] == t)
            lo = max(0, min(pos - int(rng.integers(size)), len(route) - size))
            m, hi = self.m, lo + size
            before = self.depot if lo == 0 else route[lo - 1]
            after = self.depot if hi == len(route) else route[hi]
            path = [before] + route[lo:hi] + [after]
            gain = sum(int(m[a, b]) for a, b in zip(path, path[1:])) - int(m[before, after])
            for x in route[lo:hi]:
                task = int(self.task_of[x])
                removed.append(task)
                s.where[task] = -1
                s.loads[r] -= int(self.demand[task])
            s.costs[r] -= gain
            s.set_route(r, route[:lo] + route[hi:])
            ruined.add(r)
        return removed

    # --- recreate ------------------------------------------------------------------------------------
    def recreate(self, s: "_State", removed: list[int], rng: np.random.Generator) -> bool:
        """Cheapest insertion (with blinks) of each removed task, in SISR's random sort order."""
        key = rng.random()
        if key < 4 / 11:
            rng.shuffle(removed)
        elif key < 8 / 11:
            removed.sort(key=lambda t: -int(self.demand[t]))
        elif key < 10 / 11:
            removed.sort(key=lambda t: -int(self.alone[t].min()))
        else:
            removed.sort(key=lambda t: int(self.alone[t].min()))
        timed = self.timed
        for t in removed:
            opts = self.opts[t]
            dem = int(self.demand[t])
            # Granular: routes serving one of the task's nearest tasks; all routes if none of them fit.
            near = set(s.where[self.neighbours[t, 1:self.NEAR + 1]].tolist())
            near.discard(-1)
            best, choice = _INF, None
            for pool in (sorted(near), range(len(s.routes))):
                rids = [r for r in pool if s.routes[r] and s.loads[r] + dem <= self.capacity]
                if rids:
                    best, choice = self._best_slot(s, t, rids, timed, rng)
                if choice is not None:
                    break
            if s.used < self.max_routes:
                o = int(self.alone[t].argmin())
                if self.alone[t, o] < best and self.alone[t, o] <= self.max_time:
                    best, choice = int(self.alone[t, o]), (-1, 0, int(opts[o]))
            if choice is None:
                return False
            r, slot, node = choice
            if r < 0:
                r = s.routes.index([])
            route = s.routes[r]
            s.set_route(r, route[:slot] + [node] + route[slot:])
            s.where[t] = r
            s.loads[r] += dem
            s.costs[r] += best
        return True

    def _best_slot(self, s: "_State", t: int, rids: list[int], timed: bool, rng: np.random.Generator):
        """Cheapest (delta, (route, slot, node)) over the slots of routes `rids`, or (_INF, None)."""
        slots = np.concatenate([s.slots(r) for r in rids], axis=1)  # rows: predecessor, successor, arc
        delta = self.into[t].take(slots[0], axis=0) + self.out_of[t].take(slots[1], axis=0)
        delta -= slots[2][:, None]
        if timed:
            ri = np.repeat(rids, [s.arrays[r].shape[1] for r in rids])
            delta[np.asarray(s.costs)[ri][:, None] + delta > self.max_time] = _INF
        blinks = rng.binomial(len(delta), self.BLINK)
        if blinks:
            delta[rng.integers(len(delta), size=blinks)] = _INF
        k = int(delta.argmin())
        if delta.flat[k] >= _INF:
            return _INF, None
        i, o = divmod(k, delta.shape[1])
        for r in rids:  # position i of the concatenation -> (route, slot within it)
            size = s.arrays[r].shape[1]
            if i < size:
                break
            i -= size
        return int(delta.flat[k]), (r, i, int(self.opts[t, o]))

    # --- search --------------------------------------------------------------------------------------
    def improve(self, routes: list[list[int]], rng: np.random.Generator, max_iters: int | None,
                budget_s: float) -> tuple[int, list[list[int]], int]:
        """SA over ruin-and-recreate from feasible `routes`; returns (best cost, best routes, iterations).

        With `max_iters` the run is that many iterations (deterministic for the rng); otherwise the
        time budget ends it and the temperature follows elapsed time.
        """
        t0 = time.monotonic()
        routes = [list(r) for r in routes] + [[] for _ in range(self.max_routes - len(routes))]
        cur = _State(self, routes)
        cur_cost = sum(cur.costs)
        best_cost, best = cur_cost, [list(r) for r in routes]
        arcs = sum(len(r) + 1 for r in routes if r)
        # Temperatures in cost units of one average arc of the start: SISR's 100 -> 1 on CVRP scales.
        t_start, t_end = self.T_START * cur_cost / arcs, self.T_END * cur_cost / arcs
        iters = 0
        while True:
            if max_iters is not None:
                if iters >= max_iters or time.monotonic() - t0 > budget_s:
                    break
                frac = iters / max_iters
            else:
                frac = (time.monotonic() - t0) / budget_s
                if frac >= 1.0:
                    break
            temp = t_start * (t_end / t_start) ** frac
            iters += 1
            cand = cur.copy()
            removed = self.ruin(cand, rng)
            if not self.recreate(cand, removed, rng):
                continue
            cost = sum(cand.costs)
            if cost < cur_cost - temp * math.log(rng.random()):
                cur, cur_cost = cand, cost
                if cost < best_cost:
                    best_cost, best = cost, [list(r) for r in cand.routes]
        return best_cost, [r for r in best if r], iters


class _State:
    """Routes with their loads, costs and cached insertion arrays; routes are replaced, never mutated,
    so a copy shares every untouched route and its arrays."""

    def __init__(self, rr: RuinRecreate | None, routes: list[list[int]]):
        if rr is None:
            return
        self.rr = rr
        self.routes = routes
        self.where = np.full(len(rr.opts), -1, dtype=np.int64)
        for r, route in enumerate(routes):
            self.where[rr.task_of[route]] = r
        self.loads = [int(rr.demand[rr.task_of[r]].sum()) if r else 0 for r in routes]
        self.costs = [rr.route_cost(r) for r in routes]
        self.arrays = [None] * len(routes)
        self.used = sum(1 for r in routes if r)

    def slots(self, r: int) -> np.ndarray:
        """Insertion slots of route r (rows: predecessor, successor, the arc's cost), built on demand."""
        if self.arrays[r] is None:
            nodes = np.array([self.rr.depot] + self.routes[r] + [self.rr.depot], dtype=np.int64)
            a = np.empty((3, len(nodes) - 1), dtype=np.int64)
            a[0], a[1] = nodes[:-1], nodes[1:]
            a[2] = self.rr.m[a[0], a[1]]
            self.arrays[r] = a
        return self.arrays[r]

    def set_route(self, r: int, route: list[int]) -> None:
        """Replace route r; the caller has already updated its load and cost."""
        self.used += (1 if route else 0) - (1 if self.routes[r] else 0)
        self.routes[r] = route
        self.arrays[r] = None
        if not route:  # exact zero even if the depot's own diagonal entry is not
            self.loads[r] = self.costs[r] = 0

    def copy(self) -> "_State":
        c = _State(None, [])
        c.rr, c.routes, c.where = self.rr, list(self.routes), self.where.copy()
        c.loads, c.costs, c.arrays, c.used = list(self.loads), list(self.costs), list(self.arrays), self.used
        return c
