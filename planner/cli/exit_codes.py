"""Exit codes of every `lowalt` command and the one mapping from lowalt's error kinds to them.

Scripts and schedulers depend on these numbers; the README's table is generated from the same meanings.
"""
from __future__ import annotations

from airspace.errors import InputError, InternalError, LowaltError
from missions.errors import ScenarioError

EXIT_OK = 0
EXIT_FAILED = 1  # the job ran and found a problem (invalid scenario, plan with violations)
EXIT_USAGE = 2  # bad command line
EXIT_INPUT = 3  # input could not be read (missing file, unreadable format)
EXIT_INTERNAL = 4  # a bug in lowalt: reported without a traceback, details with -vv
EXIT_CODES = {EXIT_OK: "ok", EXIT_FAILED: "problems found", EXIT_USAGE: "usage error", EXIT_INPUT: "input unreadable",
              EXIT_INTERNAL: "internal error"}


class CommandError(LowaltError):
    """Raised by a command to stop with `exit_code` after printing `lines` to stderr (no traceback)."""

    def __init__(self, exit_code: int, *lines: str):
        super().__init__(lines[0] if lines else "")
        self.exit_code = exit_code
        self.lines = lines


def exit_code_for(exc: BaseException) -> int:
    """The exit code an error escaping a command stands for: only lowalt's input kinds and unreadable files
    are 'input unreadable'; any other exception is a bug (4), whatever builtin it derives from."""
    if isinstance(exc, CommandError):
        return exc.exit_code
    if isinstance(exc, ScenarioError):
        return EXIT_FAILED
    if isinstance(exc, (InputError, OSError)):
        return EXIT_INPUT
    if isinstance(exc, LowaltError) and not isinstance(exc, InternalError):
        return EXIT_FAILED  # a job that could not run as asked (e.g. no Dask scheduler at that address)
    return EXIT_INTERNAL
