"""`lowalt replan`: plan the rest of a day again from --at after the changes in a changes file; verify the merged day.

Exit 0 when the merged day verifies, 1 when the changes or the scenario are invalid or it has violations.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from planner.cli.console import clock_argument, default_workers
from planner.cli.exit_codes import EXIT_FAILED, EXIT_INPUT, EXIT_OK, CommandError

HELP = "replan the rest of the day from a clock time after changes: closures, wind, outages, failures, targets"
EXAMPLES = """examples:
  lowalt replan scenario.yaml out/plan.json --at 11:00 --changes changes.yaml --out out-1100/
  lowalt replan scenario.yaml out/ --at 11:00 --changes changes.yaml --out out-1100/ --json

changes.yaml (every section optional; see the user guide, "Replanning"):
  failures: [{drone: H03-1, at: "10:52"}]
  closures: [{id: POLICE-1, restriction: prohibited, geometry: {...}, active: [{start: "11:00", end: "14:00"}]}]
  cancelled_closures: [TFR-1]
  wind: {wind_speed_ms: 11, wind_from_deg: 270}
  out_of_service: [{hangar: H05, start: "11:30"}, {drone: H01-2}]
  urgent_targets: [{id: OUTFALL-7, kind: point, geometry: {...}, hover_s: 60, deadline: "12:00"}]
  cancelled_targets: [R-Xunsi]

writes: OUT/plan.json, plan.geojson, schedule.csv, intents.geojson (the merged day), OUT/scenario.json (the changed
        day it verifies against: lowalt verify OUT/scenario.json OUT/), OUT/diff.json (what changed), OUT/map.html
        (with a before / after layer pair) and schedule.html
exit codes: 0 merged day verified, 1 invalid changes or scenario, or violations, 2 bad --at, 3 unreadable input
"""

DEFAULT_TIME_LIMIT_S = 6.0  # the whole command answers within 10 s on two cores (the demo day: README, Benchmarks)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="the scenario the plan was made for (YAML or JSON)")
    parser.add_argument("plan", metavar="PLAN", help="the day's plan.json (or its directory)")
    parser.add_argument("--at", required=True, type=clock_argument, metavar="HH:MM",
                        help="clock time of the replan: what flew before stays, the rest is planned again")
    parser.add_argument("--changes", required=True, metavar="CHANGES",
                        help="changes file (YAML or JSON): closures, wind, outages, failures, urgent and cancelled "
                             "targets")
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory (created)")
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S, metavar="S",
                        help=f"solver time limit in seconds (default {DEFAULT_TIME_LIMIT_S:g})")
    parser.add_argument("--seed", type=int, default=0, help="search seed (default 0)")
    parser.add_argument("--solution-limit", type=int, default=None, metavar="N",
                        help="stop after N improving solutions: a deterministic budget independent of machine speed")
    parser.add_argument("--objective", choices=["flight_time", "distance"], default=None,
                        help="what the new sorties minimise outside the inspections (default: what the plan did)")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="parallel workers for hangar groups (default: 2, or 1 on a one-core machine)")
    parser.add_argument("--tiles", default="osm", choices=["osm", "none"], help="basemap for map.html (default osm)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary (with the diff) instead of tables")


def run(args: argparse.Namespace) -> int:
    from airspace.windows import seconds_from_clock
    from maps import save_map
    from maps.replan import render_replan_map
    from missions.plan_io import write_plan
    from missions.verify import verify_plan
    from planner import PlanOptions
    from planner.cli.console import plan_for_command, problem_line, scenario_for_command, solver_progress, stderr
    from planner.cli.replan_tables import print_diff
    from planner.replan import ChangesError, load_changes, replan

    scenario = scenario_for_command(args.scenario, "nothing replanned")
    plan = plan_for_command(args.plan)
    at_s = seconds_from_clock(args.at)
    if not Path(args.changes).is_file():
        raise CommandError(EXIT_INPUT, f"error: {args.changes}: no such file")
    try:
        changes, warnings = load_changes(args.changes, scenario, at_s)
    except ChangesError as exc:
        raise CommandError(EXIT_FAILED, *(problem_line(p) for p in exc.problems),
                           f"{args.changes}: invalid changes, nothing replanned") from None
    for problem in warnings:
        stderr.print(problem_line(problem), markup=False, highlight=False)
    with solver_progress(args.time_limit, enabled=not args.json) as progress:
        chosen = {"objective": args.objective} if args.objective else {}  # else the plan's own
        options = PlanOptions(time_limit_s=args.time_limit, seed=args.seed, solution_limit=args.solution_limit,
                              workers=args.workers, progress=progress, **chosen)
        result = replan(scenario, plan, args.at, changes, options)
    report = verify_plan(result.plan, result.scenario)
    out = Path(args.out)
    paths = write_plan(result.plan, result.scenario, out)
    paths["scenario"] = out / "scenario.json"
    paths["scenario"].write_text(result.scenario.model_dump_json(indent=1, exclude_none=True), encoding="utf-8")
    paths["diff"] = out / "diff.json"
    paths["diff"].write_text(result.diff.model_dump_json(indent=2), encoding="utf-8")
    paths["map"] = save_map(render_replan_map(plan, result.plan, result.scenario, at_s, result.diff.changes,
                                              tiles=args.tiles), out / "map.html")
    if args.json:
        print(json.dumps({"summary": result.plan.summary.model_dump(mode="json"), "verified": report.ok,
                          "violations": [str(v) for v in report.violations], "warnings": result.plan.warnings,
                          "diff": result.diff.model_dump(mode="json"),
                          "files": {k: str(v) for k, v in paths.items()}}, indent=2))
    else:
        print_diff(result.diff)
        for violation in report.violations:
            stderr.print(f"violation: {violation}", markup=False)
        verdict = "verified: no violations" if report.ok else f"NOT verified: {len(report.violations)} violation(s)"
        stderr.print(f"merged day {verdict}; wrote {', '.join(str(p) for p in paths.values())}", markup=False)
    return EXIT_OK if report.ok else EXIT_FAILED
