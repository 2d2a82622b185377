"""Lines at the edge of what a fleet can fly: a leg crossing an operating radius, a river running over itself.

The part of a leg inside a radius is flown and only the rest is out of reach; a stretch a line retraces is
required, flown and counted once. Numbers are recomputed here with pyproj.Geod, not read back from the planner.
"""
from __future__ import annotations

import datetime as dt
import re

import pyproj
import pytest

from airspace.geometry import Geometry
from airspace.windows import TimeWindow
from missions.coverage import requirement_of
from missions.models import AirspaceSpec, Hangar, Scenario, Target, Weather
from missions.validation import semantic_problems
from missions.verify import verify_plan
from planner import PlanOptions, plan
from tests.helpers.plan_factory import HANGAR, drone_model, place

GEOD = pyproj.Geod(ellps="WGS84")
RADIUS_M = 8000.0


def _day(line: list[list[float]]) -> Scenario:
    return Scenario(
        name="edges", date=dt.date(2026, 11, 21), timezone="Asia/Shanghai",
        operating_window=TimeWindow(start="08:00", end="17:00"), weather=Weather(wind_speed_ms=0),
        drone_models=[drone_model()], airspace=AirspaceSpec(),
        hangars=[Hangar(id="R1", lon=HANGAR[0], lat=HANGAR[1], drone_model="m3d", drones=2,
                        operating_radius_m=RADIUS_M, recharge_min=30)],
        targets=[Target(id="river", kind="river", altitude_m=60, geometry=Geometry(type="LineString",
                                                                                  coordinates=line))])


def _from_hangar_m(coordinates) -> list[float]:
    lons, lats = zip(*[(c[0], c[1]) for c in coordinates])
    return list(GEOD.inv([HANGAR[0]] * len(lons), [HANGAR[1]] * len(lats), lons, lats)[2])


def test_a_leg_crossing_the_operating_radius_is_flown_up_to_it_and_only_the_rest_is_out_of_reach():
    scenario = _day([place(4000), place(9000)])  # one 5 km leg from 4 to 9 km east of the hangar
    result = plan(scenario, PlanOptions(time_limit_s=5, seed=0, solution_limit=20, max_leg_m=6000))
    assert verify_plan(result, scenario).ok
    flown = [c for s in result.sorties for i in s.inspections for c in i.coordinates]
    assert flown and max(_from_hangar_m(flown)) <= RADIUS_M
    (beyond,) = [u for u in result.unserved if u.reason.value == "out_of_reach"]
    near_m, far_m = min(_from_hangar_m(beyond.coordinates)), max(_from_hangar_m(beyond.coordinates))
    assert RADIUS_M * 0.997 < near_m < RADIUS_M and far_m == pytest.approx(9000, rel=2e-3)
    assert beyond.detail == (f"{near_m / 1000:.2f}-{far_m / 1000:.1f} km from the nearest hangar, R1: beyond its "
                             f"8.0 km operating radius")
    # The 4 km inside the radius are flown (less the 0.2 % margin at its edge): 80 % of the line.
    assert result.summary.coverage == pytest.approx((near_m - 4000) / 5000, abs=0.01)


def test_a_river_running_over_its_own_course_is_required_once_flown_and_verified():
    # Out east 3 km, back west 2 km over the same course, then north 1 km: 6 km drawn, 4 km of river.
    line = [place(0, 500), place(3000, 500), place(1000, 500), place(1000, 1500)]
    scenario = _day(line)
    (target,) = scenario.resolved_targets()
    requirement = requirement_of(target, scenario.drone_models)
    assert requirement.retraced_m == pytest.approx(2000, rel=2e-3)
    assert requirement.length_m == pytest.approx(4000, rel=2e-3)
    (warned,) = [p for p in semantic_problems(scenario, "day.yaml") if "own course" in p.message]
    retraced = float(re.search(r"for ([\d,]+) m", warned.message).group(1).replace(",", ""))
    assert retraced == pytest.approx(2000, abs=5)
    result = plan(scenario, PlanOptions(time_limit_s=5, seed=0, solution_limit=20))
    report = verify_plan(result, scenario)
    assert report.ok, [str(v) for v in report.violations]
    assert result.summary.coverage == pytest.approx(1.0)
    inspected = sum(sum(GEOD.line_length(*zip(*[(c[0], c[1]) for c in i.coordinates])) for i in s.inspections)
                    for s in result.sorties)
    assert inspected == pytest.approx(4000, rel=0.01)  # the retraced 2 km are not flown twice
