"""`lowalt plan`: plan a scenario, verify the plan independently, write plan.json, plan.geojson, schedule.csv.

Exit 0 when the plan verifies, 1 when the scenario is invalid or the plan has violations.
"""
from __future__ import annotations

import argparse
import json

from planner.cli.console import default_workers
from planner.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CommandError

HELP = "plan the day: assign every patrol to a drone sortie, verify it, write plan files"
EXAMPLES = """examples:
  lowalt plan scenario.yaml --out out/
  lowalt plan scenario.yaml --out out/ --time-limit 60 --seed 3
  lowalt plan scenario.yaml --out out/ --json          machine-readable summary on stdout
  lowalt plan scenario.yaml --out out/ --transit-altitude 80   transit between tasks at 80 m
  lowalt plan scenario.yaml --out out/ --separation 50,20,60   keep flights 50 m apart, or 20 m above, or 60 s
  lowalt plan scenario.yaml --out out/ --scheduler tcp://10.0.0.5:8786   hangar groups on a Dask cluster

writes: OUT/plan.json (full plan), OUT/plan.geojson (GIS), OUT/schedule.csv (sorties and recharges),
        OUT/intents.geojson (each sortie's operational intent: 4D volumes for other operators)
exit codes: 0 plan verified, 1 invalid scenario or plan violations, 3 unreadable input
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML or JSON)")
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory (created)")
    parser.add_argument("--time-limit", type=float, default=30.0, metavar="S", help="solver time limit in seconds (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="search seed (default 0): same scenario, options, seed -> same plan")
    parser.add_argument("--solution-limit", type=int, default=None, metavar="N",
                        help="stop after N improving solutions: a deterministic budget independent of machine speed")
    parser.add_argument("--objective", choices=["flight_time", "distance"], default="flight_time",
                        help="what the plan minimises outside the inspections: flight time (default; plus 120 s a "
                             "sortie) or horizontal distance flown")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="parallel workers for independent hangar groups (default: 2, or 1 on a one-core machine)")
    parser.add_argument("--transit-altitude", type=positive_metres, default=None, metavar="M",
                        help="height above ground for transit between tasks (default: the scenario's "
                             "planning.transit_altitude_m, else 100 m or the airspace ceiling when lower)")
    parser.add_argument("--separation", type=separation_minima, default=None, metavar="H,V,T",
                        help="separation minima between any two flights: H metres apart, or V metres above one "
                             "another, or T seconds apart (default: the scenario's planning.deconfliction."
                             "separation, else 30,15,30)")
    parser.add_argument("--max-takeoff-shift", type=float, default=None, metavar="S",
                        help="how many seconds earlier or later a sortie may take off to clear a conflict; one no "
                             "shift clears is not flown (default: the scenario's, else 1800)")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="solve the hangar groups on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 "
                             "(needs the `distributed` extra)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary instead of tables")


def positive_metres(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of metres") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} m: the transit altitude must be above 0 m")
    return value


def separation_minima(text: str):
    """H,V,T: metres, metres, seconds, as SeparationMinima."""
    from pydantic import ValidationError

    from airspace.separation import SeparationMinima

    parts = text.split(",")
    try:
        h, v, t = (float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give three numbers H,V,T (metres apart, metres above, "
                                         f"seconds apart), e.g. 30,15,30") from None
    try:
        return SeparationMinima(horizontal_m=h, vertical_m=v, time_s=t)
    except ValidationError:
        raise argparse.ArgumentTypeError(f"{text}: the horizontal and vertical minima must be above 0 m and the "
                                         f"time minimum at least 0 s") from None


def deconfliction_of(args: argparse.Namespace, scenario) -> dict:
    """PlanOptions fields for --separation and --max-takeoff-shift, on top of the scenario's settings."""
    if args.separation is None and args.max_takeoff_shift is None:
        return {}
    from missions.intent_models import DeconflictionOptions

    if args.max_takeoff_shift is not None and not args.max_takeoff_shift >= 0:
        raise CommandError(EXIT_USAGE, f"error: --max-takeoff-shift {args.max_takeoff_shift:g} s must be 0 s or "
                                       f"more; nothing planned")
    base = scenario.planning.deconfliction or DeconflictionOptions()
    update = {"separation": args.separation} if args.separation is not None else {}
    if args.max_takeoff_shift is not None:
        update["max_takeoff_shift_s"] = args.max_takeoff_shift
    return {"deconfliction": base.model_copy(update=update)}


def run(args: argparse.Namespace) -> int:
    from missions.plan_io import write_plan
    from missions.verify import verify_plan
    from planner import PlanOptions, plan
    from planner.cli.console import scenario_for_command, print_plan_summary, solver_progress, stderr

    scenario = scenario_for_command(args.scenario, "nothing planned")
    ceiling = scenario.airspace.ceiling_m
    if args.transit_altitude is not None and args.transit_altitude > ceiling:
        raise CommandError(EXIT_USAGE, f"error: --transit-altitude {args.transit_altitude:g} m is above the airspace "
                                       f"ceiling of {args.scenario} ({ceiling:g} m); nothing planned")
    with solver_progress(args.time_limit, enabled=not args.json) as progress:
        options = PlanOptions(time_limit_s=args.time_limit, seed=args.seed, solution_limit=args.solution_limit,
                              objective=args.objective, workers=args.workers, progress=progress,
                              transit_altitude_m=args.transit_altitude,
                              executor="dask" if args.scheduler else "local", scheduler_address=args.scheduler,
                              **deconfliction_of(args, scenario))
        result = plan(scenario, options)
    report = verify_plan(result, scenario)
    paths = write_plan(result, scenario, args.out)
    if args.json:
        print(json.dumps({"summary": result.summary.model_dump(mode="json"), "verified": report.ok,
                          "violations": [str(v) for v in report.violations], "warnings": result.warnings,
                          "files": {k: str(v) for k, v in paths.items()}}, indent=2))
    else:
        print_plan_summary(result, scenario)
        for violation in report.violations:
            stderr.print(f"violation: {violation}", markup=False)
        verdict = "verified: no violations" if report.ok else f"NOT verified: {len(report.violations)} violation(s)"
        stderr.print(f"{verdict}; wrote {', '.join(str(p) for p in paths.values())}", markup=False)
    return EXIT_OK if report.ok else EXIT_FAILED
