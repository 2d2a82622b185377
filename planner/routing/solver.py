"""The routing core: solves a RoutingProblem with OR-Tools (with recombine.py, the only ortools importers in lowalt).

Multi-depot routes chained per vehicle (trips), time/span/energy/capacity dimensions, alternatives per task.
"""
from __future__ import annotations

import logging
import time
import weakref
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner.routing.problem import RoutingProblem, RoutingSolution, SolveParams, SolveStatus
from planner.routing.rules import Rules
from planner.routing.search import Search, compile_search

logger = logging.getLogger(__name__)

# Share of the time budget the core's search may use before OR-Tools certifies and improves its routes
# (measured on the planner's days and CARP: see README "Benchmarks").
SEARCH_BUDGET_SHARE = 0.85
SEARCH_ITERS_PER_SOLUTION = 10  # the search's fixed iterations per unit of SolveParams.solution_limit


def validate_problem(problem: RoutingProblem) -> None:
    """Raise ValueError naming the field when the problem is malformed (shapes, indices, horizons)."""
    n = problem.num_nodes
    if problem.num_depots < 1:
        raise ValueError("RoutingProblem.num_depots must be >= 1")
    matrices = list(problem.time_matrices) + list(problem.cost_matrices or []) + list(problem.energy_matrices or [])
    for k, m in enumerate(matrices):
        if np.shape(m) != (n, n):
            raise ValueError(f"RoutingProblem matrix {k} has shape {np.shape(m)}, expected ({n}, {n})")
        values = np.asarray(m)
        if values.dtype.kind not in "iu":  # the solver counts in integers: a float matrix must hold whole numbers
            if not np.isfinite(values).all():
                raise ValueError(f"RoutingProblem matrix {k} has entries that are not finite numbers")
            if (values != np.round(values)).any():
                raise ValueError(f"RoutingProblem matrix {k} has fractional entries: the solver counts in whole "
                                 f"units (round or scale them first)")
        if np.any(values < 0):
            raise ValueError(f"RoutingProblem matrix {k} has negative entries")
    for name in ("cost_matrices", "energy_matrices"):
        given = getattr(problem, name)
        if given is not None and len(given) != len(problem.time_matrices):
            raise ValueError(f"RoutingProblem.{name} must have one matrix per time matrix profile")
    if problem.energy_matrices is None and any(v.energy_capacity is not None for v in problem.vehicles):
        raise ValueError("RoutingProblem.vehicles have an energy_capacity but the problem has no energy_matrices")
    if not problem.vehicles:
        raise ValueError("RoutingProblem.vehicles is empty: at least one vehicle is needed")
    for i, v in enumerate(problem.visits):
        if not 0 <= v.task < problem.num_tasks:
            raise ValueError(f"RoutingProblem.visits[{i}].task={v.task} is not a task index")
        if v.window is not None and v.window[0] > v.window[1]:
            raise ValueError(f"RoutingProblem.visits[{i}].window {v.window} is empty")
        for a in v.allowed_vehicles or ():
            if not 0 <= a < len(problem.vehicles):
                raise ValueError(f"RoutingProblem.visits[{i}].allowed_vehicles has unknown vehicle {a}")
    for k, veh in enumerate(problem.vehicles):
        if not 0 <= veh.depot < problem.num_depots:
            raise ValueError(f"RoutingProblem.vehicles[{k}].depot={veh.depot} is not a depot node")
        if not 0 <= veh.profile < len(problem.time_matrices):
            raise ValueError(f"RoutingProblem.vehicles[{k}].profile={veh.profile} has no time matrix")
        if veh.window[0] > veh.window[1]:
            raise ValueError(f"RoutingProblem.vehicles[{k}].window {veh.window} is empty")
        if veh.window[1] >= problem.unreachable:
            raise ValueError(f"RoutingProblem.vehicles[{k}].window ends beyond RoutingProblem.unreachable")
    has_visit = {v.task for v in problem.visits}
    for t, penalty in enumerate(problem.task_penalties):
        if penalty is not None and penalty < 0:
            raise ValueError(f"RoutingProblem.task_penalties[{t}]={penalty} is negative")
        if t not in has_visit:
            raise ValueError(f"RoutingProblem task {t} (task_penalties[{t}]) has no visit in RoutingProblem.visits")
    chains = {veh.chain for veh in problem.vehicles if veh.chain is not None}
    for chain, limit in (problem.chain_route_limits or {}).items():
        if chain not in chains:
            raise ValueError(f"RoutingProblem.chain_route_limits has chain {chain}, which no vehicle belongs to")
        if limit < 0:
            raise ValueError(f"RoutingProblem.chain_route_limits[{chain}]={limit} is negative")


@dataclass
class _Model:
    """The OR-Tools objects of one solve plus the seed's node permutation (model node -> problem node)."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time_dim: pywrapcp.RoutingDimension
    node_of: np.ndarray  # model node -> problem node
    model_of: np.ndarray  # problem node -> model node


def _permutation(problem: RoutingProblem, seed: int) -> np.ndarray:
    # The seed renumbers the visits: OR-Tools has no random seed, but its first-solution heuristics and
    # neighbourhoods break ties by node index, so a renumbering is a different, reproducible start.
    order = np.arange(problem.num_nodes)
    if seed:
        rng = np.random.default_rng(seed)
        order[problem.num_depots:] = problem.num_depots + rng.permutation(len(problem.visits))
    return order


def _build(problem: RoutingProblem, seed: int) -> _Model:
    nv = len(problem.vehicles)
    nd = problem.num_depots
    node_of = _permutation(problem, seed)
    model_of = np.empty_like(node_of)
    model_of[node_of] = np.arange(len(node_of))
    starts = [int(model_of[v.depot]) for v in problem.vehicles]
    manager = pywrapcp.RoutingIndexManager(problem.num_nodes, nv, starts, starts)
    routing = pywrapcp.RoutingModel(manager)
    # A depot no vehicle starts from is an ordinary node to OR-Tools, one it must visit: it is no stop at all.
    for depot in sorted(set(range(nd)) - {v.depot for v in problem.vehicles}):
        routing.ActiveVar(manager.NodeToIndex(int(model_of[depot]))).SetValue(0)
    unreachable = problem.unreachable
    ix = np.ix_(node_of, node_of)

    times = [np.minimum(np.asarray(m, dtype=np.int64)[ix], unreachable) for m in problem.time_matrices]
    costs = [np.minimum(np.asarray(m, dtype=np.int64)[ix], unreachable) for m in problem.cost_matrices] \
        if problem.cost_matrices is not None else times
    # One registered matrix per profile: OR-Tools evaluates arcs in C++, no Python call per arc.
    time_cb = [routing.RegisterTransitMatrix(t.tolist()) for t in times]
    cost_cb = time_cb if costs is times else [routing.RegisterTransitMatrix(c.tolist()) for c in costs]
    for v, veh in enumerate(problem.vehicles):
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[veh.profile], v)
        routing.SetFixedCostOfVehicle(int(veh.fixed_cost), v)

    horizon = max(veh.window[1] for veh in problem.vehicles)
    routing.AddDimensionWithVehicleTransits(
        [time_cb[veh.profile] for veh in problem.vehicles],
        horizon,  # slack: a vehicle may wait for a visit window
        horizon,  # capacity: cumuls are absolute times; an unreachable arc (>= unreachable) overflows it
        False,  # departure times are free within each vehicle window
        "time",
    )
    time_dim = routing.GetDimensionOrDie("time")

    if any(veh.capacity is not None for veh in problem.vehicles):
        demands = [0] * problem.num_nodes
        for i, visit in enumerate(problem.visits):
            demands[int(model_of[nd + i])] = int(visit.demand)
        total = sum(demands) + 1
        routing.AddDimensionWithVehicleCapacity(
            routing.RegisterUnaryTransitVector(demands),
            0,  # no slack: load is exact
            [int(veh.capacity) if veh.capacity is not None else total for veh in problem.vehicles],
            True,  # load starts empty at the depot
            "load",
        )

    if problem.energy_matrices is not None:
        _add_energy(problem, routing, manager, time_dim, node_of)

    _forbid_arcs(problem, routing, manager, times, node_of)

    for v, veh in enumerate(problem.vehicles):
        for index in (routing.Start(v), routing.End(v)):
            time_dim.CumulVar(index).SetRange(int(veh.window[0]), int(veh.window[1]))
        if veh.max_span is not None:
            time_dim.SetSpanUpperBoundForVehicle(int(veh.max_span), v)

    visits_of_task: list[list[int]] = [[] for _ in range(problem.num_tasks)]
    for i, visit in enumerate(problem.visits):
        index = manager.NodeToIndex(int(model_of[nd + i]))
        visits_of_task[visit.task].append(index)
        if visit.window is not None and visit.window[0] > horizon:
            routing.ActiveVar(index).SetValue(0)  # it opens after every vehicle is home: OR-Tools fails on the range
        elif visit.window is not None:
            time_dim.CumulVar(index).SetRange(int(visit.window[0]), int(visit.window[1]))
        if visit.allowed_vehicles is not None:
            # -1 (unperformed) stays allowed: dropping is the disjunction's business.
            routing.VehicleVar(index).SetValues([-1] + [int(a) for a in visit.allowed_vehicles])
    for task, indices in enumerate(visits_of_task):
        penalty = problem.task_penalties[task]
        if not indices:
            continue
        if penalty is None:
            routing.AddDisjunction(indices)  # no penalty: exactly one alternative is served
        else:
            routing.AddDisjunction(indices, int(penalty), 1)

    _chain_trips(problem, routing, time_dim)

    # Early departures and arrivals (the result's schedule itself comes from Rules.schedule).
    for v in range(nv):
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
    for v in range(nv):
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
    return _Model(manager, routing, time_dim, node_of, model_of)


def _add_energy(problem: RoutingProblem, routing, manager, time_dim, node_of: np.ndarray) -> None:
    """Energy per route within each vehicle's capacity; a wait on the way (time slack) costs idle energy.

    The energy dimension's slack at a node is bounded below by the idle rate times the time dimension's
    slack there, so waiting on the way for a window is paid for; vehicles without a capacity get an unbounded one.
    """
    assert problem.energy_matrices is not None
    ix = np.ix_(node_of, node_of)
    energies = [np.minimum(np.asarray(m, dtype=np.int64)[ix], problem.unreachable) for m in problem.energy_matrices]
    callbacks = [routing.RegisterTransitMatrix(e.tolist()) for e in energies]
    unbounded = int(problem.unreachable)
    capacities = [int(v.energy_capacity) if v.energy_capacity is not None else unbounded for v in problem.vehicles]
    routing.AddDimensionWithVehicleTransitAndCapacity(
        [callbacks[v.profile] for v in problem.vehicles],
        max(capacities),  # slack: room for idle energy while waiting
        capacities,
        True,  # every route starts with an empty energy account
        "energy",
    )
    energy_dim = routing.GetDimensionOrDie("energy")
    rates = [int(v.idle_energy_rate) for v in problem.vehicles]
    if not any(rates):
        return
    solver = routing.solver()
    # A visit may be flown by several vehicles with different rates: the highest allowed one keeps it safe.
    for index in range(routing.Size()):
        if routing.IsStart(index):
            rate = rates[routing.VehicleIndex(index)]
        else:
            node = int(node_of[manager.IndexToNode(index)])
            if node < problem.num_depots:
                continue
            allowed = problem.visits[node - problem.num_depots].allowed_vehicles
            rate = max(rates[v] for v in allowed) if allowed is not None else max(rates)
        if rate:
            solver.Add(energy_dim.SlackVar(index) >= rate * time_dim.SlackVar(index))


def _forbid_arcs(problem, routing, manager, times, node_of) -> None:
    """Remove arcs that no vehicle may fly from the successor domains (cheaper than a dimension check)."""
    nd = problem.num_depots
    unreachable = problem.unreachable
    blocked_all = np.logical_and.reduce([t >= unreachable for t in times])
    for node in range(nd, problem.num_nodes):
        succ = np.flatnonzero(blocked_all[node, nd:]) + nd
        if len(succ):
            routing.NextVar(manager.NodeToIndex(node)).RemoveValues([manager.NodeToIndex(int(s)) for s in succ])
    # Depot legs are vehicle-specific: each vehicle has its own start and end index.
    for v, veh in enumerate(problem.vehicles):
        t = times[veh.profile]
        depot = int(np.flatnonzero(node_of == veh.depot)[0])
        out = np.flatnonzero(t[depot, nd:] >= unreachable) + nd
        if len(out):
            routing.NextVar(routing.Start(v)).RemoveValues([manager.NodeToIndex(int(s)) for s in out])
        end = routing.End(v)
        for node in np.flatnonzero(t[nd:, depot] >= unreachable) + nd:
            routing.NextVar(manager.NodeToIndex(int(node))).RemoveValue(end)


def _chain_trips(problem: RoutingProblem, routing, time_dim) -> None:
    """A chain's routes run in list order, each after the previous return plus its recharge; at most its
    RoutingProblem.chain_route_limits of them fly."""
    solver = routing.solver()
    chains: dict[int, list[int]] = {}
    for v, veh in enumerate(problem.vehicles):
        if veh.chain is not None:
            chains.setdefault(veh.chain, []).append(v)
    big_m = max(veh.window[1] for veh in problem.vehicles) + max(veh.recharge for veh in problem.vehicles)
    for chain, limit in (problem.chain_route_limits or {}).items():
        if limit < len(chains[chain]):
            solver.Add(solver.Sum([routing.ActiveVehicleVar(v) for v in chains[chain]]) <= int(limit))
    for slots in chains.values():
        # Every later slot that flies takes off after every earlier slot that flew has landed and recharged.
        # No "slot k+1 only if slot k" symmetry break: insertion heuristics place one visit at a time, and a
        # visit allowed only in a later slot (a closure epoch, a window) could then never be inserted.
        for k, nxt in enumerate(slots):
            active_next = routing.ActiveVehicleVar(nxt)
            for prev in slots[:k]:
                recharge = int(problem.vehicles[prev].recharge)
                solver.Add(
                    time_dim.CumulVar(routing.Start(nxt)) + big_m * (1 - active_next)
                    >= time_dim.CumulVar(routing.End(prev)) + recharge * routing.ActiveVehicleVar(prev)
                )


def _search_parameters(params: SolveParams, time_left_s: float):
    sp = pywrapcp.DefaultRoutingSearchParameters()
    # Local cheapest insertion builds a first solution in tens of milliseconds where parallel cheapest
    # insertion needed ~6 s for 93 visits and 72 chained vehicles (measured), too slow for per-group budgets.
    sp.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
    sp.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    ms = max(1, int(round(time_left_s * 1000)))
    sp.time_limit.seconds, sp.time_limit.nanos = divmod(ms, 1000)
    sp.time_limit.nanos *= 1_000_000
    if params.solution_limit is not None:
        # A fixed budget: greedy descent stops at its local optimum by itself. Guided local search from the
        # search's (already good) routes finds few accepted solutions, so it ran into the time limit every time,
        # and a run that stops on time is neither fast nor reproducible.
        sp.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
        sp.solution_limit = int(params.solution_limit)
    sp.log_search = bool(params.log_search)
    return sp


def solve(
    problem: RoutingProblem,
    params: SolveParams | None = None,
    initial_routes: list[list[int]] | None = None,
) -> RoutingSolution:
    """Solve `problem` within params.time_limit_s; returns the best plan found and a true status.

    The core's own search (planner.routing.search) runs first, from `initial_routes` when they keep the
    problem's rules, else from a cheapest-insertion start; OR-Tools then certifies its routes under the full
    model and improves them for the rest of the budget. Times in the result follow Rules.schedule: each
    vehicle departs as early as allowed, delayed only to wait at its depot instead of on the way.
    Determinism: with params.solution_limit set, the search does a fixed number of iterations and OR-Tools
    stops after that many solutions, so the same problem, seed and limit give the same routes (as long as
    the time limit does not bind first). The seed drives the search's random moves and renumbers the visits.
    """
    params = params or SolveParams()
    compile_search()  # before the clock: a first run after an install compiles the search
    t0 = time.monotonic()
    validate_problem(problem)
    rules = Rules(problem)
    search = Search(problem, rules)
    history: list[tuple[float, int]] = []

    def improved(value: int) -> None:
        if history and value >= history[-1][1]:
            return
        elapsed = time.monotonic() - t0
        history.append((elapsed, int(value)))
        if params.progress is not None:
            params.progress(int(value), elapsed)

    fixed = search_iterations(params.solution_limit) if params.solution_limit is not None else None
    found = search.run(np.random.default_rng(params.seed), params.time_limit_s * SEARCH_BUDGET_SHARE, fixed,
                       initial_routes, t0, improved)
    if found.complete:
        logger.info("search: objective %d after %d iterations, %.2f s", found.objective, found.iterations,
                    time.monotonic() - t0)
    model, assignment, kept = _certify_and_improve(problem, params, found, t0, improved)
    routing = model.routing
    status_name = _status_name(routing)
    wall = time.monotonic() - t0
    if status_name == "ROUTING_INVALID":
        raise ValueError("OR-Tools rejected the RoutingProblem as invalid")
    if kept:
        # The search's routes keep every rule (planner.routing.rules); OR-Tools only ran out of time.
        logger.info("routing: OR-Tools had no time to restore the search's routes; keeping them")
        return _search_solution(problem, rules, found, wall, history)
    if assignment is None:
        status = _failure_status(search, status_name)
        logger.info("routing: no solution (%s) after %.2f s", status, wall)
        nv = len(problem.vehicles)
        return RoutingSolution([[] for _ in range(nv)], [[] for _ in range(nv)],
                               [v.window[0] for v in problem.vehicles], [v.window[0] for v in problem.vehicles],
                               list(range(problem.num_tasks)), 0, status, wall, history)
    status = SolveStatus.OPTIMAL if status_name == "ROUTING_OPTIMAL" else SolveStatus.FEASIBLE
    solution = _read_solution(problem, rules, model, assignment, status, wall, history)
    logger.info("routing: objective %d, %d tasks dropped, %s, %.2f s", solution.objective,
                len(solution.dropped_tasks), solution.status, wall)
    return solution


def _certify_and_improve(problem: RoutingProblem, params: SolveParams, found, t0: float, improved):
    """OR-Tools from the search's routes (locked as its first solution) for the rest of the budget; the third
    value says OR-Tools ran out of time restoring them (the search's routes stand).

    A lock restores the routes and lets OR-Tools set the times and energies itself (reading them in as an
    assignment leaves cumuls it may not restore). Locks OR-Tools cannot complete mean the model holds a rule
    planner.routing.rules does not: that is logged as the bug it is, and OR-Tools starts on its own.
    """
    model = _model(problem, params, t0, improved)
    if not found.complete:
        return model, model.routing.SolveWithParameters(_search_parameters(params, _left(params, t0))), False
    routes = [[model.manager.NodeToIndex(int(model.model_of[problem.num_depots + i])) for i in r]
              for r in found.routes]
    assignment = None
    if model.routing.ApplyLocksToAllVehicles(routes, False):
        sp, began = _search_parameters(params, _left(params, t0)), time.monotonic()
        given_s = sp.time_limit.seconds + sp.time_limit.nanos / 1e9
        assignment = model.routing.SolveWithParameters(sp)
        # A limit that runs out while the locks are restored is reported as a plain failure at times (seen after
        # other solves in the same process), so the clock decides, not only the status.
        if assignment is None and (_status_name(model.routing) in _OUT_OF_TIME
                                   or time.monotonic() - began >= given_s):
            return model, None, True  # no time left to restore them: the caller keeps the search's routes
    if assignment is None:
        logger.warning("OR-Tools rejected the search's routes (objective %d): a rule of the model is not "
                       "checked by planner.routing.rules; falling back to OR-Tools' own first solution",
                       found.objective)
        model = _model(problem, params, t0, improved)
        assignment = model.routing.SolveWithParameters(_search_parameters(params, _left(params, t0)))
    return model, assignment, False


_OUT_OF_TIME = ("ROUTING_FAIL_TIMEOUT", "ROUTING_NOT_SOLVED")


def _status_name(routing) -> str:
    return routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status())


def _model(problem: RoutingProblem, params: SolveParams, t0: float, improved) -> _Model:
    model = _build(problem, params.seed)
    # The model keeps its callback alive; a callback holding the model would be a cycle through C++ that Python's
    # collector cannot see, and every solve would leak its whole model (14 MB a plan() of a 6-hangar day:
    # benchmarks/repeated.py).
    routing = weakref.ref(model.routing)

    def at_solution() -> None:
        alive = routing()  # always, while OR-Tools searches
        if alive is not None:
            improved(int(alive.CostVar().Value()))

    model.routing.AddAtSolutionCallback(at_solution)
    model.routing.CloseModelWithParameters(_search_parameters(params, _left(params, t0)))
    return model


def _left(params: SolveParams, t0: float) -> float:
    return max(0.05, params.time_limit_s - (time.monotonic() - t0))


def search_iterations(solution_limit: int) -> int:
    """The search's fixed work under a solution limit: iterations grow with it, so one knob sets the effort."""
    return SEARCH_ITERS_PER_SOLUTION * int(solution_limit)


def _failure_status(search: Search, status_name: str) -> SolveStatus:
    """Infeasible only when proven: a mandatory task no vehicle can fly even alone, or OR-Tools' proof."""
    if search.impossible or status_name == "ROUTING_INFEASIBLE":
        return SolveStatus.INFEASIBLE
    return SolveStatus.TIME_LIMIT


def _search_solution(problem: RoutingProblem, rules: Rules, found, wall: float, history) -> RoutingSolution:
    nd = problem.num_depots
    schedule = rules.schedule([[nd + i for i in r] for r in found.routes])
    assert schedule is not None, "the search returned routes that break its own rules"
    starts = [s.starts if s is not None else [] for s in schedule]
    departures = [s.departure if s is not None else v.window[0] for s, v in zip(schedule, problem.vehicles)]
    arrivals = [s.arrival if s is not None else v.window[0] for s, v in zip(schedule, problem.vehicles)]
    served = {problem.visits[i].task for r in found.routes for i in r}
    dropped = [t for t in range(problem.num_tasks) if t not in served]
    return RoutingSolution([list(r) for r in found.routes], starts, departures, arrivals, dropped,
                           solution_cost(problem, found.routes), SolveStatus.FEASIBLE, wall, history)


def _read_solution(problem, rules: Rules, model: _Model, assignment, status, wall, history) -> RoutingSolution:
    routing, manager, time_dim = model.routing, model.manager, model.time_dim
    nd = problem.num_depots
    routes, starts, departures, arrivals = [], [], [], []
    for v in range(len(problem.vehicles)):
        index = routing.Start(v)
        departures.append(int(assignment.Value(time_dim.CumulVar(index))))
        route, times = [], []
        index = assignment.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            route.append(int(model.node_of[manager.IndexToNode(index)]) - nd)
            times.append(int(assignment.Value(time_dim.CumulVar(index))))
            index = assignment.Value(routing.NextVar(index))
        arrivals.append(int(assignment.Value(time_dim.CumulVar(index))))
        routes.append(route)
        starts.append(times)
    schedule = rules.schedule([[nd + i for i in r] for r in routes])
    if schedule is None:
        logger.warning("OR-Tools' routes break planner.routing.rules: keeping OR-Tools' own times")
    else:
        for v, planned in enumerate(schedule):
            if planned is not None:
                departures[v], starts[v], arrivals[v] = planned.departure, planned.starts, planned.arrival
    served = {problem.visits[i].task for r in routes for i in r}
    dropped = [t for t in range(problem.num_tasks) if t not in served]
    objective = int(assignment.ObjectiveValue())
    if not history or history[-1][1] != objective:
        history.append((wall, objective))
    return RoutingSolution(routes, starts, departures, arrivals, dropped, objective, status, wall, history)


def solution_cost(problem: RoutingProblem, routes: list[list[int]]) -> int:
    """Objective of `routes` recomputed from the matrices: arc costs, fixed costs, dropped penalties."""
    matrices = problem.cost_matrices if problem.cost_matrices is not None else problem.time_matrices
    nd = problem.num_depots
    total, served = 0, set[int]()
    for veh, route in zip(problem.vehicles, routes):
        if not route:
            continue
        m = matrices[veh.profile]
        nodes = [veh.depot] + [nd + i for i in route] + [veh.depot]
        total += int(sum(int(m[a, b]) for a, b in zip(nodes, nodes[1:]))) + int(veh.fixed_cost)
        served.update(problem.visits[i].task for i in route)
    for task, penalty in enumerate(problem.task_penalties):
        if task not in served and penalty is not None:
            total += int(penalty)
    return total
