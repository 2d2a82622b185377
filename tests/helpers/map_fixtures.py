"""A small two-hangar operations day and an honest plan for it, shared by the map tests.

Every sortie is built by tests/plan_factory.py from geodesic distances (hangar alt 0, climb, inspect, home, land).
"""
from __future__ import annotations

import datetime as dt

from airspace.beidou import encode
from missions.models import MissionPlan, Scenario, UnservedReason, UnservedTask
from missions.tasks import tasks_from_targets
from tests.helpers.plan_factory import M3D, build_plan, build_sortie

XSS_NAME = "<img src=x onerror=alert(1)> `${alert(2)}` \\u0041"
XSS_SCENARIO = "ops day <script>alert(3)</script>"


def _box(west: float, south: float, east: float, north: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


def ops_scenario(name: str = XSS_SCENARIO) -> Scenario:
    """Two hangars (three drones) east of Wuhan's East Lake, one zone of every class, grid cells, four targets."""
    return Scenario.model_validate(dict(
        name=name,
        date=dt.date(2026, 11, 21),
        timezone="Asia/Shanghai",
        operating_window={"start": "08:00", "end": "17:30"},
        drone_models=[M3D],
        hangars=[
            {"id": "H01", "name": "Optics Valley <1>", "lon": 114.40, "lat": 30.50, "drone_model": "m3d",
             "drones": 2, "operating_radius_m": 5000, "recharge_min": 32},
            {"id": "H02", "name": "Huashan", "lon": 114.46, "lat": 30.52, "drone_model": "m3d", "drones": 1,
             "operating_radius_m": 5000, "recharge_min": 32},
        ],
        airspace={
            "ceiling_m": 120,
            "zones": [
                {"id": "Z-PRO", "name": "Airport <b>approach</b>", "restriction": "prohibited",
                 "geometry": _box(114.375, 30.515, 114.385, 30.525)},
                {"id": "Z-AUT", "name": "Hospital", "restriction": "authorisation_required", "lower_m": 0,
                 "upper_m": 90, "geometry": _box(114.39, 30.475, 114.41, 30.485),
                 "active": [{"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "16:00"}]},
                {"id": "Z-CON", "name": "Stadium", "restriction": "conditional",
                 "geometry": _box(114.47, 30.50, 114.49, 30.51)},
                {"id": "Z-ADV", "name": "Bird colony", "restriction": "advisory",
                 "geometry": _box(114.43, 30.525, 114.45, 30.535)},
            ],
            "grid": {"cells": [
                {"code": encode(114.355, 30.465, 4), "status": "prohibited"},
                {"code": encode(114.372, 30.465, 4), "status": "restricted"},
                {"code": encode(114.389, 30.465, 4), "status": "open", "ceiling_m": 60},
            ]},
        },
        targets=[
            {"id": "R1", "name": "Xunsi River", "kind": "river", "altitude_m": 80,
             "geometry": {"type": "LineString",
                          "coordinates": [[114.41, 30.51], [114.425, 30.512], [114.44, 30.515]]}},
            {"id": "RD1", "name": "Gaoxin Avenue", "kind": "road", "altitude_m": 70,
             "geometry": {"type": "LineString", "coordinates": [[114.47, 30.53], [114.49, 30.535]]}},
            {"id": "L1", "name": "Yanxi Lake", "kind": "shoreline", "altitude_m": 60,
             "geometry": _box(114.452, 30.497, 114.458, 30.503)},
            {"id": "P1", "name": XSS_NAME, "kind": "point", "altitude_m": 60, "hover_s": 30,
             "geometry": {"type": "Point", "coordinates": [114.38, 30.52]}},
        ],
    ))


def ops_plan(scenario: Scenario) -> MissionPlan:
    """Four sorties on three drones: R1 and L1 fully served, RD1 half served, the point P1 blocked."""
    tasks, unserved = tasks_from_targets(scenario, max_leg_m=1500)
    by_target: dict[str, list] = {}
    for task in tasks:
        by_target.setdefault(task.target_id, []).append(task)
    river, road, lake, point = (by_target[t] for t in ("R1", "RD1", "L1", "P1"))
    assert len(river) == 2 and len(road) == 2 and len(lake) >= 2, "fixture geometry no longer cuts as designed"
    sorties = [
        build_sortie(scenario, "S1", "H01-1", 8 * 3600 + 600, river[:1]),
        build_sortie(scenario, "S2", "H02-1", 8 * 3600 + 1800, lake),
        build_sortie(scenario, "S3", "H01-2", 8 * 3600 + 2100, river[1:], reverse={river[1].task_id}),
        build_sortie(scenario, "S4", "H02-1", 10 * 3600, road[:1]),
    ]
    unserved = list(unserved) + [
        UnservedTask(task_id=road[1].task_id, target_id="RD1", reason=UnservedReason.NO_CAPACITY,
                     detail="the fleet's day was full <after> 17:00", coordinates=road[1].coordinates),
        UnservedTask(task_id=point[0].task_id, target_id="P1", reason=UnservedReason.BLOCKED_BY_AIRSPACE,
                     detail=f"inside prohibited zone Z-PRO ({XSS_NAME})", coordinates=point[0].coordinates),
    ]
    return build_plan(scenario, tasks, sorties, unserved)
