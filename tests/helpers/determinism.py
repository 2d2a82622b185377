"""What must be equal between two plans of the same scenario, options and seed: all but wall-clock figures.

Solve time and each group's solver time and share depend on the machine; everything else must match.
"""
from __future__ import annotations

from missions.models import MissionPlan

WALL_CLOCK = {"summary": {"solve_time_s": True, "groups": {"__all__": {"time_limit_s", "solve_s"}}}}


def comparable(plan: MissionPlan, **options_fields: bool) -> dict:
    """The plan as a dict without its wall-clock figures (and without the named option fields)."""
    exclude: dict = dict(WALL_CLOCK)
    if options_fields:
        exclude["options"] = set(options_fields)
    return plan.model_dump(exclude=exclude)
