"""The routing core on tiny cases with known answers: orders, orientations, windows, sorties, priorities.

Each case is a hand-written RoutingProblem; the solver's routes and times are checked against the matrices.
"""
import gc
import time

import numpy as np
import pytest

from planner.routing.solver import solution_cost, solve
from planner.routing.problem import RoutingProblem, SolveParams, Vehicle, Visit

FAST = SolveParams(time_limit_s=2.0, solution_limit=200)


def star_matrix(out_legs, back_legs, between=None):
    """One depot; visit i costs out_legs[i] from the depot, back_legs[i] home, `between` among visits."""
    n = len(out_legs)
    m = np.zeros((n + 1, n + 1), dtype=np.int64)
    m[0, 1:] = out_legs
    m[1:, 0] = back_legs
    m[1:, 1:] = between if between is not None else np.add.outer(back_legs, out_legs)
    np.fill_diagonal(m, 0)
    return m


def one_drone(window=(0, 1000), **kw):
    return Vehicle(depot=0, profile=0, window=window, **kw)


def test_three_visits_take_the_unique_cheapest_order():
    m = np.array([[0, 5, 9, 9], [9, 0, 2, 9], [9, 9, 0, 3], [4, 9, 9, 0]])
    p = RoutingProblem(1, [Visit(0), Visit(1), Visit(2)], [m], [one_drone()], [None] * 3)
    sol = solve(p, FAST)
    assert sol.routes == [[0, 1, 2]]
    assert sol.objective == 14 == solution_cost(p, sol.routes)
    assert sol.start_times[0][0] - sol.departures[0] == 5
    assert sol.dropped_tasks == [] and sol.status in ("feasible", "optimal")


def test_each_task_is_served_in_its_cheaper_orientation_only():
    # task 0: forward 4 out + 10 home, reverse 6 + 3; task 1: forward 2 + 2, reverse 7 + 7.
    m = star_matrix([4, 6, 2, 7], [10, 3, 2, 7])
    visits = [Visit(0), Visit(0), Visit(1), Visit(1)]
    p = RoutingProblem(1, visits, [m], [one_drone(), one_drone()], [None, None])
    sol = solve(p, FAST)
    served = sorted(i for r in sol.routes for i in r)
    assert served == [1, 2]
    assert sol.objective == solution_cost(p, sol.routes) == 9 + 4


def test_visit_window_delays_service_and_impossible_window_drops_task():
    m = star_matrix([10, 10], [10, 10])
    visits = [Visit(0, window=(50, 60)), Visit(1, window=(0, 5))]  # visit 1 is 10 away: unreachable by 5
    p = RoutingProblem(1, visits, [m], [one_drone()], [1000, 1000])
    sol = solve(p, FAST)
    assert sol.routes == [[0]]
    assert 50 <= sol.start_times[0][0] <= 60
    assert sol.dropped_tasks == [1]
    assert sol.objective == 20 + 1000
    # Takeoff is as late as the window allows, so the drone does not hover waiting for it.
    assert sol.start_times[0][0] - sol.departures[0] == 10


def test_max_span_splits_visits_into_two_sorties_separated_by_recharge():
    m = star_matrix([10, 10], [10, 10], between=np.array([[0, 5], [5, 0]]))
    slots = [one_drone(max_span=24, chain=0, recharge=30), one_drone(max_span=24, chain=0, recharge=30)]
    p = RoutingProblem(1, [Visit(0), Visit(1)], [m], slots, [None, None])
    sol = solve(p, FAST)
    assert all(len(r) == 1 for r in sol.routes)
    assert sol.departures[1] >= sol.arrivals[0] + 30
    for dep, arr in zip(sol.departures, sol.arrivals):
        assert arr - dep <= 24


def test_without_max_span_one_sortie_serves_both_and_later_slot_stays_unused():
    m = star_matrix([10, 10], [10, 10], between=np.array([[0, 5], [5, 0]]))
    slots = [one_drone(chain=0, recharge=30), one_drone(chain=0, recharge=30)]
    p = RoutingProblem(1, [Visit(0), Visit(1)], [m], slots, [None, None])
    sol = solve(p, FAST)
    assert sorted(sol.routes[0]) == [0, 1] and sol.routes[1] == []
    assert sol.objective == 25


def test_chain_uses_its_first_slot_first():
    m = star_matrix([10], [10])
    slots = [one_drone(chain=7), one_drone(chain=7)]
    sol = solve(RoutingProblem(1, [Visit(0)], [m], slots, [None]), FAST)
    assert sol.routes == [[0], []]


def test_sorties_that_do_not_fit_the_drone_window_drop_the_lowest_penalty():
    m = star_matrix([10, 10], [10, 10], between=np.array([[0, 50], [50, 0]]))
    # Each sortie takes 20, recharge 100, drone day 0..130: only one sortie fits.
    slots = [one_drone(window=(0, 130), chain=0, recharge=100, max_span=25)] * 2
    p = RoutingProblem(1, [Visit(0), Visit(1)], [m], slots, [100, 500])
    sol = solve(p, FAST)
    assert sol.dropped_tasks == [0]
    assert [r for r in sol.routes if r] == [[1]]


def test_allowed_vehicles_keep_a_visit_off_the_nearer_hangar():
    m = np.array([[0, 50, 5], [50, 0, 50], [5, 50, 0]])  # depots 0 and 1; the visit is next to depot 0
    vehicles = [Vehicle(depot=0, profile=0, window=(0, 1000)), Vehicle(depot=1, profile=0, window=(0, 1000))]
    p = RoutingProblem(2, [Visit(0, allowed_vehicles=(1,))], [m], vehicles, [None])
    sol = solve(p, FAST)
    assert sol.routes == [[], [0]] and sol.objective == 100


def test_unreachable_arc_is_never_flown():
    big = 10**9
    m = np.array([[0, 1, 100, 100], [100, 0, big, 1], [1, 100, 0, 100], [100, 100, 1, 0]])
    # Cheapest tour would be 0-1-2 ... but 1->2 is forbidden; the detour 1->3->2 is legal.
    p = RoutingProblem(1, [Visit(0), Visit(1), Visit(2)], [m], [one_drone()], [None] * 3)
    sol = solve(p, FAST)
    assert sol.routes == [[0, 2, 1]]
    assert sol.objective == 4


def test_profile_specific_unreachable_arc_moves_the_visit_to_the_other_profile():
    big = 10**9
    fast = star_matrix([5], [5])
    grounded = star_matrix([big], [5])  # e.g. headwind beyond the drone's limit on the way out
    vehicles = [Vehicle(0, 1, (0, 1000)), Vehicle(0, 0, (0, 1000), fixed_cost=7)]
    p = RoutingProblem(1, [Visit(0)], [fast, grounded], vehicles, [None])
    sol = solve(p, FAST)
    assert sol.routes == [[], [0]] and sol.objective == 17


def test_capacity_for_one_serves_the_higher_penalty_task():
    m = star_matrix([10, 10], [10, 10])
    visits = [Visit(0, demand=1), Visit(1, demand=1)]
    p = RoutingProblem(1, visits, [m], [one_drone(capacity=1)], [100, 500])
    sol = solve(p, FAST)
    assert sol.routes == [[1]] and sol.dropped_tasks == [0] and sol.objective == 120


def test_mandatory_task_is_served_even_when_dearer_than_any_penalty():
    m = star_matrix([1000, 1000], [1000, 1000])
    p = RoutingProblem(1, [Visit(0), Visit(1)], [m], [one_drone(window=(0, 10**6))], [None, 10])
    sol = solve(p, FAST)
    assert sol.routes == [[0]] and sol.dropped_tasks == [1] and sol.objective == 2010


def random_problem(n=40, seed=1):
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 1000, size=(n + 1, 2))
    m = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    visits = [Visit(i, demand=int(rng.integers(1, 10))) for i in range(n)]
    fleet = sum(v.demand for v in visits) // 40 + 3
    vehicles = [Vehicle(0, 0, (0, 10**6), capacity=40) for _ in range(fleet)]
    return RoutingProblem(1, visits, [m], vehicles, [None] * n)


def test_same_seed_and_solution_limit_give_the_same_routes():
    p = random_problem()
    params = SolveParams(time_limit_s=20, seed=3, solution_limit=150)
    a, b = solve(p, params), solve(p, params)
    assert a.routes == b.routes and a.objective == b.objective
    other = solve(p, SolveParams(time_limit_s=20, seed=4, solution_limit=150))
    assert other.objective == solution_cost(p, other.routes)


def test_progress_reports_strictly_improving_objectives_ending_at_the_result():
    seen = []
    p = random_problem(seed=2)
    # A deliberately poor start (visits in index order, a new route when full) leaves OR-Tools work to do.
    routes, load = [[]], 0
    for i, visit in enumerate(p.visits):
        if load + visit.demand > 40:
            routes, load = routes + [[]], 0
        routes[-1].append(i)
        load += visit.demand
    sol = solve(p, SolveParams(time_limit_s=5, solution_limit=300, progress=lambda obj, s: seen.append((obj, s))),
                initial_routes=routes)
    objs = [o for o, _ in seen]
    assert len(objs) >= 2
    assert all(a > b for a, b in zip(objs, objs[1:]))
    assert objs[-1] == sol.objective == solution_cost(p, sol.routes)
    assert [o for _, o in sol.history][: len(objs)] == objs


@pytest.mark.slow
def test_stops_at_the_time_limit_with_a_solution():
    p = random_problem(n=120, seed=5)
    t0 = time.monotonic()
    sol = solve(p, SolveParams(time_limit_s=2.0))
    assert time.monotonic() - t0 < 2.0 + 1.0
    assert sol.status == "feasible" and sol.dropped_tasks == []
    assert sol.objective == solution_cost(p, sol.routes)


def test_search_finds_the_brute_force_optimum_over_orders_cuts_and_orientations():
    from itertools import permutations, product

    from planner.routing.search import Search

    rng = np.random.default_rng(7)
    n_tasks = 5
    m = rng.integers(1, 50, size=(2 * n_tasks + 1, 2 * n_tasks + 1))
    np.fill_diagonal(m, 0)
    demand = rng.integers(1, 4, size=n_tasks)
    visits = [Visit(k // 2, demand=int(demand[k // 2])) for k in range(2 * n_tasks)]  # two orientations each
    p = RoutingProblem(1, visits, [m], [Vehicle(0, 0, (0, 10**6), capacity=5)] * 5, [None] * n_tasks)
    best = None
    for order in permutations(range(n_tasks)):
        for cuts in product([0, 1], repeat=n_tasks - 1):
            groups, cur = [], [order[0]]
            for cut, t in zip(cuts, order[1:]):
                if cut:
                    groups.append(cur)
                    cur = []
                cur.append(t)
            groups.append(cur)
            if any(sum(demand[t] for t in g) > 5 for g in groups):
                continue
            total = 0
            for g in groups:  # cheapest orientations of a fixed order: a shortest path over two choices
                reach = {1 + 2 * g[0] + o: int(m[0, 1 + 2 * g[0] + o]) for o in (0, 1)}
                for t in g[1:]:
                    reach = {1 + 2 * t + o: min(c + int(m[x, 1 + 2 * t + o]) for x, c in reach.items()) for o in (0, 1)}
                total += min(c + int(m[x, 0]) for x, c in reach.items())
            best = total if best is None else min(best, total)
    found = Search(p).run(np.random.default_rng(0), 30.0, 300)
    assert found.complete and found.objective == best == solution_cost(p, found.routes)


def test_infeasible_initial_routes_fall_back_to_a_feasible_plan():
    m = star_matrix([10, 10], [10, 10])
    visits = [Visit(0, demand=1), Visit(1, demand=1)]
    vehicles = [one_drone(capacity=1), one_drone(capacity=1)]
    p = RoutingProblem(1, visits, [m], vehicles, [None, None])
    sol = solve(p, FAST, initial_routes=[[0, 1]])  # over capacity: rejected as a start
    assert sorted(map(len, sol.routes)) == [1, 1] and sol.objective == 40


def test_search_routes_respect_the_battery_span_and_capacity():
    from planner.routing.search import Search

    base = random_problem(n=30, seed=9)
    span = 2000  # binding: the capacity-only routes run to 2188; the farthest visit alone needs 1874
    vehicles = [Vehicle(0, 0, (0, 10**6), max_span=span, capacity=40) for _ in range(30)]
    p = RoutingProblem(1, base.visits, base.time_matrices, vehicles, base.task_penalties)
    found = Search(p).run(np.random.default_rng(1), 30.0, 300)
    m = p.time_matrices[0]
    assert found.complete and sorted(i for r in found.routes for i in r) == list(range(30))
    for r in found.routes:
        nodes = [0] + [1 + i for i in r] + [0]
        assert sum(int(m[a, b]) for a, b in zip(nodes, nodes[1:])) <= span
        assert sum(p.visits[i].demand for i in r) <= 40
    sol = solve(p, SolveParams(time_limit_s=3, solution_limit=50), initial_routes=found.routes)
    assert sol.dropped_tasks == [] and sol.objective <= found.objective == solution_cost(p, found.routes)


def test_energy_capacity_splits_visits_that_time_alone_would_join():
    # Time allows one sortie for both (10 + 5 + 10 = 25 <= 40) but energy (4 per time unit) does not.
    m = star_matrix([10, 10], [10, 10], between=np.array([[0, 5], [5, 0]]))
    energy = m * 4
    slots = [one_drone(chain=0, recharge=30, energy_capacity=90), one_drone(chain=0, recharge=30, energy_capacity=90)]
    p = RoutingProblem(1, [Visit(0), Visit(1)], [m], slots, [None, None], energy_matrices=[energy])
    sol = solve(p, FAST)
    assert sorted(len(r) for r in sol.routes) == [1, 1]
    assert sol.departures[1] >= sol.arrivals[0] + 30


def test_waiting_in_the_air_costs_idle_energy():
    # The window opens at 50; flying out takes 10, so a takeoff at 0 would hover 40 time units. The route's own
    # energy is 20 + 20; with an idle rate of 3 a 40-unit hover (120) would break the 100 capacity, so the
    # solver must take off late, and cannot serve the second visit whose window forces a long hover.
    m = star_matrix([10, 10], [10, 10], between=np.array([[0, 30], [30, 0]]))
    energy = m * 2
    visits = [Visit(0, window=(50, 60)), Visit(1, window=(200, 210))]
    slot = one_drone(window=(0, 300), energy_capacity=100, idle_energy_rate=3)
    p = RoutingProblem(1, visits, [m], [slot], [1000, 1000], energy_matrices=[energy])
    sol = solve(p, FAST)
    assert sol.routes in ([[0]], [[1]])
    served = sol.routes[0][0]
    wait = sol.start_times[0][0] - sol.departures[0] - 10
    assert 0 <= wait and 40 + 3 * wait <= 100
    assert sol.dropped_tasks == [1 - served]


def test_energy_matrices_must_match_profiles():
    m = star_matrix([10], [10])
    p = RoutingProblem(1, [Visit(0)], [m], [one_drone(energy_capacity=5)], [None])
    with pytest.raises(ValueError, match="energy_matrices"):
        solve(p, FAST)


@pytest.mark.parametrize("change, message", [
    (dict(visits=[Visit(0, window=(50, 10)), Visit(1)]), r"visits\[0\]\.window \(50, 10\) is empty"),
    (dict(vehicles=[]), r"vehicles is empty"),
    (dict(task_penalties=[None, -5]), r"task_penalties\[1\]=-5 is negative"),
    (dict(visits=[Visit(0), Visit(0)]), r"task 1 \(task_penalties\[1\]\) has no visit"),
    (dict(time_matrices=[np.full((3, 3), 7.5)]), r"matrix 0 has fractional entries"),
    (dict(time_matrices=[np.where(np.eye(3) == 1, 0.0, np.nan)]), r"matrix 0 has entries that are not finite"),
])
def test_malformed_problems_are_refused_naming_the_field(change, message):
    """An integrator's slip gets a ValueError naming the field, never a crash inside OR-Tools ("CP Solver fail"
    for an empty window), a cryptic one (max() of an empty list), or a silent change (fractional costs truncated,
    a negative penalty rewarding a task left out, a task without a visit whose penalty went uncounted)."""
    fields = dict(num_depots=1, visits=[Visit(0), Visit(1)], time_matrices=[star_matrix([10, 10], [10, 10])],
                  vehicles=[one_drone()], task_penalties=[None, 5])
    with pytest.raises(ValueError, match=message):
        solve(RoutingProblem(**{**fields, **change}), FAST)
    whole = np.full((3, 3), 7.0)  # a float matrix of whole numbers is fine
    np.fill_diagonal(whole, 0.0)
    assert solve(RoutingProblem(**{**fields, "time_matrices": [whole]}), FAST).routes[0] != []


def test_a_solve_leaves_no_or_tools_model_behind():
    # OR-Tools keeps the at-solution callback alive; one holding the model was a cycle through C++ that Python's
    # collector cannot see, so every solve leaked its whole model (benchmarks/repeated.py measures the memory).
    from ortools.constraint_solver import pywrapcp

    def models() -> int:
        gc.collect()
        return sum(isinstance(o, pywrapcp.RoutingModel) for o in gc.get_objects())

    before = models()
    sol = solve(random_problem(), FAST)
    assert sol.status in ("feasible", "optimal") and models() == before
