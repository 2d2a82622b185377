"""lowalt's error root and its kinds; every error raised on purpose derives from LowaltError.

The CLI maps the kinds to exit codes in one place (planner/cli/exit_codes.py); they also subclass builtins
(ValueError, RuntimeError) so callers can catch them without importing lowalt types.
"""
from __future__ import annotations


class LowaltError(Exception):
    """Root of every error lowalt raises on purpose."""


class InputError(LowaltError, ValueError):
    """A file (or part of one) could not be read. `where()` gives 'file: feature: field'."""

    def __init__(self, message: str, *, file: str | None = None, feature: str | None = None, field: str | None = None):
        self.message = message
        self.file = file
        self.feature = feature
        self.field = field
        super().__init__(self.where() + message)

    def where(self) -> str:
        parts = [p for p in (self.file, f"feature {self.feature}" if self.feature else None,
                             f"field {self.field}" if self.field else None) if p]
        return (": ".join(parts) + ": ") if parts else ""


class InputErrors(InputError):
    """Several features of one file are bad: `errors` lists each, so an operator fixes the file in one pass.

    The message is the first error's (with a count of the others); `readable` holds what did load.
    """

    def __init__(self, errors: list[InputError], readable: list | None = None):
        self.errors = list(errors)
        self.readable = list(readable or [])
        first = self.errors[0]
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(first.message + more, file=first.file, feature=first.feature, field=first.field)


class InternalError(LowaltError, RuntimeError):
    """lowalt broke one of its own promises (a bug): the CLI exits 4 and asks for -vv."""
