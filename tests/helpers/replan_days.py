"""A generated day and its saved plan for the replan tests, and helpers to find a sortie in the air and where it is.

The day (missions.synthetic, seed 3): four one-drone hangars (m3d and m4d), 120 km of lines, a lake, a corridor,
eight points, two zones and an afternoon closure. Its plan is read from tests/data/replan_day (see its README), as
an operator's saved plan is, so the replan tests do not move when the optimiser finds a different day; it is
verified against the day on every load.
"""
from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from missions.models import MissionPlan, Scenario, Sortie
from missions.synthetic import synthetic_scenario
from missions.verify import verify_plan
from planner import PlanOptions

OPTIONS = PlanOptions(time_limit_s=20, seed=0, solution_limit=50)  # how the saved plan was made
SAVED_PLAN = Path(__file__).resolve().parents[1] / "data" / "replan_day" / "plan.json.gz"
REPLAN = PlanOptions(time_limit_s=20, seed=0, solution_limit=50)


@lru_cache(maxsize=1)
def day() -> tuple[Scenario, MissionPlan]:
    scenario = synthetic_scenario(3, hangars=4, drones_per_hangar=1, line_km=120, points=8, lakes=1, corridors=1,
                                  zones=2, closures=1, wind_ms=5)
    result = MissionPlan.model_validate_json(gzip.decompress(SAVED_PLAN.read_bytes()))
    report = verify_plan(result, scenario)
    assert report.ok, [str(v) for v in report.violations]
    return scenario, result


def verified(result, scenario):
    report = verify_plan(result, scenario)
    assert report.ok, [str(v) for v in report.violations]
    return result


def clock_s(scenario: Scenario, moment) -> float:
    return scenario.seconds_after_midnight(moment)


def airborne(scenario: Scenario, result: MissionPlan, at_s: float) -> list[Sortie]:
    return [s for s in result.sorties if clock_s(scenario, s.takeoff) < at_s < clock_s(scenario, s.landing)]


def busiest(result: MissionPlan) -> Sortie:
    """The sortie with the most tasks (the first of them by takeoff)."""
    return max(result.sorties, key=lambda s: (len(s.tasks), -s.takeoff.timestamp()))


def midflight(scenario: Scenario, sortie: Sortie, share: float = 0.5) -> int:
    """A whole clock second `share` of the way through the sortie."""
    takeoff = clock_s(scenario, sortie.takeoff)
    return int(takeoff + share * sortie.flight_time_s)


def clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
