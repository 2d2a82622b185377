"""`lowalt verify`: check a plan against its scenario with the independent verifier and list every violation.

Exit 0 when the plan is legal and consistent, 1 when any violation is found, 3 when a file cannot be read.
"""
from __future__ import annotations

import argparse
import json
import logging

from planner.cli.exit_codes import EXIT_FAILED, EXIT_OK

HELP = "check a plan against its scenario: airspace, physics, battery, schedule, coverage and totals"
EXAMPLES = """examples:
  lowalt verify scenario.yaml out/plan.json
  lowalt verify scenario.yaml out/ --json > report.json     (a directory means its plan.json)

exit codes: 0 plan OK, 1 violations found (each listed) or invalid scenario, 3 scenario or plan unreadable
"""

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML or JSON) the plan was made for")
    parser.add_argument("plan", metavar="PLAN", help="plan.json written by `lowalt plan` (or its directory)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    from missions.verify import verify_plan
    from planner.cli.console import plan_for_command, scenario_for_command

    scenario = scenario_for_command(args.scenario, "nothing verified")
    plan = plan_for_command(args.plan)

    report = verify_plan(plan, scenario)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for violation in report.violations:
            print(str(violation))
        for note in report.notes:
            print(f"note: {note}")
        print(report.summary())
    return EXIT_OK if report.ok else EXIT_FAILED
