"""`lowalt demo` end to end on the shipped Wuhan scenario, with a short solver budget.

Checks every promised output exists and parses, the plan verifies, and the copied scenario loads again.
"""
from __future__ import annotations

import csv
import json
import zipfile

import pytest

from missions.loader import load_scenario
from missions.plan_io import read_plan
from missions.verify import verify_plan
from planner.cli.main import main


@pytest.mark.slow
def test_demo_writes_a_verified_plan_map_schedule_missions_and_scenario(tmp_path, capsys):
    out = tmp_path / "demo"
    code = main(["demo", "--out", str(out), "--time-limit", "6", "--tiles", "none"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "verified: no violations" in printed.out
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
