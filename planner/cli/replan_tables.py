"""`lowalt replan` on the terminal: what changed, the sorties cut or replaced, the tasks moved, added or now unserved.

Reads the diff (planner.replan.diff) only; the full list is in diff.json.
"""
from __future__ import annotations

from rich.table import Table

from planner.cli.console import stdout
from planner.replan.diff import ReplanDiff

MAX_TASK_ROWS = 30
SHOWN_TASK_CHANGES = ("added", "new_unserved", "moved", "now_unserved", "cancelled")


def print_diff(diff: ReplanDiff) -> None:
    for table in diff_tables(diff):
        stdout.print(table)


def diff_tables(diff: ReplanDiff) -> list[Table]:
    head = Table(title=f"{diff.scenario}: replanned from {diff.at}", show_header=False)
    head.add_column("what")
    head.add_column("value")
    for line in diff.changes or ["no change: the rest of the day planned again as it stands"]:
        head.add_row("change", line)
    share = (f" ({diff.recovered_share:.1%} of those a drone still in service could fly alone: "
             f"{diff.recoverable})" if diff.recovered_share is not None else "")
    head.add_row("orphaned tasks", f"{diff.orphaned}, {diff.recovered} flown in the new plan{share}")
    head.add_row("tasks", ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in sorted(diff.counts.items())))
    head.add_row("coverage", f"{diff.coverage_before:.1%} -> {diff.coverage_after:.1%}")
    head.add_row(f"km from {diff.at}", f"{diff.distance_before_km:.1f} -> {diff.distance_after_km:.1f}")
    tables = [head]

    sorties = Table(title="sorties")
    for name in ("change", "sortie", "drone", "takeoff", "landing", "detail"):
        sorties.add_column(name)
    quiet = [s for s in diff.sorties if s.change == "replaced" and s.detail.startswith("planned again")]
    for s in diff.sorties:
        if s not in quiet:
            sorties.add_row(s.change, s.sortie_id, s.drone_id, s.takeoff, s.landing, s.detail)
    if quiet:
        sorties.caption = (f"and {len(quiet)} sortie(s) of the old plan from {diff.at} that no change touched, "
                           f"planned again with the rest")
    tables.append(sorties)

    rows = [t for t in diff.tasks if t.change in SHOWN_TASK_CHANGES]
    rows.sort(key=lambda t: (SHOWN_TASK_CHANGES.index(t.change), t.task_id))
    tasks = Table(title="tasks")
    for name in ("change", "task", "before", "after", "why"):
        tasks.add_column(name)
    for t in rows[:MAX_TASK_ROWS]:
        why = t.after.detail if t.after.drone_id is None else (t.orphaned_by or "")
        tasks.add_row(t.change.replace("_", " "), t.task_id, t.before.text(), t.after.text(), why or "")
    if len(rows) > MAX_TASK_ROWS:
        tasks.caption = f"and {len(rows) - MAX_TASK_ROWS} more: see diff.json"
    tables.append(tasks)
    if diff.warnings:
        warn = Table(title="warnings", show_header=False)
        warn.add_column("warning")
        for w in diff.warnings:
            warn.add_row(w)
        tables.append(warn)
    return tables
