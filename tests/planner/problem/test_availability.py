"""planner.problem.availability: a drone's free time after flown sorties, busy from recharge before takeoff to
recharge after landing; spans by hand on the clock."""
from __future__ import annotations

import pytest

from missions.models import Hangar
from missions.tasks import tasks_from_targets
from missions.verify import verify_plan
from planner.problem.availability import DroneTime, busy_spans, drone_times, free_spans
from tests.helpers.plan_factory import build_plan, build_sortie, small_scenario

H = 3600


def test_free_spans_round_inwards_and_merge_overlapping_busy_spans():
    day = (8 * H, 17 * H)
    busy = [(50_000.0, 70_000.0), (30_000.4, 33_000.6), (32_000.0, 35_000.2)]
    # 28800..30000 (30000.4 floored), 35001 (35000.2 ceiled)..50000; the last span runs past the day's end.
    assert free_spans(day, busy) == ((28_800, 30_000), (35_001, 50_000))
    assert free_spans(day, []) == ((28_800, 61_200),)
    assert free_spans(day, [(0.0, 29_000.0), (61_000.5, 90_000.0)]) == ((29_000, 61_000),)
    assert free_spans(day, [(0.0, 99_999.0)]) == ()


def _flown():
    full = small_scenario()  # H01: two drones, 32 min recharge, 08:00-17:30; the point P1 only
    scenario = full.model_copy(update={"targets": [t for t in full.targets if t.id == "P1"]})
    tasks, _ = tasks_from_targets(scenario, max_leg_m=5000)
    sortie = build_sortie(scenario, "S1", "H01-1", 9 * H, tasks)
    report = verify_plan(build_plan(scenario, tasks, [sortie]), scenario)
    assert report.ok, report.violations
    return scenario, sortie


def test_a_drone_is_busy_from_a_recharge_before_takeoff_to_a_recharge_after_landing():
    scenario, sortie = _flown()
    landing = 9 * H + sortie.flight_time_s
    (span,) = busy_spans(scenario, [sortie])["H01-1"]
    assert span == pytest.approx((9 * H - 32 * 60, landing + 32 * 60), abs=1e-6)  # datetimes keep microseconds


def test_drone_times_leave_each_drone_its_free_time_and_its_sorties_left():
    scenario, sortie = _flown()
    after = int(-(-(9 * H + sortie.flight_time_s + 32 * 60) // 1))
    times = drone_times(scenario, [sortie], (8 * H, 17 * H + 1800), max_sorties=4)
    assert times == {
        "H01-1": DroneTime(((8 * H, 9 * H - 32 * 60), (after, 17 * H + 1800)), 3),
        "H01-2": DroneTime(((8 * H, 17 * H + 1800),), 4),
    }


def test_a_hangar_window_clips_its_drones_free_time():
    scenario, sortie = _flown()
    late = Hangar(id="H01", lon=114.40, lat=30.50, drone_model="m3d", drones=2, operating_radius_m=5000,
                  recharge_min=32, window={"start": "08:40", "end": "12:00"})
    times = drone_times(scenario, [sortie], (8 * H, 17 * H + 1800), max_sorties=2, hangars=[late])
    # 08:40 is after the 08:28 the recharge before the 09:00 takeoff starts: nothing free before it.
    after = int(-(-(9 * H + sortie.flight_time_s + 32 * 60) // 1))
    assert times["H01-1"] == DroneTime(((after, 12 * H),), 1)
    assert times["H01-2"] == DroneTime(((8 * H + 40 * 60, 12 * H),), 2)
