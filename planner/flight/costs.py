"""Transit and service costs for the solver: legal distances per epoch, then time and energy per leg in the wind.

Seconds and battery shares (floats, inf where impossible); planner.problem turns them into solver units.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from airspace.errors import InternalError
from airspace.paths import LegalAirspace
from airspace.projection import Projector
from missions.models import Hangar, InspectionTask
from planner.flight.energy import FlightEnergy
from planner.problem.epochs import Epoch

logger = logging.getLogger(__name__)

ADJACENT_M = 1.0  # task ends this close to the next start are flown on without climbing to transit height
DIRECT_TOLERANCE_M = 0.5  # a legal distance this close to the straight one means the straight leg is legal


@dataclass(frozen=True)
class Site:
    """Points the solver moves between: every hangar, then each task's start and end (same for points)."""

    lonlat: np.ndarray  # (n, 2)
    xy: np.ndarray  # (n, 2) metric
    hangar_index: dict[str, int]
    task_start: dict[str, int]
    task_end: dict[str, int]


def build_sites(hangars: list[Hangar], tasks: list[InspectionTask], projector: Projector) -> Site:
    lonlat: list[tuple[float, float]] = [(h.lon, h.lat) for h in hangars]
    hangar_index = {h.id: i for i, h in enumerate(hangars)}
    task_start: dict[str, int] = {}
    task_end: dict[str, int] = {}
    for task in tasks:
        first, last = task.coordinates[0], task.coordinates[-1]
        task_start[task.task_id] = len(lonlat)
        lonlat.append((first[0], first[1]))
        if len(task.coordinates) == 1:
            task_end[task.task_id] = task_start[task.task_id]
        else:
            task_end[task.task_id] = len(lonlat)
            lonlat.append((last[0], last[1]))
    array = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    x, y = projector.forward(array[:, 0], array[:, 1])
    return Site(array, np.column_stack([x, y]), hangar_index, task_start, task_end)


class TransitCosts:
    """Legal transit distances per epoch and, per drone model, their flight times and energies in the wind."""

    def __init__(self, site: Site, airspace: LegalAirspace, epochs: list[Epoch], altitude_m: float):
        self.site = site
        self.altitude_m = altitude_m
        dx = site.xy[None, :, 0] - site.xy[:, None, 0]
        dy = site.xy[None, :, 1] - site.xy[:, None, 1]
        self.dx, self.dy = dx, dy
        self.straight = np.hypot(dx, dy)
        self.legal: dict[int, np.ndarray] = {}
        self._matrices = {}
        for epoch in epochs:
            matrix = airspace.legal_matrix(
                [tuple(p) for p in site.lonlat], altitude_m=altitude_m, t0_s=epoch.start_s, t1_s=epoch.end_s
            )
            self._matrices[epoch.index] = matrix
            self.legal[epoch.index] = np.asarray(matrix.distances, dtype=float)
        self._site_of = {(float(lon), float(lat)): i for i, (lon, lat) in enumerate(site.lonlat)}
        self._arcs: dict[tuple[FlightEnergy, int], TransitArcs] = {}

    def transit_path(self, a: tuple[float, float], b: tuple[float, float], epoch: Epoch) -> list[tuple[float, float]]:
        """The legal path the matrix priced between two sites (a, b are site positions)."""
        i, j = self._site_of[(float(a[0]), float(a[1]))], self._site_of[(float(b[0]), float(b[1]))]
        path = self._matrices[epoch.index].path(i, j)
        if path is None:
            raise InternalError(f"no legal transit path from {a} to {b}: the cost matrix said there was")
        return [tuple(c) for c in path.coords]

    def bends(self, i: int, j: int, epoch: Epoch) -> np.ndarray:
        """(lon, lat) of the corners the legal path from site i to site j bends at (none for a straight leg)."""
        path = self._matrices[epoch.index].path(i, j)
        if path is None or len(path.coords) <= 2:
            return np.zeros((0, 2))
        return np.asarray(path.coords[1:-1], dtype=float)

    def transit(self, flight: FlightEnergy, epoch: Epoch) -> "TransitArcs":
        """Seconds and battery shares from point i to point j at transit altitude; inf where no legal path or
        the wind refuses the leg. A straight leg is priced at its own heading; a path bent around zones turns
        through headings not priced one by one, so it is bounded by the worst heading per metre."""
        key = (flight, epoch.index)  # the whole flight: the same model in another wind is priced anew
        if key not in self._arcs:
            legal = self.legal[epoch.index]
            cruise = flight.model.cruise_speed_ms
            seconds, energy = flight.horizontal(self.dx, self.dy, self.altitude_m, cruise)
            s_per_m, e_per_m = flight.per_metre_bound(self.altitude_m, cruise)
            direct = np.abs(legal - self.straight) <= DIRECT_TOLERANCE_M
            with np.errstate(invalid="ignore"):
                seconds = np.where(direct, seconds, legal * s_per_m)
                energy = np.where(direct, energy, legal * e_per_m)
            blocked = ~np.isfinite(legal) | np.isnan(seconds)
            self._arcs[key] = TransitArcs(np.where(blocked, np.inf, seconds), np.where(blocked, np.inf, energy))
        return self._arcs[key]


@dataclass(frozen=True)
class TransitArcs:
    """Transit between sites for one drone model in one epoch: seconds and battery shares, inf where impossible."""

    seconds: np.ndarray
    energy: np.ndarray


@dataclass(frozen=True)
class ServiceCost:
    """One way of flying a task, split where the solver's time windows need it: seconds and battery shares."""

    descend_s: float  # from transit altitude at the start point down (or up) to the task altitude
    inspect_s: float  # along the task at inspection speed in wind, plus hover
    climb_s: float  # back to transit altitude at the end point
    descend_e: float
    inspect_e: float
    climb_e: float

    @property
    def total_s(self) -> float:
        return self.descend_s + self.inspect_s + self.climb_s

    @property
    def total_e(self) -> float:
        return self.descend_e + self.inspect_e + self.climb_e


def service_cost(task: InspectionTask, flight: FlightEnergy, reverse: bool, transit_m: float,
                 projector: Projector) -> ServiceCost:
    coords = task.coordinates[::-1] if reverse else task.coordinates
    inspect_s = task.hover_s
    inspect_e = flight.station_power(task.altitude_m) * task.hover_s if task.hover_s else 0.0
    if not flight.can_hold_station(task.altitude_m):
        inspect_s = inspect_e = float("inf")
    elif len(coords) > 1:
        seconds, energy = inspect_track(task, coords, flight, projector)
        inspect_s += float(np.sum(seconds))
        inspect_e += float(np.sum(energy))
    descend_s, descend_e = flight.vertical(transit_m, task.altitude_m)
    climb_s, climb_e = flight.vertical(task.altitude_m, transit_m)
    return ServiceCost(descend_s, inspect_s, climb_s, descend_e, inspect_e, climb_e)


def inspect_track(task: InspectionTask, coords, flight: FlightEnergy, projector: Projector):
    """(seconds, battery share) of each segment of a task's line flown in the order of `coords`."""
    arr = np.asarray(coords, dtype=float)[:, :2]
    xs, ys = projector.forward(arr[:, 0], arr[:, 1])
    return flight.horizontal(np.diff(np.asarray(xs)), np.diff(np.asarray(ys)), task.altitude_m,
                             flight.model.inspection_speed_ms)
