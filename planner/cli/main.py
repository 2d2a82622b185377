"""The `lowalt` command: a thin argparse shell over the library, one module per subcommand.

Only this entry point configures logging; exit codes and the error mapping live in planner.cli.exit_codes.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from planner.cli.exit_codes import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, CommandError, exit_code_for

COMMANDS = {
    "plan": "planner.cli.commands.plan",
    "validate": "planner.cli.commands.validate",
    "verify": "planner.cli.commands.verify",
    "map": "planner.cli.commands.map",
    "export": "planner.cli.commands.export",
    "schema": "planner.cli.commands.schema",
    "demo": "planner.cli.commands.demo",
    "replan": "planner.cli.commands.replan",
}

EPILOG = """examples:
  lowalt demo --out lowalt-demo             plan, verify and map the built-in Wuhan day
  lowalt validate scenario.yaml             check a scenario; problems are listed with file, feature, field
  lowalt plan scenario.yaml --out out/ --time-limit 30 --seed 0
  lowalt verify scenario.yaml out/plan.json
  lowalt map scenario.yaml out/plan.json --out out/map.html
  lowalt replan scenario.yaml out/plan.json --at 11:00 --changes changes.yaml --out out-1100/
  lowalt export out/plan.json --format qgc --out out/missions
  lowalt schema --which scenario

exit codes: 0 ok, 1 problems found, 2 usage error, 3 input unreadable, 4 internal error
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lowalt",
        description="Plan a city's daily drone inspections across a fleet of hangars, and prove the plan legal.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(
            name,
            help=module.HELP,
            description=module.HELP,
            epilog=getattr(module, "EXAMPLES", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args._run(args) or EXIT_OK)
    except CommandError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # nothing greets an operator at dawn with a traceback (-vv shows it)
        code = exit_code_for(exc)
        logging.getLogger(__name__).debug("uncaught", exc_info=True)
        if code == EXIT_INTERNAL:
            print(f"lowalt: internal error: {type(exc).__name__}: {exc} (run with -vv for details)", file=sys.stderr)
        else:
            print(f"lowalt: error: {exc}", file=sys.stderr)
        return code

if __name__ == "__main__":
    sys.exit(main())
