"""Rebuild each solved sortie as a flown path: legal transit geometry, ground-speed times, energy, waits, inspections.

Times and energies are recomputed exactly here; they never exceed the solver's (its matrices round up and bound
bent legs by the worst heading), so battery, windows and recharge gaps found by the solver still hold.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from airspace.projection import Projector, geodesic_length_m
from missions.models import Hangar, Inspection, InspectionTask, Scenario, Sortie, Waypoint
from planner.flight.costs import ADJACENT_M, TransitCosts
from planner.flight.energy import FlightEnergy
from planner.problem.epochs import Epoch


@dataclass
class Track:
    """Waypoints being laid down for one sortie, with the clock and the battery running."""

    projector: Projector
    flight: FlightEnergy
    waypoints: list[Waypoint] = field(default_factory=list)
    t: float = 0.0
    energy: float = 0.0  # share of a full battery used so far

    @property
    def here(self) -> Waypoint:
        return self.waypoints[-1]

    def add(self, lon: float, lat: float, alt: float, action: str = "transit", task_id: str | None = None,
            hover_s: float = 0.0) -> None:
        self.waypoints.append(Waypoint(lon=lon, lat=lat, alt_m=alt, t_s=round(self.t, 3), action=action,
                                       task_id=task_id, hover_s=round(hover_s, 3)))
        self.wait(hover_s, alt)

    def wait(self, seconds: float, alt: float) -> None:
        """Time on station at `alt` (a hover, or a wait folded into a vertical move's time)."""
        self.t += seconds
        self.energy += self.flight.station_power(alt) * seconds

    def fly(self, coords: list[tuple[float, float]], alt: float, route_ms: float, action: str = "transit",
            task_id: str | None = None) -> None:
        """Fly horizontally through coords (the first is where we are) at `alt`, adding a vertex at each: every
        segment at its planned ground speed (duration = length / ground speed, the autopilot holds it)."""
        if len(coords) < 2:
            return
        arr = np.asarray(coords, dtype=float)
        xs, ys = self.projector.forward(arr[:, 0], arr[:, 1])
        seconds, energy = self.flight.horizontal(np.diff(np.asarray(xs)), np.diff(np.asarray(ys)), alt, route_ms)
        for (lon, lat), dt, de in zip(coords[1:], seconds, energy):
            self.t += float(dt)
            self.energy += float(de)
            self.add(lon, lat, alt, action, task_id)

    def vertical(self, to_alt: float, action: str = "transit", task_id: str | None = None) -> None:
        here = self.here
        if math.isclose(here.alt_m, to_alt):
            return
        seconds, energy = self.flight.vertical(here.alt_m, to_alt)
        self.t += seconds
        self.energy += energy
        self.add(here.lon, here.lat, to_alt, action, task_id)


def build_sortie(
    sortie_id: str,
    drone_id: str,
    hangar: Hangar,
    flight: FlightEnergy,
    epoch: Epoch,
    takeoff_s: float,
    visits: list[tuple[InspectionTask, bool]],
    scenario: Scenario,
    costs: TransitCosts,
    projector: Projector,
    transit_m: float,
) -> Sortie:
    model = flight.model
    track = Track(projector, flight)
    track.add(hangar.lon, hangar.lat, 0.0, "takeoff")
    track.vertical(transit_m)
    inspections: list[tuple[InspectionTask, int, int]] = []
    previous: InspectionTask | None = None
    for task, reverse in visits:
        coords = [(c[0], c[1]) for c in (task.coordinates[::-1] if reverse else task.coordinates)]
        start = coords[0]
        here = track.here
        adjacent = (
            previous is not None
            and math.isclose(here.alt_m, task.altitude_m)
            and _metres(projector, (here.lon, here.lat), start) < ADJACENT_M
        )
        if adjacent:
            # The solver priced this sub-metre hop at cruise speed; fly it so.
            track.fly([(here.lon, here.lat), start], task.altitude_m, model.cruise_speed_ms)
        else:
            if not math.isclose(here.alt_m, transit_m):
                track.vertical(transit_m)
            _transit(track, start, transit_m, model.cruise_speed_ms, epoch, costs)
        descend = (0.0, 0.0) if adjacent else flight.vertical(transit_m, task.altitude_m)
        if task.window is not None:
            wait = task.window.start_s - (takeoff_s + track.t + descend[0])
            if wait > 0:
                # Early for the target's window: hover in place rather than arrive before it opens.
                here = track.here
                track.add(here.lon, here.lat, here.alt_m, "transit", hover_s=wait)
        track.t += descend[0]
        track.energy += descend[1]
        is_point = len(coords) == 1
        track.add(start[0], start[1], task.altitude_m, "hover" if is_point else "inspect", task.task_id,
                  hover_s=task.hover_s if is_point else 0.0)
        first = len(track.waypoints) - 1
        track.fly(coords, task.altitude_m, model.inspection_speed_ms, "inspect", task.task_id)
        if len(coords) > 1 and task.hover_s:
            track.add(coords[-1][0], coords[-1][1], task.altitude_m, "hover", task.task_id, hover_s=task.hover_s)
        inspections.append((task, first, len(track.waypoints) - 1))
        previous = task
    if track.waypoints and not math.isclose(track.here.alt_m, transit_m):
        track.vertical(transit_m)
    _transit(track, (hangar.lon, hangar.lat), transit_m, model.cruise_speed_ms, epoch, costs)
    land = flight.vertical(transit_m, 0.0)
    track.t += land[0]
    track.energy += land[1]
    track.add(hangar.lon, hangar.lat, 0.0, "land")

    flight_s = track.waypoints[-1].t_s
    takeoff = scenario.local_datetime(takeoff_s)
    sortie_inspections = [
        Inspection(
            task_id=task.task_id,
            target_id=task.target_id,
            sortie_id=sortie_id,
            start=scenario.local_datetime(takeoff_s + track.waypoints[first].t_s),
            end=scenario.local_datetime(takeoff_s + track.waypoints[last].t_s + track.waypoints[last].hover_s),
            first_index=first,
            last_index=last,
            coordinates=[[w.lon, w.lat, w.alt_m] for w in track.waypoints[first:last + 1]],
        )
        for task, first, last in inspections
    ]
    return Sortie(
        sortie_id=sortie_id,
        drone_id=drone_id,
        hangar_id=hangar.id,
        drone_model=model.id,
        takeoff=takeoff,
        landing=scenario.local_datetime(takeoff_s + flight_s),
        waypoints=track.waypoints,
        distance_m=round(path_length_m(track.waypoints), 2),
        flight_time_s=flight_s,
        battery_used=round(track.energy, 6),
        tasks=[task.task_id for task, _ in visits],
        inspections=sortie_inspections,
    )


def _transit(track: Track, to: tuple[float, float], transit_m: float, cruise_ms: float, epoch: Epoch,
             costs: TransitCosts) -> None:
    here = track.here
    if (here.lon, here.lat) == tuple(to):
        return
    path = costs.transit_path((here.lon, here.lat), to, epoch)
    coords = [(here.lon, here.lat)] + path[1:-1] + [tuple(to)]
    track.fly(coords, transit_m, cruise_ms)


def _metres(projector: Projector, a: tuple[float, float], b: tuple[float, float]) -> float:
    xs, ys = projector.forward(np.array([a[0], b[0]]), np.array([a[1], b[1]]))
    return float(np.hypot(xs[1] - xs[0], ys[1] - ys[0]))


def path_length_m(waypoints: list[Waypoint]) -> float:
    """Horizontal length of the flown path on the ellipsoid (what the verifier and a GIS measure on the
    LineString; a group's projection may be a country wide, so not in its metres); climbs are priced in time."""
    return geodesic_length_m([(w.lon, w.lat) for w in waypoints])
