"""The independent verifier: an honest hand-built plan passes, and each kind of defect is caught by name.

Plans come from tests/plan_factory.py; each test breaks one thing and asserts the violation kind it reports.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from airspace.zones import Restriction
from missions import verify as V
from missions.models import UnservedReason, UnservedTask
from missions.plan_io import write_plan
from missions.tasks import tasks_from_targets
from missions.verify import verify_plan
from planner.cli.main import main
from tests.helpers.plan_factory import build_plan, build_sortie, replace_sortie

H = 3600


@pytest.fixture(scope="module")
def tasks(scenario):
    tasks, unserved = tasks_from_targets(scenario, max_leg_m=1000)
    assert unserved == []
    return tasks


def _plan(scenario, tasks, *, s2_takeoff=10 * H, s2_drone="H01-1", s2_via=None, transit_alt=100.0):
    river = [t for t in tasks if t.target_id == "R1"]
    point = [t for t in tasks if t.target_id == "P1"]
    s1 = build_sortie(scenario, "S1", "H01-1", 8 * H + 600, river[:1] + point, transit_alt_m=transit_alt)
    s2 = build_sortie(scenario, "S2", s2_drone, s2_takeoff, river[1:], reverse={river[1].task_id}, via=s2_via,
                      transit_alt_m=transit_alt)
    return build_plan(scenario, tasks, [s1, s2])


@pytest.fixture(scope="module")
def plan(scenario, tasks):
    return _plan(scenario, tasks)


def _with(model, **update):
    """A validated copy of a pydantic model with fields replaced (model_copy would skip validation)."""
    return type(model).model_validate({**model.model_dump(), **update})


def _kinds(plan, scenario):
    return verify_plan(plan, scenario).kinds()


# Through the middle of TFR-1 (active 09:00-12:00, 0-120 m), on the way to the river.
THROUGH_ZONE = {0: [(114.40, 30.484), (114.41, 30.49)]}


def test_honest_plan_verifies_with_recomputed_totals(plan, scenario):
    report = verify_plan(plan, scenario)
    assert report.ok, [str(v) for v in report.violations]
    assert report.sorties == 2 and report.drones_used == 1
    assert report.coverage == pytest.approx(1.0)
    assert report.distance_m == pytest.approx(plan.summary.total_distance_m, rel=1e-9)
    assert report.flight_time_s == pytest.approx(sum(s.flight_time_s for s in plan.sorties))


def test_route_through_a_zone_while_active_is_an_airspace_violation(scenario, tasks):
    report = verify_plan(_plan(scenario, tasks, s2_via=THROUGH_ZONE), scenario)
    assert report.kinds() == {V.AIRSPACE}
    assert all(v.sortie_id == "S2" and "TFR-1" in v.message for v in report.violations)


def test_same_route_after_the_zone_closes_is_legal(scenario, tasks):
    assert verify_plan(_plan(scenario, tasks, s2_takeoff=13 * H, s2_via=THROUGH_ZONE), scenario).ok


def test_authorised_zone_may_be_crossed(scenario, tasks):
    zone = scenario.zones()[0].model_copy(update={"restriction": Restriction.AUTHORISATION_REQUIRED})
    authorised = scenario.model_copy(update={"airspace": scenario.airspace.model_copy(
        update={"zones": [zone], "authorised": ["TFR-1"]})})
    unauthorised = scenario.model_copy(update={"airspace": scenario.airspace.model_copy(update={"zones": [zone]})})
    plan = _plan(scenario, tasks, s2_via=THROUGH_ZONE)
    assert verify_plan(plan, authorised).ok
    assert _kinds(plan, unauthorised) == {V.AIRSPACE}


def test_flying_above_the_ceiling(scenario, tasks):
    assert _kinds(_plan(scenario, tasks, transit_alt=130.0), scenario) == {V.CEILING}


def test_sortie_longer_than_the_usable_battery(plan, scenario):
    short = scenario.model_copy(update={"drone_models": [scenario.drone_models[0].model_copy(
        update={"endurance_min": 5.0})]})
    report = verify_plan(plan, short)
    assert V.BATTERY in report.kinds()
    assert any("reserve" in v.message for v in report.violations)


def test_reported_battery_used_must_match_the_flight_time(plan, scenario):
    broken = replace_sortie(plan, 0, battery_used=plan.sorties[0].battery_used / 2)
    assert _kinds(broken, scenario) == {V.BATTERY}


def test_too_short_recharge_between_sorties_of_one_drone(scenario, tasks, plan):
    s2_takeoff = scenario.seconds_after_midnight(plan.sorties[0].landing) + 20 * 60
    assert _kinds(_plan(scenario, tasks, s2_takeoff=s2_takeoff), scenario) == {V.RECHARGE}


def test_one_drone_in_two_sorties_at_once(scenario, tasks):
    # S1 flies from 08:10; S2 on the same drone at 08:15 overlaps it. Late enough for the zone to be inactive.
    kinds = _kinds(_plan(scenario, tasks, s2_takeoff=8 * H + 900), scenario)
    assert kinds == {V.OVERLAP}


def test_second_drone_may_fly_at_the_same_time(scenario, tasks):
    assert verify_plan(_plan(scenario, tasks, s2_takeoff=8 * H + 900, s2_drone="H01-2"), scenario).ok


def test_more_drones_airborne_than_the_hangar_holds(scenario, tasks):
    one_drone = scenario.model_copy(update={"hangars": [scenario.hangars[0].model_copy(update={"drones": 1})]})
    kinds = _kinds(_plan(scenario, tasks, s2_takeoff=8 * H + 900, s2_drone="H01-2"), one_drone)
    assert kinds == {V.DRONE, V.CAPACITY}


def test_sortie_outside_the_operating_and_hangar_windows(plan, scenario, tasks):
    s1 = build_sortie(scenario, "S1", "H01-1", 7 * H, [t for t in tasks if t.task_id in plan.sorties[0].tasks])
    early = build_plan(scenario, tasks, [s1, plan.sorties[1]])
    report = verify_plan(early, scenario)
    assert report.kinds() == {V.WINDOW}
    hangar_window = _with(scenario, hangars=[_with(scenario.hangars[0], window={"start": "09:00", "end": "17:00"})])
    assert _kinds(plan, hangar_window) == {V.WINDOW}


def test_vertex_beyond_the_operating_radius(plan, scenario):
    near = scenario.model_copy(update={"hangars": [scenario.hangars[0].model_copy(
        update={"operating_radius_m": 1500})]})
    assert _kinds(plan, near) == {V.RADIUS}


def test_wind_above_the_model_limit(plan, scenario):
    windy = _with(scenario, weather={"wind_speed_ms": 13, "wind_from_deg": 45})
    report = verify_plan(plan, windy)
    assert {v.sortie_id for v in report.violations if v.kind == V.WIND} == {"S1", "S2"}
    # A plan made for 4 m/s does not hold in 13 m/s (18 m/s at 100 m) either: its legs need more than 21 m/s
    # airspeed and its energy is not what it says.
    assert report.kinds() == {V.WIND, V.AIRSPEED, V.BATTERY}


def test_energy_is_recomputed_from_the_path_and_the_wind(plan, scenario):
    report = verify_plan(plan, scenario)
    model = scenario.drone_models[0]
    s1 = plan.sorties[0]
    assert report.battery["S1"] == pytest.approx(s1.battery_used, rel=1e-4)  # the factory measures it alike
    # Calm air costs less than the day's 4 m/s (5.6 m/s at 100 m): headwinds cost more than tailwinds give back.
    calm = verify_plan(plan, _with(scenario, weather={"wind_speed_ms": 0}))
    assert calm.battery["S1"] < report.battery["S1"]
    # A sortie's energy lies between hovering and flying at the most the model may draw over its flight time.
    curve = model.power_curve
    assert curve.hover * s1.flight_time_s * 0.7 < report.battery["S1"] < curve.level(21) * s1.flight_time_s + 0.05


def test_battery_used_off_the_measured_energy_by_more_than_5_percent(plan, scenario):
    s1 = plan.sorties[0]
    assert verify_plan(replace_sortie(plan, 0, battery_used=s1.battery_used * 1.04), scenario).ok
    report = verify_plan(replace_sortie(plan, 0, battery_used=s1.battery_used * 1.06), scenario)
    (violation,) = report.violations
    assert violation.kind == V.BATTERY
    assert f"battery_used {s1.battery_used * 1.06:.4f}" in violation.message
    assert f"measures {s1.battery_used:.4f}" in violation.message


def test_energy_beyond_the_usable_share_is_a_battery_violation(plan, scenario):
    (model,) = scenario.drone_models
    greedy = _with(scenario, drone_models=[_with(model, reserve_fraction=0.9)])
    report = verify_plan(plan, greedy)
    assert report.kinds() == {V.BATTERY}
    used = report.battery["S1"]
    assert f"uses {used:.1%} of a battery; m3d may use 10% (reserve 90%)" in report.violations[0].message


def test_leg_needing_more_airspeed_than_the_limit(plan, scenario):
    (model,) = scenario.drone_models
    slow = _with(scenario, drone_models=[_with(model, max_airspeed_ms=16)])
    report = verify_plan(plan, slow)
    assert report.kinds() == {V.AIRSPEED}
    # 15 m/s over the ground with 5.6 m/s of wind at 100 m against some leg needs more than 16 m/s.
    assert all("above m3d's 16 m/s" in v.message for v in report.violations)


def test_inspection_outside_the_target_window(plan, scenario):
    targets = [_with(t, window={"start": "12:00", "end": "14:00"}) if t.id == "R1" else t
               for t in scenario.resolved_targets()]
    report = verify_plan(plan, _with(scenario, targets=targets))
    assert report.kinds() == {V.TARGET_WINDOW}
    assert {v.task_id for v in report.violations} == {"R1#1", "R1#2"}


def test_task_neither_flown_nor_unserved(plan, scenario):
    dropped = plan.model_copy(update={"sorties": plan.sorties[:1]})
    report = verify_plan(dropped, scenario)
    assert V.MISSING_TASK in report.kinds() and V.COVERAGE in report.kinds()
    assert [v.task_id for v in report.violations if v.kind == V.MISSING_TASK] == ["R1#2"]


def test_task_both_flown_and_listed_unserved(plan, scenario):
    task = next(t for t in plan.tasks if t.task_id == "R1#2")
    extra = UnservedTask(task_id=task.task_id, target_id="R1", reason=UnservedReason.NO_CAPACITY, detail="full",
                         coordinates=task.coordinates)
    report = verify_plan(plan.model_copy(update={"unserved": [extra]}), scenario)
    assert report.kinds() == {V.DUPLICATE_TASK}


def test_unserved_entry_with_a_reason_accounts_for_its_geometry(plan, scenario):
    task = next(t for t in plan.tasks if t.task_id == "R1#2")
    extra = UnservedTask(task_id=task.task_id, target_id="R1", reason=UnservedReason.NO_CAPACITY, detail="full",
                         coordinates=task.coordinates)
    reduced = build_plan(scenario, plan.tasks, plan.sorties[:1], [extra])
    report = verify_plan(reduced, scenario)
    assert report.ok, [str(v) for v in report.violations]
    assert report.coverage == pytest.approx(reduced.summary.coverage) and report.coverage < 0.6


def test_target_without_any_task_is_a_coverage_gap(plan, scenario):
    extra = {"id": "R9", "kind": "road", "geometry": {"type": "LineString",
                                                      "coordinates": [[114.41, 30.49], [114.42, 30.49]]}}
    wider = scenario.model_copy(update={"targets": scenario.resolved_targets() + [
        type(scenario.resolved_targets()[0]).model_validate(extra)]})
    report = verify_plan(plan, wider)
    assert V.COVERAGE in report.kinds()
    assert any("R9" in v.message for v in report.violations if v.kind == V.COVERAGE)


def test_wrong_reported_totals(plan, scenario):
    summary = plan.summary.model_copy(update={"total_distance_m": plan.summary.total_distance_m * 1.1,
                                              "sorties": 3, "coverage": 0.5})
    report = verify_plan(plan.model_copy(update={"summary": summary}), scenario)
    assert report.kinds() == {V.TOTALS}
    assert len(report.violations) == 3


def test_wrong_sortie_distance(plan, scenario):
    assert _kinds(replace_sortie(plan, 1, distance_m=plan.sorties[1].distance_m * 0.9), scenario) == {V.TOTALS}


def test_segment_faster_than_the_drone_can_fly(plan, scenario):
    wps = list(plan.sorties[0].waypoints)
    # Reach the river start 60 % sooner, keep the rest: that transit now implies ~37 m/s.
    wps[2] = wps[2].model_copy(update={"t_s": wps[1].t_s + (wps[2].t_s - wps[1].t_s) * 0.4})
    kinds = _kinds(replace_sortie(plan, 0, waypoints=wps), scenario)
    assert {V.SPEED, V.AIRSPEED, V.INSPECTION} <= kinds <= {V.SPEED, V.AIRSPEED, V.INSPECTION, V.BATTERY}


def test_climb_faster_than_the_climb_rate(plan, scenario):
    wps = list(plan.sorties[0].waypoints)
    shift = wps[1].t_s - 5.0  # 100 m in 5 s is 20 m/s, the model climbs at 5 m/s
    wps = [wps[0]] + [w.model_copy(update={"t_s": w.t_s - shift}) for w in wps[1:]]
    broken = replace_sortie(plan, 0, waypoints=wps, flight_time_s=wps[-1].t_s,
                            landing=plan.sorties[0].takeoff + dt.timedelta(seconds=wps[-1].t_s),
                            battery_used=wps[-1].t_s / 2700)
    assert V.VERTICAL_RATE in _kinds(broken, scenario)


def test_times_going_backwards(plan, scenario):
    wps = list(plan.sorties[1].waypoints)
    wps[3] = wps[3].model_copy(update={"t_s": wps[2].t_s - 10})
    assert V.TIME_ORDER in _kinds(replace_sortie(plan, 1, waypoints=wps), scenario)


def test_sortie_must_land_on_its_hangar(plan, scenario):
    wps = list(plan.sorties[1].waypoints)
    wps[-1] = wps[-1].model_copy(update={"lon": wps[-1].lon + 0.001})
    assert V.ENDPOINTS in _kinds(replace_sortie(plan, 1, waypoints=wps), scenario)


def test_reported_flight_time_must_match_the_waypoints(plan, scenario):
    broken = replace_sortie(plan, 0, flight_time_s=plan.sorties[0].flight_time_s + 60)
    assert _kinds(broken, scenario) == {V.TIMES}


def test_inspection_off_the_sortie_path(plan, scenario):
    sortie = plan.sorties[0]
    moved = sortie.inspections[0].model_copy(update={
        "coordinates": [[c[0] + 0.0005, c[1], c[2]] for c in sortie.inspections[0].coordinates]})
    broken = replace_sortie(plan, 0, inspections=[moved] + sortie.inspections[1:])
    report = verify_plan(broken, scenario)
    # The moved line also no longer covers its river, so coverage and the reported total disagree too.
    assert report.kinds() == {V.INSPECTION, V.COVERAGE, V.TOTALS}
    assert ("S1", "R1#1") in {(v.sortie_id, v.task_id) for v in report.violations if v.kind == V.INSPECTION}


def test_drone_not_based_at_the_hangar(plan, scenario):
    both = replace_sortie(replace_sortie(plan, 0, drone_id="H01-7"), 1, drone_id="H01-7")
    report = verify_plan(both, scenario)
    assert report.kinds() == {V.DRONE}
    assert {v.sortie_id for v in report.violations} == {"S1", "S2"}


def test_report_serialises_for_the_cli(plan, scenario):
    data = verify_plan(plan, scenario).to_dict()
    assert json.loads(json.dumps(data))["ok"] is True
    assert set(data) >= {"ok", "violations", "distance_m", "flight_time_s", "coverage", "sorties", "drones_used"}


def _write_scenario(scenario, path):
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True), sort_keys=False))
    return path


def test_cli_exit_0_for_a_verified_plan_and_1_listing_violations(plan, scenario, tmp_path, capsys):
    scenario_file = _write_scenario(scenario, tmp_path / "scenario.yaml")
    good = write_plan(plan, scenario, tmp_path / "good")["plan.json"]
    assert main(["verify", str(scenario_file), str(good)]) == 0
    assert "plan OK" in capsys.readouterr().out

    summary = plan.summary.model_copy(update={"sorties": 5})
    bad = write_plan(plan.model_copy(update={"summary": summary}), scenario, tmp_path / "bad")["plan.json"]
    assert main(["verify", str(scenario_file), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "[totals]" in out and "summary.sorties 5" in out

    assert main(["verify", str(scenario_file), str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["violations"][0]["kind"] == "totals"


def test_cli_exit_3_for_an_unreadable_plan(scenario, tmp_path, capsys):
    scenario_file = _write_scenario(scenario, tmp_path / "scenario.yaml")
    (tmp_path / "plan.json").write_text("{not json")
    assert main(["verify", str(scenario_file), str(tmp_path / "plan.json")]) == 3
    assert "plan.json" in capsys.readouterr().err


def test_flying_on_a_lowered_grid_ceiling_is_legal_but_above_it_is_not(scenario, tasks):
    # A grid cell with ceiling_m 100 becomes a keep-out volume from 100 m up, active all day.
    cell = _with(scenario.zones()[0], lower_m=100.0, upper_m=120.0, active=None)
    gridded = _with(scenario, airspace={**scenario.airspace.model_dump(), "zones": [cell.model_dump()]})
    assert verify_plan(_plan(scenario, tasks, s2_via=THROUGH_ZONE, transit_alt=100.0), gridded).ok
    assert _kinds(_plan(scenario, tasks, s2_via=THROUGH_ZONE, transit_alt=110.0), gridded) == {V.AIRSPACE}
