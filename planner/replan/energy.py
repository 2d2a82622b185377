"""The energy a flown path takes in the winds of its hours, and whether each leg still holds its planned speed.

A wind change while a drone is up (Scenario.weather_updates) changes what the rest of its flight costs; the
planner's leg physics (planner.flight.energy) prices every part in the wind of its time.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from airspace.projection import Projector
from missions.models import DroneModel, Scenario, Waypoint, Weather
from planner.flight.energy import FlightEnergy, grid_north_deg

# A leg slower than its times by more than this is slowed by the wind: plan times are written to the millisecond,
# and the group that planned it measured it in its own projection (lengths agree to a few parts in 100,000).
TIME_TOL_S = 0.005
LENGTH_TOL = 1e-4


@dataclass(frozen=True)
class PathEnergy:
    energy: float  # share of a full battery
    slowed: tuple[int, ...]  # segments whose planned ground speed the wind of their time cannot hold
    slowed_air_ms: float  # the airspeed the first of them would need


class Winds:
    """One drone model's leg physics in each wind of the day, in one metric grid."""

    def __init__(self, scenario: Scenario, model: DroneModel, projector: Projector, lon: float, lat: float):
        self.scenario, self.model, self.projector = scenario, model, projector
        self.north = grid_north_deg(projector, lon, lat)
        self._flights: dict[str, FlightEnergy] = {}

    def flight(self, weather: Weather) -> FlightEnergy:
        key = weather.model_dump_json()
        if key not in self._flights:
            self._flights[key] = FlightEnergy.of(self.model, weather, self.north)
        return self._flights[key]

    def at(self, clock_s: float) -> FlightEnergy:
        return self.flight(self.scenario.weather_at(clock_s))


def path_energy(waypoints: list[Waypoint], takeoff_s: float, winds: Winds) -> PathEnergy:
    """Energy of a timed path taking off at clock `takeoff_s`: every hover, climb and leg in the wind of its time
    (split where the wind changes), each leg at the ground speed its times say."""
    lon = np.array([w.lon for w in waypoints])
    lat = np.array([w.lat for w in waypoints])
    xs, ys = winds.projector.forward(lon, lat)
    energy, slowed, need = 0.0, [], 0.0
    for i, here in enumerate(waypoints):
        start = takeoff_s + here.t_s
        for a, b, weather in _spans(winds.scenario, start, start + here.hover_s):
            energy += (b - a) * winds.flight(weather).station_power(here.alt_m)
        if i + 1 == len(waypoints):
            break
        after = waypoints[i + 1]
        moving = after.t_s - here.t_s - here.hover_s
        if moving <= 0:
            continue
        dx, dy = float(xs[i + 1] - xs[i]), float(ys[i + 1] - ys[i])
        length = math.hypot(dx, dy)
        for a, b, weather in _spans(winds.scenario, start + here.hover_s, takeoff_s + after.t_s):
            flight = winds.flight(weather)
            share = (b - a) / moving
            if length > 0:
                route_ms = length / moving
                seconds, leg = flight.horizontal(dx, dy, here.alt_m, route_ms)
                if not np.isfinite(seconds) or seconds > moving * (1 + LENGTH_TOL) + TIME_TOL_S:
                    if not slowed:
                        east, north = flight.wind_at(here.alt_m)
                        need = math.hypot(route_ms * dx / length - east, route_ms * dy / length - north)
                    slowed.append(i)
                    energy += math.inf if not np.isfinite(leg) else float(leg) * share
                    continue
                energy += float(leg) * share + _vertical(flight, here.alt_m, after.alt_m, share)
            else:
                seconds, climb = flight.vertical(here.alt_m, after.alt_m)
                energy += climb * share + max(0.0, moving - seconds) * share * flight.station_power(after.alt_m)
    return PathEnergy(energy, tuple(sorted(set(slowed))), need)


def _vertical(flight: FlightEnergy, from_m: float, to_m: float, share: float) -> float:
    """A leg that also changes height (none the planner lays down) pays for the climb on top."""
    return flight.vertical(from_m, to_m)[1] * share if from_m != to_m else 0.0


def _spans(scenario: Scenario, start: float, end: float) -> list[tuple[float, float, Weather]]:
    if end <= start:
        return []
    return scenario.wind_spans(start, end)
