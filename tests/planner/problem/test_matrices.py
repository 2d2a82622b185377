"""planner.problem.matrices: solver units rounded the safe way, visit windows, and arcs priced from the model's
speeds and power curve (distances by pyproj.Geod, still air)."""
from __future__ import annotations

import math

import pytest

from airspace.windows import TimeWindow
from missions.models import InspectionTask
from planner.flight.costs import ServiceCost
from planner.problem.matrices import (
    ENERGY_UNITS_PER_BATTERY, energy_units_down, units_down, units_up, visit_window,
)
from planner.routing import TIME_UNITS_PER_S
from tests.helpers.plan_factory import drone_model
from tests.helpers.problem_days import day, group, metres, point


def test_durations_round_up_windows_and_capacities_round_down():
    assert TIME_UNITS_PER_S == 10 and ENERGY_UNITS_PER_BATTERY == 10_000_000
    assert units_up(1.01) == 11 and units_up(1.0) == 10
    assert units_up(0.3) == 3  # 0.3 * 10 is 3.0000000000000004 in floats: not 4
    assert units_down(1.09) == 10 and units_down(0.7) == 7  # 0.7 * 10 is 7.000000000000001
    assert units_down(0.29999999999) == 3  # float noise below a unit is not a lost decisecond
    assert energy_units_down(0.8) == 8_000_000
    assert energy_units_down(0.123456789) == 1_234_567


def _task(window=None) -> InspectionTask:
    return InspectionTask(task_id="T", target_id="T", kind="point", coordinates=[[114.41, 30.5]], length_m=0.0,
                          altitude_m=50.0, priority=3, window=window, hover_s=30.0)


def _service(descend: float, inspect: float) -> ServiceCost:
    return ServiceCost(descend, inspect, descend, 0.0, 0.0, 0.0)


def test_a_visit_window_keeps_every_model_inside_the_task_window():
    services = {("T", "a", False): _service(10.04, 30.0), ("T", "b", False): _service(12.0, 40.03)}
    window = TimeWindow(start="09:00", end="10:00")
    # Earliest arrival: 09:00 less the quickest descent (10.04 s), rounded up; latest: 10:00 less the slowest
    # descent plus inspection (52.03 s), rounded down.
    assert visit_window(_task(window), {"a", "b"}, services, False) == (
        math.ceil((32_400 - 10.04) * 10), math.floor((36_000 - 52.03) * 10))
    assert visit_window(_task(window), {"a"}, services, False) == (323_900, math.floor((36_000 - 40.04) * 10))
    assert visit_window(_task(), {"a", "b"}, services, False) is None
    early = TimeWindow(start="00:00", end="00:10")
    assert visit_window(_task(early), {"a"}, services, False) == (0, math.floor((600 - 40.04) * 10))


def test_arcs_are_service_plus_travel_rounded_up_in_time_and_energy():
    model = drone_model()
    scenario = day([point("P1", 3000), point("P2", 3000, 1500, hover=60)], models=[model])
    prepared, _ = group(scenario)
    built, ctx = prepared.built, prepared.ctx
    assert ctx.transit_m == 100.0
    (time,), (energy,) = built.problem.time_matrices, built.problem.energy_matrices
    hangar = (scenario.hangars[0].lon, scenario.hangars[0].lat)
    where = {t.task_id: tuple(t.coordinates[0]) for t in built.tasks}
    order = [where[v.task_id] for v in built.visits]
    hover = {t.task_id: t.hover_s for t in built.tasks}
    curve = model.power_curve
    climb_s, descend_s = 100 / 5, 50 / 5  # 100 m up at 5 m/s; 50 m down to the points and back up
    climb_e = climb_s * curve.power(0.0, 5.0)
    land_e = climb_s * curve.power(0.0, -5.0)
    service_s = [2 * descend_s + hover[v.task_id] for v in built.visits]
    service_e = [descend_s * (curve.power(0.0, -5.0) + curve.power(0.0, 5.0)) + hover[v.task_id] * curve.hover
                 for v in built.visits]

    def check(value, seconds, scale):
        # Rounded up, never under. The group's UTM grid is 0.04 % longer than the ellipsoid here (2.6 deg west of
        # zone 50's central meridian), so the planner's metres may exceed Geod's by that much, never fall short.
        exact = seconds * scale
        assert math.ceil(exact - 1e-6) <= value <= math.ceil(exact * 1.0005), (value, exact)

    for k, at in enumerate(order):
        out, back = metres(hangar, at) / 15, metres(at, hangar) / 15
        check(time[0, 1 + k], climb_s + out, 10)
        check(time[1 + k, 0], service_s[k] + back + climb_s, 10)
        check(energy[0, 1 + k], climb_e + out * curve.level(15.0), ENERGY_UNITS_PER_BATTERY)
        check(energy[1 + k, 0], service_e[k] + back * curve.level(15.0) + land_e, ENERGY_UNITS_PER_BATTERY)
        for m, other in enumerate(order):
            if m != k:
                hop = metres(at, other) / 15
                check(time[1 + k, 1 + m], service_s[k] + hop, 10)
                check(energy[1 + k, 1 + m], service_e[k] + hop * curve.level(15.0), ENERGY_UNITS_PER_BATTERY)
    assert time[0, 0] == 0 and energy[0, 0] == 0
    assert time[1, 2] == pytest.approx(10 * (service_s[0] + metres(order[0], order[1]) / 15), abs=1)
