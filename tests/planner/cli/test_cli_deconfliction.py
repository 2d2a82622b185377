"""Deconfliction through the `lowalt` commands: `verify` fails a plan with a conflict, `export --format intents`
writes the operational intents, `validate` names a broken intents file."""
from __future__ import annotations

import json

import yaml

from missions.plan_io import write_plan
from planner.cli.main import main
from tests.helpers.plan_factory import crossing_day


def _scenario_file(scenario, path):
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True), sort_keys=False))
    return path


def test_verify_fails_a_plan_with_a_conflict_and_passes_it_apart(tmp_path, capsys):
    scenario, together = crossing_day(0.0)
    _, apart = crossing_day(600.0)
    scenario_file = _scenario_file(scenario, tmp_path / "scenario.yaml")
    bad = write_plan(together, scenario, tmp_path / "together")["plan.json"]
    good = write_plan(apart, scenario, tmp_path / "apart")["plan.json"]
    assert main(["verify", str(scenario_file), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "[separation] sortie A: sortie A (drone HW-1) and sortie B (drone HS-1) pass 0 m apart" in out
    assert "near (114.42000, 30.50000) (09:03:24;" in out
    assert main(["verify", str(scenario_file), str(good)]) == 0
    assert "plan OK" in capsys.readouterr().out


def test_export_intents_writes_the_volumes_of_every_sortie(tmp_path, capsys):
    scenario, plan = crossing_day(600.0)
    write_plan(plan, scenario, tmp_path)
    out = tmp_path / "files"
    assert main(["export", str(tmp_path / "plan.json"), "--format", "intents", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out / "intents.geojson")]
    data = json.loads((out / "intents.geojson").read_text())
    assert len(data["features"]) == sum(len(s.intent) for s in plan.sorties)
    assert {f["properties"]["intent_id"] for f in data["features"]} == {"A", "B"}


def test_validate_names_the_file_feature_and_field_of_a_broken_intents_file(tmp_path, capsys):
    scenario, _ = crossing_day(0.0)
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["airspace"]["intents"] = [{"file": "others.geojson"}]
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    (tmp_path / "others.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[114.41, 30.49], [114.43, 30.49],
                                                                            [114.43, 30.51], [114.41, 30.49]]]},
        "properties": {"intent_id": "OP-1", "altitude_lower": {"value": 0, "reference": "SFC", "units": "M"},
                       "altitude_upper": {"value": 400, "reference": "SFC", "units": "FT"},
                       "time_start": {"value": "2026-11-21T01:00:00Z", "format": "RFC3339"},
                       "time_end": {"value": "2026-11-21T02:00:00Z", "format": "RFC3339"}}}]}))
    assert main(["validate", str(tmp_path / "scenario.yaml")]) == 1
    err = capsys.readouterr()
    text = err.out + err.err
    assert "others.geojson" in text and "airspace.intents[0] (others.geojson) -> features[0] (OP-1)" in text
    assert "properties.altitude_upper.units" in text and "units 'FT' are not supported" in text
