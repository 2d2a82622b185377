"""The routing core's own search: ruin-and-recreate with simulated annealing (SISR) on the full RoutingProblem.

Several depots, vehicle profiles, chained vehicles, windows, energy, capacity, allowed vehicles, optional tasks
and alternatives: every move is checked with planner.routing.rules, so the result is feasible as it stands.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from planner.routing.problem import RoutingProblem
from planner.routing.rules import BIG, Rules

logger = logging.getLogger(__name__)

# A mandatory task left out costs this much: the search still moves, and a result with one is not a solution.
MISSING_MANDATORY = 10**12


@dataclass
class SearchResult:
    routes: list[list[int]]  # per vehicle: visit indices
    objective: int
    complete: bool  # every mandatory task served: the routes are a solution
    iterations: int
    history: list[tuple[float, int]] = field(default_factory=list)  # (seconds, objective) of improvements


class _State:
    """Routes (problem nodes per vehicle) with their sums; routes are replaced, never mutated, so a copy
    shares every untouched route and its cached arrays."""

    __slots__ = ("routes", "where", "cost", "time", "energy", "load", "ready", "arrays", "objective", "dropped",
                 "active", "windowed")

    def copy(self) -> "_State":
        c = _State()
        c.routes, c.where = list(self.routes), self.where.copy()
        c.cost, c.time, c.energy, c.load = list(self.cost), list(self.time), list(self.energy), list(self.load)
        c.ready, c.arrays, c.objective, c.dropped = list(self.ready), list(self.arrays), self.objective, set(self.dropped)
        c.active, c.windowed = set(self.active), list(self.windowed)
        return c


class Search:
    """Slack Induction by String Removals (Christiaens & Vanden Berghe, 2020) generalised to the full problem.

    Ruin removes strings of nearby tasks from nearby routes (and picks up nearby dropped tasks); recreate
    inserts each task at its cheapest feasible place over every alternative, vehicle and position, or leaves
    an optional task out when its penalty is cheaper. Annealing accepts worse solutions early on.
    """

    MEAN_REMOVED = 10  # SISR's c-bar: average number of tasks removed per ruin
    MAX_STRING = 10  # SISR's L-max: longest string removed from one route
    BLINK = 0.0  # probability of skipping an insertion position (SISR's blinks): none did better on egl
    NEAR = 20  # insertion tries the routes of this many nearest tasks first (granular search) ...
    ALL_ROUTES_BELOW = 40  # ... unless there are this few routes in use anyway
    MAX_CHECKS = 16  # exact rule checks per insertion, cheapest candidates first
    T_START, T_END = 0.5, 0.01  # annealing temperatures in mean arcs of the start (tuned on six egl instances)

    def __init__(self, problem: RoutingProblem, rules: Rules | None = None):
        self.p = problem
        self.r = r = rules or Rules(problem)
        nd = problem.num_depots
        self.nv = len(problem.vehicles)
        opts: list[list[int]] = [[] for _ in range(problem.num_tasks)]
        for i, visit in enumerate(problem.visits):
            if r.alone_ok[nd + i].any():
                opts[visit.task].append(nd + i)
        self.opts = [np.array(o, dtype=np.int64) for o in opts]
        self.penalty = [int(pen) if pen is not None else MISSING_MANDATORY for pen in problem.task_penalties]
        self.mandatory = [pen is None for pen in problem.task_penalties]
        self.tasks = [t for t in range(problem.num_tasks) if len(opts[t])]
        # Mandatory tasks no vehicle can serve even alone: no solution exists (a proof, not a search failure).
        self.impossible = [t for t in range(problem.num_tasks) if not opts[t] and self.mandatory[t]]
        self.demand = np.array([int(r.demand[o[0]]) if o else 0 for o in opts], dtype=np.int64)
        # Task proximity: the cheapest connection either way between any alternatives, over every profile.
        n = problem.num_tasks
        cmin = r.C.min(axis=0)
        prox = np.full((n, n), float(BIG))
        if self.tasks:
            width = max(len(o) for o in opts)
            padded = np.array([(o + [o[0]] * width)[:width] if o else [0] * width for o in opts], dtype=np.int64)
            sub = cmin[np.ix_(padded.ravel(), padded.ravel())].reshape(n, width, n, width).min(axis=(1, 3))
            prox = np.minimum(sub, sub.T).astype(float)
            empty = np.array([not o for o in opts])
            prox[empty, :] = prox[:, empty] = float(BIG)
        np.fill_diagonal(prox, -1.0)  # a task is its own nearest neighbour: the ruin starts from it
        self.neighbours = np.argsort(prox, axis=1, kind="stable")
        self.n = n_nodes = problem.num_nodes
        self.arc_tables: list[tuple | None] = [None] * problem.num_tasks
        self.has_window = np.array([(r.a[x] > 0 or r.b[x] < BIG) for x in range(n_nodes)], dtype=bool)
        self.capacity = [int(c) for c in r.capacity]
        self.allowed_opts = [r.allowed[o] for o in self.opts]  # per task: alternatives x vehicles
        self.allowed_any = [a.any(axis=0).tolist() if len(a) else [False] * self.nv for a in self.allowed_opts]
        self.all_allowed = [bool(a.all()) for a in self.allowed_opts]
        self.alone_opts = [np.where(r.alone_ok[o], r.alone_cost[o], BIG) for o in self.opts]
        # Durations matter only if some route could outlast its vehicle's window or span.
        longest = int(r.T.max(axis=2).sum(axis=1).max()) if n_nodes else 0
        self.time_binds = bool((r.duration_limit < longest).any())
        # Unused vehicles alike in every respect (no chain) are interchangeable: insertion tries one per class.
        # Unchained vehicles alike in every respect are interchangeable; in a chain, a run of unused alike
        # vehicles offers one new route (its first), since their order is all that tells them apart.
        classes: dict[tuple, int] = {}
        self.vclass, self.chained, self.before = [], [], [-1] * self.nv
        for v, veh in enumerate(problem.vehicles):
            alike = (veh.depot, veh.profile, veh.window, veh.max_span, veh.capacity, veh.fixed_cost,
                     veh.energy_capacity, veh.idle_energy_rate, veh.recharge, r.allowed[:, v].tobytes())
            self.vclass.append(classes.setdefault((veh.chain, alike), len(classes)))
            self.chained.append(veh.chain is not None)
            if veh.chain is not None and r.chain_pos[v] > 0:
                self.before[v] = r.chains[r.chain_of[v]][r.chain_pos[v] - 1]
        # Cheapest lone service of a task (recreate's sort keys).
        self.alone = np.array([int(r.alone_cost[o].min()) if len(o) else 0 for o in self.opts], dtype=np.int64)

    # --- state -----------------------------------------------------------------------------------------
    def state(self, routes: list[list[int]]) -> _State:
        s = _State()
        s.routes = [list(x) for x in routes]
        s.where = np.full(self.p.num_tasks, -1, dtype=np.int64)
        s.cost, s.time, s.energy, s.load = [0] * self.nv, [0] * self.nv, [0] * self.nv, [0] * self.nv
        s.arrays = [None] * self.nv
        s.active = {v for v, route in enumerate(s.routes) if route}
        s.windowed = [False] * self.nv
        for v, route in enumerate(s.routes):
            s.where[self.r.task_of[route]] = v
            s.cost[v], s.time[v], s.energy[v], s.load[v] = self.r.arc_sums(v, route)
            s.windowed[v] = bool(self.has_window[route].any()) if route and self.r.windows else False
        s.ready = [0] * self.nv
        for c in range(len(self.r.chains)):
            self._chain_ready(s, c)
        s.dropped = {t for t in range(self.p.num_tasks) if s.where[t] < 0}
        s.objective = self.objective(s)
        return s

    def objective(self, s: _State) -> int:
        used = sum(s.cost[v] + int(self.r.fixed[v]) for v in range(self.nv) if s.routes[v])
        return used + sum(self.penalty[t] for t in s.dropped)

    def _arrival(self, v: int, route: list[int], ready: int, duration: int, windowed: bool) -> int | None:
        """Arrival of vehicle v flying `route` (arc time sum `duration`) from `ready` on, None if a rule breaks.
        Without visit windows nothing waits, so the arc sum decides in O(1); energy is checked by the caller."""
        r = self.r
        if windowed:
            got = r.route_times(v, route, ready)
            return None if got is None else got[1]
        arrival = max(ready, r.win_lo[v]) + duration
        if arrival > r.win_hi[v] or duration > r.span[v]:
            return None
        return arrival

    def _chain_ready(self, s: _State, c: int) -> None:
        """Recompute s.ready (earliest departure allowed by the chain) for every vehicle of chain c."""
        r = self.r
        ready = -BIG
        for v in r.chains[c]:
            s.ready[v] = ready
            if s.routes[v]:
                arrival = self._arrival(v, s.routes[v], ready, s.time[v], s.windowed[v])
                if arrival is None:  # cannot happen for a state built from accepted moves
                    raise AssertionError(f"chain {c} of vehicle {v} broke a rule")
                ready = arrival + r.recharge[v]

    def _fits(self, s: _State, v: int, route: list[int], sums: tuple[int, int, int, int] | None = None,
              windowed: bool | None = None) -> bool:
        """Exact rule check of vehicle v flying `route` (arc sums `sums`; energy already checked when given),
        with every later vehicle of its chain."""
        r = self.r
        if sums is None:
            sums = r.arc_sums(v, route)
            if sums[2] > r.ecap[v]:
                return False
        duration = sums[1]
        if not r.exact:  # no waits, no chain: the arc sums decide
            return duration <= r.duration_limit[v]
        if windowed is None:
            windowed = bool(self.has_window[route].any()) if route and r.windows else False
        c = r.chain_of[v]
        arrival = self._arrival(v, route, s.ready[v] if c >= 0 else r.win_lo[v], duration, windowed)
        if arrival is None:
            return False
        if c < 0:
            return True
        ready = arrival + r.recharge[v] if route else s.ready[v]
        for w in r.chains[c][r.chain_pos[v] + 1:]:
            if ready <= s.ready[w]:
                return True  # later vehicles can take off as early as before
            if s.routes[w]:
                later = self._arrival(w, s.routes[w], ready, s.time[w], s.windowed[w])
                if later is None:
                    return False
                ready = later + r.recharge[w]
        return True

    def _slots(self, s: _State, v: int) -> np.ndarray:
        """Insertion slots of route v; rows: predecessor, successor, arc cost, arc time, arc energy, vehicle,
        position, the profile's offset into the flattened matrices, time room and energy room left."""
        a = s.arrays[v]
        if a is None:
            r = self.r
            d, p = int(r.depot[v]), int(r.profile[v])
            nodes = np.array([d] + s.routes[v] + [d], dtype=np.int64)
            a = np.empty((10, len(nodes) - 1), dtype=np.int64)
            a[0], a[1] = nodes[:-1], nodes[1:]
            a[2] = r.C[p, a[0], a[1]]
            a[3] = r.T[p, a[0], a[1]]
            a[4] = r.E[p, a[0], a[1]] if r.E is not None else 0
            a[5] = v
            a[6] = np.arange(len(nodes) - 1)
            a[7] = p * self.n
            a[8] = int(r.duration_limit[v]) - s.time[v]
            a[9] = int(r.ecap[v]) - s.energy[v] if r.has_energy else BIG
            s.arrays[v] = a
        return a

    def _set_route(self, s: _State, v: int, route: list[int], sums: tuple[int, int, int, int] | None = None) -> None:
        s.routes[v] = route
        s.arrays[v] = None
        s.cost[v], s.time[v], s.energy[v], s.load[v] = sums if sums is not None else self.r.arc_sums(v, route)
        s.windowed[v] = bool(self.has_window[route].any()) if route and self.r.windows else False
        if route:
            s.active.add(v)
        else:
            s.active.discard(v)
        if self.r.chain_of[v] >= 0:
            self._chain_ready(s, self.r.chain_of[v])

    def _arcs(self, t: int) -> tuple:
        """Task t's arc tables, built once: (cost in, cost out, time in, time out, energy in, energy out), each
        (profiles x nodes, alternatives); row p * n + i holds the arc from (in) or to (out) node i."""
        got = self.arc_tables[t]
        if got is None:
            r, opts = self.r, self.opts[t]
            tables = []
            for m in (r.C, r.T, r.E):
                if m is None:
                    tables += [None, None]
                    continue
                tables.append(np.ascontiguousarray(m[:, :, opts].reshape(-1, len(opts))))
                tables.append(np.ascontiguousarray(m[:, opts, :].transpose(0, 2, 1).reshape(-1, len(opts))))
            got = self.arc_tables[t] = tuple(tables)
        return got

    # --- ruin ----------------------------------------------------------------------------------------
    def ruin(self, s: _State, rng: np.random.Generator) -> list[int]:
        """Remove strings around a random seed task from nearby routes; returns the removed tasks."""
        sizes = [len(x) for x in s.routes if x]
        if not sizes:
            return sorted(s.dropped)[: self.MEAN_REMOVED] if s.dropped else []
        ls_max = min(self.MAX_STRING, sum(sizes) / len(sizes))
        ks_max = 4.0 * self.MEAN_REMOVED / (1.0 + ls_max) - 1.0
        ks = int(rng.random() * ks_max) + 1
        seed = self.tasks[int(rng.integers(len(self.tasks)))]
        removed: list[int] = []
        ruined: set[int] = set()
        before = set(s.dropped)
        picked_dropped = 0
        for t in self.neighbours[seed]:
            if len(ruined) >= ks:
                break
            t = int(t)
            v = int(s.where[t])
            if v < 0:
                if t in before and len(self.opts[t]) and picked_dropped < self.MEAN_REMOVED:
                    removed.append(t)  # a nearby task left out gets another chance
                    picked_dropped += 1
                continue
            if v in ruined:
                continue
            route = s.routes[v]
            size = int(rng.random() * min(len(route), ls_max)) + 1
            pos = next(i for i, x in enumerate(route) if self.r.task_of[x] == t)
            lo = max(0, min(pos - int(rng.integers(size)), len(route) - size))
            rest = route[:lo] + route[lo + size:]
            sums = self.r.arc_sums(v, rest)
            if sums[2] > self.r.ecap[v] or not self._fits(s, v, rest, sums):
                # Matrices need not obey the triangle inequality (a line's adjacent legs skip the climb
                # between them) and a shorter route may wait longer on the way: then the whole route goes.
                lo, size, rest, sums = 0, len(route), [], (0, 0, 0, 0)
            for x in route[lo:lo + size]:
                task = int(self.r.task_of[x])
                removed.append(task)
                s.where[task] = -1
                s.dropped.add(task)
            self._set_route(s, v, rest, sums)
            ruined.add(v)
        return removed

    # --- recreate ------------------------------------------------------------------------------------
    def recreate(self, s: _State, removed: list[int], rng: np.random.Generator) -> None:
        """Insert each removed task at its cheapest feasible place (with blinks), in SISR's random order."""
        key = rng.random()
        if key < 4 / 11:
            rng.shuffle(removed)
        elif key < 8 / 11:
            removed.sort(key=lambda t: -int(self.demand[t]))
        elif key < 10 / 11:
            removed.sort(key=lambda t: -int(self.alone[t]))
        else:
            removed.sort(key=lambda t: int(self.alone[t]))
        for t in removed:
            self.insert(s, t, rng)
        s.objective = self.objective(s)

    def insert(self, s: _State, t: int, rng: np.random.Generator | None) -> bool:
        """Insert task t at its cheapest feasible place, or leave it out when its penalty is cheaper."""
        active = sorted(s.active)
        pools: list[list[int]] = [active]
        if len(active) > self.ALL_ROUTES_BELOW:
            near = {int(s.where[u]) for u in self.neighbours[t, 1:self.NEAR + 1]}
            near.discard(-1)
            pools = [sorted(near), active]
        for k, pool in enumerate(pools):
            choice = self._best(s, t, pool, k == len(pools) - 1, rng)
            if choice is not None:
                v, pos, node, sums = choice
                route = s.routes[v]
                self._set_route(s, v, route[:pos] + [node] + route[pos:], sums)
                s.where[t] = v
                s.dropped.discard(t)
                return True
        return False

    def _best(self, s: _State, t: int, pool: list[int], with_empty: bool, rng: np.random.Generator | None):
        """Cheapest feasible (vehicle, position, node, new sums) costing less than the task's penalty over
        routes `pool` (and unused vehicles when `with_empty`), or None."""
        r = self.r
        opts, dem, allowed = self.opts[t], int(self.demand[t]), self.allowed_any[t]
        cap = self.capacity
        rows = [v for v in pool if allowed[v] and s.load[v] + dem <= cap[v]]
        blocks: list[np.ndarray] = []
        slots = None
        if rows:
            cached = s.arrays  # most routes' slot arrays are cached: skip the call for them
            arrays = [cached[v] if cached[v] is not None else self._slots(s, v) for v in rows]
            slots = np.concatenate(arrays, axis=1) if len(arrays) > 1 else arrays[0]
            arcs = self._arcs(t)
            into, out = slots[7] + slots[0], slots[7] + slots[1]  # rows of the task's arc tables
            delta = arcs[0].take(into, axis=0) + arcs[1].take(out, axis=0) - slots[2][:, None]
            bad = None
            if not self.all_allowed[t]:
                bad = ~self.allowed_opts[t][:, slots[5]].T
            if self.time_binds:
                dt = arcs[2].take(into, axis=0) + arcs[3].take(out, axis=0) - slots[3][:, None]
                over = dt > slots[8][:, None]
                bad = over if bad is None else bad | over
            if r.has_energy:
                de = arcs[4].take(into, axis=0) + arcs[5].take(out, axis=0) - slots[4][:, None]
                over = de > slots[9][:, None]
                bad = over if bad is None else bad | over
            if bad is not None:
                delta[bad] = BIG
            blocks.append(delta.ravel())
        width = len(opts)
        n_rows = len(blocks[0]) // width if blocks else 0
        empty: list[int] = []
        if with_empty:
            seen: set[int] = set()
            routes, before, vclass, chained = s.routes, self.before, self.vclass, self.chained
            # A chain flying as many routes as its limit (RoutingProblem.chain_route_limits) offers no new one.
            full = {c for c, members in enumerate(r.chains) if r.chain_limit[c] < len(members)
                    and sum(1 for w in members if routes[w]) >= r.chain_limit[c]}
            for v in range(self.nv):  # one unused vehicle per class of interchangeable ones
                if routes[v] or not allowed[v]:
                    continue
                if chained[v]:
                    if r.chain_of[v] in full:
                        continue
                    b = before[v]
                    if b < 0 or routes[b] or vclass[b] != vclass[v]:
                        empty.append(v)
                elif vclass[v] not in seen:
                    seen.add(vclass[v])
                    empty.append(v)
            if empty:
                # Equal costs open the route with the most room: a chain's first pick of a short window may use
                # a sortie of its limit that a longer one would fill better (chain_route_limits).
                empty.sort(key=lambda v: -int(r.duration_limit[v]))
                blocks.append(self.alone_opts[t][:, empty].T.ravel())
        if not blocks:
            return None
        flat = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
        if rng is not None and self.BLINK:
            blinks = rng.binomial(len(flat), self.BLINK)
            if blinks:
                flat = flat.copy()
                flat[rng.integers(len(flat), size=blinks)] = BIG
        limit = min(self.penalty[t], BIG)
        if len(flat) > 64:
            k = int(flat.argmin())
            if flat[k] >= limit:
                return None
            order = np.argsort(flat, kind="stable") if r.exact else [k]
        else:
            order = np.argsort(flat, kind="stable")
        checks = 0
        for k in order:
            delta = int(flat[k])
            if delta >= limit:
                return None
            row, alt = divmod(int(k), width)
            node = int(opts[alt])
            if row < n_rows:
                assert slots is not None
                v, p = int(slots[5, row]), int(slots[6, row])
                prof = int(r.profile[v])
                prv, nxt = int(slots[0, row]), int(slots[1, row])
                T = r.Tl[prof]
                d_time = T[prv][node] + T[node][nxt] - int(slots[3, row])
                d_energy = (r.El[prof][prv][node] + r.El[prof][node][nxt] - int(slots[4, row])) \
                    if r.El is not None else 0
                sums = (s.cost[v] + delta, s.time[v] + d_time, s.energy[v] + d_energy, s.load[v] + dem)
            else:
                v, p = empty[row - n_rows], 0
                sums = r.arc_sums(v, [node])
            if r.exact:
                route = s.routes[v]
                windowed = s.windowed[v] or bool(self.has_window[node])
                if not self._fits(s, v, route[:p] + [node] + route[p:], sums, windowed):
                    checks += 1
                    if checks >= self.MAX_CHECKS:
                        return None
                    continue
            return v, p, node, sums
        return None

    # --- search --------------------------------------------------------------------------------------
    def construct(self, rng: np.random.Generator) -> _State:
        """Cheapest insertion from nothing, farthest tasks first (they have the fewest good places)."""
        s = self.state([[] for _ in range(self.nv)])
        order = sorted(self.tasks, key=lambda t: (-int(self.mandatory[t]), -int(self.alone[t]), t))
        for t in order:
            self.insert(s, t, None)
        s.objective = self.objective(s)
        return s

    def run(self, rng: np.random.Generator, budget_s: float, max_iters: int | None,
            start: list[list[int]] | None = None, t0: float | None = None,
            improved: Callable[[int], None] | None = None) -> SearchResult:
        """Annealing over ruin-and-recreate; `max_iters` makes it a fixed amount of work (deterministic)."""
        t0 = time.monotonic() if t0 is None else t0
        began = time.monotonic()
        nd = self.p.num_depots
        cur = None
        if start is not None:
            nodes = [[nd + i for i in route] for route in start]
            nodes += [[] for _ in range(self.nv - len(nodes))]
            if self.r.check(nodes) is None:
                cur = self.state(nodes)
            else:
                logger.info("initial routes break the problem's rules: constructing instead")
        if cur is None:
            cur = self.construct(rng)
        best = cur
        history = [(time.monotonic() - t0, best.objective)]
        complete = not any(self.mandatory[t] for t in best.dropped)
        if improved is not None and complete:
            improved(best.objective)
        arcs = sum(len(x) + 1 for x in cur.routes if x)
        scale = sum(cur.cost) / arcs if arcs else 1.0
        t_start, t_end = self.T_START * scale, self.T_END * scale
        iters = 0
        if self.tasks:
            while True:
                elapsed = time.monotonic() - began
                if max_iters is not None:
                    if iters >= max_iters or elapsed > budget_s:
                        break
                    frac = iters / max_iters
                else:
                    frac = elapsed / budget_s if budget_s > 0 else 1.0
                    if frac >= 1.0:
                        break
                temp = t_start * (t_end / t_start) ** frac if t_start > 0 else 0.0
                iters += 1
                cand = cur.copy()
                removed = self.ruin(cand, rng)
                self.recreate(cand, removed, rng)
                threshold = cur.objective - temp * math.log(rng.random()) if temp > 0 else cur.objective
                if cand.objective < threshold or cand.objective == cur.objective:
                    cur = cand
                    if cand.objective < best.objective:
                        best = cand
                        history.append((time.monotonic() - t0, best.objective))
                        if improved is not None and best.objective < MISSING_MANDATORY:
                            improved(best.objective)
        routes = [[x - nd for x in route] for route in best.routes]
        complete = not any(self.mandatory[t] for t in best.dropped)
        return SearchResult(routes, best.objective, complete, iters, history)
