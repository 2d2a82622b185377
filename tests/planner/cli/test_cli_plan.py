"""`lowalt plan`: transit altitude from the scenario and the command line, deadhead share, warnings shown.

Each plan written is read back and verified; numbers printed are checked against the plan file.
"""
from __future__ import annotations

import contextlib
import io
import json
import re

import pytest

from missions.loader import load_scenario
from missions.plan_io import read_plan
from missions.verify import verify_plan
from planner.cli.main import main
from planner.fleet import group_solve
from tests.helpers.fleet_days import solver_timeout
from tests.planner.test_reasons import _point, _scenario


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _write(tmp_path, scenario, **planning) -> str:
    data = json.loads(scenario.model_dump_json(exclude_none=True))
    if planning:
        data["planning"] = planning
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    return str(path)


def _verified(out, scenario_path: str):
    """The plan.json a command wrote, read back and verified against its scenario."""
    plan = read_plan(out / "plan.json")
    report = verify_plan(plan, load_scenario(scenario_path))
    assert report.ok, [str(v) for v in report.violations]
    return plan


def _transit_heights(plan) -> set[float]:
    return {w.alt_m for s in plan.sorties for w in s.waypoints if w.action == "transit" and w.alt_m > 0}


def test_transit_altitude_comes_from_the_command_line_over_the_scenario(tmp_path):
    path = _write(tmp_path, _scenario([_point("P1", 1500), _point("P2", -1200, 800)]), transit_altitude_m=90)
    code, out, err = _cli(["plan", path, "--out", str(tmp_path / "a"), "--time-limit", "3", "--json"])
    assert code == 0, err
    summary = json.loads(out)["summary"]
    assert summary["transit_altitude_m"] == 90 and json.loads(out)["verified"]
    assert _transit_heights(_verified(tmp_path / "a", path)) == {90.0}
    code, out, err = _cli(["plan", path, "--out", str(tmp_path / "b"), "--time-limit", "3", "--json",
                           "--transit-altitude", "70"])
    assert code == 0, err
    plan = _verified(tmp_path / "b", path)
    assert json.loads(out)["summary"]["transit_altitude_m"] == 70 and _transit_heights(plan) == {70.0}


def test_the_objective_comes_from_the_command_line_and_is_recorded_with_its_figure(tmp_path):
    path = _write(tmp_path, _scenario([_point("P1", 1500), _point("P2", -1200, 800)]))
    code, out, err = _cli(["plan", path, "--out", str(tmp_path / "d"), "--time-limit", "3", "--json",
                           "--objective", "distance"])
    assert code == 0, err
    plan = _verified(tmp_path / "d", path)
    assert plan.options["objective"] == "distance"
    # Metres outside the inspections, in decimetres: here every metre (points are hovered over, not flown along).
    assert plan.summary.objective == pytest.approx(10 * plan.summary.total_distance_m, rel=2e-3)
    err = io.StringIO()
    with pytest.raises(SystemExit) as usage, contextlib.redirect_stderr(err):  # argparse's own usage error
        main(["plan", path, "--out", str(tmp_path / "e"), "--objective", "metres"])
    assert usage.value.code == 2 and "invalid choice: 'metres'" in err.getvalue()


def test_transit_altitude_above_the_ceiling_is_refused(tmp_path):
    path = _write(tmp_path, _scenario([_point("P1", 1500)]))
    code, out, err = _cli(["plan", path, "--out", str(tmp_path / "a"), "--transit-altitude", "150"])
    assert code == 2
    assert f"--transit-altitude 150 m is above the airspace ceiling of {path} (120 m); nothing planned" in err
    with pytest.raises(SystemExit) as usage:  # argparse's own usage error
        _cli(["plan", path, "--out", str(tmp_path / "a"), "--transit-altitude=-5"])
    assert usage.value.code == 2
    data = json.loads((tmp_path / "scenario.json").read_text())
    data["planning"] = {"transit_altitude_m": 130}
    (tmp_path / "scenario.json").write_text(json.dumps(data))
    code, out, err = _cli(["validate", path])
    assert code == 1 and "planning.transit_altitude_m: 130 m is above the airspace ceiling (120 m)" in out + err


def test_deadhead_share_is_transit_over_flown_distance_in_json_and_table(tmp_path):
    path = _write(tmp_path, _scenario([_point("P1", 1500), _point("P2", -1200, 800)]))
    code, out, err = _cli(["plan", path, "--out", str(tmp_path / "a"), "--time-limit", "3", "--json"])
    assert code == 0, err
    summary = json.loads(out)["summary"]
    plan = _verified(tmp_path / "a", path)
    total = sum(s.distance_m for s in plan.sorties)
    # Points: nothing is flown along an inspection, so all of the distance is transit.
    assert summary["transit_distance_m"] == pytest.approx(total, abs=0.05)
    assert summary["deadhead_share"] == pytest.approx(1.0)
    code, out, err = _cli(["plan", path, "--out", str(tmp_path / "b"), "--time-limit", "3"])
    assert code == 0, err
    _verified(tmp_path / "b", path)
    text = " ".join(out.split())  # the table wraps its caption to the console width
    assert f"deadhead {total / 1000:.1f} of {total / 1000:.1f} km · transit at 100 m" in text, out
    assert re.search(r"│ total +│ +1 │ +1 │ +1 │ +[\d.]+ │ +100% │", out), out


def test_solver_warnings_are_shown_by_plan_and_kept_in_the_json(tmp_path, monkeypatch):
    monkeypatch.setattr(group_solve, "solve", solver_timeout)
    path = _write(tmp_path, _scenario([_point("P1", 1500)]))
    code, out, err = _cli(["plan", path, "--out", str(tmp_path / "a"), "--time-limit", "2"])
    assert code == 0, err
    _verified(tmp_path / "a", path)
    assert re.search(r"warning: group-01 \(1 hangar, 1 task\): the solver found no plan within its [\d.]+ s "
                     r"\(status no solution within the time limit\); give more time \(--time-limit above 2 s\)\n", err), err
    assert "time_limit" in out  # the unserved table names the reason
    code, out, err = _cli(["plan", path, "--out", str(tmp_path / "b"), "--time-limit", "2", "--json"])
    warnings = json.loads(out)["warnings"]
    assert warnings == _verified(tmp_path / "b", path).warnings
    assert warnings[-1] == ("1 task left undone when the 2 s time limit ran out while a drone within reach was free "
                            "(reason time_limit); give more time")


def test_separation_minima_come_from_the_command_line_over_the_scenario(tmp_path):
    points = [_point("P1", 1500), _point("P2", -1200, 800)]
    path = _write(tmp_path, _scenario(points), deconfliction={"separation": {"horizontal_m": 45, "vertical_m": 20,
                                                                            "time_s": 40},
                                                             "max_takeoff_shift_s": 900})
    code, out, err = _cli(["plan", path, "--out", str(tmp_path / "a"), "--time-limit", "3", "--json"])
    assert code == 0, err
    plan = _verified(tmp_path / "a", path)
    assert (plan.deconfliction.separation.horizontal_m, plan.deconfliction.separation.vertical_m,
            plan.deconfliction.separation.time_s, plan.deconfliction.max_takeoff_shift_s) == (45, 20, 40, 900)
    code, out, err = _cli(["plan", path, "--out", str(tmp_path / "b"), "--time-limit", "3", "--json",
                           "--separation", "50,25,60", "--max-takeoff-shift", "600"])
    assert code == 0, err
    plan = _verified(tmp_path / "b", path)
    # The command line replaces the minima and the shift limit; the scenario's other settings stay.
    assert plan.deconfliction.separation.model_dump() == {"horizontal_m": 50, "vertical_m": 25, "time_s": 60}
    assert plan.deconfliction.max_takeoff_shift_s == 600


def test_bad_separation_minima_are_refused_with_what_is_wrong(tmp_path, capsys):
    path = _write(tmp_path, _scenario([_point("P1", 1500)]))
    for bad, says in (("30,15", "give three numbers H,V,T"), ("30,0,30", "must be above 0 m")):
        with pytest.raises(SystemExit) as usage:
            main(["plan", path, "--out", str(tmp_path / "a"), "--separation", bad])
        assert usage.value.code == 2
        assert says in capsys.readouterr().err
    code, out, err = _cli(["plan", path, "--out", str(tmp_path / "a"), "--max-takeoff-shift=-5"])
    assert code == 2 and "--max-takeoff-shift -5 s must be 0 s or more; nothing planned" in err
    data = json.loads((tmp_path / "scenario.json").read_text())
    data["planning"] = {"deconfliction": {"separation": {"horizontal_m": -1}}}
    (tmp_path / "scenario.json").write_text(json.dumps(data))
    code, out, err = _cli(["validate", path])
    assert code == 1 and "planning.deconfliction.separation.horizontal_m" in out + err


def test_commands_solve_two_groups_side_by_side_where_there_are_two_cores(monkeypatch):
    import planner.cli.console as console

    for cores, workers in ((1, 1), (None, 1), (2, 2), (16, 2)):
        monkeypatch.setattr(console.os, "cpu_count", lambda cores=cores: cores)
        assert console.default_workers() == workers
