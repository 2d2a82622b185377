"""Unserved reasons tell the truth: one case per reason, its text parsed and each number recomputed here.

Distances come from pyproj.Geod and times from the drone model's speeds, not from the planner's cost code.
"""
from __future__ import annotations

import datetime as dt
import re

import pyproj
import pytest

from airspace.geometry import Geometry
from airspace.windows import TimeWindow
from airspace.zones import Restriction, Zone
from missions.models import AirspaceSpec, DroneModel, Hangar, Scenario, Target, Weather
from missions.verify import verify_plan
from planner import PlanOptions, plan
from planner.fleet import group_solve
from tests.helpers.plan_factory import HANGAR, drone_model, place
from tests.helpers.fleet_days import solver_timeout

GEOD = pyproj.Geod(ellps="WGS84")
TRANSIT_M = 100.0


def _scenario(targets, *, zones=(), wind=0.0, drones=1, window=("08:00", "17:00"), model=None, radius=8000.0,
              hangars=None) -> Scenario:
    model = model or drone_model()
    return Scenario(
        name="reasons", date=dt.date(2026, 11, 21), timezone="Asia/Shanghai",
        operating_window=TimeWindow(start=window[0], end=window[1]),
        weather=Weather(wind_speed_ms=wind, wind_from_deg=90),
        drone_models=[model],
        hangars=hangars or [Hangar(id="H1", lon=HANGAR[0], lat=HANGAR[1], drone_model=model.id, drones=drones,
                                   operating_radius_m=radius, recharge_min=30)],
        airspace=AirspaceSpec(zones=list(zones)),
        targets=list(targets),
    )


def _point(target_id: str, east_m: float, north_m: float = 0.0, hover: float = 30.0, **kw) -> Target:
    return Target(id=target_id, kind="point", geometry=Geometry(type="Point", coordinates=place(east_m, north_m)),
                  altitude_m=50, hover_s=hover, **kw)


def _square(target_or_zone_id: str, east_m: float, half_m: float, **kw) -> Zone:
    ring = [place(east_m - half_m, -half_m), place(east_m + half_m, -half_m), place(east_m + half_m, half_m),
            place(east_m - half_m, half_m), place(east_m - half_m, -half_m)]
    return Zone(id=target_or_zone_id, geometry=Geometry(type="Polygon", coordinates=[ring]), **kw)


def _planned(scenario: Scenario, **options):
    result = plan(scenario, PlanOptions(**{"time_limit_s": 3, **options}))
    report = verify_plan(result, scenario)
    assert report.ok, [str(v) for v in report.violations]
    return result


def _only(result, reason: str):
    (item,) = [u for u in result.unserved if u.reason.value == reason]
    return item


def _metres(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def _numbers(pattern: str, text: str) -> tuple:
    match = re.fullmatch(pattern, text)
    assert match, f"{text!r} does not read as {pattern!r}"
    return match.groups()


def _solo_minutes(distance_m: float, hover_s: float, model: DroneModel, altitude_m: float = 50.0) -> float:
    """Takeoff to landing of one point alone in still air: climb, out, down, hover, up, back, land."""
    down = TRANSIT_M - altitude_m
    seconds = (TRANSIT_M / model.climb_speed_ms + distance_m / model.cruise_speed_ms + down / model.descent_rate_ms
               + hover_s + down / model.climb_speed_ms + distance_m / model.cruise_speed_ms
               + TRANSIT_M / model.descent_rate_ms)
    return seconds / 60


def test_out_of_reach_names_the_nearest_hangar_its_distance_and_radius():
    far = _point("FAR", 12_000)
    # H2 is farther and has a longer radius, but falls short by more: H1 is the one to name.
    hangars = [Hangar(id="H1", lon=HANGAR[0], lat=HANGAR[1], drone_model="m3d", drones=1, operating_radius_m=8000,
                      recharge_min=30),
               Hangar(id="H2", lon=place(-30_000)[0], lat=HANGAR[1], drone_model="m3d", drones=1,
                      operating_radius_m=10_000, recharge_min=30)]
    scenario = _scenario([far, _point("NEAR", 1000)], hangars=hangars)
    item = _only(_planned(scenario), "out_of_reach")
    km, hangar, radius = _numbers(r"([\d.]+) km from the nearest hangar, (\w+): beyond its ([\d.]+) km operating radius",
                                  item.detail)
    assert hangar == "H1" and radius == "8.0"
    assert float(km) == pytest.approx(_metres(HANGAR, far.geometry.coordinates) / 1000, abs=0.051)


def test_out_of_reach_on_battery_gives_the_share_a_round_trip_needs_and_the_usable_share():
    model = drone_model(endurance_min=12)
    target = _point("P", 4000)
    item = _only(_planned(_scenario([target], model=model)), "out_of_reach")
    (need,) = _numbers(r"round trip from H1 needs (\d+\.\d)% of a battery \(calm at 100 m\), usable 80%", item.detail)
    # Calm air: climb 100 m at 5 m/s, out at 15 m/s, down 50 m, hover 30 s, up 50 m, back, land (missions.physics).
    curve = model.power_curve
    climb = curve.induced * model.climb_speed_ms / curve.induced_velocity_ms
    hover, cruise = curve.level(0.0), curve.level(model.cruise_speed_ms)
    out = _metres(HANGAR, target.geometry.coordinates) / model.cruise_speed_ms
    energy = 20 * (hover + climb) + 2 * out * cruise + 10 * hover + 30 * hover + 10 * (hover + climb) + 20 * hover
    assert float(need) / 100 == pytest.approx(energy, abs=0.002) and energy > 0.8


def test_blocked_by_airspace_names_the_zone_band_height_and_hours():
    zone = _square("NFZ", 3000, 500, restriction=Restriction.PROHIBITED, lower_m=0, upper_m=120)
    item = _only(_planned(_scenario([_point("INSIDE", 3000)], zones=[zone])), "blocked_by_airspace")
    assert item.detail == ("inside keep-out zone NFZ (prohibited, 0-120 m), within 20 m clearance, at its 50 m "
                           "inspection height or on the climb to 100 m, whenever the fleet may fly (08:00-17:00)")


def test_wind_grounding_names_the_wind_and_the_model_limit():
    item = _only(_planned(_scenario([_point("P1", 1500)], wind=14.0)), "wind")
    assert item.detail == "H1's m3d is grounded: wind 14.0 m/s over its 12.0 m/s limit"


def test_wind_headwind_names_the_wind_at_height_and_the_airspeed_it_needs():
    # 9 m/s from the east at 10 m is 9 x 10^(1/7) = 12.5 m/s at 100 m (open-terrain power law): making 1 m/s over
    # the ground eastwards needs 13.5 m/s of air, above a 13 m/s limit.
    model = drone_model(max_airspeed_ms=13)
    item = _only(_planned(_scenario([_point("EAST", 3000)], wind=9.0, model=model)), "wind")
    wind, need, limit = _numbers(r"transit out from H1: heading 90 deg into ([\d.]+) m/s wind at 100 m, m3d would "
                                 r"need ([\d.]+) m/s airspeed to make even 1 m/s over the ground; its limit is "
                                 r"([\d.]+) m/s", item.detail)
    aloft = 9.0 * (100 / 10) ** (1 / 7)
    assert float(wind) == round(aloft, 1) and float(need) == round(aloft + 1, 1) and float(limit) == 13


def test_window_outside_the_day_names_both_windows():
    early = _point("EARLY", 1000, window=TimeWindow(start="05:00", end="06:00"))
    item = _only(_planned(_scenario([early])), "window_impossible")
    assert item.detail == "its window 05:00-06:00 does not meet H1's flying time 08:00-17:00"


def test_window_too_short_for_the_inspection_says_when_it_ends():
    short = _point("SHORT", 1000, hover=600, window=TimeWindow(start="10:00", end="10:05"))
    item = _only(_planned(_scenario([short])), "window_impossible")
    assert item.detail == ("from H1 (flying time 08:00-17:00) the inspection reaches the task at 10:00 at the "
                           "earliest and takes 10.0 min, past the end of its window 10:00-10:05")


def _free_gaps(result, scenario, drone_id: str, recharge_s: float, day=(8 * 3600, 17 * 3600)):
    """A drone's free time recomputed from the plan: the day minus each sortie and the recharge around it."""
    busy = sorted((scenario.seconds_after_midnight(s.takeoff) - recharge_s,
                   scenario.seconds_after_midnight(s.landing) + recharge_s)
                  for s in result.sorties if s.drone_id == drone_id)
    gaps, cursor = [], day[0]
    for lo, hi in busy:
        if lo > cursor:
            gaps.append((cursor, min(lo, day[1])))
        cursor = max(cursor, hi)
    if cursor < day[1]:
        gaps.append((cursor, day[1]))
    return gaps


def test_no_capacity_names_every_drone_in_reach_its_longest_gap_and_what_the_task_needs():
    # One drone with a 16-minute battery and a 50-minute day: one point per sortie, and after one sortie and its
    # 30-minute recharge no gap is left long enough for the other. The high priority flies.
    low = _point("LOW", 6000, priority=1)
    high = _point("HIGH", -6000, priority=5)
    model = drone_model(endurance_min=20)
    scenario = _scenario([low, high], window=("08:00", "08:50"), model=model)
    result = _planned(scenario, min_sortie_min=5)
    assert [t for s in result.sorties for t in s.tasks] == ["HIGH#pt1"]
    item = _only(result, "no_capacity")
    assert item.task_id == "LOW#pt1"
    gap_min, start, end, need = _numbers(
        r"no capacity: every drone within reach \(1: H1\) is flying, recharging, through its 4 sorties or under a "
        r"closure whenever it could be flown: the longest free gap is (\d+) min \(H1-1 (\d\d:\d\d)-(\d\d:\d\d)\), "
        r"and it needs (\d+) min alone from H1; its priority is 1, they flew 1 other task of priority 5",
        item.detail)
    gaps = _free_gaps(result, scenario, "H1-1", 30 * 60, day=(8 * 3600, 8 * 3600 + 50 * 60))
    longest = max(gaps, key=lambda g: g[1] - g[0])
    assert int(gap_min) == round((longest[1] - longest[0]) / 60)
    assert (start, end) == (_clock(longest[0]), _clock(longest[1]))
    solo = _solo_minutes(_metres(HANGAR, low.geometry.coordinates), 30, model)
    assert abs(int(need) - solo) <= 0.55
    assert (longest[1] - longest[0]) / 60 < solo  # the claim holds: no free time fits it


def test_no_capacity_says_when_the_drones_sortie_budget_is_what_stops_it():
    # A 25-minute battery carries one 5 km point per sortie (both in one need more), and one sortie a day is
    # allowed: the high priority flies by 08:15 and the drone is idle all day after, through its budget.
    low = _point("LOW", -5000, priority=2)
    high = _point("HIGH", 5000, priority=5)
    model = drone_model(endurance_min=25)
    scenario = _scenario([low, high], model=model)
    result = _planned(scenario, max_sorties_per_drone=1)
    (sortie,) = result.sorties
    assert sortie.tasks == ["HIGH#pt1"] and sortie.drone_id == "H1-1"
    item = _only(result, "no_capacity")
    assert item.task_id == "LOW#pt1"
    (need,) = _numbers(
        r"no capacity: every drone within reach \(1: H1\) is flying, recharging, through its 1 sortie or under a "
        r"closure whenever it could be flown: H1-1 has flown its 1 sortie, the most a drone may fly "
        r"\(max_sorties_per_drone\); none with a sortie left has a free gap, and it needs (\d+) min alone from H1; "
        r"its priority is 2, they flew 1 other task of priority 5", item.detail)
    solo = _solo_minutes(_metres(HANGAR, low.geometry.coordinates), 30, model)
    assert abs(int(need) - solo) <= 0.55
    # The claim holds: time was left (landing plus recharge plus the sortie end before 17:00), sorties were not.
    free_from = sortie.landing + dt.timedelta(minutes=30)
    assert free_from + dt.timedelta(minutes=solo) < sortie.landing.replace(hour=17, minute=0)


def _clock(seconds: float) -> str:
    whole = int(round(seconds))  # as the planner prints clock times (airspace.windows.clock_from_seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}"


def test_time_limit_names_the_group_its_share_a_free_drone_and_gives_advice(monkeypatch):
    # The group's search finds no plan in its time and the repair pass gets none: a free drone could fly it.
    monkeypatch.setattr(group_solve, "solve", solver_timeout)
    point = _point("P1", 2000)
    model = drone_model()
    result = _planned(_scenario([point]), time_limit_s=2, repair_rounds=0)
    item = _only(result, "time_limit")
    (group,) = [g for g in result.summary.groups if g.round == 0]
    share, drone, start, end, minutes = _numbers(
        r"no plan within the time limit: group-01's search had ([\d.]+) s of the 2 s limit \(1 group on 1 worker\) "
        r"and found none; (H1-1) is free (\d\d:\d\d)-(\d\d:\d\d) and could fly it alone in (\d+) min from H1: give "
        r"more time \(--time-limit above 2 s\)", item.detail)
    assert float(share) == pytest.approx(group.time_limit_s, abs=0.051)
    assert group.status == "no solution within the time limit" and result.sorties == []
    assert (start, end) == ("08:00", "17:00")  # nothing flown: the whole day is free
    assert abs(int(minutes) - _solo_minutes(_metres(HANGAR, point.geometry.coordinates), 30, model)) <= 0.55
    assert any("group-01" in w and "found no plan" in w for w in result.warnings)


def test_invalid_names_the_target_piece_and_its_length():
    flat = Target(id="FLAT", kind="road", altitude_m=80, geometry=Geometry(type="MultiLineString", coordinates=[
        [place(500), place(1500)], [place(2000), [place(2000)[0], place(2000)[1] + 1e-9]]]))  # 0.1 mm: nothing to fly
    item = _only(_planned(_scenario([flat])), "invalid")
    length = _metres(*flat.geometry.coordinates[1])
    assert item.detail == f"line 2 of target FLAT has zero length ({length:.3f} m): nothing to fly"


def test_invalid_corridor_without_a_camera_names_its_width():
    river = Target(id="R", kind="river", altitude_m=80, corridor_width_m=100, geometry=Geometry(
        type="LineString", coordinates=[place(500), place(1500)]))
    item = _only(_planned(_scenario([river])), "invalid")
    assert item.detail == "target R: corridor_width_m 100 needs a camera, but no drone model in the scenario has one"
