"""`lowalt verify`: not yet implemented in this build.

Placeholder command module until its issue lands; it says so and exits non-zero.
"""
from __future__ import annotations

import argparse
import sys

HELP = "verify (not yet available)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    print("lowalt verify: not yet", file=sys.stderr)
    return 1
