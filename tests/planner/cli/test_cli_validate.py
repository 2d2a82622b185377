"""`lowalt validate` and `lowalt schema` run through planner.cli.main, as an operator calls them.

Exit codes: 0 valid (warnings printed), 1 invalid (every problem on its own line), 3 scenario file missing.
"""
from __future__ import annotations

import json

from missions.models import MissionPlan, Scenario
from planner.cli.main import main
from tests.helpers import DATA_DIR

DATA = DATA_DIR
FULL = DATA / "scenarios" / "full_contract.yaml"


def test_valid_scenario_exits_0_and_prints_its_warnings(capsys):
    assert main(["validate", str(FULL)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"warning: {FULL}: targets[1] (R-Xunsi): geometry: target is wholly out")
    assert out[-1] == f"{FULL}: valid: 1 hangars, 6 zones, 4 targets, 1 warning(s)"


def test_invalid_scenario_exits_1_with_one_line_per_problem(tmp_path, capsys):
    text = (DATA / "bad" / "unknown_drone_model.yaml").read_text()
    path = tmp_path / "two.yaml"
    path.write_text(text.replace("drones: 1", "drones: -1"))
    assert main(["validate", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"error: {path}: hangars[0] (H01): drone_model: unknown drone model 'm4d' (known: m3d)" in lines
    assert f"error: {path}: hangars[0] (H01): drones: Input should be greater than or equal to 0 (got -1)" in lines
    assert lines[-1] == f"{path}: invalid: 2 error(s), 0 warning(s)"


def test_json_output_is_a_machine_readable_problem_list(capsys):
    bad = DATA / "bad" / "url_file_reference.yaml"
    assert main(["validate", str(bad), "--json"]) == 1
    (problem,) = json.loads(capsys.readouterr().out)
    assert problem == {"severity": "error", "file": str(bad), "feature": "targets[0] (https://example.com/rivers.geojson)",
                       "field": "file", "message": problem["message"]}
    assert "only local file paths" in problem["message"]


def test_json_output_of_a_valid_scenario_lists_its_warnings(capsys):
    assert main(["validate", str(FULL), "--json"]) == 0
    problems = json.loads(capsys.readouterr().out)
    assert [(p["severity"], p["feature"]) for p in problems] == [("warning", "targets[1] (R-Xunsi)")]


def test_every_bad_file_is_reported_without_a_traceback(capsys):
    for path in sorted((DATA / "bad").glob("*.yaml")):
        code = main(["validate", str(path)])
        captured = capsys.readouterr()
        assert code in (0, 1), path
        assert "Traceback" not in captured.out + captured.err, path


def test_missing_scenario_file_exits_3(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 3
    assert "no such file" in capsys.readouterr().err


def test_schema_prints_the_scenario_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == Scenario.model_json_schema()
    assert {"name", "date", "drone_models", "hangars"} <= set(schema["required"])
    assert schema["additionalProperties"] is False


def test_schema_writes_plan_and_all_to_a_file(tmp_path, capsys):
    out = tmp_path / "plan.schema.json"
    assert main(["schema", "--which", "plan", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == MissionPlan.model_json_schema()
    both = tmp_path / "all.json"
    assert main(["schema", "--which", "all", "--out", str(both)]) == 0
    assert set(json.loads(both.read_text())) == {"scenario", "plan"}


def test_scenario_schema_accepts_the_contract_example_keys(capsys):
    import yaml

    assert main(["schema"]) == 0
    properties = json.loads(capsys.readouterr().out)["properties"]
    assert set(yaml.safe_load(FULL.read_text())) <= set(properties)
