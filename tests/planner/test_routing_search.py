"""The core's search on full problems (depots, profiles, chains, windows, energy with idle), its schedules and
its status; every solution is re-checked here from the matrices alone, independently of planner.routing.rules.
"""
import logging

import numpy as np
import pytest

from planner.routing.problem import RoutingProblem, SolveParams, SolveStatus, Vehicle, Visit
from planner.routing.solver import solution_cost, solve

FAST = SolveParams(time_limit_s=5.0, solution_limit=100)


def drone_day(seed: int, n_tasks: int = 24, chain_route_limits=None) -> RoutingProblem:
    """Two hangars, two speed profiles, three drones of three chained sorties each; some visit windows,
    some tasks in two orientations, some kept off one hangar; energy with an idle rate; optional tasks."""
    rng = np.random.default_rng(seed)
    hangars = np.array([[0, 0], [3000, 500]])
    visits, points = [], []
    for t in range(n_tasks):
        xy = rng.uniform(-1500, 4500, size=2)
        window = None
        if t % 5 == 0:
            lo = int(rng.integers(0, 4000))
            window = (lo, lo + 300)
        allowed = (0, 1, 2, 3, 4, 5) if t % 7 else (6, 7, 8)  # vehicles 6..8: the second hangar's drone
        visits.append(Visit(t, window=window, allowed_vehicles=allowed))
        points.append(xy)
        if t % 4 == 1:  # a line leg: the other orientation starts elsewhere
            visits.append(Visit(t, window=window, allowed_vehicles=allowed))
            points.append(xy + rng.uniform(-300, 300, size=2))
    xy = np.vstack([hangars, np.array(points)])
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    service = np.r_[0, 0, rng.integers(20, 120, size=len(points))]
    slow = np.ceil(dist / 10 + service[:, None]).astype(np.int64)
    fast = np.ceil(dist / 14 + service[:, None]).astype(np.int64)
    energy = [3 * slow, 3 * fast]
    vehicles = []
    for drone, (depot, profile) in enumerate([(0, 0), (0, 1), (1, 0)]):
        for _ in range(3):
            vehicles.append(Vehicle(depot=depot, profile=profile, window=(0, 6000), max_span=1500, chain=drone,
                                    recharge=400, fixed_cost=100, energy_capacity=3600, idle_energy_rate=2))
    penalties = [int(rng.integers(300, 3000)) for _ in range(n_tasks)]
    return RoutingProblem(2, visits, [slow, fast], vehicles, penalties, energy_matrices=energy,
                          chain_route_limits=chain_route_limits)


def check_solution(p: RoutingProblem, sol) -> None:
    """Every rule of the problem, recomputed from its matrices and the solution's own times."""
    nd = p.num_depots
    served = [p.visits[i].task for r in sol.routes for i in r]
    assert len(served) == len(set(served)), "a task served twice"
    assert sorted(set(range(p.num_tasks)) - set(served)) == sorted(sol.dropped_tasks)
    assert all(p.task_penalties[t] is not None for t in sol.dropped_tasks)
    by_chain: dict[int, list[int]] = {}
    for v, (veh, route) in enumerate(zip(p.vehicles, sol.routes)):
        if not route:
            continue
        T = p.time_matrices[veh.profile]
        E = p.energy_matrices[veh.profile] if p.energy_matrices is not None else None
        assert all(p.visits[i].allowed_vehicles is None or v in p.visits[i].allowed_vehicles for i in route)
        t, prev, energy = sol.departures[v], veh.depot, 0
        rate = veh.idle_energy_rate
        assert veh.window[0] <= t
        for i, start in zip(route, sol.start_times[v]):
            node = nd + i
            wait = start - (t + int(T[prev, node]))
            assert wait >= 0, "service before arrival"
            window = p.visits[i].window
            assert window is None or window[0] <= start <= window[1]
            if E is not None:
                energy += int(E[prev, node]) + rate * wait
            allowed = p.visits[i].allowed_vehicles or range(len(p.vehicles))
            rate = max(p.vehicles[a].idle_energy_rate for a in allowed)
            t, prev = start, node
        landing = t + int(T[prev, veh.depot])
        assert sol.arrivals[v] == landing <= veh.window[1]
        if veh.max_span is not None:
            assert landing - sol.departures[v] <= veh.max_span
        if E is not None and veh.energy_capacity is not None:
            assert energy + int(E[prev, veh.depot]) <= veh.energy_capacity
        if veh.chain is not None:
            by_chain.setdefault(veh.chain, []).append(v)
    for chain, members in by_chain.items():
        for a, b in zip(members, members[1:]):
            assert sol.departures[b] >= sol.arrivals[a] + p.vehicles[a].recharge
        assert len(members) <= (p.chain_route_limits or {}).get(chain, len(members)), "a chain over its route limit"
    assert sol.objective == solution_cost(p, sol.routes)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_full_problem_plans_keep_every_rule_and_or_tools_accepts_the_search(seed, caplog):
    p = drone_day(seed)
    with caplog.at_level(logging.WARNING, logger="planner.routing.solver"):
        sol = solve(p, SolveParams(time_limit_s=10.0, seed=seed, solution_limit=100))
    assert not [r for r in caplog.records if "rejected" in r.getMessage() or "break" in r.getMessage()]
    assert sol.status is SolveStatus.FEASIBLE
    check_solution(p, sol)
    assert len(sol.dropped_tasks) < p.num_tasks // 2  # the day has room for most of the work


def test_search_alone_keeps_every_rule_of_the_full_problem():
    from planner.routing.rules import Rules
    from planner.routing.search import Search

    p = drone_day(4, n_tasks=30)
    found = Search(p).run(np.random.default_rng(4), 30.0, 400)
    nd = p.num_depots
    assert found.complete and found.objective == solution_cost(p, found.routes)
    assert Rules(p).check([[nd + i for i in r] for r in found.routes]) is None


def test_compiled_moves_keep_the_bookkeeping_of_chains_windows_and_energy_through_undo():
    """Every iteration, accepted or undone, leaves the state's sums, places, chain readiness and objective equal
    to those recomputed from the routes by planner.routing.rules."""
    from planner.routing import kernel
    from planner.routing.rules import BIG, Rules
    from planner.routing.search import Search

    p = drone_day(6, n_tasks=30)
    search, rules = Search(p), Rules(p)
    state, work = search.begin(seed=6)
    objectives = {int(state.objective[0])}
    for _ in range(150):
        kernel.anneal(search.data, state, work, 1, 0.0, 0.0, 300.0, 300.0)
        routes = [[int(x) for x in state.routes[v, :state.length[v]]] for v in range(search.nv)]
        assert rules.check(routes) is None
        sums = [rules.arc_sums(v, r) for v, r in enumerate(routes)]
        assert state.cost.tolist() == [x[0] for x in sums] and state.time.tolist() == [x[1] for x in sums]
        assert state.energy.tolist() == [x[2] for x in sums]
        served = {int(rules.task_of[x]): v for v, r in enumerate(routes) for x in r}
        assert state.where.tolist() == [served.get(t, -1) for t in range(p.num_tasks)]
        dropped = sum(p.task_penalties[t] for t in range(p.num_tasks) if t not in served)
        assert state.objective[0] == solution_cost(p, [[x - 2 for x in r] for r in routes]) == \
            sum(c + p.vehicles[v].fixed_cost for v, c in enumerate(state.cost) if routes[v]) + dropped
        schedule = rules.schedule(routes)
        for members in rules.chains:  # each trip may leave once the one before has landed and recharged
            ready = -BIG
            for v in members:
                assert state.ready[v] == ready
                if routes[v]:
                    ready = schedule[v].arrival + p.vehicles[v].recharge
        objectives.add(int(state.objective[0]))
    assert len(objectives) > 10
    assert work.best_objective[0] == min(objectives)


def _routes_matching_the_rules(p: RoutingProblem, rules, state) -> list[list[int]]:
    """The state's routes (nodes per vehicle), once its rules, costs, task places and objective are checked
    against planner.routing.rules and the matrices."""
    routes = [[int(x) for x in state.routes[v, :state.length[v]]] for v in range(len(p.vehicles))]
    assert rules.check(routes) is None
    assert state.cost.tolist() == [rules.arc_sums(v, r)[0] for v, r in enumerate(routes)]
    served = {int(rules.task_of[x]): v for v, r in enumerate(routes) for x in r}
    assert state.where.tolist() == [served.get(t, -1) for t in range(p.num_tasks)]
    assert state.objective[0] == solution_cost(p, [[x - p.num_depots for x in r] for r in routes])
    return routes


def test_whole_route_shifts_keep_the_bookkeeping_through_undo():
    """Every iteration first carries a whole route to another vehicle (another hangar, profile or drone): the
    state stays equal to what planner.routing.rules recomputes, accepted or undone, and routes do move."""
    from planner.routing import kernel
    from planner.routing.rules import Rules
    from planner.routing.search import Search

    p = drone_day(7, n_tasks=30)
    search, rules = Search(p), Rules(p)
    data = search.data._replace(shift_rate=1.0)
    state, work = search.begin(seed=7)
    homes: dict[tuple[int, ...], set[int]] = {}
    for _ in range(150):
        kernel.anneal(data, state, work, 1, 0.0, 0.0, 300.0, 300.0)
        routes = _routes_matching_the_rules(p, rules, state)
        for v, r in enumerate(routes):
            if r:
                homes.setdefault(tuple(r), set()).add(v)
    assert any(len(vehicles) > 1 for vehicles in homes.values())  # the same route flown by another vehicle


def test_the_race_goes_on_with_its_best_chain(monkeypatch):
    """Chain 0 of a race is the lone search with the same random numbers and its share of the work: the race ends
    no worse than it, spends exactly the work it was given, and its history only falls."""
    from planner.routing.search import Search

    p = drone_day(6, n_tasks=40)
    monkeypatch.setattr(Search, "MAX_CHAINS", 1)
    alone = Search(p).run(np.random.default_rng(3), 60.0, 300)
    monkeypatch.setattr(Search, "MIN_CHAINS", 4)
    monkeypatch.setattr(Search, "MAX_CHAINS", 4)
    monkeypatch.setattr(Search, "RACE_SHARE", 1.0)  # all the work in the race: each chain does 300 iterations
    raced = Search(p).run(np.random.default_rng(3), 60.0, 1200)
    assert raced.iterations == 1200 and raced.complete
    assert raced.objective <= alone.objective and raced.objective == solution_cost(p, raced.routes)
    values = [v for _, v in raced.history]
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values)
    assert raced.history[-1][1] == raced.objective


def _two_hangars_three_stops(stops: list[list[int]]) -> tuple[RoutingProblem, np.ndarray]:
    """Hangars at (0, 0) and (5000, 0), one drone each, and three stops: the problem and its distance matrix."""
    xy = np.array([[0, 0], [5000, 0], *stops], dtype=float)
    dist = np.ceil(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    vehicles = [Vehicle(depot=0, profile=0, window=(0, 100_000)), Vehicle(depot=1, profile=0, window=(0, 100_000))]
    return RoutingProblem(2, [Visit(0), Visit(1), Visit(2)], [dist], vehicles, [10**6] * 3), dist


def test_a_route_flown_from_the_far_hangar_shifts_whole_to_the_near_one():
    """Three stops beside hangar 1 flown by hangar 0's drone: one shift carries the route to hangar 1's drone
    and the objective falls by exactly the two hangars' difference in out-and-back legs."""
    from planner.routing import kernel
    from planner.routing.search import Search

    p, dist = _two_hangars_three_stops([[5100, 100], [5200, 0], [5100, -100]])
    search = Search(p)
    state, work = search.begin(seed=1, start=[[0, 1, 2], []])
    before = int(state.objective[0])
    assert kernel._shift_route(search.data, state, work)
    assert state.length.tolist() == [0, 3] and state.routes[1, :3].tolist() == [2, 3, 4]
    assert state.where.tolist() == [1, 1, 1]
    shift = dist[0, 2] + dist[4, 0] - dist[1, 2] - dist[4, 1]
    assert before - int(state.objective[0]) == shift > 9000


def test_same_seed_and_solution_limit_give_the_same_full_plan():
    p = drone_day(5)
    a, b = solve(p, FAST), solve(p, FAST)
    assert a.routes == b.routes and a.departures == b.departures and a.objective == b.objective


def test_sorties_take_off_at_the_start_of_the_window_and_chain_with_recharge():
    m = np.array([[0, 100, 100], [100, 0, 100], [100, 100, 0]])
    slots = [Vehicle(0, 0, (500, 5000), max_span=250, chain=0, recharge=60)] * 2
    p = RoutingProblem(1, [Visit(0), Visit(1)], [m], slots, [None, None])
    sol = solve(p, FAST)
    assert [len(r) for r in sol.routes] == [1, 1]
    assert sol.departures == [500, 760]  # first at the window's start; second after landing (700) + recharge
    assert sol.arrivals == [700, 960] and sol.start_times == [[600], [860]]


def test_takeoff_waits_on_the_ground_for_a_window_not_in_the_air():
    m = np.array([[0, 100, 300], [100, 0, 50], [100, 50, 0]])  # visit 0 first is cheaper
    # Visit 0 any time, visit 1 from 2000: leaving at 0 would hover 1850 before visit 1.
    p = RoutingProblem(1, [Visit(0), Visit(1, window=(2000, 2100))], [m],
                       [Vehicle(0, 0, (0, 5000))], [None, None])
    sol = solve(p, FAST)
    assert sol.routes == [[0, 1]]
    assert sol.departures == [1850] and sol.start_times == [[1950, 2000]] and sol.arrivals == [2100]


def test_a_mandatory_task_no_vehicle_can_fly_is_proven_infeasible():
    m = np.array([[0, 10, 10**9], [10, 0, 10**9], [10**9, 10**9, 0]])
    p = RoutingProblem(1, [Visit(0), Visit(1)], [m], [Vehicle(0, 0, (0, 1000))], [None, None])
    sol = solve(p, FAST)
    assert sol.status is SolveStatus.INFEASIBLE and sol.routes == [[]]
    assert sol.status.value == "infeasible"


def test_no_solution_found_is_not_called_infeasible():
    # Each mandatory task fits the vehicle alone; together they break its capacity, which neither the search
    # nor OR-Tools' first-solution heuristics can repair: nothing is proven, so the status says no solution
    # was found in time rather than that none exists.
    m = np.array([[0, 10, 10], [10, 0, 10], [10, 10, 0]])
    p = RoutingProblem(1, [Visit(0, demand=1), Visit(1, demand=1)], [m], [Vehicle(0, 0, (0, 1000), capacity=1)],
                       [None, None])
    sol = solve(p, SolveParams(time_limit_s=1.0, solution_limit=10))
    assert sol.status is SolveStatus.TIME_LIMIT
    assert sol.dropped_tasks == [0, 1] and sol.routes == [[]]
    assert sol.status.value == "no solution within the time limit"


def test_or_tools_accepts_a_route_that_departs_late_to_wait_at_the_depot(caplog):
    # Visit 0 any time, visit 1 in (500, 510); the route's arcs use 300 energy of 400, and each time unit of
    # waiting on the way costs 5: departing at 0 would wait 300 (1,500 energy). Only a late departure fits.
    m = np.array([[0, 100, 300], [100, 0, 100], [100, 100, 0]])
    p = RoutingProblem(1, [Visit(0), Visit(1, window=(500, 510))], [m],
                       [Vehicle(0, 0, (0, 1000), energy_capacity=400, idle_energy_rate=5)], [1000, 1000],
                       energy_matrices=[m])
    with caplog.at_level(logging.WARNING, logger="planner.routing.solver"):
        sol = solve(p, FAST)
    assert not [r for r in caplog.records if "rejected" in r.getMessage()]
    assert sol.routes == [[0, 1]] and sol.departures == [300] and sol.start_times == [[400, 500]]
    check_solution(p, sol)


def test_a_depot_without_vehicles_is_no_stop_for_or_tools(caplog):
    """Depot 0 has no vehicle (an integrator's hangar whose drones are all away): OR-Tools used to take its node for a
    mandatory stop, rejected the search's routes and fell back to its own; it keeps them, and the plan is the
    one route from depot 1."""
    m = np.array([[0, 50, 400, 400], [50, 0, 100, 100], [400, 100, 0, 60], [400, 100, 60, 0]])
    p = RoutingProblem(2, [Visit(0), Visit(1)], [m], [Vehicle(1, 0, (0, 1000))], [None, None])
    with caplog.at_level(logging.WARNING, logger="planner.routing.solver"):
        sol = solve(p, FAST)
    assert not [r for r in caplog.records if "rejected" in r.getMessage()]
    assert sol.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL) and sorted(sol.routes[0]) == [0, 1]
    assert sol.objective == solution_cost(p, sol.routes) == 260
    check_solution(p, sol)


def test_a_mandatory_task_only_a_drone_through_its_sorties_could_fly_is_proven_impossible():
    """The one drone that could fly task 0 may fly no more sorties (chain limit 0): INFEASIBLE, a proof, not "no
    solution within the time limit" with the advice to give more time."""
    m = np.array([[0, 100, 100], [100, 0, 50], [100, 50, 0]])
    vehicles = [Vehicle(0, 0, (0, 1000), chain=0), Vehicle(0, 0, (0, 1000), chain=1)]
    visits = [Visit(0, allowed_vehicles=(0,)), Visit(1)]
    for limit in (0, 1):
        p = RoutingProblem(1, visits, [m], vehicles, [None, 500], chain_route_limits={0: limit, 1: 1})
        sol = solve(p, FAST)
        if limit:
            assert sol.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
            assert 0 in sol.routes[0] and sol.dropped_tasks == []
        else:
            assert sol.status is SolveStatus.INFEASIBLE


def test_a_window_that_opens_after_every_vehicle_is_home_leaves_the_other_orientation():
    """Task 0's second orientation opens at 301, after the day (0-300) ends: OR-Tools used to fail building its
    model (CP Solver fail); the task is flown the other way, and a task with no other way is proven impossible."""
    m = np.array([[0, 50, 50], [50, 0, 10], [50, 10, 0]])
    vehicles = [Vehicle(0, 0, (0, 300))]
    sol = solve(RoutingProblem(1, [Visit(0), Visit(0, window=(301, 400))], [m], vehicles, [None]), FAST)
    assert sol.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) and sol.routes == [[0]]
    late_only = RoutingProblem(1, [Visit(0, window=(301, 400))], [m[:2, :2]], vehicles, [None])
    assert solve(late_only, FAST).status is SolveStatus.INFEASIBLE


def no_time(monkeypatch) -> None:
    """OR-Tools gets a nanosecond: it cannot restore any route (a millisecond was enough at times)."""
    import planner.routing.solver as solver

    original = solver._search_parameters

    def one_nanosecond(params, left_s):
        sp = original(params, left_s)
        sp.time_limit.seconds, sp.time_limit.nanos = 0, 1
        return sp

    monkeypatch.setattr(solver, "_search_parameters", one_nanosecond)


def test_routes_of_the_search_are_kept_when_or_tools_has_no_time_left(monkeypatch, caplog):
    no_time(monkeypatch)
    p = drone_day(6)
    with caplog.at_level(logging.INFO, logger="planner.routing.solver"):
        sol = solve(p, FAST)
    assert any("keeping them" in r.getMessage() for r in caplog.records)
    assert sol.status is SolveStatus.FEASIBLE and len(sol.dropped_tasks) < p.num_tasks // 2
    check_solution(p, sol)


def test_a_limit_reported_as_a_plain_failure_still_keeps_the_search_routes(monkeypatch, caplog):
    # The time runs out and OR-Tools calls it ROUTING_FAIL, as it did after other solves in one process:
    # the search's routes stand, no false "OR-Tools rejected the search's routes" warning and no empty plan.
    import planner.routing.solver as solver

    status_name = solver._status_name
    no_time(monkeypatch)
    monkeypatch.setattr(solver, "_status_name", lambda routing: {"ROUTING_FAIL_TIMEOUT": "ROUTING_FAIL"}.get(
        status_name(routing), status_name(routing)))
    p = drone_day(6)
    with caplog.at_level(logging.INFO, logger="planner.routing.solver"):
        sol = solve(p, FAST)
    assert any("keeping them" in r.getMessage() for r in caplog.records)
    assert not any("rejected" in r.getMessage() for r in caplog.records)
    assert sol.status is SolveStatus.FEASIBLE and len(sol.dropped_tasks) < p.num_tasks // 2
    check_solution(p, sol)


# --- chain route limits: a drone's sortie budget over slots in several windows -------------------------------------
def two_windows(limit: int | None, penalties=(500, 900)) -> RoutingProblem:
    """One drone, one slot 0-1000 and one 2000-3000 (limit: most of them that may fly); task 0 only the first
    window reaches (visit window 100-200), task 1 only the second (2100-2200)."""
    m = np.array([[0, 50, 50], [50, 0, 50], [50, 50, 0]])
    slots = [Vehicle(0, 0, (0, 1000), chain=0, recharge=60), Vehicle(0, 0, (2000, 3000), chain=0, recharge=60)]
    visits = [Visit(0, window=(100, 200)), Visit(1, window=(2100, 2200))]
    return RoutingProblem(1, visits, [m], slots, list(penalties),
                          chain_route_limits=None if limit is None else {0: limit})


def test_a_chain_limited_to_one_route_flies_it_in_the_window_that_serves_the_dearer_task(caplog):
    # Without a limit both slots fly; with one, only the second window's task (penalty 900 > 500) is worth it.
    free = solve(two_windows(None), FAST)
    assert free.routes == [[0], [1]] and free.dropped_tasks == []
    p = two_windows(1)
    with caplog.at_level(logging.WARNING, logger="planner.routing.solver"):
        sol = solve(p, FAST)
    assert not [r for r in caplog.records if "rejected" in r.getMessage() or "break" in r.getMessage()]
    assert sol.routes == [[], [1]] and sol.dropped_tasks == [0]
    assert sol.departures[1] == 2050 and sol.start_times[1] == [2100]
    check_solution(p, sol)
    # The cheaper task wins the one route when it is the dearer one to leave out.
    sol = solve(two_windows(1, penalties=(900, 500)), FAST)
    assert sol.routes == [[0], []] and sol.dropped_tasks == [1]
    # A limit of 0 grounds the drone.
    sol = solve(two_windows(0), FAST)
    assert sol.routes == [[], []] and sol.dropped_tasks == [0, 1]


def test_rules_refuse_a_route_set_over_a_chains_limit_and_the_search_keeps_it():
    from planner.routing.rules import Rules
    from planner.routing.search import Search

    p = two_windows(1)
    rules = Rules(p)
    assert rules.chain_limit == [1]
    assert rules.check([[1], [2]]) == "chain 0 flies 2 routes, more than its limit of 1"
    assert rules.check([[], [2]]) is None
    assert Rules(two_windows(None)).check([[1], [2]]) is None
    # Started from routes over the limit, the search constructs its own and keeps the limit.
    found = Search(p).run(np.random.default_rng(0), 5.0, 50, start=[[0], [1]])
    assert found.routes == [[], [1]] and found.objective == solution_cost(p, found.routes)
    day = drone_day(4, n_tasks=30, chain_route_limits={0: 1, 1: 2, 2: 1})
    found = Search(day).run(np.random.default_rng(4), 30.0, 400)
    assert [sum(1 for r in found.routes[3 * c:3 * c + 3] if r) for c in range(3)] == [1, 2, 1]
    assert Rules(day).check([[2 + i for i in r] for r in found.routes]) is None


def test_or_tools_alone_keeps_a_chains_limit(monkeypatch):
    import planner.routing.solver as solver
    from planner.routing.search import SearchResult

    # The search finds nothing: OR-Tools' own first solution and descent must hold the limit.
    monkeypatch.setattr(solver.Search, "run", lambda self, *a, **k: SearchResult([], 0, False, 0))
    p = two_windows(1)
    sol = solve(p, FAST)
    assert sol.routes == [[], [1]] and sol.dropped_tasks == [0]
    check_solution(p, sol)
    # Only the limit is checked here: OR-Tools alone on drone_day can report times whose idle energy breaks a
    # battery (drone_day(7) with these limits, drone_day(30) without any), a weakness of that path of its own.
    for seed in (7, 8):
        sol = solve(drone_day(seed, chain_route_limits={0: 1, 1: 1, 2: 2}), FAST)
        used = [sum(1 for v in range(3 * c, 3 * c + 3) if sol.routes[v]) for c in range(3)]
        assert used[0] == 1 and used[1] == 1 and used[2] == 2, used  # the day has work for every route allowed


@pytest.mark.parametrize("seed", [1, 2])
def test_or_tools_accepts_the_searchs_routes_under_chain_limits(seed, caplog):
    p = drone_day(seed, chain_route_limits={0: 1, 1: 2, 2: 1})
    with caplog.at_level(logging.WARNING, logger="planner.routing.solver"):
        sol = solve(p, SolveParams(time_limit_s=10.0, seed=seed, solution_limit=100))
    assert not [r for r in caplog.records if "rejected" in r.getMessage() or "break" in r.getMessage()]
    assert sol.status is SolveStatus.FEASIBLE
    check_solution(p, sol)
    used = [sum(1 for v in range(3 * c, 3 * c + 3) if sol.routes[v]) for c in range(3)]
    assert used[0] <= 1 and used[1] <= 2 and used[2] <= 1


def test_chain_route_limits_must_name_a_chain_and_be_at_least_zero():
    base = two_windows(1)
    for limits, message in (({5: 1}, "chain_route_limits has chain 5, which no vehicle belongs to"),
                            ({0: -1}, r"chain_route_limits\[0\]=-1 is negative")):
        p = RoutingProblem(1, base.visits, base.time_matrices, base.vehicles, base.task_penalties,
                           chain_route_limits=limits)
        with pytest.raises(ValueError, match=message):
            solve(p, FAST)


def test_a_blink_skips_an_insertion_place_so_a_task_may_open_a_new_route():
    """Recreate skips each place in a flying route with the blink rate (SISR's blinks): at rate 0 three stops
    beside the hangar share one route; at rate 1 no place in a flying route is ever tried, so each opens its own."""
    from planner.routing.search import Search

    xy = np.array([[0, 0], [100, 0], [100, 100], [0, 100]], dtype=float)
    dist = np.ceil(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    vehicles = [Vehicle(depot=0, profile=0, window=(0, 100_000), fixed_cost=10) for _ in range(3)]
    p = RoutingProblem(1, [Visit(0), Visit(1), Visit(2)], [dist], vehicles, [10**6] * 3)
    for rate, lengths in ((0.0, [3]), (1.0, [1, 1, 1])):
        search = Search(p)
        search.data = search.data._replace(blink=rate)
        state, _ = search.begin(seed=1)
        assert sorted(n for n in state.length.tolist() if n) == lengths


def test_closing_a_depot_moves_its_routes_to_another_and_recreate_may_not_reopen_it():
    """Three stops between two hangars flown from hangar 0: closing hangar 0 empties its route and recreate puts
    all three on hangar 1's drone, though hangar 0's is cheaper for each; the next iteration may open it again."""
    from planner.routing import kernel
    from planner.routing.search import Search

    p, _ = _two_hangars_three_stops([[2300, 0], [2400, 100], [2400, -100]])
    search = Search(p)
    state, work = search.begin(seed=1, start=[[0, 1, 2], []])
    kernel._close_depot(search.data, state, work)
    assert state.length.tolist() == [0, 0] and work.counters[kernel.CLOSED] == 0
    kernel._recreate(search.data, state, work)
    assert state.length.tolist() == [0, 3] and state.where.tolist() == [1, 1, 1]
    assert state.objective[0] == solution_cost(p, [[], [int(x) - 2 for x in state.routes[1, :3]]])


def test_depot_closures_keep_the_bookkeeping_through_undo():
    """Every iteration empties a whole depot: the state stays equal to what planner.routing.rules recomputes,
    accepted or undone, and some accepted closure leaves a depot that flew with no route."""
    from planner.routing import kernel
    from planner.routing.rules import Rules
    from planner.routing.search import Search

    p = drone_day(8, n_tasks=30)
    search, rules = Search(p), Rules(p)
    data = search.data._replace(close_rate=1.0)
    state, work = search.begin(seed=8)
    depots_flying = set()
    for _ in range(100):
        kernel.anneal(data, state, work, 1, 0.0, 0.0, 3000.0, 3000.0)
        assert work.counters[kernel.CLOSED] == -1
        routes = _routes_matching_the_rules(p, rules, state)
        depots_flying.add(frozenset(p.vehicles[v].depot for v, r in enumerate(routes) if r))
    assert {0, 1} in depots_flying and any(len(d) == 1 for d in depots_flying)


def _two_clusters() -> tuple[RoutingProblem, list[list[int]], list[list[int]]]:
    """One hangar, two drones alike, two clusters of three stops; solutions A and B each fly one cluster well
    (in order around it) and the other badly (zig-zag): visit indices per vehicle."""
    xy = np.array([[0, 0], [1000, 0], [1100, 300], [1000, 600], [-1000, 0], [-1100, 300], [-1000, 600]], dtype=float)
    dist = np.ceil(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    vehicles = [Vehicle(depot=0, profile=0, window=(0, 100_000), fixed_cost=50) for _ in range(2)]
    p = RoutingProblem(1, [Visit(t) for t in range(6)], [dist], vehicles, [10**6] * 6)
    a = [[0, 1, 2], [4, 3, 5]]
    b = [[1, 0, 2], [3, 4, 5]]
    return p, a, b


def test_recombination_takes_each_solutions_better_route():
    """A pool holding two solutions that each fly one cluster well: the mix flies both well, its objective is
    the matrices' cost of its routes, and it beats both."""
    from planner.routing.recombine import RoutePool
    from planner.routing.search import Search

    p, a, b = _two_clusters()
    search = Search(p)
    pool = RoutePool(search.r, search.kind, search.penalty, search.mandatory)
    for routes in (a, b):
        state, _ = search.begin(seed=1, start=routes)
        pool.add(state.routes, state.length)
    assert len(pool.columns) == 4
    nodes_a = [[x + 1 for x in r] for r in a]
    mixed = pool.best_mix(nodes_a, seed=1, work=1.0)
    assert mixed is not None
    routes, value = mixed
    assert sorted(routes) == sorted([[1, 2, 3], [4, 5, 6]])
    visits = [[x - 1 for x in r] for r in routes]
    assert value == solution_cost(p, visits) < min(solution_cost(p, a), solution_cost(p, b))
    assert pool.best_mix(routes, seed=1, work=1.0) is None  # nothing beats the mix itself


def test_a_full_pool_still_takes_the_incumbent(monkeypatch):
    """Past MOST_COLUMNS the pool takes no routes met on the way, but always the incumbent's: the mix is hinted
    with it (a route a full pool had refused made that hint fail), and mixes the pooled routes."""
    from planner.routing import recombine
    from planner.routing.search import Search

    monkeypatch.setattr(recombine, "MOST_COLUMNS", 2)
    p, a, b = _two_clusters()
    search = Search(p)
    pool = recombine.RoutePool(search.r, search.kind, search.penalty, search.mandatory)
    state_a, _ = search.begin(seed=1, start=a)
    state_b, _ = search.begin(seed=1, start=b)
    pool.add(state_a.routes, state_a.length)
    pool.add(state_b.routes, state_b.length)  # refused: the pool is full
    assert len(pool.columns) == 2
    pool.add(state_b.routes, state_b.length, always=True)
    assert len(pool.columns) == 4
    nodes_b = [[x + 1 for x in r] for r in b]
    mixed = pool.best_mix(nodes_b, seed=1, work=1.0)
    assert mixed is not None and sorted(mixed[0]) == [[1, 2, 3], [4, 5, 6]]

    monkeypatch.setattr(recombine, "MOST_COLUMNS", 0)  # the search's own recombinations on a pool that is full
    sol = solve(drone_day(8, n_tasks=30), FAST)
    assert sol.status == SolveStatus.FEASIBLE and sol.dropped_tasks == []


def test_recombination_flies_another_drones_route_and_keeps_the_chains_rules():
    """Routes pooled from drone 1's sorties may go to drone 0 (same hangar and model); a chain's routes are
    flown in turn with the recharge, and a mix whose sorties cannot all fit a drone's day is refused."""
    from planner.routing.recombine import RoutePool
    from planner.routing.rules import Rules
    from planner.routing.search import Search

    xy = np.array([[0, 0], [1000, 0], [-1000, 0], [0, 1000]], dtype=float)
    dist = np.ceil(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    for day_end, flies in ((10_000, True), (2_500, False)):
        vehicles = [Vehicle(depot=0, profile=0, window=(0, day_end), chain=drone, recharge=500, fixed_cost=10)
                    for drone in (0, 1) for _ in range(2)]
        p = RoutingProblem(1, [Visit(0), Visit(1), Visit(2)], [dist], vehicles, [10**6] * 3,
                           chain_route_limits={0: 2, 1: 2})
        search, rules = Search(p), Rules(p)
        pool = RoutePool(rules, search.kind, search.penalty, search.mandatory)
        assert len(set(search.kind)) == 1  # the two drones' sorties are alike: one pool class
        single = np.array([[1, 0], [2, 0], [3, 0], [0, 0]])
        pool.add(single, np.array([1, 1, 1, 0]))  # three lone sorties: drone 0 flies two, drone 1 one
        both = np.array([[1, 3, 2], [0, 0, 0], [0, 0, 0], [0, 0, 0]])
        pool.add(both, np.array([3, 0, 0, 0]))  # one sortie for all three: longer than the short day
        incumbent = [[1], [2], [3], []] if flies else [[1], [], [2], []]  # the short day: one sortie a drone
        assert rules.check(incumbent) is None
        mixed = pool.best_mix(incumbent, seed=0, work=1.0)
        if flies:
            assert mixed is not None and mixed[0] in ([[1, 3, 2], [], [], []], [[2, 3, 1], [], [], []])
            assert rules.check(mixed[0]) is None
        else:  # the long sortie cannot land before the day ends: nothing flyable beats the incumbent
            assert mixed is None


def test_compile_search_readies_every_compiled_entry_point_before_a_clock_starts():
    """A fresh interpreter: an entry point compile_search leaves uncompiled, the first plan after an install
    compiles on its own clock (the race once spent the tiny problem's whole work before any chain annealed, and a
    fresh install's first 20 s plan lost 14 s). The entry points are the ones Search calls from Python."""
    import subprocess
    import sys

    probe = ("from planner.routing import kernel, search\n"
             "search.compile_search()\n"
             "print(sorted(name for name, f in vars(kernel).items()\n"
             "             if name in ('init_state', 'construct', 'keep_best', 'anneal')\n"
             "             and not f.signatures))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip() == "[]"


def test_the_race_gives_each_chain_about_chain_work_iterations_per_task():
    """Many short chains while the work allows (measured best on drone days), never fewer than MIN_CHAINS nor
    more than MAX_CHAINS."""
    from planner.routing.search import Search

    search = Search(drone_day(6, n_tasks=40))
    per_chain = Search.CHAIN_WORK * len(search.tasks)
    assert len(search.tasks) == 40
    assert search.race_chains(0) == Search.MIN_CHAINS
    assert search.race_chains(20 * per_chain) == 20
    assert search.race_chains(20 * per_chain - 1) == 19
    assert search.race_chains(10**9) == Search.MAX_CHAINS
