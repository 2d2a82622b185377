"""The routing core's own search: ruin-and-recreate with simulated annealing (SISR) on the full RoutingProblem.

Several depots, vehicle profiles, chained vehicles, windows, energy, capacity, allowed vehicles, optional tasks
and alternatives: planner.routing.kernel runs the moves compiled; this module prepares them, drives the clock and
recombines the routes met on the way (planner.routing.recombine).
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from planner.routing import kernel
from planner.routing.problem import RoutingProblem
from planner.routing.recombine import RoutePool
from planner.routing.rules import BIG, Rules

logger = logging.getLogger(__name__)

# A mandatory task left out costs this much: the search still moves, and a result with one is not a solution.
MISSING_MANDATORY = 10**12
SLICE_S = 0.05  # the compiled loop runs in slices this long between looks at the clock
FIXED_SLICE = 200  # iterations per slice under a fixed amount of work (slices never change the result)
RECOMBINE_SHARE = 0.03  # of the search's time: CP-SAT's deterministic time for one recombination
RECOMBINE_WORK = 0.5  # its deterministic time under a fixed amount of work
ROOM = 64  # positions per route row to start with; rows double when a route needs more


def compile_search() -> None:
    """Have the compiled loop ready before a clock starts: numba compiles it on its first call after an install
    (26 s measured on an idle 2-core machine, then cached beside the module) and loads it in a fraction of a second
    on later runs."""
    global _COMPILED
    if _COMPILED:
        return
    t0 = time.monotonic()
    from planner.routing.problem import Vehicle, Visit

    tiny = RoutingProblem(1, [Visit(0, window=(0, 100)), Visit(0)], [np.array([[0, 5, 6], [5, 0, 1], [6, 1, 0]])],
                          [Vehicle(0, 0, (0, 1000), chain=0, recharge=1, energy_capacity=100),
                           Vehicle(0, 0, (0, 1000), chain=0)], [3], energy_matrices=[np.ones((3, 3), dtype=int)])
    # Enough work that every chain of the race anneals: each compiled entry point must run once here, or the
    # first plan after an install compiles it on its own clock (14 s of a 20 s plan).
    Search(tiny).run(np.random.default_rng(0), 60.0, 100 * Search.MIN_CHAINS)
    _COMPILED = True
    logger.info("routing search ready in %.1f s", time.monotonic() - t0)


_COMPILED = False


@dataclass
class SearchResult:
    routes: list[list[int]]  # per vehicle: visit indices
    objective: int
    complete: bool  # every mandatory task served: the routes are a solution
    iterations: int
    history: list[tuple[float, int]] = field(default_factory=list)  # (seconds, objective) of improvements


class Search:
    """Slack Induction by String Removals (Christiaens & Vanden Berghe, 2020) generalised to the full problem.

    Ruin removes strings of nearby tasks from nearby routes (and picks up nearby dropped tasks), or now and then
    every route of one depot; recreate inserts each task at its cheapest feasible place over every alternative,
    vehicle and position, or leaves an optional task out when its penalty is cheaper. Annealing accepts worse
    solutions early on. The routes met on the way are pooled, and the cheapest mix of them (set partitioning)
    replaces the best when it beats it, after the race and after each of the last MIX_PARTS parts of the work.
    """

    MEAN_REMOVED = 10  # SISR's c-bar: average number of tasks removed per ruin
    MAX_STRING = 10  # SISR's L-max: longest string removed from one route
    NEAR = 20  # insertion tries the routes of this many nearest tasks first (granular search) ...
    ALL_ROUTES_BELOW = 40  # ... unless there are this few routes in use anyway
    MAX_CHECKS = 16  # exact rule checks per insertion, cheapest candidates first
    # SISR's blinks: recreate skips each place in a flying route with this chance, so a task now and then goes
    # to its second-best place (0.02 measured best of 0, 0.01, 0.02 and 0.05 on 11 drone-day groups x 8 seeds).
    BLINK = 0.02
    CLOSE_RATE = 0.05  # share of iterations that ruin every route of one depot (kernel._close_depot), when
    # there are several
    SHIFT_RATE = 0.1  # share of iterations that first carry a whole route to another vehicle
    T_START, T_END = 0.5, 0.01  # annealing temperatures in mean arcs of the start (tuned on six egl instances)
    RACE_SHARE = 0.4  # of the work: chains race through this first, hot part of the schedule (see run)
    # As many chains as give each about CHAIN_WORK iterations per task, within these bounds. Measured per group at
    # its plan() budget, runs reaching the best known plan, with 8 / 16 / 32 / 64 / 128 chains: points 20x2 seed 0's
    # two groups (127 and 133 visits, 8.8 and 9.2 s, 16 seeds each) 6+7 / 11+7 / 13+10 / 14+14 / 8+7 of 32; the
    # demo's largest group under the default objective (94 visits, 7.8 s) 12 / 16 / 15 / 6 of 16. Many short hot
    # chains feed the recombination routes from many basins, until the chains get too short to cool into them.
    MIN_CHAINS, MAX_CHAINS, CHAIN_WORK = 8, 32, 27
    MIX_PARTS = 4  # the work after the race comes in this many parts, each ending in a recombination

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
        n_nodes = problem.num_nodes
        self.has_window = np.array([(r.a[x] > 0 or r.b[x] < BIG) for x in range(n_nodes)], dtype=bool)
        # Durations matter only if some route could outlast its vehicle's window or span.
        longest = int(r.T.max(axis=2).sum(axis=1).max()) if n_nodes else 0
        self.time_binds = bool((r.duration_limit < longest).any())
        # Unchained vehicles alike in every respect are interchangeable; in a chain, a run of unused alike
        # vehicles offers one new route (its first), since their order is all that tells them apart.
        classes: dict[tuple, int] = {}
        kinds: dict[tuple, int] = {}  # the same without the chain: vehicles that may fly each other's routes
        self.vclass, self.chained, self.before = [], [], [-1] * self.nv
        self.kind: list[int] = []
        for v, veh in enumerate(problem.vehicles):
            alike = (veh.depot, veh.profile, veh.window, veh.max_span, veh.capacity, veh.fixed_cost,
                     veh.energy_capacity, veh.idle_energy_rate, veh.recharge, r.allowed[:, v].tobytes())
            self.vclass.append(classes.setdefault((veh.chain, alike), len(classes)))
            self.kind.append(kinds.setdefault(alike, len(kinds)))
            self.chained.append(veh.chain is not None)
            if veh.chain is not None and r.chain_pos[v] > 0:
                self.before[v] = r.chains[r.chain_of[v]][r.chain_pos[v] - 1]
        # Cheapest lone service of a task (recreate's sort keys).
        self.alone = np.array([int(r.alone_cost[o].min()) if len(o) else 0 for o in self.opts], dtype=np.int64)
        self.data = self._pack()

    def _pack(self) -> kernel.Data:
        """The problem as the compiled loop's arrays (fixed dtypes: one compiled version serves every problem)."""
        r, p, nv = self.r, self.p, self.nv
        i64 = np.int64

        def ints(values) -> np.ndarray:
            return np.ascontiguousarray(np.asarray(values, dtype=i64))

        width = max([len(o) for o in self.opts] + [1])
        opts = np.full((p.num_tasks, width), -1, dtype=i64)
        for t, o in enumerate(self.opts):
            opts[t, :len(o)] = o
        longest = max([len(c) for c in r.chains] + [1])
        members = np.full((len(r.chains), longest), -1, dtype=i64)
        for c, chain in enumerate(r.chains):
            members[c, :len(chain)] = chain
        allowed_any = np.zeros((p.num_tasks, nv), dtype=bool)
        for t, o in enumerate(self.opts):
            if len(o):
                allowed_any[t] = r.allowed[o].any(axis=0)
        E = r.E if r.E is not None else np.zeros((r.T.shape[0], 1, 1), dtype=i64)
        vehicles = np.zeros((nv, kernel.VEHICLE_COLUMNS), dtype=i64)
        for column, values in ((kernel.DEPOT, r.depot), (kernel.PROFILE, r.profile), (kernel.WIN_LO, r.win_lo),
                               (kernel.WIN_HI, r.win_hi), (kernel.SPAN, r.span), (kernel.CAPACITY, r.capacity),
                               (kernel.ECAP, r.ecap), (kernel.RATE, r.rate), (kernel.FIXED, r.fixed),
                               (kernel.RECHARGE, r.recharge), (kernel.DURATION_LIMIT, r.duration_limit),
                               (kernel.CHAIN_OF, r.chain_of), (kernel.CHAIN_POS, r.chain_pos),
                               (kernel.BEFORE, self.before), (kernel.VCLASS, self.vclass),
                               (kernel.CHAINED, self.chained)):
            vehicles[:, column] = ints(values)
        nodes = np.zeros((p.num_nodes, kernel.NODE_COLUMNS), dtype=i64)
        for column, values in ((kernel.A, r.a), (kernel.B, r.b), (kernel.NODE_RATE, r.node_rate),
                               (kernel.TASK_OF, r.task_of), (kernel.HAS_WINDOW, self.has_window)):
            nodes[:, column] = ints(values)
        tasks = np.zeros((p.num_tasks, kernel.TASK_COLUMNS), dtype=i64)
        for column, values in ((kernel.N_OPTS, [len(o) for o in self.opts]), (kernel.PENALTY, self.penalty),
                               (kernel.DEMAND, self.demand), (kernel.ALONE, self.alone)):
            tasks[:, column] = ints(values)
        chains = np.zeros((len(r.chains), 2), dtype=i64)
        chains[:, kernel.CHAIN_LEN] = [len(c) for c in r.chains]
        chains[:, kernel.CHAIN_LIMIT] = r.chain_limit
        return kernel.Data(
            C=ints(r.C), T=ints(r.T), E=ints(E), V=vehicles, chain_members=members, CH=chains, N=nodes,
            allowed=np.ascontiguousarray(r.allowed), alone_ok=np.ascontiguousarray(r.alone_ok),
            alone_cost=ints(r.alone_cost), opts=opts, K=tasks, allowed_any=allowed_any, neighbours=ints(self.neighbours),
            tasks=ints(self.tasks), empty_order=ints(np.argsort(-r.duration_limit, kind="stable")), exact=bool(r.exact),
            windows=bool(r.windows), has_energy=bool(r.has_energy), time_binds=self.time_binds,
            n_classes=max(self.vclass, default=0) + 1, mean_removed=self.MEAN_REMOVED, max_string=self.MAX_STRING,
            near=self.NEAR, all_routes_below=self.ALL_ROUTES_BELOW, max_checks=self.MAX_CHECKS,
            shift_rate=float(self.SHIFT_RATE), close_rate=float(self.CLOSE_RATE if p.num_depots > 1 else 0.0),
            blink=float(self.BLINK))

    def _arrays(self, room: int, seed: int) -> tuple[kernel.State, kernel.Work]:
        nv, nt, i64 = self.nv, self.p.num_tasks, np.int64
        state = kernel.State(
            routes=np.zeros((nv, room), dtype=i64), length=np.zeros(nv, dtype=i64), cost=np.zeros(nv, dtype=i64),
            time=np.zeros(nv, dtype=i64), energy=np.zeros(nv, dtype=i64), load=np.zeros(nv, dtype=i64),
            ready=np.full(nv, -BIG, dtype=i64), windowed=np.zeros(nv, dtype=bool), where=np.full(nt, -1, dtype=i64),
            objective=np.zeros(1, dtype=i64))
        work = kernel.Work(
            tmp=np.zeros(room + 1, dtype=i64), undo_routes=np.zeros((nv, room), dtype=i64),
            undo_sums=np.zeros((nv, 6), dtype=i64), touched=np.zeros(nv, dtype=i64),
            touched_at=np.full(nv, -1, dtype=i64), removed=np.zeros(max(nt, 1), dtype=i64),
            removed_from=np.full(max(nt, 1), -1, dtype=i64), removed_at=np.full(max(nt, 1), -1, dtype=i64),
            order=np.zeros(max(nt, 1), dtype=i64), keys=np.zeros(max(nt, 1), dtype=i64),
            vehicle_at=np.full(nv, -1, dtype=i64), class_at=np.full(self.data.n_classes, -1, dtype=i64),
            cand=np.zeros((self.MAX_CHECKS, 3), dtype=i64), cand_delta=np.zeros(self.MAX_CHECKS, dtype=i64),
            best_routes=np.zeros((nv, room), dtype=i64), best_length=np.zeros(nv, dtype=i64),
            best_objective=np.zeros(1, dtype=i64), dirty=np.ones(nv, dtype=bool),
            counters=np.array([0, 0, 0, 0, 0, -1, 0], dtype=i64),  # CLOSED starts at -1: no depot closed
            rng=np.array([seed | 1], dtype=np.uint64))
        return state, work

    def _grown(self, state: kernel.State, work: kernel.Work) -> tuple[kernel.State, kernel.Work]:
        """The same search with route rows twice as long (a route wanted more positions than its row had)."""
        room = state.routes.shape[1]
        s2, w2 = self._arrays(2 * room, 1)
        for old, new in ((state, s2), (work, w2)):
            for name in old._fields:
                a, b = getattr(old, name), getattr(new, name)
                if name in ("routes", "undo_routes", "best_routes"):
                    b[:, :room] = a
                elif name != "tmp":
                    b[...] = a
        w2.counters[kernel.NEED_ROOM] = 0
        return s2, w2

    def begin(self, seed: int, start: list[list[int]] | None = None) -> tuple[kernel.State, kernel.Work]:
        """The search's arrays holding `start` (visit indices per vehicle) when it keeps the problem's rules,
        else a cheapest-insertion start (mandatory tasks first, farthest first: they have the fewest good places);
        the best routes so far are the start."""
        nd = self.p.num_depots
        routes = None
        if start is not None:
            routes = [[nd + i for i in route] for route in start] + [[] for _ in range(self.nv - len(start))]
            if self.r.check(routes) is not None:
                logger.info("initial routes break the problem's rules: constructing instead")
                routes = None
        room = max([ROOM] + [len(r) + 1 for r in routes or []])
        while True:  # until every route fits its row
            state, work = self._arrays(room, seed)
            if routes is not None:
                for v, route in enumerate(routes):
                    state.routes[v, :len(route)] = route
                    state.length[v] = len(route)
            kernel.init_state(self.data, state)
            if routes is None:
                order = sorted(self.tasks, key=lambda t: (-int(self.mandatory[t]), -int(self.alone[t]), t))
                kernel.construct(self.data, state, work, np.array(order, dtype=np.int64))
            if not work.counters[kernel.NEED_ROOM]:
                break
            room *= 2
        kernel.keep_best(state, work)
        return state, work

    def run(self, rng: np.random.Generator, budget_s: float, max_iters: int | None,
            start: list[list[int]] | None = None, t0: float | None = None,
            improved: Callable[[int], None] | None = None) -> SearchResult:
        """Annealing over ruin-and-recreate; `max_iters` makes it a fixed amount of work (deterministic).

        Chains, each from its own start and random numbers, share the first RACE_SHARE of the work (the hot part
        of the schedule); the one with the best routes then goes on alone to the end. One chain's result swings by
        up to 1 % with its seed: the race spends the early work on trying many (race_chains).
        """
        t0 = time.monotonic() if t0 is None else t0
        fixed = max_iters is not None
        seeds = [int(rng.integers(1, 2**63 - 1)) for _ in range(self.MAX_CHAINS)]
        race = _Race(self, t0, improved)
        state, work = race.begin(seeds[0], start)
        arcs = int(sum(state.length[state.length > 0] + 1))
        scale = int(state.cost.sum()) / arcs if arcs else 1.0
        race.temperatures = (self.T_START * scale, self.T_END * scale)
        began = time.monotonic()  # the budget runs from here, after the first start is built
        race.deadline = began + budget_s
        racing = bool(self.tasks) and self.MAX_CHAINS > 1
        share = self.RACE_SHARE if racing else 0.0
        race_s = budget_s * share
        leader: tuple[kernel.State, kernel.Work] | None = None  # the chain with the best routes so far
        chains, first_done = 0, 0.0
        if racing:
            # Under a fixed amount of work the number of chains follows from it; under a clock, chain 0 runs the
            # shortest share and its pace sets how many follow.
            chains = self.race_chains(max_iters * share) if fixed else self.MAX_CHAINS
            amount: float = max_iters * share / chains if fixed else race_s / chains - (time.monotonic() - began)
            leader = race.anneal(state, work, 0.0, share, amount, fixed)
            if not fixed:
                first_done = time.monotonic() - began
                pace = race.iterations / first_done if first_done > 0 else 0.0
                chains = self.race_chains(pace * race_s)
                logger.debug("race: %d chains at %.0f iterations a second", chains, pace)
        for i in range(1, chains):
            if fixed:
                amount = max_iters * share / chains
            else:  # each later chain's part of the race's time left after chain 0, measured from where it stands
                amount = first_done + (race_s - first_done) * i / (chains - 1) - (time.monotonic() - began)
            chain = race.anneal(*race.begin(seeds[i], start), 0.0, share, amount, fixed)
            if leader is None or chain[1].best_objective[0] < leader[1].best_objective[0]:
                leader = chain
        if leader is not None:
            state, work = leader
        rest = max_iters - race.iterations if fixed else 0
        parts = self.MIX_PARTS if leader is not None else 1
        for part in range(parts + 1):
            if leader is not None:  # the race's routes, then each part's, recombined: go on from the mix when it is better
                mixed = race.recombine(work, seeds[part % len(seeds)], budget_s, fixed)
                if mixed is not None:
                    state, work = race.begin(seeds[part % len(seeds)], mixed)
            if part == parts:
                break
            amount = rest / parts if fixed else (budget_s - (time.monotonic() - began)) / (parts - part)
            state, work = race.anneal(state, work, share + (1 - share) * part / parts,
                                      share + (1 - share) * (part + 1) / parts, amount, fixed)
        nd = self.p.num_depots
        best = [[int(x) - nd for x in work.best_routes[v, :work.best_length[v]]] for v in range(self.nv)]
        return SearchResult(best, int(work.best_objective[0]), self._complete(work), race.iterations, race.history)

    def race_chains(self, race_iterations: float) -> int:
        """How many chains race through `race_iterations`: about CHAIN_WORK iterations per task each."""
        wanted = int(race_iterations // max(1, self.CHAIN_WORK * len(self.tasks)))
        return max(self.MIN_CHAINS, min(self.MAX_CHAINS, wanted))

    def _complete(self, work: kernel.Work) -> bool:
        """Every mandatory task served by the best routes."""
        served = np.zeros(self.p.num_tasks, dtype=bool)
        for v in range(self.nv):
            served[self.r.task_of[work.best_routes[v, :work.best_length[v]]]] = True
        return bool(served[self.mandatory].all()) if self.p.num_tasks else True


class _Race:
    """The clock, iteration count and improvement history of one Search.run over all its chains."""

    def __init__(self, search: Search, t0: float, improved: Callable[[int], None] | None):
        self.search, self.t0, self.improved = search, t0, improved
        self.iterations = 0
        self.history: list[tuple[float, int]] = []
        # Set by Search.run once the first start is built: its temperatures, and where a fixed amount of work
        # still stops.
        self.temperatures = (1.0, 1.0)
        self.deadline = math.inf
        self.pool = RoutePool(search.r, search.kind, search.penalty, search.mandatory)

    def recombine(self, work: kernel.Work, seed: int, budget_s: float, fixed: bool) -> list[list[int]] | None:
        """The pool's cheapest mix when it beats the chain's best routes (visit indices per vehicle), else None."""
        nd = self.search.p.num_depots
        best = [[int(x) for x in work.best_routes[v, :work.best_length[v]]] for v in range(self.search.nv)]
        self.pool.add(work.best_routes, work.best_length, always=True)
        t = time.monotonic()
        mixed = self.pool.best_mix(best, seed, RECOMBINE_WORK if fixed else RECOMBINE_SHARE * budget_s,
                                   None if fixed else RECOMBINE_SHARE * budget_s)
        logger.debug("recombine: %d routes pooled, %s in %.2f s", len(self.pool.columns),
                     f"{mixed[1]} from {int(work.best_objective[0])}" if mixed else "no better", time.monotonic() - t)
        return [[x - nd for x in route] for route in mixed[0]] if mixed is not None else None

    def begin(self, seed: int, start: list[list[int]] | None) -> tuple[kernel.State, kernel.Work]:
        state, work = self.search.begin(seed, start)
        self._note(work)
        return state, work

    def _note(self, work: kernel.Work) -> None:
        """Record the chain's best when it beats every chain's so far."""
        value = int(work.best_objective[0])
        if self.history and value >= self.history[-1][1]:
            return
        self.history.append((time.monotonic() - self.t0, value))
        if self.improved is not None and self.search._complete(work):
            self.improved(value)

    def anneal(self, state: kernel.State, work: kernel.Work, frac_from: float, frac_to: float, amount: float,
               fixed: bool) -> tuple[kernel.State, kernel.Work]:
        """Anneal one chain through the schedule from frac_from to frac_to for `amount` iterations (fixed) or
        seconds; the temperature follows the share of the amount done."""
        search, t_start, t_end = self.search, *self.temperatures
        if not search.tasks:
            return state, work
        began, done, size = time.monotonic(), 0, 50
        span = frac_to - frac_from
        while True:
            if fixed:
                size = min(FIXED_SLICE, int(amount) - done)
                if size <= 0 or time.monotonic() > self.deadline:
                    break
                lo, hi = done / amount, (done + size) / amount
            else:
                elapsed = time.monotonic() - began
                if amount <= 0 or elapsed >= amount:
                    break
                lo = elapsed / amount
                hi = min(1.0, lo + size * (elapsed / done if done else 0.0) / amount)
            better = kernel.anneal(search.data, state, work, size, frac_from + span * lo, frac_from + span * hi,
                                   t_start, t_end)
            done += size
            if work.counters[kernel.NEED_ROOM]:
                state, work = search._grown(state, work)
            self.pool.add(state.routes, state.length)  # where annealing stands: often not the best, and new
            if better:
                self.pool.add(work.best_routes, work.best_length)
                self._note(work)
            if not fixed:  # slices of about SLICE_S
                per = (time.monotonic() - began) / done
                size = max(1, min(int(SLICE_S / per) if per > 0 else 1000, 100_000))
        self.iterations += done
        return state, work
