"""`lowalt validate`: check a scenario and list every problem with its file, feature and field.

Exit 0 when valid (warnings are printed), 1 when any error is found; never a traceback.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from planner.cli.exit_codes import EXIT_FAILED, EXIT_INPUT, EXIT_OK

HELP = "check a scenario file; list every error and warning with file, feature and field"
EXAMPLES = """examples:
  lowalt validate scenario.yaml
  lowalt validate scenario.yaml --json > problems.json

exit codes: 0 valid (warnings may be printed), 1 invalid, 3 scenario file missing
"""

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML or JSON)")
    parser.add_argument("--json", action="store_true",
                        help="print the problems as a JSON list of {severity, file, feature, field, message}")


def run(args: argparse.Namespace) -> int:
    from missions.errors import Problem
    from missions.loader import check_scenario
    from planner.cli.console import problem_line

    if not Path(args.scenario).is_file():
        print(f"error: {args.scenario}: no such file", file=sys.stderr)
        return EXIT_INPUT
    try:
        scenario, problems = check_scenario(args.scenario)
    except Exception as exc:  # a bug in a reader must still not end in a traceback for the operator
        logger.debug("validate crashed", exc_info=True)
        scenario, problems = None, [Problem(severity="error", file=str(args.scenario),
                                            message=f"internal error while validating: {exc!r}")]
    errors = [p for p in problems if p.severity == "error"]
    if args.json:
        # A bare list of {severity, file, feature, field, message}; validity is the exit code.
        print(json.dumps([p.model_dump(mode="json") for p in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem_line(problem))
        if scenario is not None:
            print(f"{args.scenario}: valid: {len(scenario.hangars)} hangars, {len(scenario.zones())} zones, "
                  f"{len(scenario.resolved_targets())} targets, {len(problems)} warning(s)")
        else:
            print(f"{args.scenario}: invalid: {len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    return EXIT_OK if scenario is not None else EXIT_FAILED
