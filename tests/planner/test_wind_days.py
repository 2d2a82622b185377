"""Windy days up to the drones' rated limit (issue 11): the flyable work is planned, and the energy agrees.

Before route speeds were held over the ground, a generated day at 9 m/s planned 36-95 % and one at 11 m/s 42-50 %,
its tasks "out of reach"; a day is only short of work here where airspace blocks it.
"""
from __future__ import annotations

import pyproj
import pytest

from missions.models import UnservedReason
from missions.synthetic import synthetic_scenario
from missions.verify import verify_plan
from planner import PlanOptions, plan

GEOD = pyproj.Geod(ellps="WGS84")


def _day(seed: int, wind_ms: float):
    """12 drones in 6 hangars, 90 km of lines, points, a lake, zones; both models launch up to 12 m/s."""
    scenario = synthetic_scenario(seed, hangars=6, drones_per_hangar=2, line_km=90, wind_ms=wind_ms)
    models = [m.model_copy(update={"max_wind_ms": 12.0}) for m in scenario.drone_models]
    return scenario.model_copy(update={"drone_models": models})


@pytest.mark.slow
@pytest.mark.parametrize("seed, wind", [(0, 9.0), (0, 11.0), (0, 12.0), (1, 9.0), (1, 12.0)])
def test_a_day_in_wind_up_to_the_rated_limit_flies_its_flyable_work(seed, wind):
    scenario = _day(seed, wind)
    result = plan(scenario, PlanOptions(time_limit_s=60, solution_limit=50))
    report = verify_plan(result, scenario)
    assert report.ok, [str(v) for v in report.violations]
    assert {u.reason for u in result.unserved} <= {UnservedReason.BLOCKED_BY_AIRSPACE}
    assert result.summary.coverage >= 0.99
    for sortie in result.sorties:  # the planner's battery figure against the verifier's own measurement
        assert sortie.battery_used == pytest.approx(report.battery[sortie.sortie_id], rel=0.01)
        assert sortie.battery_used <= 0.8 + 1e-6


@pytest.mark.slow
def test_in_strong_wind_some_transit_is_slowed_to_the_airspeed_limit_and_none_exceeds_the_route_speed():
    scenario = _day(0, 12.0)  # 16.7 m/s at 100 m: 15 m/s over the ground upwind would need 31.7 m/s of air
    result = plan(scenario, PlanOptions(time_limit_s=60, solution_limit=50))
    speeds = []
    for sortie in result.sorties:
        wps = sortie.waypoints
        for a, b in zip(wps, wps[1:]):
            metres = GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2]
            moving = b.t_s - a.t_s - a.hover_s
            if a.action == "transit" and b.action == "transit" and a.alt_m == b.alt_m == 100 and metres > 200:
                speeds.append(metres / moving)
    assert max(speeds) <= 15 * 1.001
    assert min(speeds) < 21 - 16.7 + 1.0  # dead upwind: the 21 m/s limit less the wind
    assert sum(s > 14.9 for s in speeds) > len(speeds) / 2  # most transit still holds its 15 m/s
