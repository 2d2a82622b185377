"""`lowalt replan`: the merged day written and verified, the diff on the console and in JSON, the map's layer pair,
and a bad changes file stopped with every problem named by file, entry and field (no traceback).
"""
from __future__ import annotations

import contextlib
import io
import json
import re

import pytest
import yaml

from missions.plan_io import read_plan, write_plan
from missions.models import Scenario
from missions.verify import verify_plan
from planner.cli.exit_codes import EXIT_FAILED, EXIT_INPUT, EXIT_OK
from planner.cli.main import main
from tests.helpers.replan_days import day

FAST = ["--time-limit", "20", "--solution-limit", "50", "--tiles", "none"]


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The replan test day as an operator has it: scenario.json and the plan's directory."""
    scenario, plan = day()
    folder = tmp_path_factory.mktemp("day")
    (folder / "scenario.json").write_text(scenario.model_dump_json(exclude_none=True), encoding="utf-8")
    write_plan(plan, scenario, folder / "plan")
    return folder


def summary_unserved(out) -> list[dict]:
    return json.loads((out / "plan.json").read_text(encoding="utf-8"))["unserved"]


def _changes(tmp_path, data, name="changes.yaml") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_a_failure_replanned_from_the_command_line_writes_a_verified_merged_day_and_its_diff(files, tmp_path):
    changes = _changes(tmp_path, {"failures": [{"drone": "H04-1", "at": "10:00", "reason": "motor fault"}]})
    out = tmp_path / "out"
    code, stdout, stderr = _cli(["replan", str(files / "scenario.json"), str(files / "plan"), "--at", "10:30",
                                 "--changes", changes, "--out", str(out), "--json", *FAST])
    assert code == EXIT_OK, stderr
    summary = json.loads(stdout)
    assert summary["verified"] is True and summary["violations"] == []
    diff = summary["diff"]
    assert diff["at"] == "10:30" and diff["changes"] == ["drone H04-1 failed at 10:00 (motor fault)"]
    # Twelve tasks orphaned; nine of them some drone still in service could fly alone, and all nine are flown.
    assert (diff["orphaned"], diff["recoverable"], diff["recovered"], diff["recovered_share"]) == (12, 9, 9, 1.0)
    left = [u for u in summary_unserved(out) if u["detail"].startswith("no drone within reach can fly")]
    assert left and all(u["detail"] == "no drone within reach can fly: H04-1 is out of service 10:00-24:00 "
                                       "(failed at 10:00: motor fault)" for u in left)
    failed = next(s for s in diff["sorties"] if s["change"] == "failed")
    assert failed["sortie_id"] == "H04-1-S1" and failed["landing"] == "10:00:08"  # straight down from 10:00
    # The files: the merged day verifies against the changed day written beside it, diff.json is the JSON's diff.
    changed = Scenario.model_validate_json((out / "scenario.json").read_text(encoding="utf-8"))
    merged = read_plan(out / "plan.json")
    assert verify_plan(merged, changed).ok
    assert json.loads((out / "diff.json").read_text(encoding="utf-8")) == diff
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "Before: the old plan" in page and "After: " in page and "lowalt-ended" in page
    # lowalt verify agrees on the written files.
    code, _, stderr = _cli(["verify", str(out / "scenario.json"), str(out)])
    assert code == EXIT_OK, stderr


def test_the_console_shows_the_changes_the_orphaned_count_and_the_cut_sortie(files, tmp_path):
    changes = _changes(tmp_path, {"failures": [{"drone": "H02-1", "at": "10:20"}]})
    code, stdout, stderr = _cli(["replan", str(files / "scenario.json"), str(files / "plan" / "plan.json"),
                                 "--at", "10:30", "--changes", changes, "--out", str(tmp_path / "o"), *FAST])
    assert code == EXIT_OK, stderr
    diff = json.loads((tmp_path / "o" / "diff.json").read_text(encoding="utf-8"))
    text = re.sub(r"\s+", " ", stdout)
    assert "replanned from 10:30" in text and "drone H02-1 failed at 10:20" in text
    assert f"{diff['orphaned']}, {diff['recovered']} flown in the new plan (100.0%" in text
    assert re.search(r"│ failed\s+│ H02-1-S", stdout)  # the cut sortie's row (narrow cells wrap its detail)
    assert "merged day verified: no violations" in stderr


def test_a_bad_changes_file_names_file_entry_and_field_and_replans_nothing(files, tmp_path):
    bad = _changes(tmp_path, {
        "failures": [{"drone": "H09-1", "at": "10:20"}],
        "out_of_service": [{"hangar": "H01", "drone": "H01-1"}],
        "urgent_targets": [{"id": "U1", "kind": "point", "geometry": {"type": "Point", "coordinates": [114.3]},
                            "deadline": "12:00"}],
        "wind": {"wind_speed_ms": -3},
        "windspeed": 4,
    }, "bad.yaml")
    code, stdout, stderr = _cli(["replan", str(files / "scenario.json"), str(files / "plan"), "--at", "10:30",
                                 "--changes", bad, "--out", str(tmp_path / "o")])
    assert code == EXIT_FAILED and stdout == ""
    lines = stderr.splitlines()
    assert f"error: {bad}: wind.wind_speed_ms: Input should be greater than or equal to 0 (got -3)" in lines
    assert (f"error: {bad}: out_of_service[0]: name either `hangar` (the whole hangar) or `drone` (one drone), "
            "not both or neither") in lines
    assert (f"error: {bad}: urgent_targets[0] (U1): geometry: position [114.3] must be [lon, lat] or "
            "[lon, lat, alt]") in lines
    assert f"error: {bad}: windspeed: unknown field 'windspeed' (not part of the changes file; check its spelling)" \
        in lines
    assert lines[-1] == f"{bad}: invalid changes, nothing replanned"
    assert "Traceback" not in stderr and not (tmp_path / "o").exists()


def test_changes_that_do_not_fit_the_scenario_are_each_named(files, tmp_path):
    bad = _changes(tmp_path, {
        "failures": [{"drone": "H09-1", "at": "10:20"}, {"drone": "H01-1", "at": "11:00"}],
        "cancelled_targets": ["NOPE"],
        "cancelled_closures": ["NOZONE"],
        "out_of_service": [{"drone": "H01-1", "start": "09:00", "end": "10:00"}],
        "urgent_targets": [{"id": "U1", "kind": "point", "geometry": {"type": "Point", "coordinates": [114.3, 30.5]},
                            "deadline": "10:15"}],
    }, "misfit.yaml")
    code, _, stderr = _cli(["replan", str(files / "scenario.json"), str(files / "plan"), "--at", "10:30",
                            "--changes", bad, "--out", str(tmp_path / "o")])
    assert code == EXIT_FAILED
    lines = stderr.splitlines()
    assert f"error: {bad}: failures[0] (H09-1): drone: no drone 'H09-1' in the scenario" in lines
    assert (f"error: {bad}: failures[1] (H01-1): at: 11:00 is after --at 10:30: a replan knows only what has "
            "happened; replan at or after the failure") in lines
    assert f"error: {bad}: cancelled_targets[0] (NOPE): no target 'NOPE' in the scenario" in lines
    assert f"error: {bad}: cancelled_closures[0] (NOZONE): no zone 'NOZONE' in the scenario" in lines
    assert f"error: {bad}: out_of_service[0] (H01-1): end: 10:00 is not after --at 10:30 and the start" in lines
    assert f"error: {bad}: urgent_targets[0] (U1): deadline: 10:15 is not after --at 10:30" in lines


def test_unreadable_inputs_exit_with_their_codes(files, tmp_path):
    args = ["replan", str(files / "scenario.json"), str(files / "plan"), "--at", "10:30", "--out", str(tmp_path)]
    code, _, stderr = _cli(args + ["--changes", str(tmp_path / "missing.yaml")])
    assert code == EXIT_INPUT and stderr.strip().splitlines()[-1] == f"error: {tmp_path / 'missing.yaml'}: no such file"
    broken = _changes(tmp_path, "failures: [{drone: H01-1\n  - x", "broken.yaml")
    code, _, stderr = _cli(args + ["--changes", broken])
    assert code == EXIT_FAILED and f"error: {broken}: malformed YAML at line 2" in stderr
    listed = _changes(tmp_path, "- 1\n", "list.yaml")
    code, _, stderr = _cli(args + ["--changes", listed])
    assert code == EXIT_FAILED
    assert "a changes file is a mapping of fields" in stderr and "this document is list" in stderr
    with pytest.raises(SystemExit) as exc:
        _cli(["replan", str(files / "scenario.json"), str(files / "plan"), "--at", "25:10", "--changes", listed,
              "--out", str(tmp_path)])
    assert exc.value.code == 2
