"""CARPLIB reader and the CARP benchmark path: gdb1 parsed, mapped to a RoutingProblem and solved.

Instance files are the shared CARPLIB copies; routes are validated from the instance alone.
"""

import numpy as np
import pytest

from tests.helpers.carp import (load_carp, oriented_arcs, problem_from_carp, routes_cost,
                                shortest_distances)
from planner.routing.solver import solve
from planner.routing.problem import SolveParams
from tests.helpers import DATA_DIR

CARP = DATA_DIR / "carp"  # copies of four CARPLIB instances, see ATTRIBUTION.md there
GDB1 = CARP / "gdb1.dat"


def test_gdb1_header_and_edges():
    inst = load_carp(GDB1)
    assert (inst.name, inst.num_vertices, inst.capacity, inst.vehicles, inst.depot) == ("gdb1", 12, 5, 5, 1)
    assert len(inst.required) == 22 and inst.non_required == ()
    assert inst.required[0] == (1, 2, 13, 1) and inst.required[-1] == (10, 11, 12, 1)
    assert inst.total_required_cost == 252


def test_total_cost_is_recomputed_not_taken_from_the_header():
    inst = load_carp(CARP / "val1A.dat")
    assert inst.header_total_cost == 220 and inst.total_required_cost == 146


def test_crlf_and_odd_spacing_parse_like_the_original(tmp_path):
    text = GDB1.read_text().replace("( ", "(   ").replace(", ", " ,").replace("\n", "\r\n")
    odd = tmp_path / "gdb1_crlf.dat"
    odd.write_bytes(text.encode())
    assert load_carp(odd) == load_carp(GDB1)


def test_egl_non_required_block_feeds_the_deadhead_distances():
    inst = load_carp(CARP / "egl-e1-A.dat")
    assert (len(inst.required), len(inst.non_required), inst.num_vertices) == (51, 47, 77)
    dist = shortest_distances(inst)
    assert np.array_equal(dist, dist.T) and np.all(np.diag(dist) == 0)
    for u, v, cost, *_ in inst.required + inst.non_required:
        assert dist[u - 1, v - 1] <= cost


def test_edge_count_mismatch_names_file_and_field(tmp_path):
    bad = tmp_path / "bad.dat"
    bad.write_text(GDB1.read_text().replace("ARISTAS_REQ : 22", "ARISTAS_REQ : 23"))
    with pytest.raises(ValueError, match=r"bad\.dat.*ARISTAS_REQ"):
        load_carp(bad)


def test_route_cost_counts_deadheads_and_rejects_double_service():
    inst = load_carp(GDB1)
    # (1,2) then (2,3) then home: 13 + 18 + shortest 3->1 (3-5-6-12-1: 5+7+3+4 = 19).
    rest = [[(u, v)] for u, v, *_ in inst.required[1:] if (u, v) != (2, 3)]
    assert routes_cost(inst, [[(1, 2), (2, 3)]], complete=False) == 13 + 18 + 19
    with pytest.raises(ValueError, match="2 required edges not served"):
        routes_cost(inst, rest)
    with pytest.raises(ValueError, match="served twice"):
        routes_cost(inst, [[(1, 2)], [(2, 1)]] + rest + [[(2, 3)]])


@pytest.mark.slow
def test_gdb1_solves_near_its_best_known_cost_with_valid_routes():
    inst = load_carp(GDB1)
    problem = problem_from_carp(inst)
    sol = solve(problem, SolveParams(time_limit_s=3.0, seed=0))
    arcs = oriented_arcs(inst)
    routes = [[arcs[i] for i in r] for r in sol.routes if r]
    assert sol.dropped_tasks == []
    assert routes_cost(inst, routes) == sol.objective  # also checks each edge once and the capacity
    assert sol.objective <= 316 * 1.03


def test_ruin_and_recreate_keep_routes_valid_and_sums_equal_to_recomputed():
    from planner.routing import kernel
    from planner.routing.search import Search

    inst = load_carp(CARP / "val1A.dat")
    search = Search(problem_from_carp(inst))
    state, work = search.begin(seed=1)
    arcs = [None] + oriented_arcs(inst)  # node 0 is the depot
    objectives = {int(state.objective[0])}
    for _ in range(60):
        kernel.anneal(search.data, state, work, 1, 0.0, 0.0, 2.0, 2.0)  # warm enough to take some worse states
        routes = [[int(x) for x in state.routes[v, :state.length[v]]] for v in range(search.nv)]
        assert (state.where >= 0).all()  # every required edge found a place
        assert search.r.check(routes) is None
        assert state.cost.tolist() == [search.r.arc_sums(v, r)[0] for v, r in enumerate(routes)]
        assert state.load.tolist() == [int(sum(inst.required[search.r.task_of[x]][3] for x in r)) for r in routes]
        # The instance alone agrees with the state's bookkeeping.
        assert routes_cost(inst, [[arcs[x] for x in r] for r in routes if r]) == state.cost.sum() == state.objective[0]
        objectives.add(int(state.objective[0]))
    assert len(objectives) > 5  # the state moved, through accepted and undone iterations
    best = [[arcs[x] for x in work.best_routes[v, :work.best_length[v]]] for v in range(search.nv)]
    assert routes_cost(inst, [r for r in best if r]) == work.best_objective[0] == min(objectives)


@pytest.mark.slow
def test_search_reaches_the_best_known_cost_of_gdb1():
    from planner.routing.search import Search

    inst = load_carp(GDB1)
    found = Search(problem_from_carp(inst)).run(np.random.default_rng(0), 30.0, 1500)
    arcs = oriented_arcs(inst)
    assert found.complete
    assert routes_cost(inst, [[arcs[i] for i in r] for r in found.routes if r]) == found.objective == 316


def test_search_is_deterministic_for_a_seed_under_fixed_work():
    from planner.routing.search import Search

    problem = problem_from_carp(load_carp(CARP / "val1A.dat"))
    a = Search(problem).run(np.random.default_rng(5), 30.0, 200)
    b = Search(problem).run(np.random.default_rng(5), 30.0, 200)
    assert a.routes == b.routes and a.objective == b.objective


def test_solver_never_returns_worse_than_its_start():
    from planner.routing.search import Search
    from planner.routing.solver import solution_cost

    problem = problem_from_carp(load_carp(CARP / "gdb8.dat"))
    start = Search(problem).run(np.random.default_rng(2), 30.0, 20).routes  # a short search: a poor start
    sol = solve(problem, SolveParams(time_limit_s=3.0, seed=2, solution_limit=100), initial_routes=start)
    assert sol.dropped_tasks == [] and sol.objective == solution_cost(problem, sol.routes)
    assert sol.objective <= solution_cost(problem, start)
