"""Clock-correct schedules and plan times on every day of the year, daylight-saving changes included.

Europe/Riga (EET/EEST, changes at 03:00/04:00) and America/New_York (EST/EDT, changes at 02:00) on their
spring-forward and fall-back days of 2026; the Latvian ED-269 export (tests/data/real/ATTRIBUTION.md).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
import shapely

from airspace.clock import DAY_S, DayClock
from airspace.readers import load_zones
from missions.plan_io import read_plan, schedule_rows, write_plan
from missions.tasks import tasks_from_targets
from missions.verify import WINDOW, verify_plan
from planner import PlanOptions, plan
from planner.cli.main import main
from planner.problem.epochs import epochs_for
from tests.helpers.plan_factory import build_plan, build_sortie, small_scenario

H = 3600
UTC = dt.timezone.utc
REAL = Path(__file__).parents[1] / "data" / "real"
LV = REAL / "ed269-lv.json"
# (zone, date, clock span skipped or repeated, skipped?)
CHANGES = [
    ("Europe/Riga", dt.date(2026, 3, 29), (3 * H, 4 * H), True),
    ("Europe/Riga", dt.date(2026, 10, 25), (3 * H, 4 * H), False),
    ("America/New_York", dt.date(2026, 3, 8), (2 * H, 3 * H), True),
    ("America/New_York", dt.date(2026, 11, 1), (1 * H, 2 * H), False),
]


def _cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue() + err.getvalue()


# ------------------------------------------------------------------------------------------------ the conversion
@pytest.mark.parametrize("tz, date, span, skipped", CHANGES)
def test_each_change_is_found_with_its_clock_span(tz, date, span, skipped):
    (change,) = DayClock(date, tz).discontinuities
    assert change.span == span and change.skipped is skipped
    assert DayClock(date + dt.timedelta(days=1), tz).discontinuities == ()
    assert DayClock(date - dt.timedelta(days=1), tz).discontinuities == ()
    assert ("does not exist" if skipped else "happens twice") in change.describe()


@pytest.mark.parametrize("tz, date, span, skipped", CHANGES)
def test_every_flyable_clock_time_round_trips_through_an_offset_timestamp(tz, date, span, skipped):
    clock = DayClock(date, tz)
    for seconds in range(0, DAY_S + 1, 60):
        if span[0] <= seconds < span[1]:
            continue
        text = clock.moment(seconds).isoformat()  # what plan.json holds
        assert clock.seconds(dt.datetime.fromisoformat(text)) == seconds, text
        assert clock.seconds(clock.instant(seconds)) == seconds


@pytest.mark.parametrize("tz, date, span, skipped", CHANGES)
def test_clock_difference_is_elapsed_time_on_either_side_of_the_change(tz, date, span, skipped):
    clock = DayClock(date, tz)
    for a, b in ((0, span[0] - 60), (span[1], DAY_S - 60)):
        assert clock.elapsed_s(clock.moment(a), clock.moment(b)) == b - a
    # Across it, the clock is off by the hour the change adds or removes.
    across = clock.elapsed_s(clock.moment(span[0] - 600), clock.moment(span[1] + 600))
    assert across == (span[1] - span[0] + 1200) - (H if skipped else -H)


def test_utc_intervals_become_clock_spans_split_at_the_change():
    riga_fall = DayClock(dt.date(2026, 10, 25), "Europe/Riga")
    # 00:30Z-01:30Z runs 03:30 EEST -> 04:00 EEST = 03:00 EET -> 03:30 EET: the repeated hour, both passes.
    pieces = riga_fall.spans(dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert sorted(pieces) == [(3 * H, 3.5 * H), (3.5 * H, 4 * H)]
    ny_spring = DayClock(dt.date(2026, 3, 8), "America/New_York")
    pieces = ny_spring.spans(dt.datetime(2026, 3, 8, 6, 30, tzinfo=UTC), dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC))
    assert pieces == [(1.5 * H, 2 * H), (3 * H, 3.5 * H)]  # 01:30 EST-02:00, then 03:00 EDT-03:30
    # Clipped to the planned day: 2026-03-08 00:00 EST is 05:00Z.
    assert ny_spring.spans(dt.datetime(2026, 3, 7, tzinfo=UTC), dt.datetime(2026, 3, 8, 6, tzinfo=UTC)) == [(0, H)]


def test_naive_datetimes_are_scenario_clock_readings():
    clock = DayClock(dt.date(2026, 10, 25), "Europe/Riga")
    assert clock.seconds(dt.datetime(2026, 10, 25, 8, 43)) == 8 * H + 43 * 60
    assert clock.seconds(dt.datetime(2026, 10, 26, 0, 30)) == DAY_S + 1800


# ------------------------------------------------------------------------------------------------ ED-269 schedules
@pytest.mark.parametrize("date", [dt.date(2026, 3, 29), dt.date(2026, 7, 1), dt.date(2026, 10, 25),
                                  dt.date(2026, 12, 1)])
def test_latvian_zone_is_active_0800_to_2100_local_on_every_kind_of_day(date):
    # LGS publishes 05:00Z-18:00Z in summer time and 06:00Z-19:00Z in winter time: 08:00-21:00 on Riga's clock.
    zones = {z.id: z for z in load_zones(LV, date=date, timezone="Europe/Riga")}
    for ident in ("94b44aa", "3c0b685"):
        assert [(w.start, w.end) for w in zones[ident].active] == [("08:00:00", "21:00:00")], (ident, date)


def test_latvian_schedules_in_new_york_clock_time():
    # The same instants on another clock: 06:00Z-19:00Z on 2026-11-01 opens at New York's clock change (06:00Z
    # is 02:00 EDT = 01:00 EST, the second pass through 01:00) and closes at 14:00 EST. Clock 01:00-02:00 names
    # both passes, so it counts as active (the conservative reading).
    zones = {z.id: z for z in load_zones(LV, date=dt.date(2026, 11, 1), timezone="America/New_York")}
    assert [(w.start, w.end) for w in zones["3c0b685"].active] == [("01:00:00", "14:00:00")]
    # The file's periods start 2026-03-29: New York's spring-forward day (03-08) has none.
    assert {z.id: z for z in load_zones(LV, date=dt.date(2026, 3, 8), timezone="America/New_York")}[
        "3c0b685"].active == []


# ------------------------------------------------------------------------------------------------ plan files
def test_a_takeoff_time_round_trips_through_plan_json_unchanged(tmp_path):
    scenario = small_scenario(date=dt.date(2026, 10, 25), timezone="Europe/Riga")
    tasks, unserved = tasks_from_targets(scenario, max_leg_m=1000)
    river = [t for t in tasks if t.target_id == "R1"]
    sortie = build_sortie(scenario, "S1", "H01-1", 8 * H + 43 * 60, river)
    original = build_plan(scenario, tasks, [sortie, build_sortie(scenario, "S2", "H01-2", 9 * H,
                                                                 [t for t in tasks if t.target_id == "P1"])],
                          unserved)
    assert verify_plan(original, scenario).ok
    paths = write_plan(original, scenario, tmp_path)
    raw = json.loads(paths["plan.json"].read_text())
    assert raw["sorties"][0]["takeoff"] == "2026-10-25T08:43:00+02:00"
    back = read_plan(paths["plan.json"])
    assert back.sorties[0].takeoff == original.sorties[0].takeoff
    assert scenario.seconds_after_midnight(back.sorties[0].takeoff) == 8 * H + 43 * 60
    assert schedule_rows(back)[0]["start"] == "2026-10-25T08:43:00+02:00"
    report = verify_plan(back, scenario)
    assert report.ok, report.violations


def test_plan_json_without_offsets_is_read_as_scenario_clock_time(tmp_path):
    scenario = small_scenario(date=dt.date(2026, 10, 25), timezone="Europe/Riga")
    tasks, unserved = tasks_from_targets(scenario, max_leg_m=1000)
    sortie = build_sortie(scenario, "S1", "H01-1", 8 * H + 43 * 60, tasks)
    original = build_plan(scenario, tasks, [sortie], unserved)
    write_plan(original, scenario, tmp_path)
    text = (tmp_path / "plan.json").read_text()
    naive = re.sub(r'(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)\+02:00"', r'\1"', text)
    assert "+02:00" not in naive
    (tmp_path / "plan.json").write_text(naive)
    back = read_plan(tmp_path / "plan.json")
    assert back.sorties[0].takeoff == original.sorties[0].takeoff
    assert back.sorties[0].takeoff.utcoffset() == dt.timedelta(hours=2)
    assert verify_plan(back, scenario).ok
    scenario_path = tmp_path / "scenario.json"
    scenario_path.write_text(scenario.model_dump_json())
    code, out = _cli(["verify", str(scenario_path), str(tmp_path / "plan.json")])
    assert code == 0, out
    assert "Traceback" not in out


def test_plan_models_hold_aware_datetimes_only():
    scenario = small_scenario()
    tasks, _ = tasks_from_targets(scenario, max_leg_m=1000)
    sortie = build_sortie(scenario, "S1", "H01-1", 9 * H, tasks[:1])
    with pytest.raises(ValueError, match="timezone"):
        sortie.model_validate({**sortie.model_dump(), "takeoff": dt.datetime(2026, 11, 21, 9, 0)})


# ------------------------------------------------------------------------------------------------ planner and verifier
def test_a_sortie_across_the_change_is_rejected_by_the_verifier():
    scenario = small_scenario(date=dt.date(2026, 3, 8), timezone="America/New_York",
                              operating_window={"start": "00:30", "end": "06:00"}, airspace={"zones": []})
    tasks, unserved = tasks_from_targets(scenario, max_leg_m=1000)
    across = build_sortie(scenario, "S1", "H01-1", 2 * H - 300, tasks)  # takes off 01:55 EST, lands after 03:00 EDT
    report = verify_plan(build_plan(scenario, tasks, [across], unserved), scenario)
    (violation,) = [v for v in report.violations if v.kind == WINDOW]
    assert "across the clock change at 02:00 (02:00-03:00 does not exist)" in violation.message
    assert report.kinds() == {WINDOW}  # durations are measured as elapsed time: nothing else is off
    after = build_sortie(scenario, "S1", "H01-1", 3 * H, tasks)
    assert verify_plan(build_plan(scenario, tasks, [after], unserved), scenario).ok


def test_recharge_across_a_skipped_hour_is_real_time():
    scenario = small_scenario(date=dt.date(2026, 3, 8), timezone="America/New_York",
                              operating_window={"start": "00:30", "end": "06:00"}, airspace={"zones": []})
    tasks, unserved = tasks_from_targets(scenario, max_leg_m=1000)
    river = [t for t in tasks if t.target_id == "R1"]
    flight_s = build_sortie(scenario, "S1", "H01-1", H, river).flight_time_s
    first = build_sortie(scenario, "S1", "H01-1", 2 * H - 300 - flight_s, river)  # lands 01:55 EST
    # 70 clock minutes after that landing is 03:05 EDT, 10 real minutes later: 32 are needed.
    second = build_sortie(scenario, "S2", "H01-1", 3 * H + 300, [t for t in tasks if t.target_id == "P1"])
    report = verify_plan(build_plan(scenario, tasks, [first, second], unserved), scenario)
    assert [v.kind for v in report.violations] == ["recharge"]
    assert "rests 10.0 min" in report.violations[0].message


@pytest.mark.parametrize("tz, date, span, skipped", CHANGES[2:])
def test_the_planner_cuts_the_operating_window_at_the_change(tz, date, span, skipped):
    scenario = small_scenario(date=date, timezone=tz, operating_window={"start": "00:00", "end": "06:00"},
                              airspace={"zones": []})
    recharge = 32 * 60
    epochs = epochs_for((0, 6 * H), [], [], 15 * 60, blackouts=scenario.clock.unflyable_spans(recharge))
    lo, hi = span
    assert [e.end_s for e in epochs][0] < (lo - recharge if skipped else lo)
    assert epochs[1].start_s > hi and epochs[-1].end_s == 6 * H
    result = plan(scenario, PlanOptions(time_limit_s=3, seed=0, solution_limit=50))
    report = verify_plan(result, scenario)
    assert report.ok, report.violations
    assert result.sorties
    for sortie in result.sorties:
        up, down = (scenario.seconds_after_midnight(t) for t in (sortie.takeoff, sortie.landing))
        assert down < lo or up > hi, (sortie.sortie_id, up, down)


# ------------------------------------------------------------------------------------------------ the Latvian day
LATVIAN_DAY = """\
name: riga-fall-back
date: 2026-10-25
timezone: Europe/Riga
operating_window: {start: "06:00", end: "17:00"}
drone_models:
  - {id: m3d, cruise_speed_ms: 15, inspection_speed_ms: 8, endurance_min: 45, max_wind_ms: 12}
hangars:
  - {id: H01, lon: 23.71, lat: 56.795, drone_model: m3d, drones: 2, operating_radius_m: 8000, recharge_min: 30}
airspace:
  zones:
    - file: LV
targets:
  - id: ROAD-1
    kind: road
    altitude_m: 80
    geometry: {type: LineString, coordinates: [[23.705, 56.798], [23.712, 56.812], [23.715, 56.825]]}
"""


@pytest.mark.slow
def test_plan_and_verify_agree_on_the_latvian_fall_back_day(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(LATVIAN_DAY.replace("file: LV", f"file: {LV}"))
    code, out = _cli(["plan", str(path), "--out", str(tmp_path / "out"), "--time-limit", "5",
                      "--solution-limit", "200"])
    assert code == 0 and "verified: no violations" in out, out
    code, out = _cli(["verify", str(path), str(tmp_path / "out" / "plan.json")])
    assert code == 0, out
    result = read_plan(tmp_path / "out" / "plan.json")
    zone = {z.id: z for z in load_zones(LV, date=dt.date(2026, 10, 25), timezone="Europe/Riga")}["3c0b685"]
    opens = zone.active[0].start_s
    assert opens == 8 * H
    inside = 0
    for sortie in result.sorties:
        takeoff_s = DayClock(result.date, result.timezone).seconds(sortie.takeoff)
        for w in sortie.waypoints:
            if zone.geometry.shape.contains(shapely.Point(w.lon, w.lat)):
                inside += 1
                # The road inside the authorisation zone is flown before it opens at 08:00 (a minute's margin).
                assert takeoff_s + w.t_s <= opens - 60, (sortie.sortie_id, takeoff_s + w.t_s)
    assert inside > 0  # the road inside the zone was inspected, in the hour before it became active
    assert all(s.takeoff.utcoffset() == dt.timedelta(hours=2) for s in result.sorties)  # EET after the change
