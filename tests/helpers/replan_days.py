"""A generated day and its plan for the replan tests, and helpers to find a sortie in the air and where it is.

The day (missions.synthetic, seed 3): four one-drone hangars (m3d and m4d), 120 km of lines, a lake, a corridor,
eight points, two zones and an afternoon closure; planned with a fixed solution limit, so it is the same every run.
"""
from __future__ import annotations

from functools import lru_cache

from missions.models import MissionPlan, Scenario, Sortie
from missions.synthetic import synthetic_scenario
from missions.verify import verify_plan
from planner import PlanOptions, plan

OPTIONS = PlanOptions(time_limit_s=20, seed=0, solution_limit=50)
REPLAN = PlanOptions(time_limit_s=20, seed=0, solution_limit=50)


@lru_cache(maxsize=1)
def day() -> tuple[Scenario, MissionPlan]:
    scenario = synthetic_scenario(3, hangars=4, drones_per_hangar=1, line_km=120, points=8, lakes=1, corridors=1,
                                  zones=2, closures=1, wind_ms=5)
    result = plan(scenario, OPTIONS)
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
