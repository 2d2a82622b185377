"""planner.problem.feasibility: which slot could ever fly a task and, when none can, the typed reason with its numbers.

Every number in a reason is recomputed here: distances by pyproj.Geod, times from the model's speeds, energies from
its power curve, airspeeds from the wind triangle.
"""
from __future__ import annotations

import math
import re

import pytest

from airspace.windows import TimeWindow
from missions.models import InspectionTask, UnservedReason
from planner.flight.costs import service_cost
from planner.problem.epochs import Epoch
from planner.problem.feasibility import (
    Reason, explain, farthest_from_hangars, grounded, round_trip_reason, slot_reason,
)
from planner.problem.task_airspace import TaskWithEpochs
from tests.helpers.plan_factory import drone_model, place
from tests.helpers.problem_days import azimuth, day, group, hangar, metres, point

H = 3600


def _only_unserved(scenario):
    prepared, before = group(scenario)
    assert before == []
    (lost,) = prepared.built.unserved
    return prepared, lost


def test_the_launch_limit_applies_to_the_surface_wind_above_it_only():
    model = drone_model(max_wind_ms=12)
    assert not grounded(model, day([], wind=12.0))
    assert grounded(model, day([], wind=12.1))


def test_a_task_beyond_the_radius_names_its_distance_and_the_radius():
    near, far = hangar("H1", radius=3000), hangar("H2", 6000, radius=2000)
    scenario = day([point("P", 2500, 300)], hangars=[near, far])
    prepared, _ = group(scenario)
    ctx = prepared.ctx
    (item,) = ctx.tasks
    task = item.task
    farthest = farthest_from_hangars(task, ctx.projector, ["H1", "H2"], ctx.hangar_xy)
    at = task.coordinates[0]
    assert farthest["H1"] == pytest.approx(metres((near.lon, near.lat), at), rel=1e-3)
    assert farthest["H2"] == pytest.approx(metres((far.lon, far.lat), at), rel=1e-3)
    epoch = ctx.epochs[0]
    assert slot_reason(task, item, 0, epoch.start_s, epoch.end_s, near, farthest["H1"]) is None
    reason = slot_reason(task, item, 0, epoch.start_s, epoch.end_s, far, farthest["H2"])
    km = metres((far.lon, far.lat), at) / 1000
    assert reason == Reason(UnservedReason.OUT_OF_REACH, f"{km:.1f} km from H2, beyond its 2.0 km operating radius",
                            beyond_radius=True)
    assert km == pytest.approx(3.5, abs=0.02)


def test_the_farthest_point_of_a_line_is_its_farthest_vertex():
    scenario = day([point("P", 100)])
    ctx = group(scenario)[0].ctx
    bent = InspectionTask(task_id="L", target_id="L", kind="river", length_m=0.0, altitude_m=80, priority=3,
                          coordinates=[place(1000, 0), place(2000, 5500), place(3000, 0)])
    h = scenario.hangars[0]
    (far,) = farthest_from_hangars(bent, ctx.projector, ["H1"], ctx.hangar_xy).values()
    assert far == pytest.approx(metres((h.lon, h.lat), place(2000, 5500)), rel=1e-3)


def test_a_closure_and_a_window_outside_the_slot_are_reasons_of_one_slot():
    scenario = day([point("P", 1000)])
    ctx = group(scenario)[0].ctx
    (item,) = ctx.tasks
    h = scenario.hangars[0]
    closed = TaskWithEpochs(item.task, frozenset({0}))
    assert slot_reason(item.task, closed, 0, 8 * H, 10 * H - 60, h, 1000.0) == Reason(
        UnservedReason.BLOCKED_BY_AIRSPACE, "a temporary closure is over it 08:00-09:59")
    evening = item.task.model_copy(update={"window": TimeWindow(start="17:30", end="18:00")})
    assert slot_reason(evening, item, 0, 8 * H, 17 * H, h, 1000.0) == Reason(
        UnservedReason.WINDOW_IMPOSSIBLE, "its window 17:30-18:00 does not meet H1's flying time 08:00-17:00")
    # A window ending exactly when the slot starts does not meet it either.
    dawn = item.task.model_copy(update={"window": TimeWindow(start="07:00", end="08:00")})
    assert slot_reason(dawn, item, 0, 8 * H, 17 * H, h, 1000.0).kind is UnservedReason.WINDOW_IMPOSSIBLE


def test_wind_above_what_the_airspeed_limit_can_fly_is_a_wind_reason_with_the_airspeed_needed():
    # 20.5 m/s from the east at every height; the M3D-like profile's airspeed limit is 1.4 x 15 = 21 m/s, its
    # launch limit raised to 25 m/s so it is not grounded. Out to a point 2 km east is dead into the wind.
    scenario = day([point("W", 2000)], wind=20.5, wind_from=90.0, models=[drone_model(max_wind_ms=25)])
    prepared, lost = _only_unserved(scenario)
    h = scenario.hangars[0]
    bearing = azimuth((h.lon, h.lat), lost.coordinates[0])
    track = (math.sin(math.radians(bearing)), math.cos(math.radians(bearing)))
    need = math.hypot(track[0] + 20.5, track[1])  # |1 m/s along the track - wind (blowing west at 20.5)|
    assert lost.reason is UnservedReason.WIND
    assert lost.detail == (f"transit out from H1: heading {bearing:.0f} deg into 20.5 m/s wind at 100 m, m3d would "
                           f"need {need:.1f} m/s airspeed to make even 1 m/s over the ground; its limit is 21 m/s")
    assert f"{bearing:.0f}" == "90" and f"{need:.1f}" == "21.5"
    # At 21.5 m/s the drone cannot even hold position.
    _, lost = _only_unserved(day([point("W", 2000)], wind=21.5, models=[drone_model(max_wind_ms=25)]))
    assert (lost.reason, lost.detail) == (UnservedReason.WIND, "transit out from H1: 21.5 m/s wind at 100 m is at or "
                                          "above m3d's 21 m/s airspeed limit: it cannot even hold position there")


def test_a_grounded_fleet_is_the_reason_when_no_slot_exists():
    _, lost = _only_unserved(day([point("G", 3000)], wind=13.0))
    assert (lost.reason, lost.detail) == (UnservedReason.WIND,
                                          "H1's m3d is grounded: wind 13.0 m/s over its 12.0 m/s limit")


def test_a_window_that_closes_before_the_drone_can_arrive_names_the_earliest_arrival():
    scenario = day([point("L", 3000, window=("08:00", "08:04"))])
    _, lost = _only_unserved(scenario)
    h = scenario.hangars[0]
    # Climb 100 m at 5 m/s, 3 km at 15 m/s, 50 m down at 5 m/s; then a 30 s hover ends after 08:04.
    arrival = 8 * H + 20 + metres((h.lon, h.lat), lost.coordinates[0]) / 15 + 10
    assert 8 * H + 3 * 60 < arrival < 8 * H + 4 * 60 < arrival + 30
    assert (lost.reason, lost.detail) == (
        UnservedReason.WINDOW_IMPOSSIBLE,
        "from H1 (flying time 08:00-17:00) the inspection reaches the task at 08:03 at the earliest and takes "
        "0.5 min, past the end of its window 08:00-08:04")
    # With a 08:05 close it is flown: nothing unserved.
    prepared, _ = group(day([point("L", 3000, window=("08:00", "08:05"))]))
    assert prepared.built.unserved == [] and len(prepared.built.problem.visits) == 1


def test_a_round_trip_beyond_the_usable_battery_names_the_share_it_needs():
    model = drone_model(endurance_min=8)
    scenario = day([point("F", 7000)], models=[model])
    prepared, lost = _only_unserved(scenario)
    curve = model.power_curve
    h = scenario.hangars[0]
    leg_s = metres((h.lon, h.lat), lost.coordinates[0]) / 15
    energy = (20 * curve.power(0.0, 5.0) + 2 * leg_s * curve.level(15.0) + 10 * curve.power(0.0, -5.0)
              + 30 * curve.hover + 10 * curve.power(0.0, 5.0) + 20 * curve.power(0.0, -5.0))
    assert lost.reason is UnservedReason.OUT_OF_REACH
    (share,) = re.fullmatch(r"round trip from H1 needs ([\d.]+)% of a battery \(calm at 100 m\), usable 80%",
                            lost.detail).groups()
    assert float(share) == pytest.approx(100 * energy, abs=0.11)


def test_a_round_trip_longer_than_the_slot_is_a_window_reason():
    scenario = day([point("P", 6000)])
    prepared, _ = group(scenario)
    ctx = prepared.ctx
    (item,) = ctx.tasks
    task = item.task
    flight = ctx.flights["m3d"]
    service = service_cost(task, flight, False, ctx.transit_m, ctx.projector)
    h = scenario.hangars[0]
    minutes = (20 + 2 * metres((h.lon, h.lat), task.coordinates[0]) / 15 + 10 + 30 + 10 + 20) / 60
    short = Epoch(0, 9 * H, 9 * H + 600)  # ten minutes: less than the ~15.6 min the trip takes
    reason = round_trip_reason(ctx, task, "H1", flight, short, False, service)
    assert reason.kind is UnservedReason.WINDOW_IMPOSSIBLE
    (taken,) = re.fullmatch(r"round trip from H1 takes ([\d.]+) min, longer than its flying time 09:00-09:10",
                            reason.detail).groups()
    assert float(taken) == pytest.approx(minutes, abs=0.051)
    assert round_trip_reason(ctx, task, "H1", flight, ctx.epochs[0], False, service) is None


def test_explain_prefers_window_then_wind_then_energy_then_airspace_and_a_radius_last():
    scenario = day([point("P", 1000)])
    ctx = group(scenario)[0].ctx
    task = ctx.tasks[0].task
    radius = Reason(UnservedReason.OUT_OF_REACH, "9.0 km from H9", beyond_radius=True)
    airspace = Reason(UnservedReason.BLOCKED_BY_AIRSPACE, "closure")
    energy = Reason(UnservedReason.OUT_OF_REACH, "battery")
    wind = Reason(UnservedReason.WIND, "gusts")
    window = Reason(UnservedReason.WINDOW_IMPOSSIBLE, "late")
    assert explain(ctx, task, [radius, airspace, energy, wind, window], {}).detail == "late"
    assert explain(ctx, task, [radius, airspace, energy, wind], {}).detail == "gusts"
    assert explain(ctx, task, [radius, airspace, energy], {}).detail == "battery"
    assert explain(ctx, task, [radius, airspace], {}).detail == "closure"
    first_wind = explain(ctx, task, [Reason(UnservedReason.WIND, "nearest"), wind], {})
    assert first_wind.detail == "nearest"  # reasons come nearest hangar first
    only_radius = explain(ctx, task, [radius], {})
    assert (only_radius.reason, only_radius.detail) == (UnservedReason.OUT_OF_REACH, "9.0 km from H9")
    assert explain(ctx, task, [], {}).detail == "no hangar has a drone and an operating window that reach it"


def test_a_window_at_the_end_of_the_day_too_late_to_fly_home_is_a_window_reason():
    scenario = day([point("P", 6000, window=("16:55", "17:00"))])  # flying time 08:00-17:00
    prepared, _ = group(scenario)
    h = scenario.hangars[0]
    back_s = 10 + metres((h.lon, h.lat), place(6000)) / 15 + 20  # up 50 m, 6 km home, land from 100 m
    landing = 16 * H + 55 * 60 + 30 + back_s  # inspected at 16:55 at the earliest, for 30 s
    assert landing > 17 * H + 120  # 17:02:40: after the hangar's flying time ends
    (lost,) = prepared.built.unserved
    assert lost.reason is UnservedReason.WINDOW_IMPOSSIBLE
    # The text names the window, the earliest start and the landing, which is the number computed above.
    back = f"{int(landing // H):02d}:{int(landing % H // 60):02d}"
    assert (f"the inspection in its window 16:55-17:00 starts at 16:55 at the earliest and the drone is back at "
            f"{back}, after its flying time ends") in lost.detail, lost.detail
