"""What PlanOptions.objective counts in the routing cost: its unit, a sortie's fixed cost, a penalty's worth.

"flight_time": seconds outside the inspections plus 120 s a sortie; "distance": horizontal metres only.
"""
from __future__ import annotations

import math

from planner.routing import TIME_UNITS_PER_S

# Flight time: a sortie costs 120 s more, which discourages splitting work into more sorties than needed.
# Distance charges only metres: a sortie's take-off and landing fly none.
SORTIE_FIXED_COST_S = 120
DISTANCE_UNITS_PER_M = 10  # cost unit of the "distance" objective: decimetres, so rounding up adds < 0.1 m an arc


def counts_metres(objective: str) -> bool:
    return objective == "distance"


def cost_units_per(objective: str) -> int:
    """Cost units per metre (distance) or per second (flight time)."""
    return DISTANCE_UNITS_PER_M if counts_metres(objective) else TIME_UNITS_PER_S


def sortie_fixed_cost(objective: str) -> int:
    """Cost units a sortie adds by flying at all."""
    return 0 if counts_metres(objective) else SORTIE_FIXED_COST_S * TIME_UNITS_PER_S


def from_time_units(objective: str, units: int, cruise_ms: float) -> int:
    """A cost measured in time units (a penalty: the cheapest solo sortie's seconds) in the objective's units:
    under distance, the metres the drone covers in that time at cruise speed, never fewer than its round trip
    flies, since ground speed is held at most at cruise."""
    if not counts_metres(objective):
        return units
    return math.ceil(units * cruise_ms * DISTANCE_UNITS_PER_M / TIME_UNITS_PER_S)
