"""Transit and service times for the solver: legal distances per epoch, wind per leg heading, climb and descent.

All times are seconds (floats, inf where impossible); planner.problem turns them into solver units.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from airspace.errors import InternalError
from airspace.paths import LegalAirspace
from airspace.projection import Projector
from missions.models import DroneModel, Hangar, InspectionTask, Weather
from planner.problem.epochs import Epoch
from planner.flight.wind import ground_speed, track_time_s, wind_vector, worst_case_speed

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
    """Legal transit distances per epoch and their flight times per drone model, in wind."""

    def __init__(self, site: Site, airspace: LegalAirspace, epochs: list[Epoch], altitude_m: float, weather: Weather | None):
        self.site = site
        self.altitude_m = altitude_m
        self.weather = weather or Weather()
        self.wind_east, self.wind_north = wind_vector(self.weather.wind_speed_ms, self.weather.wind_from_deg)
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
        self._times: dict[tuple[str, int], np.ndarray] = {}

    def transit_path(self, a: tuple[float, float], b: tuple[float, float], epoch: Epoch) -> list[tuple[float, float]]:
        """The legal path the matrix priced between two sites (a, b are site positions)."""
        i, j = self._site_of[(float(a[0]), float(a[1]))], self._site_of[(float(b[0]), float(b[1]))]
        path = self._matrices[epoch.index].path(i, j)
        if path is None:
            raise InternalError(f"no legal transit path from {a} to {b}: the cost matrix said there was")
        return [tuple(c) for c in path.coords]

    def transit_s(self, model: DroneModel, epoch: Epoch) -> np.ndarray:
        """Seconds from point i to point j at transit altitude; inf where no legal path or no headway."""
        key = (model.id, epoch.index)
        if key not in self._times:
            legal = self.legal[epoch.index]
            speed = ground_speed(self.dx, self.dy, model.cruise_speed_ms, self.wind_east, self.wind_north)
            direct = np.abs(legal - self.straight) <= DIRECT_TOLERANCE_M
            worst = worst_case_speed(model.cruise_speed_ms, self.weather.wind_speed_ms)
            with np.errstate(invalid="ignore", divide="ignore"):
                direct_time = np.where(self.straight > 0, self.straight / speed, 0.0)
                # A bent legal path has headings we do not price one by one; the headwind speed bounds them all.
                detour_time = legal / worst if worst > 0 else np.full_like(legal, np.inf)
            times = np.where(direct, direct_time, detour_time)
            times = np.where(np.isnan(times) | ~np.isfinite(legal), np.inf, times)
            self._times[key] = times
        return self._times[key]


@dataclass(frozen=True)
class ServiceTime:
    """Seconds of one way of flying a task, split where the solver's time windows need it."""

    descend_s: float  # from transit altitude at the start point down (or up) to the task altitude
    inspect_s: float  # along the task at inspection speed in wind, plus hover
    climb_s: float  # back to transit altitude at the end point

    @property
    def total_s(self) -> float:
        return self.descend_s + self.inspect_s + self.climb_s


def vertical_s(from_m: float, to_m: float, model: DroneModel) -> float:
    rate = model.climb_speed_ms if to_m > from_m else model.descent_rate_ms
    return abs(to_m - from_m) / rate


def service_time(task: InspectionTask, model: DroneModel, reverse: bool, transit_m: float,
                 projector: Projector, weather: Weather | None) -> ServiceTime:
    weather = weather or Weather()
    coords = task.coordinates[::-1] if reverse else task.coordinates
    inspect = task.hover_s
    if len(coords) > 1:
        arr = np.asarray(coords, dtype=float)[:, :2]
        xs, ys = projector.forward(arr[:, 0], arr[:, 1])
        east, north = wind_vector(weather.wind_speed_ms, weather.wind_from_deg)
        inspect += float(np.sum(track_time_s(xs, ys, model.inspection_speed_ms, east, north)))
    return ServiceTime(
        descend_s=vertical_s(transit_m, task.altitude_m, model),
        inspect_s=inspect,
        climb_s=vertical_s(task.altitude_m, transit_m, model),
    )
