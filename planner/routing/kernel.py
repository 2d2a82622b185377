"""The search's compiled inner loop: SISR ruin-and-recreate with annealing over flat arrays (numba).

planner.routing.search packs a problem into `Data`, drives `anneal` in slices and reads the best routes back;
every move keeps the rules of planner.routing.rules, which stays the reference that checks the result.
"""
from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np
from numba import njit

from planner.routing.rules import BIG

# Why a second statement of the route rules: the Python walk of planner.routing.rules did ~2,000 search iterations
# a second on egl, this one 65,100 in median over the fleet.py groups (benchmarks/search_speed.py); Rules.check
# re-checks every result.


# Compiled without numba's runtime (NRT). With it, every hand-over of the Data, State and Work tuples to a helper,
# inlined or called, counted a reference to each of their 45 arrays (an atomic add, then a subtract): perf put 80 %
# of the loop's time in those counts. The loop allocates nothing (its scratch lives in Work, and _copy stands in for
# slice assignments, which may allocate), so it needs no runtime: 4.95x the iterations a second for the same routes
# (benchmarks/search_speed.py, median over the fleet.py groups). Code that allocates here fails to compile ("NRT
# required but not enabled").
KERNEL: Final = {"cache": True, "_nrt": False}
# Small helpers are inlined into their callers: a call passes every array of a tuple as a dozen arguments.
SMALL: Final = "always"

# Columns of Data's tables: few arrays, because numba passes every array as a dozen arguments to each compiled
# function and its compile time grows with them.
(DEPOT, PROFILE, WIN_LO, WIN_HI, SPAN, CAPACITY, ECAP, RATE, FIXED, RECHARGE, DURATION_LIMIT, CHAIN_OF, CHAIN_POS,
 BEFORE, VCLASS, CHAINED) = range(16)
VEHICLE_COLUMNS = 16
A, B, NODE_RATE, TASK_OF, HAS_WINDOW = range(5)
NODE_COLUMNS = 5
N_OPTS, PENALTY, DEMAND, ALONE = range(4)
TASK_COLUMNS = 4
CHAIN_LEN, CHAIN_LIMIT = range(2)


class Data(NamedTuple):
    """A RoutingProblem as arrays: nodes are problem nodes (depots first), tasks as in the problem."""

    C: np.ndarray  # (profiles, n, n) arc cost
    T: np.ndarray  # (profiles, n, n) arc time (service of the tail included)
    E: np.ndarray  # (profiles, n, n) arc energy, or (profiles, 1, 1) zeros when there is none
    V: np.ndarray  # (vehicles, VEHICLE_COLUMNS): depot, profile, window, span, limits, rates, chain place, class
    chain_members: np.ndarray  # (chains, longest) vehicles, -1 padded
    CH: np.ndarray  # (chains, 2): length, most non-empty routes
    N: np.ndarray  # (nodes, NODE_COLUMNS): visit window, idle rate charged for a wait after it, task, has a window
    allowed: np.ndarray  # (n, vehicles) bool
    alone_ok: np.ndarray  # (n, vehicles) bool
    alone_cost: np.ndarray  # (n, vehicles) with the fixed cost
    opts: np.ndarray  # (tasks, widest) alternative nodes, -1 padded
    K: np.ndarray  # (tasks, TASK_COLUMNS): alternatives, penalty (mandatory: MISSING_MANDATORY), demand, cheapest
    # lone service (recreate's sort key)
    allowed_any: np.ndarray  # (tasks, vehicles) bool
    neighbours: np.ndarray  # (tasks, tasks) nearest first, each task first in its own row
    tasks: np.ndarray  # tasks with at least one alternative
    empty_order: np.ndarray  # vehicles, longest route allowed first: equal costs open the roomiest unused route
    exact: bool  # windows or chains: a route needs its exact walk
    windows: bool
    has_energy: bool
    time_binds: bool
    n_classes: int
    mean_removed: int  # SISR's c-bar
    max_string: int  # SISR's L-max
    near: int  # insertion tries the routes of this many nearest tasks first ...
    all_routes_below: int  # ... unless this few routes are in use
    max_checks: int  # exact rule checks per insertion, cheapest candidates first
    shift_rate: float  # share of iterations that first carry a whole route to another vehicle
    close_rate: float  # share of iterations whose ruin empties a whole depot (it may not reopen in the recreate)
    blink: float  # SISR's blink rate: recreate skips a position with this chance


class State(NamedTuple):
    """Routes as rows of `routes` (first `length` entries), their sums and schedule readiness."""

    routes: np.ndarray  # (vehicles, room)
    length: np.ndarray
    cost: np.ndarray
    time: np.ndarray
    energy: np.ndarray
    load: np.ndarray
    ready: np.ndarray  # earliest departure the chain allows
    windowed: np.ndarray  # bool: the route visits a node with a window
    where: np.ndarray  # per task: its vehicle or -1
    objective: np.ndarray  # (1,)


class Work(NamedTuple):
    """Scratch of one search: undo log, stamps, candidate buffers, the best routes, the random state."""

    tmp: np.ndarray  # (room + 1,) a route being built
    undo_routes: np.ndarray  # (vehicles, room)
    undo_sums: np.ndarray  # (vehicles, 6): length, cost, time, energy, load, windowed
    touched: np.ndarray  # vehicles changed this iteration, in order
    touched_at: np.ndarray  # per vehicle: the iteration stamp it was saved in
    removed: np.ndarray  # tasks removed this iteration
    removed_from: np.ndarray  # per task: its vehicle before the iteration
    removed_at: np.ndarray  # per task: stamp
    order: np.ndarray  # (tasks,) the removed tasks in the order recreate inserts them
    keys: np.ndarray  # (tasks,) their sort keys
    vehicle_at: np.ndarray  # per vehicle: stamp (ruined routes, near routes)
    class_at: np.ndarray  # per vehicle class: stamp
    cand: np.ndarray  # (max_checks, 3): vehicle, position (-1: unused vehicle), node
    cand_delta: np.ndarray  # (max_checks,)
    best_routes: np.ndarray
    best_length: np.ndarray
    best_objective: np.ndarray  # (1,)
    dirty: np.ndarray  # per vehicle: changed since the best was copied
    counters: np.ndarray  # [iteration stamp, touched count, removed count, needs more room, mark stamp, closed
    # depot or -1, offers as cheap as the one candidate kept]
    rng: np.ndarray  # (1,) uint64 xorshift state


# W.counters: STAMP dates the undo log, MARK the marks, CLOSED is the depot this iteration's recreate may not reopen,
# TIES counts the offers as cheap as the one candidate kept (_offer)
STAMP, TOUCHED, REMOVED, NEED_ROOM, MARK, CLOSED, TIES = 0, 1, 2, 3, 4, 5, 6


@njit(inline=SMALL, **KERNEL)
def _fresh_mark(W) -> int:
    """A new stamp for W.vehicle_at / W.class_at: every earlier mark reads as unmarked."""
    W.counters[MARK] += 1
    return W.counters[MARK]


@njit(inline=SMALL, **KERNEL)
def _copy(dst, src, n):
    """dst[:n] = src[:n], one by one: a slice assignment may allocate a temporary, and the loop runs without
    numba's runtime (NRT)."""
    for i in range(n):
        dst[i] = src[i]


# --- random numbers (own generator: numba's global one would be shared between threads) ---------------
@njit(inline=SMALL, **KERNEL)
def _random(rng) -> float:
    """Uniform in (0, 1): xorshift64*, never 0 so its logarithm is finite."""
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    r = x * np.uint64(2685821657736338717)
    return (float(r >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(inline=SMALL, **KERNEL)
def _below(rng, n: int) -> int:
    return min(int(_random(rng) * n), n - 1)


# --- the route rules (planner.routing.rules, compiled) ---------------------------------------------------
@njit(inline=SMALL, **KERNEL)
def _serve(D, p, prev, x, t):
    """(service start at x, wait before it) flying profile p from prev, which it left at t."""
    arrive = t + D.T[p, prev, x]
    if arrive < D.N[x, A]:
        return D.N[x, A], D.N[x, A] - arrive
    return arrive, 0


@njit(**KERNEL)
def route_times(D, v, route, n, earliest):
    """(ok, departure, arrival) of vehicle v flying route[:n] from `earliest` on: Rules.route_times."""
    p, d = D.V[v, PROFILE], D.V[v, DEPOT]
    t = max(earliest, D.V[v, WIN_LO])
    if t > D.V[v, WIN_HI]:
        return False, 0, 0
    tau, prev, total_wait, delay = t, d, 0, BIG
    for i in range(n):
        x = route[i]
        t, wait = _serve(D, p, prev, x, t)
        if t > D.N[x, B]:
            return False, 0, 0
        total_wait += wait
        room = D.N[x, B] - t + total_wait
        if room < delay:
            delay = room
        prev = x
    arrival = t + D.T[p, prev, d]
    if arrival > D.V[v, WIN_HI]:
        return False, 0, 0
    delay = min(delay, total_wait)
    departure = tau + delay
    if arrival - departure > D.V[v, SPAN]:
        return False, 0, 0
    if D.has_energy and D.V[v, ECAP] < BIG:
        energy, prev, left, rate, t = 0, d, delay, D.V[v, RATE], tau
        for i in range(n):  # the same walk: the delayed departure absorbs the first waits
            x = route[i]
            t, wait = _serve(D, p, prev, x, t)
            if left > 0:
                absorbed = min(wait, left)
                wait -= absorbed
                left -= absorbed
            energy += D.E[p, prev, x] + rate * wait
            rate = D.N[x, NODE_RATE]
            prev = x
        energy += D.E[p, prev, d]
        if energy > D.V[v, ECAP]:
            return False, 0, 0
    return True, departure, arrival


@njit(inline=SMALL, **KERNEL)
def _arrival(D, v, route, n, ready, duration, windowed):
    """Arrival of v flying route[:n] (arc time sum `duration`) from `ready` on; without visit windows nothing
    waits, so the arc sum decides (energy is checked by the caller)."""
    if windowed:
        ok, _, arrival = route_times(D, v, route, n, ready)
        return ok, arrival
    arrival = max(ready, D.V[v, WIN_LO]) + duration
    if arrival > D.V[v, WIN_HI] or duration > D.V[v, SPAN]:
        return False, 0
    return True, arrival


@njit(**KERNEL)
def arc_sums(D, v, route, n):
    """(cost, time, energy, load) of route[:n] flown by v, without its fixed cost."""
    if n == 0:
        return 0, 0, 0, 0
    p, d = D.V[v, PROFILE], D.V[v, DEPOT]
    cost, time, energy, load, prev = 0, 0, 0, 0, d
    for i in range(n + 1):
        x = route[i] if i < n else d
        cost += D.C[p, prev, x]
        time += D.T[p, prev, x]
        if D.has_energy:
            energy += D.E[p, prev, x]
        if i < n:
            load += D.K[D.N[x, TASK_OF], DEMAND]
        prev = x
    return cost, time, energy, load


@njit(inline=SMALL, **KERNEL)
def _windowed(D, route, n) -> bool:
    if not D.windows:
        return False
    for i in range(n):
        if D.N[route[i], HAS_WINDOW] == 1:
            return True
    return False


@njit(inline=SMALL, **KERNEL)
def _chain_ready(D, S, c):
    """Recompute S.ready (earliest departure the chain allows) for every vehicle of chain c."""
    ready = -BIG
    for k in range(D.CH[c, CHAIN_LEN]):
        v = D.chain_members[c, k]
        S.ready[v] = ready
        if S.length[v] > 0:
            ok, arrival = _arrival(D, v, S.routes[v], S.length[v], ready, S.time[v], S.windowed[v])
            if not ok:  # cannot happen for a state built from accepted moves
                raise AssertionError("a chain broke a rule")
            ready = arrival + D.V[v, RECHARGE]


@njit(inline=SMALL, **KERNEL)
def _fits(D, S, v, route, n, duration, windowed) -> bool:
    """Exact rule check of v flying route[:n] (energy already checked), with every later vehicle of its chain."""
    if not D.exact:
        return duration <= D.V[v, DURATION_LIMIT]
    c = D.V[v, CHAIN_OF]
    ok, arrival = _arrival(D, v, route, n, S.ready[v] if c >= 0 else D.V[v, WIN_LO], duration, windowed)
    if not ok:
        return False
    if c < 0:
        return True
    ready = arrival + D.V[v, RECHARGE] if n > 0 else S.ready[v]
    pos = D.V[v, CHAIN_POS]
    return _chain_walk(D, S, c, pos + 1, pos, ready, -1, -1)


@njit(inline=SMALL, **KERNEL)
def _flies(D, w, src, n, ready):
    """(ok, arrival) of vehicle w flying src[:n] from `ready` on: allowed visits, load, energy, windows."""
    for i in range(n):
        if not D.allowed[src[i], w]:
            return False, 0
    cost, time, energy, load = arc_sums(D, w, src, n)
    if energy > D.V[w, ECAP] or load > D.V[w, CAPACITY]:
        return False, 0
    return _arrival(D, w, src, n, ready, time, _windowed(D, src, n))


@njit(inline=SMALL, **KERNEL)
def _chain_walk(D, S, c, first, last, ready, u, v) -> bool:
    """Whether chain c's routes from position `first` on fly from `ready` (when its route before lands and has
    recharged), with vehicles u and v flying each other's route (-1: none); past position `last` nothing changed,
    so the walk stops once a route may take off as early as before."""
    for k in range(first, D.CH[c, CHAIN_LEN]):
        x = D.chain_members[c, k]
        if k > last and ready <= S.ready[x]:
            return True
        src = v if x == u else (u if x == v else x)
        if S.length[src] == 0:
            continue
        if src == x:  # its own route: its sums are kept
            ok, arrival = _arrival(D, x, S.routes[x], S.length[x], ready, S.time[x], S.windowed[x])
        else:
            ok, arrival = _flies(D, x, S.routes[src], S.length[src], ready)
        if not ok:
            return False
        ready = arrival + D.V[x, RECHARGE]
    return True


@njit(inline=SMALL, **KERNEL)
def _chain_used(D, S, c) -> int:
    used = 0
    for k in range(D.CH[c, CHAIN_LEN]):
        if S.length[D.chain_members[c, k]] > 0:
            used += 1
    return used


# --- state bookkeeping -------------------------------------------------------------------------------------
@njit(inline=SMALL, **KERNEL)
def _save(S, W, v):
    """Keep route v as it was before this iteration (once per iteration), for the undo."""
    stamp = W.counters[STAMP]
    if W.touched_at[v] == stamp:
        return
    W.touched_at[v] = stamp
    W.touched[W.counters[TOUCHED]] = v
    W.counters[TOUCHED] += 1
    n = S.length[v]
    _copy(W.undo_routes[v], S.routes[v], n)
    W.undo_sums[v, 0] = n
    W.undo_sums[v, 1] = S.cost[v]
    W.undo_sums[v, 2] = S.time[v]
    W.undo_sums[v, 3] = S.energy[v]
    W.undo_sums[v, 4] = S.load[v]
    W.undo_sums[v, 5] = 1 if S.windowed[v] else 0


@njit(inline=SMALL, **KERNEL)
def _set_route(D, S, W, v, src, n, cost, time, energy, load):
    _place(D, S, W, v, src, n, cost, time, energy, load)
    if D.V[v, CHAIN_OF] >= 0:
        _chain_ready(D, S, D.V[v, CHAIN_OF])


@njit(inline=SMALL, **KERNEL)
def _place(D, S, W, v, src, n, cost, time, energy, load):
    """Route v becomes src[:n] with these sums; its chain's readiness is the caller's to update."""
    _save(S, W, v)
    old = S.cost[v] + D.V[v, FIXED] if S.length[v] > 0 else 0
    new = cost + D.V[v, FIXED] if n > 0 else 0
    S.objective[0] += new - old
    _copy(S.routes[v], src, n)
    S.length[v] = n
    S.cost[v], S.time[v], S.energy[v], S.load[v] = cost, time, energy, load
    S.windowed[v] = _windowed(D, src, n)
    W.dirty[v] = True


@njit(inline=SMALL, **KERNEL)
def _remove_task(D, S, W, task, vehicle):
    W.removed[W.counters[REMOVED]] = task
    W.counters[REMOVED] += 1
    W.removed_from[task] = vehicle
    W.removed_at[task] = W.counters[STAMP]
    if vehicle >= 0:
        S.where[task] = -1
        S.objective[0] += D.K[task, PENALTY]


@njit(**KERNEL)
def _undo(D, S, W):
    """Put back every route and task the iteration changed."""
    for i in range(W.counters[TOUCHED]):
        v = W.touched[i]
        n = W.undo_sums[v, 0]
        _copy(S.routes[v], W.undo_routes[v], n)
        S.length[v] = n
        S.cost[v], S.time[v], S.energy[v], S.load[v] = (W.undo_sums[v, 1], W.undo_sums[v, 2], W.undo_sums[v, 3],
                                                        W.undo_sums[v, 4])
        S.windowed[v] = W.undo_sums[v, 5] == 1
    for i in range(W.counters[REMOVED]):
        t = W.removed[i]
        S.where[t] = W.removed_from[t]
    for i in range(W.counters[TOUCHED]):
        v = W.touched[i]
        for k in range(S.length[v]):  # tasks a whole route carried to another vehicle (_shift_route)
            S.where[D.N[S.routes[v, k], TASK_OF]] = v
        if D.V[v, CHAIN_OF] >= 0:
            _chain_ready(D, S, D.V[v, CHAIN_OF])


@njit(**KERNEL)
def init_state(D, S):
    """Sums, windows, task places, readiness and objective of the routes already in S.routes/S.length."""
    S.where[:] = -1
    objective = 0
    for v in range(S.length.shape[0]):
        n = S.length[v]
        S.cost[v], S.time[v], S.energy[v], S.load[v] = arc_sums(D, v, S.routes[v], n)
        S.windowed[v] = _windowed(D, S.routes[v], n)
        for i in range(n):
            S.where[D.N[S.routes[v, i], TASK_OF]] = v
        if n > 0:
            objective += S.cost[v] + D.V[v, FIXED]
    for t in range(S.where.shape[0]):
        if S.where[t] < 0:
            objective += D.K[t, PENALTY]
    S.objective[0] = objective
    for c in range(D.CH.shape[0]):
        _chain_ready(D, S, c)


# --- ruin ------------------------------------------------------------------------------------------------
@njit(**KERNEL)
def _ruin(D, S, W):
    """Remove strings around a random seed task from nearby routes (SISR), and pick up nearby dropped tasks."""
    rng = W.rng
    total, used = 0, 0
    for v in range(S.length.shape[0]):
        if S.length[v] > 0:
            total += S.length[v]
            used += 1
    stamp = W.counters[STAMP]
    if used == 0:
        for t in range(S.where.shape[0]):
            if W.counters[REMOVED] >= D.mean_removed:
                break
            if S.where[t] < 0 and D.K[t, N_OPTS] > 0:
                _remove_task(D, S, W, t, -1)
        return
    ls_max = min(float(D.max_string), total / used)
    ks_max = 4.0 * D.mean_removed / (1.0 + ls_max) - 1.0
    ks = int(_random(rng) * ks_max) + 1
    seed = D.tasks[_below(rng, D.tasks.shape[0])]
    ruined, picked, mark = 0, 0, _fresh_mark(W)
    for j in range(D.neighbours.shape[1]):
        if ruined >= ks:
            break
        t = D.neighbours[seed, j]
        v = S.where[t]
        if v < 0:
            if W.removed_at[t] != stamp and D.K[t, N_OPTS] > 0 and picked < D.mean_removed:
                _remove_task(D, S, W, t, -1)  # a nearby task left out gets another chance
                picked += 1
            continue
        if W.vehicle_at[v] == mark:
            continue
        n = S.length[v]
        route = S.routes[v]
        size = int(_random(rng) * min(float(n), ls_max)) + 1
        pos = 0
        while D.N[route[pos], TASK_OF] != t:
            pos += 1
        lo = max(0, min(pos - _below(rng, size), n - size))
        k = 0
        for i in range(n):
            if i < lo or i >= lo + size:
                W.tmp[k] = route[i]
                k += 1
        cost, time, energy, load = arc_sums(D, v, W.tmp, k)
        if energy > D.V[v, ECAP] or not _fits(D, S, v, W.tmp, k, time, _windowed(D, W.tmp, k)):
            # Matrices need not obey the triangle inequality (a line's adjacent legs skip the climb between
            # them) and a shorter route may wait longer on the way: then the whole route goes.
            lo, size, k, cost, time, energy, load = 0, n, 0, 0, 0, 0, 0
        for i in range(lo, lo + size):
            _remove_task(D, S, W, D.N[route[i], TASK_OF], v)
        _set_route(D, S, W, v, W.tmp, k, cost, time, energy, load)
        W.vehicle_at[v] = mark
        ruined += 1


@njit(inline=SMALL, **KERNEL)
def _random_route(S, rng) -> int:
    """A vehicle drawn evenly among those flying a route, or -1 when none flies."""
    used = 0
    for v in range(S.length.shape[0]):
        if S.length[v] > 0:
            used += 1
    if used == 0:
        return -1
    k = _below(rng, used)
    for v in range(S.length.shape[0]):
        if S.length[v] > 0:
            if k == 0:
                return v
            k -= 1
    return -1


@njit(**KERNEL)
def _close_depot(D, S, W):
    """Ruin every route of the depot of a random route; the recreate may not open an unused vehicle there. Closing
    a hangar moves a dozen routes' worth of tasks at once, which string removals, reinserting each task where
    it is cheapest now, never do."""
    u = _random_route(S, W.rng)
    if u < 0:
        return
    depot = D.V[u, DEPOT]
    for v in range(S.length.shape[0]):
        if S.length[v] > 0 and D.V[v, DEPOT] == depot:
            for i in range(S.length[v]):
                _remove_task(D, S, W, D.N[S.routes[v, i], TASK_OF], v)
            _set_route(D, S, W, v, W.tmp, 0, 0, 0, 0, 0)
    W.counters[CLOSED] = depot


# --- route shift ---------------------------------------------------------------------------------------------
@njit(**KERNEL)
def _exchange_ok(D, S, u, v):
    """Whether u flying v's route and v flying u's keeps every rule, the later routes of their chains included."""
    for side in range(2):
        w, o = (u, v) if side == 0 else (v, u)  # w flies o's route
        c = D.V[w, CHAIN_OF]
        if c < 0:
            if S.length[o] > 0 and not _flies(D, w, S.routes[o], S.length[o], D.V[w, WIN_LO])[0]:
                return False
            continue
        if side == 1 and c == D.V[u, CHAIN_OF]:
            continue  # one walk covered both
        first = D.V[w, CHAIN_POS]
        last = first
        if D.V[o, CHAIN_OF] == c:
            first, last = min(first, D.V[o, CHAIN_POS]), max(last, D.V[o, CHAIN_POS])
        if not _chain_walk(D, S, c, first, last, S.ready[D.chain_members[c, first]], u, v):
            return False
    return True


@njit(**KERNEL)
def _shift_route(D, S, W) -> bool:
    """Carry one random route whole to the vehicle where it costs least (another hangar, epoch or drone),
    swapping with the route flying there: recreate alone rarely moves a whole route, each task it reinserts
    preferring the routes already flying. Returns whether a route moved."""
    rng = W.rng
    u = _random_route(S, rng)
    if u < 0:
        return False
    mark = _fresh_mark(W)
    cu = D.V[u, CHAIN_OF]
    best, ties, target = BIG, 0, -1
    for v in range(S.length.shape[0]):
        if v == u or (D.V[v, VCLASS] == D.V[u, VCLASS] and D.V[u, CHAINED] == 0):
            continue  # an identical vehicle
        if S.length[v] == 0:
            if D.V[v, CHAINED] == 1:
                b = D.V[v, BEFORE]
                if b >= 0 and b != u and S.length[b] == 0 and D.V[b, VCLASS] == D.V[v, VCLASS]:
                    continue  # a run of unused alike trips offers its first only
                c = D.V[v, CHAIN_OF]
                if c != cu and _chain_used(D, S, c) >= D.CH[c, CHAIN_LIMIT]:
                    continue
            else:
                if W.class_at[D.V[v, VCLASS]] == mark:
                    continue
                W.class_at[D.V[v, VCLASS]] = mark
        delta = arc_sums(D, v, S.routes[u], S.length[u])[0] + D.V[v, FIXED] - S.cost[u] - D.V[u, FIXED]
        if S.length[v] > 0:
            delta += arc_sums(D, u, S.routes[v], S.length[v])[0] + D.V[u, FIXED] - S.cost[v] - D.V[v, FIXED]
        if delta > best or not _exchange_ok(D, S, u, v):
            continue
        if delta < best:
            best, ties, target = delta, 1, v
        else:
            ties += 1
            if _below(rng, ties) == 0:
                target = v
    if target < 0:
        return False
    n, m = S.length[u], S.length[target]
    _copy(W.tmp, S.routes[u], n)
    cost, time, energy, load = arc_sums(D, u, S.routes[target], m)
    _place(D, S, W, u, S.routes[target], m, cost, time, energy, load)
    cost, time, energy, load = arc_sums(D, target, W.tmp, n)
    _place(D, S, W, target, W.tmp, n, cost, time, energy, load)
    for w in (u, target):
        for i in range(S.length[w]):
            S.where[D.N[S.routes[w, i], TASK_OF]] = w
        if D.V[w, CHAIN_OF] >= 0:
            _chain_ready(D, S, D.V[w, CHAIN_OF])
    return True


# --- recreate --------------------------------------------------------------------------------------------
@njit(inline=SMALL, **KERNEL)
def _offer(W, count, limit, delta, v, pos, node) -> int:
    """Keep the `limit` cheapest candidates by cost, equally cheap ones in the order offered: the exact checks try
    them in that order, which carries a preference (routes in use first, then the roomiest unused vehicle). With
    one candidate (no exact check: nothing else is tried) equally cheap offers get the place with equal chance
    (reservoir sampling): keeping the first sent an empty vehicle's task to the same orientation or vehicle every
    time, and some optima need the other. Randomising the order of exact checks too cost a windows day's group its
    best plan on 14 of 18 seeds (5 of 18 before)."""
    if limit == 1 and count == 1 and delta == W.cand_delta[0]:
        W.counters[TIES] += 1
        if _below(W.rng, W.counters[TIES]) == 0:
            W.cand[0, 0], W.cand[0, 1], W.cand[0, 2] = v, pos, node
        return count
    if count == limit and delta >= W.cand_delta[limit - 1]:
        return count
    i = count if count < limit else limit - 1
    while i > 0 and W.cand_delta[i - 1] > delta:
        if i < limit:
            W.cand_delta[i] = W.cand_delta[i - 1]
            W.cand[i, 0], W.cand[i, 1], W.cand[i, 2] = W.cand[i - 1, 0], W.cand[i - 1, 1], W.cand[i - 1, 2]
        i -= 1
    W.cand_delta[i] = delta
    W.cand[i, 0], W.cand[i, 1], W.cand[i, 2] = v, pos, node
    W.counters[TIES] = 1
    return min(count + 1, limit)


@njit(**KERNEL)
def _best(D, S, W, t, near_only, with_empty, mark):
    """Place task t at the cheapest feasible (vehicle, position, alternative) costing less than its penalty,
    over the routes in use (only those marked near, W.vehicle_at == mark, when `near_only`) and, `with_empty`,
    one unused vehicle of each class. Returns whether it was placed."""
    dem, limit = D.K[t, DEMAND], D.K[t, PENALTY]
    keep = D.max_checks if D.exact else 1
    room = S.routes.shape[1]
    count = 0
    for v in range(S.length.shape[0]):
        n = S.length[v]
        if n == 0 or (near_only and W.vehicle_at[v] != mark):
            continue
        if not D.allowed_any[t, v] or S.load[v] + dem > D.V[v, CAPACITY]:
            continue
        if n >= room:
            W.counters[NEED_ROOM] = 1
            continue
        p, d = D.V[v, PROFILE], D.V[v, DEPOT]
        time_room = D.V[v, DURATION_LIMIT] - S.time[v]
        energy_room = D.V[v, ECAP] - S.energy[v]
        prev = d
        for pos in range(n + 1):
            nxt = S.routes[v, pos] if pos < n else d
            if D.blink > 0 and _random(W.rng) < D.blink:
                prev = nxt
                continue
            for k in range(D.K[t, N_OPTS]):
                node = D.opts[t, k]
                if not D.allowed[node, v]:
                    continue
                delta = D.C[p, prev, node] + D.C[p, node, nxt] - D.C[p, prev, nxt]
                if delta >= limit or (count == keep and delta > W.cand_delta[keep - 1]):
                    continue  # (an equally cheap one goes to _offer, where the rule for ties lives)
                if D.time_binds and D.T[p, prev, node] + D.T[p, node, nxt] - D.T[p, prev, nxt] > time_room:
                    continue
                if D.has_energy and D.E[p, prev, node] + D.E[p, node, nxt] - D.E[p, prev, nxt] > energy_room:
                    continue
                count = _offer(W, count, keep, delta, v, pos, node)
            prev = nxt
    if with_empty:
        for v in D.empty_order:
            if S.length[v] > 0 or not D.allowed_any[t, v] or D.V[v, DEPOT] == W.counters[CLOSED]:
                continue
            if (D.V[v, CHAINED] == 1):
                b = D.V[v, BEFORE]
                if b >= 0 and S.length[b] == 0 and D.V[b, VCLASS] == D.V[v, VCLASS]:
                    continue  # a run of unused alike trips offers its first only
                c = D.V[v, CHAIN_OF]
                if _chain_used(D, S, c) >= D.CH[c, CHAIN_LIMIT]:
                    continue
            else:
                if W.class_at[D.V[v, VCLASS]] == mark:
                    continue
                W.class_at[D.V[v, VCLASS]] = mark
            for k in range(D.K[t, N_OPTS]):
                node = D.opts[t, k]
                if D.alone_ok[node, v] and D.alone_cost[node, v] < limit:
                    count = _offer(W, count, keep, D.alone_cost[node, v], v, -1, node)
    for i in range(count):
        v, pos, node = W.cand[i, 0], W.cand[i, 1], W.cand[i, 2]
        n = S.length[v]
        if pos < 0:
            W.tmp[0] = node
            cost, time, energy, load = arc_sums(D, v, W.tmp, 1)
            n, pos = 0, 0
        else:
            _copy(W.tmp, S.routes[v], pos)
            W.tmp[pos] = node
            _copy(W.tmp[pos + 1:], S.routes[v, pos:], n - pos)
            p = D.V[v, PROFILE]
            prev = S.routes[v, pos - 1] if pos > 0 else D.V[v, DEPOT]
            nxt = S.routes[v, pos] if pos < n else D.V[v, DEPOT]
            cost = S.cost[v] + W.cand_delta[i]
            time = S.time[v] + D.T[p, prev, node] + D.T[p, node, nxt] - D.T[p, prev, nxt]
            energy = S.energy[v]
            if D.has_energy:
                energy += D.E[p, prev, node] + D.E[p, node, nxt] - D.E[p, prev, nxt]
            load = S.load[v] + dem
        if D.exact and not _fits(D, S, v, W.tmp, n + 1, time, S.windowed[v] or (D.N[node, HAS_WINDOW] == 1)):
            continue
        _set_route(D, S, W, v, W.tmp, n + 1, cost, time, energy, load)
        S.where[t] = v
        S.objective[0] -= D.K[t, PENALTY]
        return True
    return False


@njit(**KERNEL)
def _insert(D, S, W, t):
    """Insert t where it is cheapest, trying the routes of its nearest tasks first when many are in use."""
    used = 0
    for v in range(S.length.shape[0]):
        if S.length[v] > 0:
            used += 1
    if used > D.all_routes_below:
        mark, near = _fresh_mark(W), 0
        for j in range(1, min(D.near + 1, D.neighbours.shape[1])):
            v = S.where[D.neighbours[t, j]]
            if v >= 0:
                W.vehicle_at[v] = mark
                near += 1
        if near and _best(D, S, W, t, True, False, mark):
            return True
    return _best(D, S, W, t, False, True, _fresh_mark(W))


@njit(**KERNEL)
def _recreate(D, S, W):
    """Insert every removed task at its cheapest place, in one of SISR's orders."""
    rng = W.rng
    m = W.counters[REMOVED]
    order, keys = W.order, W.keys
    _copy(order, W.removed, m)
    key = _random(rng)
    if key < 4 / 11:
        for i in range(m - 1, 0, -1):
            j = _below(rng, i + 1)
            order[i], order[j] = order[j], order[i]
    else:
        for i in range(m):  # a stable insertion sort by key: removals are few
            t = order[i]
            k = -D.K[t, DEMAND] if key < 8 / 11 else (-D.K[t, ALONE] if key < 10 / 11 else D.K[t, ALONE])
            j = i
            while j > 0 and keys[j - 1] > k:
                keys[j], order[j] = keys[j - 1], order[j - 1]
                j -= 1
            keys[j], order[j] = k, t
    for i in range(m):
        _insert(D, S, W, order[i])


# --- the annealing loop --------------------------------------------------------------------------------------
@njit(**KERNEL)
def construct(D, S, W, order):
    """Cheapest insertion of `order`'s tasks into S (no undo: the log is reset)."""
    W.counters[STAMP] += 1
    W.counters[TOUCHED] = 0
    for t in order:
        _insert(D, S, W, t)
    W.counters[TOUCHED] = 0


@njit(**KERNEL)
def keep_best(S, W):
    for v in range(S.length.shape[0]):
        if W.dirty[v]:
            n = S.length[v]
            _copy(W.best_routes[v], S.routes[v], n)
            W.best_length[v] = n
            W.dirty[v] = False
    W.best_objective[0] = S.objective[0]


@njit(**KERNEL)
def anneal(D, S, W, iterations, frac_from, frac_to, t_start, t_end) -> int:
    """`iterations` of ruin-and-recreate, accepting worse states at a temperature falling from t_start to t_end
    over the run (this slice covers fractions frac_from..frac_to of it); returns how many improved the best."""
    improved = 0
    for it in range(iterations):
        frac = frac_from + (frac_to - frac_from) * it / iterations
        temp = t_start * (t_end / t_start) ** frac if t_start > 0 else 0.0
        W.counters[STAMP] += 1
        W.counters[TOUCHED] = 0
        W.counters[REMOVED] = 0
        before = S.objective[0]
        if D.close_rate > 0 and _random(W.rng) < D.close_rate:
            _close_depot(D, S, W)
        else:
            if D.shift_rate > 0 and _random(W.rng) < D.shift_rate:
                _shift_route(D, S, W)
            _ruin(D, S, W)
        _recreate(D, S, W)
        W.counters[CLOSED] = -1
        after = S.objective[0]
        threshold = before - temp * np.log(_random(W.rng)) if temp > 0 else float(before)
        if after < threshold or after == before:
            if after < W.best_objective[0]:
                keep_best(S, W)
                improved += 1
        else:
            _undo(D, S, W)
            S.objective[0] = before
    return improved
