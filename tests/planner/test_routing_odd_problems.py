"""The routing core on small odd but valid problems, as an integrator may build them (property-based).

Depots no vehicle starts from, visits no vehicle may fly, tasks in two orientations, windows, chains with limits,
batteries: every answer keeps every rule, costs what its routes cost, never calls an all-optional day infeasible,
and comes again the same for the same seed and solution limit.
"""
from __future__ import annotations

import itertools
import os

import numpy as np
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from planner.routing.problem import RoutingProblem, SolveParams, SolveStatus, Vehicle, Visit
from planner.routing.rules import Rules
from planner.routing.solver import solution_cost, solve
from tests.planner.test_routing_search import check_solution

EXAMPLES = int(os.environ.get("LOWALT_ROUTING_EXAMPLES", "40"))


@st.composite
def odd_problems(draw) -> RoutingProblem:
    nd = draw(st.integers(1, 3))
    n_tasks = draw(st.integers(0, 6))
    visits_of = [draw(st.integers(1, 2)) for _ in range(n_tasks)]
    n_visits = sum(visits_of)
    xy = np.array(draw(st.lists(st.tuples(st.integers(-3000, 3000), st.integers(-3000, 3000)),
                                min_size=nd + n_visits, max_size=nd + n_visits)), dtype=float).reshape(-1, 2)
    service = np.r_[[0] * nd, draw(st.lists(st.integers(0, 200), min_size=n_visits, max_size=n_visits))]
    times = np.ceil(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) / 10 + service[:, None])
    times = times.astype(np.int64)
    np.fill_diagonal(times, 0)
    vehicles = []
    n_chains = draw(st.integers(0, 2))
    for v in range(draw(st.integers(1, 4))):
        chain = v % n_chains if n_chains and draw(st.booleans()) else None
        vehicles.append(Vehicle(
            depot=draw(st.integers(0, nd - 1)), profile=0,
            window=(draw(st.integers(0, 200)), draw(st.integers(300, 3000))),
            max_span=draw(st.none() | st.integers(100, 2000)), chain=chain,
            recharge=draw(st.integers(0, 300)) if chain is not None else 0,
            fixed_cost=draw(st.integers(0, 100)),
            energy_capacity=draw(st.none() | st.integers(200, 4000))))
    # A chain's routes are its trips in list order: keep each chain's vehicles at one depot.
    depot_of_chain: dict[int, int] = {}
    vehicles = [Vehicle(**{**veh.__dict__, "depot": depot_of_chain.setdefault(veh.chain, veh.depot)})
                if veh.chain is not None else veh for veh in vehicles]
    nv = len(vehicles)
    visits = []
    for task, count in enumerate(visits_of):
        for _ in range(count):
            lo = draw(st.none() | st.integers(0, 2000))
            window = None if lo is None else (lo, lo + draw(st.integers(0, 800)))
            allowed = draw(st.none() | st.lists(st.integers(0, nv - 1), unique=True, max_size=nv).map(tuple))
            visits.append(Visit(task, window=window, allowed_vehicles=allowed))
    # One task in eight mandatory: more, and most days are infeasible outright.
    penalties = [None if draw(st.integers(0, 7)) == 0 else draw(st.integers(0, 5000)) for _ in range(n_tasks)]
    chains = {veh.chain for veh in vehicles if veh.chain is not None}
    limits = {c: draw(st.integers(0, 3)) for c in chains} if chains and draw(st.booleans()) else None
    return RoutingProblem(nd, visits, [times], vehicles, penalties, energy_matrices=[times * 2],
                          chain_route_limits=limits)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=odd_problems(), seed=st.integers(0, 3))
def test_odd_problems_get_lawful_answers(problem, seed):
    sol = solve(problem, SolveParams(time_limit_s=5.0, seed=seed, solution_limit=20))
    mandatory = [t for t, pen in enumerate(problem.task_penalties) if pen is None]
    event(f"{sol.status.value}, {'some' if any(sol.routes) else 'no'} routes")
    if sol.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL):
        assert all(0 <= i < len(problem.visits) for route in sol.routes for i in route)
        check_solution(problem, sol)
        assert not set(mandatory) & set(sol.dropped_tasks)
    else:  # nothing is ever infeasible or late when leaving every task out is allowed
        assert mandatory, f"{sol.status} on a problem whose tasks are all optional"


@settings(max_examples=max(10, EXAMPLES // 2), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=odd_problems(), seed=st.integers(0, 3))
def test_odd_problems_get_the_same_answer_twice(problem, seed):
    """The same problem, seed and solution limit give the same routes, times and status."""
    params = SolveParams(time_limit_s=5.0, seed=seed, solution_limit=20)
    first, again = solve(problem, params), solve(problem, params)
    assert (first.routes, first.start_times, first.status, first.objective) == \
           (again.routes, again.start_times, again.status, again.objective)


def cheapest_by_enumeration(problem: RoutingProblem) -> int | None:
    """The least objective over every choice of orientation, vehicle or drop per task and every order per vehicle
    that planner.routing.rules accepts; None when none does."""
    rules, nd, nv = Rules(problem), problem.num_depots, len(problem.vehicles)
    choices = [[None] * (pen is not None) + [(i, v) for i, visit in enumerate(problem.visits) if visit.task == t
                                            for v in range(nv)]
               for t, pen in enumerate(problem.task_penalties)]
    best = None
    for pick in itertools.product(*choices):
        per_vehicle: list[list[int]] = [[] for _ in range(nv)]
        for chosen in pick:
            if chosen is not None:
                per_vehicle[chosen[1]].append(chosen[0])
        for orders in itertools.product(*(itertools.permutations(x) for x in per_vehicle)):
            routes = [list(order) for order in orders]
            if rules.check([[nd + i for i in r] for r in routes]) is None:
                cost = solution_cost(problem, routes)
                best = cost if best is None else min(best, cost)
    return best


@settings(max_examples=max(10, EXAMPLES // 2), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                                     HealthCheck.filter_too_much])
@given(problem=odd_problems(), seed=st.integers(0, 3))
def test_small_odd_problems_with_a_legal_plan_get_one(problem, seed):
    """Up to five visits and three vehicles: a problem with a legal plan (found by enumeration) is never reported
    without one, and no plan costs less than the least legal one. Reaching that least cost is not promised in general
    (it is on the two tie cases below; 400 generated cases passed)."""
    assume(len(problem.visits) <= 5 and len(problem.vehicles) <= 3 and problem.num_tasks >= 2)
    best = cheapest_by_enumeration(problem)
    sol = solve(problem, SolveParams(time_limit_s=5.0, seed=seed, solution_limit=20))
    solved = sol.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    assert solved == (best is not None)
    if solved:
        assert sol.objective >= best


def _tied_first_choice_traps() -> list[tuple[RoutingProblem, int]]:
    """Two problems where recreate's first choice among equally cheap places decides the plan, with their optima."""
    tight = np.array([[0, 146, 151, 146, 146, 146], [146, 0, 39, 0, 0, 0], [151, 39, 0, 39, 39, 39],
                      [156, 10, 49, 0, 10, 10], [146, 0, 39, 0, 0, 0], [146, 0, 39, 0, 0, 0]])
    one_drone_then_home = RoutingProblem(  # task 1's two orientations cost the same alone; only one lets all fit
        1, [Visit(0), Visit(1), Visit(1), Visit(2), Visit(2)], [tight],
        [Vehicle(0, 0, (0, 302), fixed_cost=1), Vehicle(0, 0, (0, 300))], [None] * 3)
    near = np.array([[0, 1, 1, 1], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]])
    only_vehicle_1 = RoutingProblem(  # task 0 alone costs the same on every vehicle; only vehicle 1 may add task 1
        1, [Visit(0), Visit(0), Visit(1, allowed_vehicles=(1,))], [near], [Vehicle(0, 0, (0, 300))] * 3, [None, 1])
    return [(one_drone_then_home, 303), (only_vehicle_1, 2)]


def test_ties_between_equally_cheap_places_do_not_trap_the_search():
    """With no window or chain (one candidate per insertion) recreate breaks ties at random (kernel._offer). When it
    kept the first of equally cheap places, the same orientation or vehicle won every time and these came out 595
    (on every seed up to solution_limit 100) and 3 (even at 1,000)."""
    for problem, best in _tied_first_choice_traps():
        assert [solve(problem, SolveParams(time_limit_s=5.0, seed=s, solution_limit=20)).objective
                for s in range(4)] == [best] * 4
