"""The verifier's separation check (kind `separation`): found where two drones come too close, named with both
sorties, the place and the minute; a planted conflict is always found; it agrees with brute force and with the
conservative volume detection (missions.conflicts)."""
from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from airspace.geometry import Geometry
from missions.conflicts import find_conflicts
from missions.intent_models import DeconflictionOptions, ExternalVolume
from missions.intents import plan_projector
from missions.verify import INTENT, SEPARATION, verify_plan
from tests.helpers.plan_factory import crossing_day, crossing_scenario, replace_sortie

OPTIONS = DeconflictionOptions()
H_REACH = OPTIONS.separation.horizontal_m + 2 * OPTIONS.intent.horizontal_accuracy_m  # 50 m between paths
V_REACH = OPTIONS.separation.vertical_m + 2 * OPTIONS.intent.vertical_accuracy_m  # 25 m
T_REACH = OPTIONS.separation.time_s + 2 * OPTIONS.intent.timing_uncertainty_s  # 90 s, plus the drift


def _separations(report):
    return [v for v in report.violations if v.kind == SEPARATION]


def test_a_crossing_at_the_same_minute_is_a_separation_violation_naming_both_the_place_and_the_minute():
    scenario, plan = crossing_day(0.0)
    report = verify_plan(plan, scenario)
    assert report.kinds() == {SEPARATION}
    (violation,) = _separations(report)
    assert violation.sortie_id == "A"
    assert violation.message == (
        "sortie A (drone HW-1) and sortie B (drone HS-1) pass 0 m apart horizontally and 0 m vertically near "
        "(114.42000, 30.50000) (09:03:24; 80 m and 80 m above ground): with their accuracy and timing uncertainty, "
        "closer than the separation minima 30 m / 15 m / 30 s")
    assert any("separation checked with the plan's minima 30 m / 15 m / 30 s" in n for n in report.notes)


def test_the_same_day_ten_minutes_apart_verifies():
    scenario, plan = crossing_day(600.0)
    assert verify_plan(plan, scenario).ok


def test_a_plan_without_recorded_options_is_checked_with_the_defaults():
    scenario, plan = crossing_day(0.0)
    old = plan.model_copy(update={"deconfliction": None})
    report = verify_plan(old, scenario)
    assert len(_separations(report)) == 1
    assert any("lowalt's default minima 30 m / 15 m / 30 s, accuracy 10 m / 5 m, timing 30 s + 1 % of flight time"
               in n for n in report.notes)


def test_a_sortie_through_a_filed_intent_is_named_with_the_intent_and_its_hours():
    box = shapely.box(114.4195, 30.4995, 114.4205, 30.5005)
    volume = ExternalVolume(intent_id="OP-7", operator="city-survey", geometry=Geometry.from_shape(box),
                            lower_m=40, upper_m=120, start=dt.datetime(2026, 11, 21, 0, 30, tzinfo=dt.timezone.utc),
                            end=dt.datetime(2026, 11, 21, 1, 30, tzinfo=dt.timezone.utc))
    scenario, plan = crossing_day(600.0, scenario=crossing_scenario(airspace={"intents": [volume]}))
    found = _separations(verify_plan(plan, scenario))
    assert sorted(v.sortie_id for v in found) == ["A", "B"]
    message = next(v.message for v in found if v.sortie_id == "A")
    # A flies east into the 100 m box around the crossing: it comes too close 40 m (30 m minimum + 10 m accuracy)
    # before the box's western edge, 11 s before it reaches the crossing at 09:03:24.
    assert message == (
        "sortie A (drone HW-1) passes 0 m from intent OP-7 of city-survey (40-120 m, 08:30:00-09:30:00); it comes "
        "too close at (114.41908, 30.50000) around 09:03:13 at 80 m above ground: with its accuracy and timing "
        "uncertainty, closer than the separation minima 30 m / 15 m / 30 s")


# ------------------------------------------------------------------------------------------------ properties
@settings(max_examples=60, deadline=None)
@given(
    delay=st.floats(-(T_REACH - 1), T_REACH - 1),
    dx=st.floats(-(H_REACH - 1) / math.sqrt(2), (H_REACH - 1) / math.sqrt(2)),
    dy=st.floats(-(H_REACH - 1) / math.sqrt(2), (H_REACH - 1) / math.sqrt(2)),
    dz=st.floats(-(V_REACH - 1), V_REACH - 1),
)
def test_a_sortie_moved_onto_anothers_path_and_time_is_always_found(delay, dx, dy, dz):
    """Hand-edit a verified plan: B now flies A's path, shifted by less than the minima plus both buffers in
    space, height and time. Whatever else is wrong with B, the verifier must report the separation."""
    scenario, plan = crossing_day(600.0)
    assert verify_plan(plan, scenario).ok
    a = plan.sorties[0]
    projector = plan_projector(plan, scenario)
    moved = []
    for w in a.waypoints:
        x, y = projector.forward(w.lon, w.lat)
        lon, lat = projector.inverse(x + dx, y + dy)
        moved.append(w.model_copy(update={"lon": float(lon), "lat": float(lat), "alt_m": max(w.alt_m + dz, 0.0)}))
    takeoff = a.takeoff + dt.timedelta(seconds=delay)
    planted = replace_sortie(plan, 1, waypoints=moved, takeoff=takeoff,
                             landing=takeoff + dt.timedelta(seconds=a.flight_time_s))
    found = _separations(verify_plan(planted, scenario))
    assert found, (delay, dx, dy, dz)
    assert "sortie A (drone HW-1) and sortie B (drone HS-1)" in found[0].message
    assert {(c.first.id, c.second.id) for c in find_conflicts(planted, scenario).own} == {("A", "B")}


@settings(max_examples=80, deadline=None)
@given(offset=st.floats(-400, 400), altitude=st.floats(40, 120))
def test_every_separation_the_verifier_finds_the_volumes_find_too(offset, altitude):
    """Volumes over-approximate the exact rule, so detection (and a planner pass clearing it) is never blind."""
    scenario, plan = crossing_day(offset, b_altitude_m=altitude)
    exact = bool(_separations(verify_plan(plan, scenario)))
    volumes = bool(find_conflicts(plan, scenario).own)
    assert volumes or not exact


def _samples(sortie, scenario, projector, step: float = 0.25):
    times = np.array([w.t_s for w in sortie.waypoints])
    x, y = projector.forward([w.lon for w in sortie.waypoints], [w.lat for w in sortie.waypoints])
    z = np.array([w.alt_m for w in sortie.waypoints])
    t = np.arange(0.0, times[-1], step)
    takeoff = scenario.seconds_after_midnight(sortie.takeoff)
    return t + takeoff, t, np.interp(t, times, x), np.interp(t, times, y), np.interp(t, times, z)


@settings(max_examples=25, deadline=None)
@given(offset=st.floats(-200, 250), altitude=st.floats(50, 110))
def test_the_verifier_agrees_with_brute_force_sampling(offset, altitude):
    """Sample both flights every 0.25 s and compare every pair of moments under the rule; a clear margin either
    way must match the verifier's exact answer (the margin absorbs the sampling step)."""
    scenario, plan = crossing_day(offset, b_altitude_m=altitude)
    projector = plan_projector(plan, scenario)
    a, b = (_samples(s, scenario, projector) for s in plan.sorties)
    buffers = OPTIONS.intent
    ua = buffers.timing_uncertainty_s + buffers.timing_drift * a[1]
    ub = buffers.timing_uncertainty_s + buffers.timing_drift * b[1]
    dt_ = np.abs(a[0][:, None] - b[0][None, :]) - ua[:, None] - ub[None, :]
    dz = np.abs(a[4][:, None] - b[4][None, :]) - 2 * buffers.vertical_accuracy_m
    dist = np.hypot(a[2][:, None] - b[2][None, :], a[3][:, None] - b[3][None, :]) - 2 * buffers.horizontal_accuracy_m
    minima = OPTIONS.separation
    clearly_in = (dt_ < minima.time_s - 1) & (dz < minima.vertical_m - 1) & (dist < minima.horizontal_m - 5)
    loosely_in = (dt_ < minima.time_s + 1) & (dz < minima.vertical_m + 1) & (dist < minima.horizontal_m + 5)
    found = bool(_separations(verify_plan(plan, scenario)))
    if clearly_in.any():
        assert found
    if not loosely_in.any():
        assert not found


@pytest.mark.parametrize("field, value", [("t_s", float("nan")), ("lon", float("inf"))])
def test_unmeasurable_sorties_are_left_to_the_other_checks(field, value):
    scenario, plan = crossing_day(0.0)
    broken = plan.sorties[1].waypoints[3].model_copy(update={field: value})
    waypoints = list(plan.sorties[1].waypoints)
    waypoints[3] = broken
    report = verify_plan(replace_sortie(plan, 1, waypoints=waypoints), scenario)
    assert not _separations(report) and not report.ok


# ------------------------------------------------------------------------------------------------ stored intents
def _intent_messages(plan, scenario):
    return [v.message for v in verify_plan(plan, scenario).violations if v.kind == INTENT]


def test_an_intent_that_no_longer_holds_its_flight_is_an_intent_violation():
    scenario, plan = crossing_day(600.0)
    a = plan.sorties[0]
    lowered = [w.model_copy(update={"alt_m": w.alt_m - 20}) if w.action == "inspect" else w for w in a.waypoints]
    (message,) = _intent_messages(replace_sortie(plan, 0, waypoints=lowered), scenario)
    # The first volume that misses: the descent to the (now lower) river, below what the volume holds.
    match = re.fullmatch(r"intent volume (\d+) holds ([\d.]+)-([\d.]+) m but the sortie flies at ([\d.]+)-([\d.]+) m "
                         r"from (\d+) to (\d+) s after takeoff", message)
    assert match, message
    k, held_low, flown_low = int(match[1]), float(match[2]), float(match[4])
    assert held_low == a.intent[k].altitude_lower_m and flown_low < held_low


def test_an_intent_missing_its_last_volume_or_occupied_too_late_is_named():
    scenario, plan = crossing_day(600.0)
    a = plan.sorties[0]
    (short,) = _intent_messages(replace_sortie(plan, 0, intent=a.intent[:-1]), scenario)
    assert short == f"its intent covers 0-{a.intent[-2].t_to_s:.0f} s of its flight from 0 to {a.flight_time_s:.0f} s"
    late = [a.intent[0].model_copy(update={"time_start": a.intent[0].time_start + dt.timedelta(seconds=45)})]
    (message,) = _intent_messages(replace_sortie(plan, 0, intent=late + a.intent[1:]), scenario)
    assert message == "intent volume 0 is occupied 09:00:15-09:00:50 but the sortie may be there 08:59:30-09:00:50"


def test_plans_without_stored_intents_are_not_checked_for_them():
    scenario, plan = crossing_day(600.0)
    assert _intent_messages(replace_sortie(plan, 0, intent=None), scenario) == []


def test_a_non_finite_number_in_an_intent_never_verifies():
    scenario, plan = crossing_day(600.0)
    a = plan.sorties[0]
    broken = [a.intent[0].model_copy(update={"altitude_upper_m": float("nan")})] + a.intent[1:]
    (message,) = _intent_messages(replace_sortie(plan, 0, intent=broken), scenario)
    assert message == "intent volume 0 has altitude_upper_m = nan; a plan must hold finite numbers"


def test_minima_below_the_defaults_are_pointed_out_in_the_notes():
    scenario, plan = crossing_day(0.0)
    weak = DeconflictionOptions(separation={"horizontal_m": 5, "vertical_m": 15, "time_s": 30},
                                intent={"horizontal_accuracy_m": 1})
    report = verify_plan(plan.model_copy(update={"deconfliction": weak}), scenario)
    (note,) = [n for n in report.notes if n.startswith("separation checked")]
    assert note.endswith("(below lowalt's defaults: separation.horizontal_m 5 < 30, intent.horizontal_accuracy_m 1 < 10)")
