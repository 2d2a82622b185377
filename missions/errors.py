"""Problems found in a scenario (errors and warnings), each naming file, feature and field.

`ScenarioError` carries every error at once so an operator fixes a file in one pass.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from airspace.errors import LowaltError


class Problem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    severity: Literal["error", "warning"]
    file: str
    feature: str | None = None  # e.g. "hangars[3] (H04)" or "feature 12 (R-Xunsi)"
    field: str | None = None  # e.g. "geometry.coordinates", "window.end"
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.feature:
            where += f": {self.feature}"
        if self.field:
            where += f": field {self.field}"
        return f"{self.severity}: {where}: {self.message}"


class ScenarioError(LowaltError, ValueError):
    """A scenario failed validation; `problems` lists every error (and the warnings found with them)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "scenario is invalid")
