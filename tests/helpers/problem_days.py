"""Small drone days for the unit tests of planner.problem and planner.flight: one hangar group, built the way plan()
builds it (plan_jobs, then prepare_group), so a test reads the group's ProblemContext and its RoutingProblem.

Positions are metres east/north of tests.helpers.plan_factory.HANGAR; every expected value is computed in the test.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pyproj

from airspace.geometry import Geometry
from airspace.windows import TimeWindow
from airspace.zones import Zone
from missions.models import AirspaceSpec, DroneModel, Hangar, Scenario, Target, Weather
from planner.fleet.group_solve import PreparedGroup, prepare_group
from planner.options import PlanOptions
from planner.plan import plan_jobs
from tests.helpers.plan_factory import HANGAR, drone_model, place

GEOD = pyproj.Geod(ellps="WGS84")


def metres(a, b) -> float:
    """Geodesic distance between two (lon, lat) positions."""
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def azimuth(a, b) -> float:
    """Forward geodesic azimuth from a to b, degrees clockwise from true north."""
    return GEOD.inv(a[0], a[1], b[0], b[1])[0]


def hangar(hangar_id: str = "H1", east_m: float = 0.0, north_m: float = 0.0, *, model: str = "m3d", drones: int = 1,
           radius: float = 8000.0, recharge_min: float = 30.0, window: tuple[str, str] | None = None) -> Hangar:
    lon, lat = place(east_m, north_m)
    return Hangar(id=hangar_id, lon=lon, lat=lat, drone_model=model, drones=drones, operating_radius_m=radius,
                  recharge_min=recharge_min, window=TimeWindow(start=window[0], end=window[1]) if window else None)


def point(target_id: str, east_m: float, north_m: float = 0.0, *, hover: float = 30.0, altitude: float = 50.0,
          window: tuple[str, str] | None = None, **kw) -> Target:
    return Target(id=target_id, kind="point", geometry=Geometry(type="Point", coordinates=place(east_m, north_m)),
                  altitude_m=altitude, hover_s=hover,
                  window=TimeWindow(start=window[0], end=window[1]) if window else None, **kw)


def line(target_id: str, *points_m: tuple[float, float], altitude: float = 80.0, kind: str = "river", **kw) -> Target:
    return Target(id=target_id, kind=kind, altitude_m=altitude,
                  geometry=Geometry(type="LineString", coordinates=[place(e, n) for e, n in points_m]), **kw)


def box(zone_id: str, west_m: float, south_m: float, east_m: float, north_m: float, *,
        restriction: str = "prohibited", lower: float = 0.0, upper: float = 120.0,
        active: list[tuple[str, str]] | None = None) -> Zone:
    """A keep-out rectangle given by its edges in metres from HANGAR."""
    ring = [place(west_m, south_m), place(east_m, south_m), place(east_m, north_m), place(west_m, north_m),
            place(west_m, south_m)]
    return Zone(id=zone_id, restriction=restriction, lower_m=lower, upper_m=upper,
                geometry=Geometry(type="Polygon", coordinates=[ring]),
                active=[TimeWindow(start=a, end=b) for a, b in active] if active is not None else None)


def day(targets, *, hangars=None, zones=(), wind: float = 0.0, wind_from: float = 90.0, shear: float = 0.0,
        models: list[DroneModel] | None = None, window: tuple[str, str] = ("08:00", "17:00"),
        date: dt.date = dt.date(2026, 11, 21), timezone: str = "Asia/Shanghai") -> Scenario:
    """A scenario near East Lake; the wind has no shear by default, so it is the same at every height."""
    return Scenario(
        name="problem-day", date=date, timezone=timezone,
        operating_window=TimeWindow(start=window[0], end=window[1]),
        weather=Weather(wind_speed_ms=wind, wind_from_deg=wind_from, shear_exponent=shear),
        drone_models=models or [drone_model()],
        hangars=hangars or [hangar()],
        airspace=AirspaceSpec(zones=list(zones)),
        targets=list(targets),
    )


def group(scenario: Scenario, availability=None, **options) -> tuple[PreparedGroup, list]:
    """The scenario's only hangar group prepared as plan() prepares it (context and routing problem), and the tasks
    the plan gives up on before any group (out of every radius, blocked by airspace)."""
    jobs, _, unserved = plan_jobs(scenario, PlanOptions(**options))
    (job,) = jobs
    if availability is not None:
        job = dataclasses.replace(job, availability=availability)
    return prepare_group(job), unserved


__all__ = ["GEOD", "HANGAR", "azimuth", "box", "day", "group", "hangar", "line", "metres", "point"]
