"""Terminal output shared by the commands: scenario loading with problems listed, progress, summary tables.

Only the CLI uses this module; the library never prints.
"""
from __future__ import annotations

import contextlib
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from airspace.errors import InputError
from airspace.projection import geodesic_length_m
from missions.models import MissionPlan, Scenario
from planner.cli.exit_codes import EXIT_FAILED, EXIT_INPUT, CommandError

EXAMPLE_CHARS = 240  # an unserved example's reason names its numbers: keep them, cut only a very long one
stderr = Console(stderr=True)
stdout = Console()


def default_workers() -> int:
    """Hangar groups the commands solve side by side unless told: two on a machine with two cores or more (the
    library's PlanOptions keeps one, so an integrator's process never forks unasked)."""
    return min(2, os.cpu_count() or 1)


def scenario_for_command(path: str, nothing_done: str) -> Scenario:
    """The one scenario loader of every command: warnings printed; stops the command with 3 when the file is
    missing or unreadable, with 1 and every problem listed when it is invalid."""
    from missions.loader import check_scenario

    if not Path(path).is_file():
        raise CommandError(EXIT_INPUT, f"error: {path}: no such file")
    scenario, problems = check_scenario(path)
    lines = [problem_line(p) for p in problems]
    if scenario is None:
        raise CommandError(EXIT_FAILED, *lines, f"{path}: invalid scenario, {nothing_done}")
    for line in lines:
        stderr.print(line, markup=False, highlight=False)
    return scenario


def plan_for_command(path: str) -> MissionPlan:
    """Read a plan.json for a command, or stop it with exit 3 naming the file."""
    from missions.plan_io import read_plan

    try:
        return read_plan(path)
    except (OSError, InputError) as exc:
        raise CommandError(EXIT_INPUT, f"error: {exc}") from None


def problem_line(problem) -> str:
    """'severity: file: feature: field: message' with empty parts left out (the CLI's one format)."""
    parts = [problem.severity, problem.file, problem.feature, problem.field, problem.message]
    return ": ".join(str(p) for p in parts if p)


@contextlib.contextmanager
def solver_progress(time_limit_s: float, enabled: bool = True) -> Iterator:
    """A rich progress bar over the time limit showing the best objective so far; yields the callback. The routing
    search is made ready first, under its own line: the first run after an install compiles it (about 30 s, before
    the plan's clock starts), which a bar over the time limit would show as a solve running past its limit."""
    if not enabled or not stderr.is_terminal:
        yield None
        return
    from planner.routing import compile_search

    with stderr.status("preparing the routing search (compiled once after an install: about 30 s)"):
        compile_search()
    progress = Progress(TextColumn("[bold]solving[/]"), BarColumn(), TextColumn("{task.fields[best]}"),
                        TimeElapsedColumn(), console=stderr, transient=True)
    task = progress.add_task("solve", total=time_limit_s, best="best objective: -")
    started = time.perf_counter()

    def on_solution(objective: int, elapsed_s: float) -> None:
        progress.update(task, completed=min(time_limit_s, time.perf_counter() - started),
                        best=f"best objective: {objective:,}")

    with progress:
        yield on_solution


def summary_table(plan: MissionPlan, scenario: Scenario) -> Table:
    """Per hangar: drones, drones used, sorties, km flown, its deadhead share (flown outside inspections), tasks
    served, and the energy its sorties use (mean and most, as shares of a full battery; the reserve leaves
    1 - reserve_fraction usable)."""
    sorties_by = defaultdict(list)
    for sortie in plan.sorties:
        sorties_by[sortie.hangar_id].append(sortie)
    table = Table(title=f"{plan.scenario}: {plan.date}", show_footer=True)
    s = plan.summary
    table.add_column("hangar", footer="total")
    table.add_column("drones", justify="right", footer=str(sum(h.drones for h in scenario.hangars)))
    table.add_column("used", justify="right", footer=str(s.drones_used))
    table.add_column("sorties", justify="right", footer=str(s.sorties))
    table.add_column("km", justify="right", footer=f"{s.total_distance_m / 1000:.1f}")
    table.add_column("deadhead", justify="right", footer=f"{s.deadhead_share:.0%}")
    table.add_column("tasks", justify="right", footer=str(s.served_tasks))
    table.add_column("battery avg", justify="right")
    table.add_column("battery max", justify="right")
    table.add_column("usable", justify="right")
    for hangar in scenario.hangars:
        flown = sorties_by.get(hangar.id, [])
        metres = sum(x.distance_m for x in flown)
        inspected = sum(geodesic_length_m(i.coordinates) for x in flown for i in x.inspections)
        used = [x.battery_used for x in flown]
        usable = scenario.drone_model(hangar.drone_model).usable_battery
        table.add_row(hangar.id, str(hangar.drones), str(len({x.drone_id for x in flown})), str(len(flown)),
                      f"{metres / 1000:.1f}", f"{max(0.0, metres - inspected) / metres:.0%}" if metres else "-",
                      str(sum(len(x.tasks) for x in flown)),
                      f"{sum(used) / len(used):.0%}" if used else "-", f"{max(used):.0%}" if used else "-",
                      f"{usable:.0%}")
    transit = f" · transit at {s.transit_altitude_m:g} m" if s.transit_altitude_m is not None else ""
    table.caption = (f"coverage {s.coverage:.1%} · unserved tasks {len(plan.unserved)} · deadhead "
                     f"{s.transit_distance_m / 1000:.1f} of {s.total_distance_m / 1000:.1f} km{transit} · "
                     f"solve {s.solve_time_s:.1f} s · seed {s.seed}")
    return table


def unserved_table(plan: MissionPlan, limit: int = 15) -> Table | None:
    if not plan.unserved:
        return None
    counts: dict[str, int] = defaultdict(int)
    for item in plan.unserved:
        counts[item.reason.value] += 1
    table = Table(title="unserved tasks by reason")
    table.add_column("reason")
    table.add_column("tasks", justify="right")
    table.add_column("example")
    for reason, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        example = next(u for u in plan.unserved if u.reason.value == reason)
        text = f"{example.task_id}: {example.detail}"
        table.add_row(reason, str(count), text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS - 1] + "…")
    return table


def print_plan_summary(plan: MissionPlan, scenario: Scenario) -> None:
    """The tables on stdout; the plan's warnings (solver statuses, time-limited work) on stderr."""
    stdout.print(summary_table(plan, scenario))
    unserved = unserved_table(plan)
    if unserved is not None:
        stdout.print(unserved)
    for warning in plan.warnings:
        stderr.print(f"warning: {warning}", markup=False, highlight=False, soft_wrap=True)


def clock_argument(text: str) -> str:
    """argparse type of an HH:MM clock time (--at, --from): refused with the parser's usage error when malformed."""
    import argparse

    from airspace.windows import seconds_from_clock

    try:
        seconds_from_clock(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text
