"""The routing core's input and output: plain integer matrices and task lists, no geometry, no ortools.

The planner and the CARP benchmark both build a RoutingProblem, so they run the same solver code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Callable, Mapping, Sequence

import numpy as np

# Named scales: the solver sees integers only. The planner's time unit is a decisecond.
TIME_UNITS_PER_S = 10


def time_units(seconds: float) -> int:
    """Seconds -> solver time units, rounded (never truncated by a bare int())."""
    return int(round(seconds * TIME_UNITS_PER_S))


def seconds(units: int) -> float:
    return units / TIME_UNITS_PER_S


@dataclass(frozen=True)
class Visit:
    """One way of serving a task: e.g. a line leg flown A->B. Visits sharing `task` are alternatives."""

    task: int
    window: tuple[int, int] | None = None  # allowed start-of-service times, time units
    demand: int = 0  # load the visit adds (CARP demand), limited by Vehicle.capacity
    allowed_vehicles: tuple[int, ...] | None = None  # None: any vehicle


@dataclass(frozen=True)
class Vehicle:
    """One route: a single vehicle, or one trip of a multi-trip vehicle (see `chain`)."""

    depot: int  # node index of its depot (0 <= depot < num_depots)
    profile: int  # index into RoutingProblem.time_matrices / cost_matrices
    window: tuple[int, int]  # earliest departure, latest return to the depot (time units)
    max_span: int | None = None  # longest route from departure to return, waits included
    capacity: int | None = None  # CARP capacity; None: no capacity dimension for this vehicle
    chain: int | None = None  # one physical vehicle: the routes of one chain are its trips, in list order
    recharge: int = 0  # minimum time at the depot after this route before the chain's next one
    fixed_cost: int = 0  # cost of using this vehicle at all
    energy_capacity: int | None = None  # most energy one route may use (RoutingProblem.energy_matrices units)
    idle_energy_rate: int = 0  # energy per time unit spent waiting between departure and return


@dataclass(frozen=True)
class RoutingProblem:
    """Nodes 0..num_depots-1 are depots; node num_depots + i is visits[i].

    time_matrices[p][i, j] = service time at node i + travel time from the end of i to the start of j,
    for vehicle profile p (speeds and wind differ, so the matrix is asymmetric). cost_matrices default to
    the time matrices. energy_matrices[p][i, j], when given, is the energy the same service and travel use;
    a vehicle with an energy_capacity may use at most that much on its route, waits included at its
    idle_energy_rate. task_penalties[t] is the cost of leaving task t unserved (None: mandatory).
    chain_route_limits[c], when given, is the most routes of chain c (one physical vehicle) that may fly: a
    drone's sortie budget, while its routes may be offered in every window it could fly in.
    """

    num_depots: int
    visits: Sequence[Visit]
    time_matrices: Sequence[np.ndarray]
    vehicles: Sequence[Vehicle]
    task_penalties: Sequence[int | None]
    cost_matrices: Sequence[np.ndarray] | None = None
    energy_matrices: Sequence[np.ndarray] | None = None
    unreachable: int = 10**9  # matrix value meaning "no legal path": the arc is forbidden
    chain_route_limits: Mapping[int, int] | None = None  # chain id -> most non-empty routes of it; absent: no limit

    @property
    def num_nodes(self) -> int:
        return self.num_depots + len(self.visits)

    @property
    def num_tasks(self) -> int:
        return len(self.task_penalties)


@dataclass(frozen=True)
class SolveParams:
    time_limit_s: float = 10.0
    seed: int = 0
    # Deterministic work budget: the core's search runs solver.SEARCH_ITERS_PER_SOLUTION x this many
    # iterations and OR-Tools stops after this many solutions, unless the time limit comes first; the same
    # seed and budget give the same routes when the budget binds.
    solution_limit: int | None = None
    log_search: bool = False
    progress: Callable[[int, float], None] | None = None  # (best objective so far, seconds elapsed)


class SolveStatus(str, Enum):
    """What a solve established: a proven optimum, a plan, a proof that none exists, or no plan in time."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"  # proven: a mandatory task no vehicle can serve, or OR-Tools' proof
    TIME_LIMIT = "no solution within the time limit"  # not proven impossible: more time may find one


@dataclass
class RoutingSolution:
    routes: list[list[int]]  # per vehicle: visit indices (into problem.visits) in service order
    start_times: list[list[int]]  # per vehicle: service start time of each visit, time units
    departures: list[int]  # per vehicle: departure time (time units), as early as allowed
    arrivals: list[int]  # per vehicle: return time (time units)
    dropped_tasks: list[int]
    objective: int
    status: SolveStatus
    wall_time_s: float
    history: list[tuple[float, int]] = field(default_factory=list)  # (seconds, objective) improvements
