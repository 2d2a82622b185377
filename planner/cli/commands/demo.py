"""`lowalt demo`: a day of river, lake and road patrols over Wuhan, planned, verified, mapped and exported.

Uses the scenario shipped in missions/demo/wuhan; writes everything an operator would get into one folder.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from planner.cli.exit_codes import EXIT_FAILED, EXIT_OK

HELP = "plan, verify, map and export the built-in Wuhan day (31 hangars, rivers, lakes, roads)"
EXAMPLES = """examples:
  lowalt demo                               writes ./lowalt-demo/
  lowalt demo --out /tmp/wuhan --time-limit 30
  lowalt demo --json                        machine-readable summary

writes: OUT/plan.json, plan.geojson, schedule.csv, intents.geojson, map.html, schedule.html, missions/ (QGC .plan, QGC WPL,
DJI WPML .kmz, KML), scenario/ (the scenario used, with its data files and attribution)
"""

DEFAULT_TIME_LIMIT_S = 45.0  # keeps the whole demo inside two minutes on a 2-core machine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="lowalt-demo", metavar="DIR", help="output directory (default ./lowalt-demo)")
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S, metavar="S",
                        help=f"solver time limit in seconds (default {DEFAULT_TIME_LIMIT_S:g})")
    parser.add_argument("--seed", type=int, default=0, help="search seed (default 0)")
    parser.add_argument("--tiles", default="osm", choices=["osm", "none"], help="basemap for map.html (default osm)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary instead of tables")


def run(args: argparse.Namespace) -> int:
    from maps import render_map, save_map
    from missions.export import export_plan
    from missions.plan_io import write_plan
    from missions.verify import verify_plan
    from missions.demo import copy_demo_scenario
    from planner import PlanOptions, plan
    from planner.cli.console import (default_workers, print_plan_summary, scenario_for_command, solver_progress,
                                     stderr, stdout)

    started = time.perf_counter()
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        stderr.print(f"error: {out} exists and is not a directory", markup=False)
        return EXIT_FAILED
    scenario_path = copy_demo_scenario(out / "scenario")
    scenario = scenario_for_command(str(scenario_path), "nothing planned")
    if not args.json:
        stderr.print(f"[bold]lowalt demo[/]: {scenario.name} — {len(scenario.hangars)} hangars, "
                     f"{sum(h.drones for h in scenario.hangars)} drones, {len(scenario.resolved_targets())} targets, "
                     f"{len(scenario.zones())} airspace zones")
    with solver_progress(args.time_limit, enabled=not args.json) as progress:
        result = plan(scenario, PlanOptions(time_limit_s=args.time_limit, seed=args.seed, progress=progress,
                                            workers=default_workers()))
    report = verify_plan(result, scenario)
    write_plan(result, scenario, out)
    map_path = save_map(render_map(result, scenario, tiles=args.tiles), out / "map.html")
    mission_files = export_plan(result, scenario, "missions", out / "missions")  # plan files: write_plan above
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps({"summary": result.summary.model_dump(mode="json"), "verified": report.ok,
                          "violations": [str(v) for v in report.violations], "warnings": result.warnings,
                          "out": str(out),
                          "map": str(map_path), "mission_files": len(mission_files),
                          "elapsed_s": round(elapsed, 1)}, indent=2))
    else:
        print_plan_summary(result, scenario)
        for violation in report.violations:
            stderr.print(f"violation: {violation}", markup=False)
        verdict = "[green]verified: no violations[/]" if report.ok else \
            f"[red]NOT verified: {len(report.violations)} violation(s)[/]"
        stdout.print(f"{verdict}\nwrote {out}/: plan.json, plan.geojson, schedule.csv, intents.geojson, map.html, "
                     f"schedule.html, missions/ ({len(mission_files)} files), scenario/ — in {elapsed:.0f} s\n"
                     f"open {map_path} in a browser (works offline)")
    return EXIT_OK if report.ok else EXIT_FAILED
