"""lowalt export after a replan: --from leaves out sorties taking off earlier; a sortie cut short gets no mission file.

A dock loading a replanned day's files must get only what is still to fly, never a flown or cut-short sortie.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from missions.models import SortieEnd
from missions.plan_io import write_plan
from missions.tasks import tasks_from_targets
from planner.cli.main import main
from tests.helpers.plan_factory import build_plan, build_sortie, small_scenario


@pytest.fixture(scope="module")
def day():
    scenario = small_scenario()
    tasks, unserved = tasks_from_targets(scenario, max_leg_m=1000)
    river = [t for t in tasks if t.target_id == "R1"]
    point = [t for t in tasks if t.target_id == "P1"]
    morning = build_sortie(scenario, "S1", "H01-1", 8 * 3600 + 600, river[:1] + point)
    later = build_sortie(scenario, "S2", "H01-1", 10 * 3600, river[1:], reverse={river[1].task_id})
    return scenario, build_plan(scenario, tasks, [morning, later], unserved)


def _export(plan, scenario, tmp_path, *extra: str) -> tuple[int, list[str]]:
    folder = tmp_path / "day"
    write_plan(plan, scenario, folder)
    out = tmp_path / "files"
    code = main(["export", str(folder), "--format", "qgc", "--out", str(out), *extra])
    return code, sorted(p.name for p in out.glob("*.plan"))


def test_from_keeps_only_the_sorties_taking_off_at_or_after_that_clock_time(day, tmp_path, capsys):
    scenario, plan = day
    code, files = _export(plan, scenario, tmp_path, "--from", "09:00")
    assert code == 0 and files == ["S2.plan"]
    assert "1 of 2 sorties take off before 09:00 and are left out" in capsys.readouterr().err
    code, files = _export(plan, scenario, tmp_path / "all")
    assert code == 0 and files == ["S1.plan", "S2.plan"]


def test_a_malformed_from_is_a_usage_error_without_a_traceback(day, tmp_path, capsys):
    scenario, plan = day
    with pytest.raises(SystemExit) as stop:
        _export(plan, scenario, tmp_path, "--from", "9h")
    assert stop.value.code == 2 and "Traceback" not in capsys.readouterr().err


def test_a_sortie_cut_short_in_a_replan_gets_no_mission_file(day, tmp_path):
    scenario, plan = day
    first, second = plan.sorties
    cut = first.model_copy(update={"ended": SortieEnd(
        kind="failure", at=first.takeoff + dt.timedelta(minutes=5), reason="drone failure at 08:15")})
    code, files = _export(plan.model_copy(update={"sorties": [cut, second]}), scenario, tmp_path)
    assert code == 0 and files == ["S2.plan"]
    assert json.loads((tmp_path / "files" / "S2.plan").read_text())["fileType"] == "Plan"
