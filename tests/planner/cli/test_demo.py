"""`lowalt demo` end to end on the shipped Wuhan scenario, with a short solver budget.

Checks every promised output exists and parses, the plan verifies, and the copied scenario loads again.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import zipfile

import pytest

from missions.loader import load_scenario
from missions.plan_io import read_plan
from missions.verify import verify_plan
from planner.cli.main import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`lowalt demo` run once for the module: (its folder, what it printed, its exit code)."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["demo", "--out", str(out), "--time-limit", "6", "--tiles", "none"])
    return out, stdout.getvalue(), stderr.getvalue(), code


@pytest.mark.slow
def test_demo_writes_a_verified_plan_map_schedule_missions_and_scenario(demo):
    out, printed_out, printed_err, code = demo
    assert code == 0, printed_err
    assert "verified: no violations" in printed_out
    scenario = load_scenario(out / "scenario" / "scenario.yaml")
    plan = read_plan(out / "plan.json")
    assert verify_plan(plan, scenario).ok
    assert len(scenario.hangars) >= 24 and sum(h.drones for h in scenario.hangars) >= 40
    assert plan.summary.sorties >= 10 and plan.summary.coverage > 0.6
    geojson = json.loads((out / "plan.geojson").read_text())
    kinds = {f["properties"]["kind"] for f in geojson["features"]}
    assert {"sortie", "inspection", "hangar"} <= kinds
    assert sum(f["properties"]["kind"] == "sortie" for f in geojson["features"]) == plan.summary.sorties
    rows = list(csv.DictReader((out / "schedule.csv").open()))
    assert sum(r["activity"] == "sortie" for r in rows) == plan.summary.sorties
    page = (out / "map.html").read_text()
    assert page.count("lowalt-sortie") >= plan.summary.sorties and (out / "schedule.html").exists()
    missions = out / "missions"
    # plan.geojson and schedule.csv are written once, by write_plan: missions/ holds only dock and GCS files.
    assert not list(missions.rglob("plan.geojson")) and not list(missions.rglob("schedule.csv"))
    kmz = sorted(missions.rglob("*.kmz"))
    assert len(kmz) == plan.summary.sorties
    with zipfile.ZipFile(kmz[0]) as archive:
        assert sorted(archive.namelist()) == ["wpmz/template.kml", "wpmz/waylines.wpml"]
    assert len(sorted(missions.rglob("*.plan"))) == plan.summary.sorties
    assert (out / "scenario" / "ATTRIBUTION.md").exists()


@pytest.mark.slow
def test_the_demo_day_replans_after_a_failure_and_an_urgent_report(demo, tmp_path, capsys):
    from airspace.windows import clock_from_seconds

    out, _, _, code = demo
    assert code == 0
    scenario = load_scenario(out / "scenario" / "scenario.yaml")
    plan = read_plan(out / "plan.json")
    # A short solve plans the day differently on a busy machine: replan where the last two sorties are still to fly.
    last = sorted(plan.sorties, key=lambda s: s.takeoff)[-2:]
    at_s = int(scenario.seconds_after_midnight(last[0].takeoff) - 60) // 60 * 60
    at, deadline = clock_from_seconds(at_s)[:5], clock_from_seconds(at_s + 50 * 60)[:5]
    drone = last[-1].drone_id
    changes = tmp_path / "changes.yaml"
    changes.write_text(f"""
failures: [{{drone: {drone}, at: "{at}", reason: motor fault}}]
urgent_targets:
  - {{id: OUTFALL-7, kind: point, geometry: {{type: Point, coordinates: [114.36, 30.53]}}, hover_s: 120,
     altitude_m: 50, deadline: "{deadline}"}}
""", encoding="utf-8")
    code = main(["replan", str(out / "scenario" / "scenario.yaml"), str(out), "--at", at, "--changes",
                 str(changes), "--out", str(tmp_path / "replan"), "--time-limit", "6", "--tiles", "none", "--json"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    summary = json.loads(printed.out)
    assert summary["verified"] and summary["diff"]["changes"] == [
        f"drone {drone} failed at {at} (motor fault)", f"urgent target OUTFALL-7 (point, priority 5) by {deadline}"]
    merged = read_plan(tmp_path / "replan" / "plan.json")
    inspection = next(i for s in merged.sorties for i in s.inspections if i.target_id == "OUTFALL-7")
    assert at_s <= scenario.seconds_after_midnight(inspection.start)
    assert scenario.seconds_after_midnight(inspection.end) <= at_s + 50 * 60
    assert not [s for s in merged.sorties if s.drone_id == drone
                and scenario.seconds_after_midnight(s.takeoff) >= at_s]
