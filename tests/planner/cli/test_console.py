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


def test_a_terminal_sees_the_search_being_prepared_before_the_solving_bar_starts(monkeypatch):
    import io
    import time

    import planner.cli.console as console_module
    import planner.routing

    out = io.StringIO()
    monkeypatch.setattr(console_module, "stderr", Console(file=out, force_terminal=True, width=120))
    seen: list[str] = []

    def compile_search():  # long enough for the status line's first refresh (12.5 a second)
        time.sleep(0.5)
        seen.append(out.getvalue())

    monkeypatch.setattr(planner.routing, "compile_search", compile_search)
    with console_module.solver_progress(20.0) as progress:
        assert seen, "the search is made ready before the bar's callback is handed out"
        progress(1234, 0.5)
    # The first run after an install compiles for about 30 s: the line says so while it runs, not a solve past 20 s.
    assert "preparing the routing search (compiled once after an install: about 30 s)" in seen[0]
    assert "solving" not in seen[0]
    assert "best objective: 1,234" in out.getvalue()
