"""`lowalt export`: write a plan's mission files (QGC .plan, QGC WPL, DJI WPML, KML, GeoJSON, schedule CSV).

Reads plan.json; the scenario (optional) adds geofence zones, drone speeds and hangar names.
"""
from __future__ import annotations

import argparse
import sys

from planner.cli.console import clock_argument
from planner.cli.exit_codes import EXIT_INPUT, EXIT_OK, EXIT_USAGE

HELP = "write mission files for docks and ground stations (QGC, WPL, DJI WPML, KML, GeoJSON, CSV, intents)"
EXAMPLES = """examples:
  lowalt export out/plan.json --format qgc --out out/missions --scenario scenario.yaml
  lowalt export out/plan.json --format wpml --out out/dji          one .kmz per sortie for DJI docks
  lowalt export out/ --format all --out out/files --scenario scenario.yaml
  lowalt export out-1100/ --format wpml --out out/dji-1100 --from 11:00   after a replan: only what is still to fly

formats: qgc (<sortie>.plan), wpl (<sortie>.waypoints), wpml (<sortie>.kmz), kml (plan.kml),
         geojson (plan.geojson, needs --scenario), csv (schedule.csv),
         intents (intents.geojson: each sortie's 4D volumes, ASTM F3548 Volume4D fields), all
without --scenario the geofence is empty and speeds are estimated from the plan's timing.

wpml: a DJI dock flies each .kmz at the planned ground speeds (transit, inspection stretches) and heights above
the dock, stopping at every vertex; it aims the gimbal for each target kind, takes photos at a distance interval
(or video: the profile's dji.capture) and hovers on points; then it returns home at the sortie's top height.
The aircraft and payload come from each drone profile's `dji` block (else its id, else Matrice 3D); the command
prints these numbers per profile. QGC .plan fences lie 5 m outside every keep-out zone (stated in the file).
"""
FORMAT_CHOICES = ["qgc", "wpl", "wpml", "kml", "geojson", "csv", "intents", "all"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", metavar="PLAN", help="plan.json, or the directory holding it")
    parser.add_argument("--format", "-f", dest="fmt", choices=FORMAT_CHOICES, default="all",
                        help="which files to write (default: all)")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="output directory (created)")
    parser.add_argument("--scenario", "-s", metavar="SCENARIO",
                        help="scenario file: geofence zones, drone speeds, hangar names")
    parser.add_argument("--from", dest="since", type=clock_argument, metavar="HH:MM",
                        help="only sorties taking off at or after this clock time (a replanned day's files for "
                             "the docks leave out what has flown or is in the air)")


def run(args: argparse.Namespace) -> int:
    # Library imports here keep `lowalt --help` fast.
    from missions.export import export_plan
    from planner.cli.console import plan_for_command, scenario_for_command

    if args.fmt == "geojson" and not args.scenario:
        print("lowalt export: --format geojson needs --scenario (hangar features come from it)", file=sys.stderr)
        return EXIT_USAGE
    plan = plan_for_command(args.plan)
    scenario = scenario_for_command(args.scenario, "nothing exported") if args.scenario else None
    if scenario is not None and scenario.name != plan.scenario:
        print(f"lowalt export: warning: plan is for scenario {plan.scenario!r}, scenario file is "
              f"{scenario.name!r}", file=sys.stderr)
    if args.since:
        plan = _from_clock(plan, args.since)
    try:
        paths = export_plan(plan, scenario, args.fmt, args.out)
    except (OSError, ValueError) as exc:  # a sortie the files cannot express, or an unwritable directory
        print(f"lowalt export: {exc}", file=sys.stderr)
        return EXIT_INPUT
    for path in paths:
        print(path)
    if args.fmt in ("wpml", "all") and plan.sorties:
        from missions.export.dji_briefing import dock_briefing
        print("\n".join(dock_briefing(plan, scenario)))
    return EXIT_OK


def _from_clock(plan, since: str):
    """The plan with only the sorties taking off at or after `since` (clock time of the plan's day)."""
    from airspace.clock import DayClock
    from airspace.windows import seconds_from_clock

    clock, start = DayClock(plan.date, plan.timezone), seconds_from_clock(since)
    kept = [s for s in plan.sorties if clock.seconds(s.takeoff) >= start]
    left = len(plan.sorties) - len(kept)
    print(f"lowalt export: {left} of {len(plan.sorties)} sorties take off before {since} and are left out",
          file=sys.stderr)
    return plan.model_copy(update={"sorties": kept})
