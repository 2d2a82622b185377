"""The CLI's plan summary: one row per hangar with its sorties' energy against the usable share."""
from __future__ import annotations

from rich.console import Console

from missions.tasks import tasks_from_targets
from planner.cli.console import summary_table
from tests.helpers.plan_factory import build_plan, build_sortie, small_scenario


def test_summary_rows_give_mean_and_most_battery_used_and_the_usable_share():
    scenario = small_scenario()
    tasks, _ = tasks_from_targets(scenario, max_leg_m=1000)
    s1 = build_sortie(scenario, "S1", "H01-1", 8 * 3600, tasks[:1])
    s2 = build_sortie(scenario, "S2", "H01-2", 9 * 3600, tasks[1:])
    plan = build_plan(scenario, tasks, [s1, s2])
    console = Console(width=200, record=True)
    console.print(summary_table(plan, scenario))
    text = console.export_text()
    assert "battery avg" in text and "battery max" in text and "usable" in text
    (row,) = [line for line in text.splitlines() if "H01" in line]
    mean, most = (s1.battery_used + s2.battery_used) / 2, max(s1.battery_used, s2.battery_used)
    assert [cell.strip() for cell in row.split("│")[-4:-1]] == [f"{mean:.0%}", f"{most:.0%}", "80%"]
