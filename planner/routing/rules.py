"""The routing core's route rules in plain Python/numpy: loads, durations with waits, energy with idle, chains.

The search checks every move with these rules and the solution's schedule comes from them; solver.py states
the same rules to OR-Tools, which must accept every route set these rules accept.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.routing.problem import RoutingProblem

BIG = np.iinfo(np.int64).max // 4


@dataclass
class RouteTimes:
    """One flown route's schedule: departure, service starts, arrival (time units)."""

    departure: int
    starts: list[int]
    arrival: int


class Rules:
    """Precomputed matrices and limits of a RoutingProblem; nodes are problem nodes (depots first).

    Schedules follow one policy: a vehicle takes off as early as its window and its chain allow, then the
    departure is delayed by as much of the route's waiting as can be absorbed without moving the arrival or
    missing a visit window, so a vehicle waits at its depot rather than on the way (where idle energy runs).
    """

    def __init__(self, problem: RoutingProblem):
        p = problem
        self.problem = p
        self.nd = nd = p.num_depots
        n, nv = p.num_nodes, len(p.vehicles)
        cap = p.unreachable

        def stack(ms) -> np.ndarray:
            return np.stack([np.minimum(np.asarray(m, dtype=np.int64), cap) for m in ms])

        self.T = stack(p.time_matrices)
        self.C = stack(p.cost_matrices) if p.cost_matrices is not None else self.T
        self.E = stack(p.energy_matrices) if p.energy_matrices is not None else None
        # Python lists: a route walk indexes scalars, which lists do several times faster than numpy.
        self.Tl = self.T.tolist()
        self.El = self.E.tolist() if self.E is not None else None
        vs = p.vehicles
        self.depot = np.array([v.depot for v in vs], dtype=np.int64)
        self.profile = np.array([v.profile for v in vs], dtype=np.int64)
        self.win_lo = [int(v.window[0]) for v in vs]
        self.win_hi = [int(v.window[1]) for v in vs]
        self.span = [int(v.max_span) if v.max_span is not None else BIG for v in vs]
        self.capacity = np.array([v.capacity if v.capacity is not None else BIG for v in vs], dtype=np.int64)
        self.ecap = np.array([v.energy_capacity if v.energy_capacity is not None else BIG for v in vs],
                             dtype=np.int64)
        self.has_energy = self.E is not None and any(v.energy_capacity is not None for v in vs)
        self.rate = [int(v.idle_energy_rate) for v in vs]
        self.fixed = np.array([v.fixed_cost for v in vs], dtype=np.int64)
        self.recharge = [int(v.recharge) for v in vs]
        # Longest possible duration of a route of v (a necessary bound: waits only add to it).
        self.duration_limit = np.array([min(s, hi - lo) for s, lo, hi in zip(self.span, self.win_lo, self.win_hi)],
                                       dtype=np.int64)

        self.a = [0] * n
        self.b = [BIG] * n
        self.demand = np.zeros(n, dtype=np.int64)
        self.task_of = np.full(n, -1, dtype=np.int64)
        self.allowed = np.ones((n, nv), dtype=bool)
        for i, visit in enumerate(p.visits):
            node = nd + i
            self.task_of[node] = visit.task
            self.demand[node] = visit.demand
            if visit.window is not None:
                self.a[node], self.b[node] = int(visit.window[0]), int(visit.window[1])
            if visit.allowed_vehicles is not None:
                self.allowed[node] = False
                self.allowed[node, list(visit.allowed_vehicles)] = True
        self.windows = any(v.window is not None for v in p.visits)
        # OR-Tools charges a wait at the node before it, at the highest idle rate of that node's vehicles.
        self.node_rate = [0] * n
        for node in range(nd, n):
            rates = [self.rate[v] for v in np.flatnonzero(self.allowed[node])]
            self.node_rate[node] = max(rates) if rates else 0

        chains: dict[int, list[int]] = {}
        for v, veh in enumerate(vs):
            if veh.chain is not None:
                chains.setdefault(veh.chain, []).append(v)
        self.chains = list(chains.values())
        limits = p.chain_route_limits or {}
        self.chain_id = list(chains)  # the problem's chain id of each chain
        self.chain_limit = [int(limits.get(c, BIG)) for c in self.chain_id]  # most routes of it that may fly
        self.chain_of = [-1] * nv
        self.chain_pos = [0] * nv
        for c, members in enumerate(self.chains):
            for k, v in enumerate(members):
                self.chain_of[v], self.chain_pos[v] = c, k
        # Without visit windows and multi-vehicle chains a route's duration is its arc sum: no exact walk needed.
        self.exact = self.windows or any(len(m) > 1 for m in self.chains)

        # A visit alone on a vehicle: cost with the fixed cost, duration and energy of depot -> visit -> depot.
        d, pr = self.depot, self.profile
        nodes = np.arange(n)
        self.alone_cost = (self.C[pr[None, :], d[None, :], nodes[:, None]]
                           + self.C[pr[None, :], nodes[:, None], d[None, :]] + self.fixed[None, :])
        alone_time = self.T[pr[None, :], d[None, :], nodes[:, None]] + self.T[pr[None, :], nodes[:, None], d[None, :]]
        ok = self.allowed & (alone_time <= self.duration_limit[None, :]) & (self.demand[:, None] <= self.capacity)
        # A vehicle of a chain that may fly no route (limit 0: a drone through its sorties) serves nothing.
        ok &= np.array([c < 0 or self.chain_limit[c] > 0 for c in self.chain_of], dtype=bool)[None, :]
        if self.has_energy:
            assert self.E is not None
            alone_energy = self.E[pr[None, :], d[None, :], nodes[:, None]] + self.E[pr[None, :], nodes[:, None], d[None, :]]
            ok &= alone_energy <= self.ecap[None, :]
        ok[:nd] = False
        # Visits a vehicle's profile cannot reach and leave within its limits (unreachable) never appear in a route of it.
        self.allowed &= ok | (np.arange(n) < nd)[:, None]
        self.alone_ok = ok

    # --- one route -----------------------------------------------------------------------------------
    def arc_sums(self, v: int, route: list[int]) -> tuple[int, int, int, int]:
        """(cost, time, energy, load) of route `route` (nodes) flown by vehicle v, without fixed cost."""
        if not route:
            return 0, 0, 0, 0
        d, p = int(self.depot[v]), int(self.profile[v])
        nodes = np.array([d] + route + [d], dtype=np.int64)
        frm, to = nodes[:-1], nodes[1:]
        energy = int(self.E[p, frm, to].sum()) if self.E is not None else 0
        return (int(self.C[p, frm, to].sum()), int(self.T[p, frm, to].sum()), energy,
                int(self.demand[route].sum()))

    def route_times(self, v: int, route: list[int], earliest: int, starts: bool = False):
        """Schedule of `route` by vehicle v taking off no earlier than `earliest`, or None if it breaks a rule.

        Returns (departure, arrival) or, with starts=True, a RouteTimes. Checks visit windows, the vehicle's
        window, its max span and its energy capacity including idle energy for the waits left on the way.
        """
        p, d = int(self.profile[v]), int(self.depot[v])
        T, a, b = self.Tl[p], self.a, self.b
        t = max(earliest, self.win_lo[v])
        if t > self.win_hi[v]:
            return None
        tau, prev = t, d
        waits: list[int] = []
        total_wait = 0
        delay = BIG  # how far the departure may move later without a visit missing its window
        service: list[int] = []
        for x in route:
            arrive = t + T[prev][x]
            if arrive < a[x]:
                wait = a[x] - arrive
                t = a[x]
            else:
                wait = 0
                t = arrive
            if t > b[x]:
                return None
            total_wait += wait
            waits.append(wait)
            room = b[x] - t + total_wait
            if room < delay:
                delay = room
            service.append(t)
            prev = x
        arrival = t + T[prev][d]
        if arrival > self.win_hi[v]:
            return None
        delay = min(delay, total_wait)
        departure = tau + delay
        if arrival - departure > self.span[v]:
            return None
        if self.has_energy and self.ecap[v] < BIG:
            assert self.El is not None
            E = self.El[p]
            energy, prev, left = 0, d, delay
            rate = self.rate[v]
            for x, wait in zip(route, waits):
                if left:  # the delayed departure absorbs the first waits
                    absorbed = min(wait, left)
                    wait -= absorbed
                    left -= absorbed
                energy += E[prev][x] + rate * wait
                rate = self.node_rate[x]
                prev = x
            energy += E[prev][d]
            if energy > self.ecap[v]:
                return None
        if not starts:
            return departure, arrival
        if delay:  # service starts after the shift: the first waits shrink, nothing else moves
            service = self._shifted(v, route, departure)
        return RouteTimes(departure, service, arrival)

    def _shifted(self, v: int, route: list[int], departure: int) -> list[int]:
        p, d = int(self.profile[v]), int(self.depot[v])
        T, a = self.Tl[p], self.a
        t, prev, out = departure, d, []
        for x in route:
            t = max(t + T[prev][x], a[x])
            out.append(t)
            prev = x
        return out

    # --- chains --------------------------------------------------------------------------------------
    def ready_after(self, v: int, arrival: int) -> int:
        return arrival + self.recharge[v]

    def schedule(self, routes: list[list[int]]) -> list[RouteTimes | None] | None:
        """Every vehicle's schedule (None for an unused one), or None if the route set breaks a rule."""
        out: list[RouteTimes | None] = [None] * len(routes)
        for v, route in enumerate(routes):
            if route and self.chain_of[v] < 0:
                got = self.route_times(v, route, self.win_lo[v], starts=True)
                if got is None:
                    return None
                out[v] = got
        for c in range(len(self.chains)):
            if self._chain_walk(c, routes, out) is not None:
                return None
        return out

    def chain_break(self, c: int, routes: list[list[int]]) -> int | None:
        """The vehicle of chain c whose route, flown after the chain's earlier ones and their recharges, breaks a
        window, span or energy rule; None when the chain's routes all fly."""
        return self._chain_walk(c, routes, [None] * len(routes))

    def _chain_walk(self, c: int, routes: list[list[int]], out: list[RouteTimes | None]) -> int | None:
        """Schedule chain c's routes in chain order into `out`; the vehicle where it breaks, or None."""
        ready = -BIG
        for v in self.chains[c]:
            if not routes[v]:
                continue
            got = self.route_times(v, routes[v], ready, starts=True)
            if got is None:
                return v
            out[v] = got
            ready = self.ready_after(v, got.arrival)
        return None

    def check(self, routes: list[list[int]]) -> str | None:
        """Why the route set (nodes per vehicle) breaks a rule, or None: loads, allowed vehicles, chain route
        limits, times."""
        seen: set[int] = set()
        for v, route in enumerate(routes):
            for x in route:
                if x < self.nd or x >= len(self.task_of):
                    return f"vehicle {v} visits node {x}, not a visit"
                task = int(self.task_of[x])
                if task in seen:
                    return f"task {task} is served twice"
                seen.add(task)
                if not self.allowed[x, v]:
                    return f"vehicle {v} may not serve node {x}"
            if route and self.arc_sums(v, route)[3] > self.capacity[v]:
                return f"vehicle {v} exceeds its capacity"
        for c, members in enumerate(self.chains):
            used = sum(1 for v in members if routes[v])
            if used > self.chain_limit[c]:
                return f"chain {self.chain_id[c]} flies {used} routes, more than its limit of {self.chain_limit[c]}"
        if self.schedule(routes) is None:
            return "a window, span, energy or chain rule is broken"
        return None
