"""The `lowalt` command: a thin argparse shell over the library, one module per subcommand.

Only this entry point configures logging and progress output; exit codes are documented in EXIT_CODES.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

# Exit codes: scripts and schedulers depend on them.
EXIT_OK = 0
EXIT_FAILED = 1  # the job ran and found a problem (invalid scenario, plan with violations)
EXIT_USAGE = 2  # bad command line
EXIT_INPUT = 3  # input could not be read (missing file, unreadable format)
EXIT_INTERNAL = 4  # a bug in lowalt: reported without a traceback, details with -vv
EXIT_CODES = {EXIT_OK: "ok", EXIT_FAILED: "problems found", EXIT_USAGE: "usage error", EXIT_INPUT: "input unreadable",
              EXIT_INTERNAL: "internal error"}

class CommandError(Exception):
    """Raised by a command to stop with `exit_code` after printing `lines` to stderr (no traceback)."""

    def __init__(self, exit_code: int, *lines: str):
        super().__init__(lines[0] if lines else "")
        self.exit_code = exit_code
        self.lines = lines


COMMANDS = {
    "plan": "planner.commands.plan",
    "validate": "planner.commands.validate",
    "verify": "planner.commands.verify",
    "map": "planner.commands.map",
    "export": "planner.commands.export",
    "schema": "planner.commands.schema",
    "demo": "planner.commands.demo",
}

EPILOG = """examples:
  lowalt demo --out lowalt-demo             plan, verify and map the built-in Wuhan day
  lowalt validate scenario.yaml             check a scenario; problems are listed with file, feature, field
  lowalt plan scenario.yaml --out out/ --time-limit 30 --seed 0
  lowalt verify scenario.yaml out/plan.json
  lowalt map scenario.yaml out/plan.json --out out/map.html
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
    except (OSError, ValueError) as exc:
        # Anything that escaped a command is reported without a traceback (-vv shows it).
        logging.getLogger(__name__).debug("uncaught", exc_info=True)
        print(f"lowalt: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # a bug must still not greet an operator at dawn with a traceback
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        print(f"lowalt: internal error: {type(exc).__name__}: {exc} (run with -vv for details)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
