"""Route recombination: the cheapest mix of the routes the search has met, by set partitioning (OR-Tools CP-SAT).

Racing chains end in different local optima whose routes complement each other; choosing the cheapest set of
pooled routes that serves every task once recombines them exactly, the part crossover plays in a genetic search.
"""
from __future__ import annotations

import logging
from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model

from planner.routing.rules import Rules

logger = logging.getLogger(__name__)

MOST_COLUMNS = 10_000  # routes pooled at most: CP-SAT models of this size build and solve in about a second


class RoutePool:
    """Distinct routes met by the search, keyed by the class of vehicles that may fly them: vehicles alike in
    everything but their chain (a drone's sortie slots are alike with another drone's of the same hangar and
    model), so a route one drone flew may go to another."""

    def __init__(self, rules: Rules, vehicle_class: list[int], penalty: list[int], mandatory: list[bool]):
        self.r = rules
        self.vehicle_class = vehicle_class
        self.penalty, self.mandatory = penalty, mandatory
        self.columns: dict[tuple[int, tuple[int, ...]], int] = {}  # (class, nodes) -> cost with the fixed cost
        self.members: dict[int, list[int]] = defaultdict(list)  # class -> its vehicles, in problem order
        for v, k in enumerate(vehicle_class):
            self.members[k].append(v)
        self.slots = {k: self._slots(k) for k in self.members}  # class -> most routes it may fly at once

    def add(self, routes: np.ndarray, lengths: np.ndarray, always: bool = False) -> None:
        """Pool every route of one solution (rows of node indices, `lengths` long). A full pool takes only the
        routes of a solution added `always`: the incumbent a mix must be able to keep (best_mix hints it)."""
        if len(self.columns) >= MOST_COLUMNS and not always:
            return
        for v in np.flatnonzero(lengths):
            key = (self.vehicle_class[v], tuple(int(x) for x in routes[v, :lengths[v]]))
            if key not in self.columns:
                self.columns[key] = self._cost(v, key[1])

    def _cost(self, v: int, nodes: tuple[int, ...]) -> int:
        return self.r.arc_sums(v, list(nodes))[0] + int(self.r.fixed[v])

    def best_mix(self, incumbent: list[list[int]], seed: int, work: float,
                 wall_s: float | None = None) -> tuple[list[list[int]], int] | None:
        """The cheapest routes of the pool serving each task at most once (mandatory ones exactly once), at most
        as many per class as it has vehicles, flown by vehicles that keep every rule; None unless it beats
        `incumbent` (node lists per vehicle, pooled already). `work` bounds CP-SAT's deterministic time, `wall_s`
        (if given) its seconds."""
        r = self.r
        columns = list(self.columns.items())
        model = cp_model.CpModel()
        chosen = [model.NewBoolVar(f"route{i}") for i in range(len(columns))]
        cover: dict[int, list[int]] = defaultdict(list)
        per_class: dict[int, list[int]] = defaultdict(list)
        for i, ((k, nodes), _) in enumerate(columns):
            per_class[k].append(i)
            for x in nodes:
                cover[int(r.task_of[x])].append(i)
        terms, weights = list(chosen), [cost for _, cost in columns]
        for t, served_by in cover.items():
            if self.mandatory[t]:
                model.AddExactlyOne(chosen[i] for i in served_by)
            else:
                dropped = model.NewBoolVar(f"drop{t}")
                model.AddExactlyOne([dropped, *(chosen[i] for i in served_by)])
                terms.append(dropped)
                weights.append(self.penalty[t])
        for k, indices in per_class.items():
            model.Add(cp_model.LinearExpr.Sum([chosen[i] for i in indices]) <= self.slots[k])
        model.Minimize(cp_model.LinearExpr.WeightedSum(terms, weights))
        index = {key: i for i, (key, _) in enumerate(columns)}
        for v, route in enumerate(incumbent):
            if route:
                model.AddHint(chosen[index[(self.vehicle_class[v], tuple(route))]], True)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1  # one thread, a fixed seed and deterministic time: reproducible
        solver.parameters.random_seed = seed % 2**31
        solver.parameters.max_deterministic_time = work
        if wall_s is not None:
            solver.parameters.max_time_in_seconds = wall_s
        if solver.Solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        picked = [columns[i][0] for i in range(len(columns)) if solver.BooleanValue(chosen[i])]
        routes = self._assign(picked)
        if routes is None:
            return None
        value = self.objective(routes)
        return (routes, value) if value < self.objective(incumbent) else None

    def objective(self, routes: list[list[int]]) -> int:
        served = {int(self.r.task_of[x]) for route in routes for x in route}
        total = sum(self._cost(v, tuple(route)) for v, route in enumerate(routes) if route)
        return total + sum(p for t, p in enumerate(self.penalty) if t not in served and not self.mandatory[t])

    def _slots(self, k: int) -> int:
        """Most routes class k's vehicles may fly at once: all of them, or per chain its route limit."""
        r, count = self.r, 0
        per_chain: dict[int, int] = defaultdict(int)
        for v in self.members[k]:
            if r.chain_of[v] < 0:
                count += 1
            else:
                per_chain[r.chain_of[v]] += 1
        return count + sum(min(n, r.chain_limit[c]) for c, n in per_chain.items())

    def _assign(self, picked: list[tuple[int, tuple[int, ...]]]) -> list[list[int]] | None:
        """Vehicles for the picked routes: per class, longest route first to the drone (chain) with the least
        flying so far that has a slot left; a chain flies its routes in the order of their earliest visit
        window. None when the result breaks a rule (a chain's sorties no longer fit its day)."""
        r = self.r
        routes: list[list[int]] = [[] for _ in self.vehicle_class]
        by_class: dict[int, list[tuple[int, ...]]] = defaultdict(list)
        for k, nodes in picked:
            by_class[k].append(nodes)
        used: dict[int, int] = defaultdict(int)  # chain -> routes given to it so far
        for k, group in by_class.items():
            units: dict[int, list[int]] = defaultdict(list)  # a chain, or -1 - v for an unchained v: its slots
            for v in self.members[k]:
                units[r.chain_of[v] if r.chain_of[v] >= 0 else -1 - v].append(v)
            flown: dict[int, int] = defaultdict(int)
            given: dict[int, list[tuple[int, ...]]] = defaultdict(list)
            first = self.members[k][0]  # the class's vehicles fly a route in the same time
            duration = {nodes: self.r.arc_sums(first, list(nodes))[1] for nodes in group}
            for nodes in sorted(group, key=lambda n: (-duration[n], n)):
                open_units = [(flown[u], u) for u, slots in units.items()
                              if len(given[u]) < len(slots) and (u < 0 or used[u] < r.chain_limit[u])]
                if not open_units:
                    return None
                u = min(open_units)[1]
                flown[u] += duration[nodes] + r.recharge[units[u][0]]
                given[u].append(nodes)
                used[u] += 1
            for u, group_routes in given.items():
                group_routes.sort(key=lambda n: (min(r.a[x] for x in n), n))
                for v, nodes in zip(units[u], group_routes):
                    routes[v] = list(nodes)
        return routes if r.check(routes) is None else None
