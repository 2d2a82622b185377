"""PyVRP as a peer solver on lowalt's own RoutingProblem: the same matrices, everything PyVRP can express.

Chains of vehicles (a drone's sorties) become one multi-trip vehicle reloading at its depot, whose service time
is the recharge; alternatives become client groups, penalties prizes. `relaxed` lists what PyVRP cannot hold.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from planner.routing.problem import RoutingProblem

FORBIDDEN = 10**9  # an arc a vehicle type may not fly (the visit is not allowed for it): priced out


@dataclass
class PeerResult:
    routes: list[list[int]]  # per RoutingProblem vehicle: visit indices (trip k of a chain -> its k-th vehicle)
    takeoffs: list[int | None]  # per vehicle: PyVRP's trip start (time units), None when unused
    feasible: bool
    first_feasible_s: float | None  # seconds from the start of the solve to PyVRP's first feasible solution
    wall_s: float
    relaxed: list[str] = field(default_factory=list)
    durations: list[int] = field(default_factory=list)  # per vehicle: PyVRP's route duration (sorties mode)
    rounds: int = 1  # solves: more than one when broken sorties were cut off and PyVRP solved again
    first_round: PeerResult | None = None  # the first solve's result when later rounds replaced it


def _units(problem: RoutingProblem) -> list[list[int]]:
    """Vehicle groups PyVRP sees as one vehicle: a chain's vehicles, or one unchained vehicle each."""
    chains: dict[int, list[int]] = {}
    units: list[list[int]] = []
    for v, veh in enumerate(problem.vehicles):
        if veh.chain is None:
            units.append([v])
        elif veh.chain in chains:
            chains[veh.chain].append(v)
        else:
            chains[veh.chain] = [v]
            units.append(chains[veh.chain])
    return units


def _quickest_inspection(problem: RoutingProblem) -> np.ndarray:
    """Per task, the fewest time units any profile spends on it beyond its cost: the time matrix's row of a visit
    holds its inspection, the cost matrix's does not (0 where the cost is the time)."""
    nd, none = problem.num_depots, np.iinfo(np.int64).max
    tasks = np.array([visit.task for visit in problem.visits], dtype=np.int64)
    quickest = np.full(problem.num_tasks, none, dtype=np.int64)
    for p, time_matrix in enumerate(problem.time_matrices):
        t = np.asarray(time_matrix, dtype=np.int64)[nd:]
        c = np.asarray(problem.cost_matrices[p], dtype=np.int64)[nd:] if problem.cost_matrices else t
        gap = np.where((t < problem.unreachable) & (c < problem.unreachable), t - c, none).min(axis=1)
        np.minimum.at(quickest, tasks, gap)
    return np.where(quickest == none, 0, quickest)


def _least_power(problem: RoutingProblem, profile: int) -> float:
    """The least energy per time unit a vehicle of `profile` draws on any arc (service included) or while waiting."""
    assert problem.energy_matrices is not None
    t = np.asarray(problem.time_matrices[profile], dtype=float)
    e = np.asarray(problem.energy_matrices[profile], dtype=float)
    flown = (t > 0) & (t < problem.unreachable) & (e < problem.unreachable)
    rates = [float((e[flown] / t[flown]).min())] if flown.any() else []
    rates += [float(v.idle_energy_rate) for v in problem.vehicles if v.profile == profile and v.idle_energy_rate]
    return min(rates) if rates else 0.0


def solve_pyvrp(problem: RoutingProblem, time_limit_s: float, seed: int = 0, mode: str = "trips",
                cost_is_time: bool = True, repair_rounds: int = 0) -> PeerResult:
    """mode "trips": a drone is one multi-trip vehicle (recharge exact, battery per trip only bounded below);
    "sorties": every sortie slot is its own vehicle (battery and slot windows exact, sorties of one drone may
    overlap in time). PyVRP cannot hold both at once. `cost_is_time`: the cost matrices are flight time (the
    flight-time objective); when not (distance), sorties mode needs PyVRP's distance for the cost and bounds the
    battery below, as trips mode does.

    `repair_rounds` (sorties mode): while a sortie breaks lowalt's rules flown alone (a battery only bounded
    below), cut it off, shortening the longest duration of every sortie slot of its model at its dock to what the
    battery holds at the broken sortie's power (or one unit less); when every sortie holds alone but a drone's
    cannot be flown one after another with their recharges (separate vehicles may overlap), close the slot where
    its day breaks. Then solve again with the full time limit, at most that many more times. The cuts may forbid
    legal plans too: a repaired plan is legal, not optimal for PyVRP's model."""
    from planner.routing.rules import Rules

    rules = Rules(problem)
    cuts: dict[int, int] = {}
    got = _solve_once(problem, time_limit_s, seed, mode, cost_is_time, cuts)
    first, wall = got, got.wall_s
    for rounds in range(2, repair_rounds + 2 if mode == "sorties" else 2):
        nodes = as_nodes(problem, got.routes)
        broken = broken_alone(rules, nodes)
        closed = [] if broken else _chain_breaks(rules, nodes)
        if not broken and not closed:
            break
        for v in closed:
            cuts[v] = 0  # no route lasts no time: the slot flies nothing
        for v in broken:
            cut = _cut(problem, rules, v, nodes[v], got.durations[v])
            key = (problem.vehicles[v].depot, problem.vehicles[v].profile)
            # Every sortie slot of the same model at the same dock flies the broken route alike: cutting one slot
            # would only move the route to the next.
            for u, vehicle in enumerate(problem.vehicles):
                if (vehicle.depot, vehicle.profile) == key:
                    cuts[u] = min(cuts.get(u, cut), cut)
        got = _solve_once(problem, time_limit_s, seed, mode, cost_is_time, cuts)
        wall += got.wall_s
        got.rounds, got.first_round, got.wall_s = rounds, first, wall
    return got


def as_nodes(problem: RoutingProblem, routes: list[list[int]]) -> list[list[int]]:
    """Routes of visit indices as the node routes Rules reads (visits numbered after the depots)."""
    return [[problem.num_depots + i for i in route] for route in routes]


def broken_alone(rules, nodes: list[list[int]]) -> list[int]:
    """Vehicles whose route breaks a window, span or energy rule even flown alone, at its best take-off time."""
    return [v for v, route in enumerate(nodes) if route and rules.route_times(v, route, -10**15) is None]


def _chain_breaks(rules, nodes: list[list[int]]) -> list[int]:
    """Per drone whose sorties break its day flown in slot order (windows, recharge, its sortie limit): the slot
    where it breaks."""
    out = []
    for c, members in enumerate(rules.chains):
        used = [v for v in members if nodes[v]]
        if len(used) > rules.chain_limit[c]:
            out.append(used[-1])
            continue
        broke = rules.chain_break(c, nodes)
        if broke is not None:
            out.append(broke)
    return out


def _cut(problem: RoutingProblem, rules, v: int, route: list[int], duration: int) -> int:
    """The longest duration sortie slot v may fly after `route` (nodes), lasting `duration` in PyVRP, broke a
    rule: scaled down to the battery at that route's power when its arcs alone drain more than the battery, else
    one unit shorter."""
    capacity = problem.vehicles[v].energy_capacity
    energy = rules.arc_sums(v, route)[2]
    if capacity is not None and energy > capacity:
        return max(1, min(duration - 1, duration * capacity // energy))
    return max(1, duration - 1)


def _solve_once(problem: RoutingProblem, time_limit_s: float, seed: int, mode: str, cost_is_time: bool,
                cuts: dict[int, int]) -> PeerResult:
    """One PyVRP solve; `cuts` caps some sortie slots' duration (sorties mode: slot = vehicle type)."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    t0 = time.monotonic()
    nd, n = problem.num_depots, problem.num_nodes
    vehicles = problem.vehicles
    relaxed: set[str] = set()
    units = _units(problem) if mode == "trips" else [[v] for v in range(len(vehicles))]
    if mode == "sorties" and any(v.chain is not None for v in vehicles):
        relaxed.add("a drone's sorties are separate vehicles: they may overlap in time, no recharge between")
    model = pyvrp.Model()
    locations = [model.add_location(0, 0) for _ in range(n)]  # the matrices replace coordinates
    recharge = [0] * nd
    for unit in units:
        d = vehicles[unit[0]].depot
        if len(unit) > 1:
            if recharge[d] and recharge[d] != vehicles[unit[0]].recharge:
                relaxed.add("recharge: one per depot (the largest)")
            recharge[d] = max(recharge[d], vehicles[unit[0]].recharge)
    depots = [model.add_depot(locations[d], service_duration=recharge[d]) for d in range(nd)]
    capacity_dims = any(v.capacity is not None for v in vehicles)
    # Battery per sortie as a load that each trip's reload resets: a visit loads the cheapest way out of it, a
    # lower bound on the time the trip spends from it on (a relaxation, never stricter than the span).
    # The battery is energy when the problem has it (capacity per vehicle), else time (max span).
    energy = problem.energy_matrices is not None and all(v.energy_capacity is not None for v in vehicles)
    spans = [v.max_span for v in vehicles]
    battery_matrices = problem.energy_matrices if energy else problem.time_matrices
    assert battery_matrices is not None

    def battery_limit(v: int) -> int | None:
        return vehicles[v].energy_capacity if energy else vehicles[v].max_span

    # Sorties mode holds an energy battery exactly: under the flight-time cost as PyVRP's distance, the cost being
    # the duration, which is lowalt's cost plus each task's quickest inspection (what the cost leaves out), a clock
    # no slower than lowalt's; each task's prize grows by that inspection, so PyVRP's objective is lowalt's plus a
    # constant. Under the distance cost PyVRP's distance is the cost and, on a day without visit windows, its
    # duration the energy (the clock then only bounds a sortie by its slot, far longer than a battery). With
    # windows the duration is the clock, and the battery is bounded below (`battery`, `_least_power`).
    windows = any(visit.window is not None for visit in problem.visits)
    energy_as_distance = mode == "sorties" and energy and cost_is_time
    energy_as_duration = mode == "sorties" and energy and not cost_is_time and not windows
    bounded_energy = mode == "sorties" and energy and not cost_is_time and windows
    battery = (mode == "trips" or bounded_energy) and (energy or all(s is not None for s in spans)) and bool(vehicles)
    inspection = _quickest_inspection(problem) if energy_as_distance else np.zeros(problem.num_tasks, dtype=np.int64)
    visit_inspection = inspection[[visit.task for visit in problem.visits]]
    if inspection.any():
        relaxed.add("clock: every inspection lasts as long as its quickest drone model takes (one matrix is both "
                    "PyVRP's clock and its cost)")
    if battery:
        rows = np.stack([np.asarray(m, dtype=np.int64)[nd:] for m in battery_matrices]).astype(float)
        rows[:, np.arange(n - nd), nd + np.arange(n - nd)] = np.inf  # not to itself
        cheapest_out = [int(x) for x in rows.min(axis=(0, 2))]

    visits_of: dict[int, list[int]] = {}
    for i, visit in enumerate(problem.visits):
        visits_of.setdefault(visit.task, []).append(i)
    groups = {task: model.add_client_group(required=problem.task_penalties[task] is None)
              for task, members in visits_of.items() if len(members) > 1}
    for i, visit in enumerate(problem.visits):
        penalty = problem.task_penalties[visit.task]
        group = groups.get(visit.task)
        lo, hi = visit.window if visit.window is not None else (0, np.iinfo(np.int64).max)
        delivery = ([visit.demand] if capacity_dims else []) + ([cheapest_out[i]] if battery else [])
        model.add_client(locations[nd + i], delivery=delivery,
                         tw_early=int(lo), tw_late=int(hi), prize=int(penalty + inspection[visit.task]) if penalty else 0,
                         required=penalty is None and group is None, group=group)

    # One PyVRP profile per (matrix profile, visits forbidden to the unit): allowed vehicles by pricing out.
    profile_keys: dict[tuple, int] = {}
    profiles, distance, duration = [], [], []
    types = []
    for unit in units:
        first = vehicles[unit[0]]
        if len({vehicles[v].profile for v in unit}) > 1:
            relaxed.add("epoch-dependent speeds: a drone flies every sortie with its first sortie's matrix")
        forbidden = tuple(i for i, visit in enumerate(problem.visits)
                          if visit.allowed_vehicles is not None and not set(unit) & set(visit.allowed_vehicles))
        partly = [i for i, visit in enumerate(problem.visits) if visit.allowed_vehicles is not None
                  and set(unit) & set(visit.allowed_vehicles) and not set(unit) <= set(visit.allowed_vehicles)]
        if partly:
            relaxed.add("allowed vehicles per sortie (closures, wind by epoch): allowed per drone")
        key = (first.profile, forbidden)
        if key not in profile_keys:
            profile_keys[key] = len(profile_keys)
            t = np.minimum(np.asarray(problem.time_matrices[first.profile], dtype=np.int64), FORBIDDEN)
            c = np.minimum(np.asarray((problem.cost_matrices or problem.time_matrices)[first.profile],
                                      dtype=np.int64), FORBIDDEN)
            t, c = t.copy(), c.copy()
            if energy_as_distance:
                assert problem.energy_matrices is not None
                t = c.copy()  # the clock: the cost plus each visit's quickest inspection, on its row
                t[nd:] = np.where(t[nd:] < FORBIDDEN, t[nd:] + visit_inspection[:, None], FORBIDDEN)
                c = np.minimum(np.asarray(problem.energy_matrices[first.profile], dtype=np.int64), FORBIDDEN)
            elif energy_as_duration:
                assert problem.energy_matrices is not None
                t = np.minimum(np.asarray(problem.energy_matrices[first.profile], dtype=np.int64), FORBIDDEN)
            if forbidden:
                cols = nd + np.array(forbidden)
                t[:, cols] = t[cols, :] = FORBIDDEN
                c[:, cols] = c[cols, :] = FORBIDDEN
            np.fill_diagonal(t, 0)  # never flown (a visit does not follow itself); PyVRP wants zeros
            np.fill_diagonal(c, 0)
            distance.append(c)
            duration.append(t)
            profiles.append(model.add_profile())
        lo = min(vehicles[v].window[0] for v in unit)
        hi = max(vehicles[v].window[1] for v in unit)
        if len(unit) > 1 and any(vehicles[v].window != (lo, hi) for v in unit):
            relaxed.add("sortie windows within the day (epochs): one window per drone")
        if battery:
            relaxed.add("battery per sortie: only a lower bound (each visit's cheapest way out) is limited")
            out_leg = int(np.asarray(battery_matrices[first.profile])[first.depot, nd:].min())
            limit = [max(0, min(int(battery_limit(v) or 0) for v in unit) - out_leg)]
        else:
            limit = []
        unlimited = np.iinfo(np.int64).max
        shift = int(first.max_span) if len(unit) == 1 and first.max_span is not None else unlimited
        if energy_as_duration and first.energy_capacity is not None:
            shift, lo, hi = int(first.energy_capacity), 0, unlimited
            relaxed.add("sortie windows within the day (epochs): not held (PyVRP's clock is the battery)")
        elif bounded_energy and first.energy_capacity is not None:
            # A sortie lasting longer than its battery at the least power any of its arcs or waits draws is over it.
            least = _least_power(problem, first.profile)
            shift = min(shift, int(np.ceil(first.energy_capacity / least))) if least > 0 else shift
            relaxed.add("battery per sortie, with visit windows: only lower bounds (the duration at the least power "
                        "drawn) are limited")
        max_distance = int(first.energy_capacity) if energy_as_distance and first.energy_capacity else unlimited
        if energy_as_distance and first.idle_energy_rate and windows:
            relaxed.add("idle energy while waiting for a window: not counted; waiting time is counted as cost")
        if any(vehicles[v].energy_capacity is not None for v in unit) and not (
                energy_as_distance or energy_as_duration or battery):
            relaxed.add("energy per sortie: not limited")
        if any(vehicles[v].fixed_cost for v in unit) and len(unit) > 1:
            relaxed.add("fixed cost per sortie: charged once per drone")
        if mode == "sorties" and unit[0] in cuts:
            shift = min(shift, cuts[unit[0]])
            relaxed.add("sortie slots that broke a rule: their longest duration cut (0: closed), and solved again")
        d = depots[first.depot]
        # The depot's service (the recharge) precedes every trip, the first one too: start that much earlier.
        early = max(0, lo - recharge[first.depot]) if len(unit) > 1 else lo
        types.append(model.add_vehicle_type(
            num_available=1, capacity=([first.capacity] if capacity_dims else []) + limit, start_depot=d, end_depot=d,
            fixed_cost=int(first.fixed_cost), tw_early=int(early), tw_late=int(hi), shift_duration=shift,
            max_distance=max_distance, unit_distance_cost=0 if energy_as_distance else 1,
            unit_duration_cost=1 if energy_as_distance else 0,
            reload_depots=[d] if len(unit) > 1 else [], max_reloads=max(0, len(unit) - 1),
            profile=profiles[profile_keys[key]],
        ))
    data = model.data().replace(distance_matrices=distance, duration_matrices=duration)
    left = max(0.1, time_limit_s - (time.monotonic() - t0))
    started = time.monotonic()
    result = pyvrp.solve(data, stop=MaxRuntime(left), seed=seed, display=False, collect_stats=True)
    wall = time.monotonic() - t0

    first_feasible = None
    elapsed = started - t0
    for runtime, datum in zip(result.stats.runtimes, result.stats.data):
        elapsed += runtime
        if datum.best_feas:
            first_feasible = elapsed
            break
    routes: list[list[int]] = [[] for _ in vehicles]
    takeoffs: list[int | None] = [None] * len(vehicles)
    durations = [0] * len(vehicles)
    for route in result.best.routes():
        unit = units[route.vehicle_type()]
        durations[unit[0]] = int(route.duration())  # sorties mode reads it (one trip a route)
        trips: dict[int, list[int]] = {}
        starts: dict[int, int] = {}
        for act in route.schedule():
            if act.is_client():
                trips.setdefault(act.trip, []).append(int(act.idx))
            elif act.trip not in starts:
                starts[act.trip] = int(act.end_time)
        for k, trip in enumerate(t for _, t in sorted(trips.items())):
            routes[unit[k]] = trip
            takeoffs[unit[k]] = starts.get(sorted(trips)[k])
    return PeerResult(routes, takeoffs, result.is_feasible(), first_feasible, wall, sorted(relaxed),
                      durations=durations)
