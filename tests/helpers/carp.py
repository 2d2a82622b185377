"""CARPLIB (.dat) reader and the CARP -> RoutingProblem mapping used by the benchmark.

Instances are gdb/val/egl from Belenguer & Benavent's CARPLIB; costs are recomputed, never trusted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from planner.routing.problem import RoutingProblem, Vehicle, Visit

_EDGE = re.compile(r"\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*coste\s+(\d+)(?:\s+demanda\s+(\d+))?")
_HEADER = re.compile(r"^\s*([A-Z_]+)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class CarpInstance:
    """One CARPLIB instance; vertices are 1-based as in the file."""

    name: str
    num_vertices: int
    depot: int
    capacity: int
    vehicles: int
    required: tuple[tuple[int, int, int, int], ...]  # (u, v, cost, demand)
    non_required: tuple[tuple[int, int, int], ...]  # (u, v, cost)
    header_total_cost: int  # COSTE_TOTAL_REQ as written (not always right)

    @property
    def total_required_cost(self) -> int:
        return sum(e[2] for e in self.required)

    @property
    def total_demand(self) -> int:
        return sum(e[3] for e in self.required)


def load_carp(path: str | Path) -> CarpInstance:
    """Parse a CARPLIB .dat file (any whitespace, CRLF or LF); ValueError names the file and field."""
    path = Path(path)
    header: dict[str, str] = {}
    required, non_required = [], []
    block = None
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        edge = _EDGE.search(line)
        if edge:
            u, v, cost, demand = edge.groups()
            if block == "LISTA_ARISTAS_REQ":
                required.append((int(u), int(v), int(cost), int(demand or 0)))
            elif block == "LISTA_ARISTAS_NOREQ":
                non_required.append((int(u), int(v), int(cost)))
            else:
                raise ValueError(f"{path}:{lineno}: edge line outside an edge list")
            continue
        head = _HEADER.match(line)
        if not head:
            raise ValueError(f"{path}:{lineno}: cannot parse line {line.strip()!r}")
        key, value = head.groups()
        if key.startswith("LISTA_ARISTAS"):
            block = key
        else:
            header[key] = value

    def number(key: str) -> int:
        if key not in header:
            raise ValueError(f"{path}: field {key} missing")
        try:
            return int(float(header[key].split()[0]))
        except (ValueError, IndexError):
            raise ValueError(f"{path}: field {key}={header[key]!r} is not a number") from None

    inst = CarpInstance(
        name=header.get("NOMBRE", path.stem).split()[0],
        num_vertices=number("VERTICES"),
        depot=number("DEPOSITO"),
        capacity=number("CAPACIDAD"),
        vehicles=number("VEHICULOS"),
        required=tuple(required),
        non_required=tuple(non_required),
        header_total_cost=number("COSTE_TOTAL_REQ"),
    )
    for key, count in (("ARISTAS_REQ", len(required)), ("ARISTAS_NOREQ", len(non_required))):
        if number(key) != count:
            raise ValueError(f"{path}: field {key}={number(key)} but {count} edges are listed")
    return inst


def shortest_distances(inst: CarpInstance) -> np.ndarray:
    """All-pairs deadhead distances over every edge (required or not), 0-based vertices, int64."""
    n = inst.num_vertices
    rows, cols, weights = [], [], []
    for u, v, cost, *_ in inst.required + inst.non_required:
        rows += [u - 1, v - 1]
        cols += [v - 1, u - 1]
        weights += [cost, cost]
    graph = np.full((n, n), np.inf)
    for r, c, w in zip(rows, cols, weights):  # parallel edges: keep the cheapest
        graph[r, c] = min(graph[r, c], w)
    graph[~np.isfinite(graph)] = 0
    dist = shortest_path(csr_matrix(graph), method="D", directed=True)
    if not np.all(np.isfinite(dist)):
        raise ValueError(f"instance {inst.name}: graph is not connected")
    return np.rint(dist).astype(np.int64)


def oriented_arcs(inst: CarpInstance) -> list[tuple[int, int]]:
    """Visit 2k is required edge k traversed u->v, visit 2k+1 is v->u (1-based vertices)."""
    arcs = []
    for u, v, *_ in inst.required:
        arcs += [(u, v), (v, u)]
    return arcs


def fleet_size(inst: CarpInstance) -> int:
    """VEHICULOS or 1.25 x the demand bound + 2, whichever is larger.

    The literature's best-known costs do not bound the fleet, and an unused vehicle costs nothing; the
    slack lets split-based starts, which may need a few more routes than the bin-packing bound, fit.
    """
    bound = -(-inst.total_demand // inst.capacity)
    return max(inst.vehicles, -(-bound * 5 // 4) + 2)


def problem_from_carp(inst: CarpInstance, dist: np.ndarray | None = None) -> RoutingProblem:
    """One depot; T[i, j] = cost of serving arc i + deadhead from its head to the tail of arc j."""
    dist = shortest_distances(inst) if dist is None else dist
    arcs = oriented_arcs(inst)
    tails = np.array([a[0] - 1 for a in arcs] + [inst.depot - 1])
    heads = np.array([a[1] - 1 for a in arcs] + [inst.depot - 1])
    service = np.array([e[2] for e in inst.required for _ in (0, 1)] + [0], dtype=np.int64)
    # Node order in RoutingProblem: depot first, then the visits.
    order = np.r_[len(arcs), np.arange(len(arcs))]
    tails, heads, service = tails[order], heads[order], service[order]
    matrix = service[:, None] + dist[np.ix_(heads, tails)]
    np.fill_diagonal(matrix, 0)
    visits = [Visit(task=k // 2, demand=inst.required[k // 2][3]) for k in range(len(arcs))]
    horizon = int(service.sum() + dist.max() * (len(inst.required) + 1))  # no time limit in CARP
    vehicles = [Vehicle(depot=0, profile=0, window=(0, horizon), capacity=inst.capacity)
                for _ in range(fleet_size(inst))]
    return RoutingProblem(num_depots=1, visits=visits, time_matrices=[matrix], vehicles=vehicles,
                          task_penalties=[None] * len(inst.required), unreachable=max(10**9, horizon + 1))


def routes_cost(inst: CarpInstance, routes: list[list[tuple[int, int]]], dist: np.ndarray | None = None,
                complete: bool = True) -> int:
    """CARP cost of oriented routes, from the instance alone: served edge costs plus shortest deadheads.

    Raises ValueError if a route serves a non-required edge, an edge is served twice or missed, or a
    route exceeds the capacity (missed edges are allowed when `complete` is False).
    """
    dist = shortest_distances(inst) if dist is None else dist
    edge_of = {}
    for k, (u, v, _cost, _demand) in enumerate(inst.required):
        edge_of[(u, v)] = edge_of[(v, u)] = k
    seen: set[int] = set()
    total = 0
    for r, route in enumerate(routes):
        at, load = inst.depot, 0
        for u, v in route:
            k = edge_of.get((u, v))
            if k is None:
                raise ValueError(f"{inst.name}: route {r} serves ({u}, {v}), not a required edge")
            if k in seen:
                raise ValueError(f"{inst.name}: required edge {inst.required[k][:2]} served twice")
            seen.add(k)
            total += int(dist[at - 1, u - 1]) + inst.required[k][2]
            load += inst.required[k][3]
            at = v
        total += int(dist[at - 1, inst.depot - 1])
        if load > inst.capacity:
            raise ValueError(f"{inst.name}: route {r} carries {load} > capacity {inst.capacity}")
    if complete and len(seen) != len(inst.required):
        raise ValueError(f"{inst.name}: {len(inst.required) - len(seen)} required edges not served")
    return total
