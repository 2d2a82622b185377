"""The PyVRP peer of benchmarks/fleet.py: a broken sortie is cut off and solved again until the plan is legal.

Tiny days where PyVRP's lower-bounded battery lets one sortie fly both visits (125 energy on a 122 battery), and
where one drone's two sorties, separate vehicles to PyVRP, would fly at the same time.
"""
from __future__ import annotations

import numpy as np
import pytest

from benchmarks.pyvrp_peer import as_nodes, solve_pyvrp
from planner.routing.problem import RoutingProblem, Vehicle, Visit
from planner.routing.rules import Rules

pytest.importorskip("pyvrp")


def two_visit_day(window: tuple[int, int] = (0, 10_000), battery: int = 122) -> RoutingProblem:
    # Node 0 the dock, 1 and 2 the visits: 10 out to each, 5 between, so one sortie over both is the shortest.
    # Energy: 60 on a dock leg, 5 between the visits (the least power, 1 a unit, bounds PyVRP's battery loosely).
    time = np.array([[0, 10, 10], [10, 0, 5], [10, 5, 0]])
    energy = np.array([[0, 60, 60], [60, 0, 5], [60, 5, 0]])
    day = (0, 10_000)
    sorties = [Vehicle(depot=0, profile=0, window=day, chain=0, energy_capacity=battery) for _ in range(2)]
    return RoutingProblem(num_depots=1, visits=[Visit(task=0, window=window), Visit(task=1, window=window)],
                          time_matrices=[time], vehicles=sorties, task_penalties=[1000, 1000],
                          cost_matrices=[time], energy_matrices=[energy])


def flown(problem: RoutingProblem, routes: list[list[int]]) -> list[list[int]]:
    return [route for route in as_nodes(problem, routes) if route]


def test_repair_cuts_the_broken_sortie_and_flies_two_legal_ones():
    problem = two_visit_day()
    got = solve_pyvrp(problem, time_limit_s=0.5, seed=0, mode="sorties", cost_is_time=False, repair_rounds=3)
    first = got.first_round
    assert first is not None and got.rounds == 2
    assert flown(problem, first.routes) in ([[1, 2]], [[2, 1]])  # both visits on one battery: 125 > 122
    rules = Rules(problem)
    assert rules.arc_sums(0, [1, 2])[2] == 125
    assert sorted(map(len, flown(problem, got.routes))) == [1, 1]  # one round trip each: 120 energy
    assert rules.check(as_nodes(problem, got.routes)) is None
    assert any("broke a rule" in r for r in got.relaxed)


def test_no_repair_keeps_the_first_solve():
    problem = two_visit_day()
    got = solve_pyvrp(problem, time_limit_s=0.5, seed=0, mode="sorties", cost_is_time=False)
    assert got.rounds == 1 and got.first_round is None
    assert len(flown(problem, got.routes)) == 1


def test_repair_closes_the_slot_where_a_drones_day_breaks():
    # Both visits only at t=10, 10 from the dock and 5 apart: one drone serves one of them, never both.
    problem = two_visit_day(window=(10, 10), battery=500)
    got = solve_pyvrp(problem, time_limit_s=0.5, seed=0, mode="sorties", cost_is_time=False, repair_rounds=3)
    first = got.first_round
    assert first is not None and got.rounds == 2
    assert sorted(map(len, flown(problem, first.routes))) == [1, 1]  # two sorties at once: one drone cannot
    rules = Rules(problem)
    assert rules.check(as_nodes(problem, first.routes)) == "a window, span, energy or chain rule is broken"
    assert len(flown(problem, got.routes)) == 1 and not got.routes[1]  # the second slot closed
    assert rules.check(as_nodes(problem, got.routes)) is None
