"""Drone days built to strand work in a decomposition, for the repair tests and benchmarks/stranding.py.

Deterministic, no randomness: positions on a grid, times on the clock.
"""
from __future__ import annotations

import datetime as dt

from airspace.geometry import Geometry
from airspace.windows import TimeWindow
from missions.models import AirspaceSpec, DroneModel, Hangar, Scenario, Target, Weather
from planner.routing.problem import RoutingSolution, SolveStatus

ORIGIN = (114.40, 30.50)
DEG_LON_M, DEG_LAT_M = 95_950.0, 110_850.0


def _at(east_m: float, north_m: float = 0.0) -> list[float]:
    return [ORIGIN[0] + east_m / DEG_LON_M, ORIGIN[1] + north_m / DEG_LAT_M]


def hotspot(points: int = 30) -> Scenario:
    """Four one-drone hangars in a row, 3 km apart (groups of two: H1-H2 | H3-H4), five-minute hovers between the
    groups; H1 and H2 open only from 15:00, which the decomposition's whole-day estimate does not see, so it gives
    the west group work it cannot fly while the east group's drones have time."""
    model = DroneModel(id="m", cruise_speed_ms=15, inspection_speed_ms=8, endurance_min=30, reserve_fraction=0.2,
                       max_wind_ms=12, climb_speed_ms=5)
    afternoon = TimeWindow(start="15:00", end="17:00")
    hangars = [Hangar(id=f"H{k + 1}", lon=_at(k * 3000)[0], lat=ORIGIN[1], drone_model="m", drones=1,
                      operating_radius_m=8000, recharge_min=30, window=afternoon if k < 2 else None) for k in range(4)]
    targets = [Target(id=f"P{k}", kind="point", altitude_m=50, hover_s=300, priority=3, geometry=Geometry(
        type="Point", coordinates=_at(4500 + (k % 5 - 2) * 1200, (k // 5 - 3) * 900))) for k in range(points)]
    return Scenario(name="hotspot", date=dt.date(2026, 11, 21), timezone="Asia/Shanghai",
                    operating_window=TimeWindow(start="08:00", end="17:00"), weather=Weather(wind_speed_ms=0),
                    drone_models=[model], hangars=hangars, airspace=AirspaceSpec(), targets=targets)


def solver_timeout(problem, params, *args, **kwargs):
    """The routing core's answer when its clock stops before a first plan (planner.routing.solver.solve)."""
    nv = len(problem.vehicles)
    return RoutingSolution([[] for _ in range(nv)], [[] for _ in range(nv)], [v.window[0] for v in problem.vehicles],
                           [v.window[0] for v in problem.vehicles], list(range(problem.num_tasks)), 0,
                           SolveStatus.TIME_LIMIT, 0.0, [])


def packed_dock(points: int = 64, end: str = "11:30") -> Scenario:
    """One dock with two drones and more five-minute hovers round it (a 700 m grid) than the morning holds: both
    drones fly back to back until the window closes, the shape of the national 300-hangar day where the two
    drones of a dock took off at the same second with no slack left to part them."""
    model = DroneModel(id="m3d", cruise_speed_ms=15, inspection_speed_ms=8, endurance_min=45, max_wind_ms=12)
    dock = Hangar(id="D1", lon=ORIGIN[0], lat=ORIGIN[1], drone_model="m3d", drones=2, operating_radius_m=8000,
                  recharge_min=30)
    targets = [Target(id=f"P{k}", kind="point", altitude_m=50, hover_s=240, priority=3, geometry=Geometry(
        type="Point", coordinates=_at((k % 8 - 3.5) * 700, (k // 8 - 2) * 700))) for k in range(points)]
    return Scenario(name="packed-dock", date=dt.date(2026, 11, 21), timezone="Asia/Shanghai",
                    operating_window=TimeWindow(start="08:00", end=end), weather=Weather(wind_speed_ms=0),
                    drone_models=[model], hangars=[dock], airspace=AirspaceSpec(), targets=targets)
