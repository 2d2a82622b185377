"""The verifier's intent check: does each sortie's stored operational intent hold its flight, as other operators
will read it from intents.geojson? Heights and times come from the plan's own waypoints, not from missions.intents.
"""
from __future__ import annotations

import numpy as np

from airspace.windows import clock_from_seconds
from missions.models import MissionPlan, Scenario, Sortie

TIME_TOL_S = 0.01
HEIGHT_TOL_M = 0.01


def intent_violations(plan: MissionPlan, scenario: Scenario) -> list[tuple[str, str]]:
    """(sortie id, message) for each sortie whose stored intent misses part of its flight (None: not checked)."""
    found: list[tuple[str, str]] = []
    timing = plan.deconfliction.intent if plan.deconfliction else None
    for sortie in plan.sorties:
        if sortie.intent is None or len(sortie.waypoints) < 2:
            continue
        values = np.array([[w.alt_m, w.t_s, w.hover_s] for w in sortie.waypoints], dtype=float)
        if not np.isfinite(values).all():
            continue  # the verifier reports the numbers themselves
        message = _first_gap(sortie, values, scenario, timing)
        if message:
            found.append((sortie.sortie_id, message))
    return found


def _first_gap(sortie: Sortie, values: np.ndarray, scenario: Scenario, timing) -> str | None:
    # Volume times are in the waypoints' own t_s (0 at takeoff in a valid plan).
    alts, t_s, hovers = values[:, 0], values[:, 1], values[:, 2]
    first, last = float(t_s[0]), float(t_s[-1])
    for k, v in enumerate(sortie.intent or []):
        for name in ("t_from_s", "t_to_s", "altitude_lower_m", "altitude_upper_m", "buffer_m"):
            if not np.isfinite(getattr(v, name)):
                return f"intent volume {k} has {name} = {getattr(v, name)}; a plan must hold finite numbers"
    volumes = sorted(sortie.intent or [], key=lambda v: v.t_from_s)
    if not volumes:
        return f"its intent has no volume for a {last - first:.0f} s flight"
    covered = first
    for v in volumes:
        if v.t_from_s > covered + TIME_TOL_S:
            break
        covered = max(covered, v.t_to_s)
    if covered < last - TIME_TOL_S:
        return f"its intent covers {first:.0f}-{covered:.0f} s of its flight from {first:.0f} to {last:.0f} s"
    # Heights along the flight: each waypoint's height from its arrival until it is left (hovers), straight between.
    times = np.concatenate([t_s, t_s + hovers])
    order = np.argsort(times, kind="stable")
    times, heights = times[order], np.concatenate([alts, alts])[order]
    takeoff_s = scenario.seconds_after_midnight(sortie.takeoff)
    for k, v in enumerate(sortie.intent or []):
        inside = (times > v.t_from_s) & (times < v.t_to_s)
        span = np.concatenate([[np.interp(v.t_from_s, times, heights), np.interp(v.t_to_s, times, heights)],
                               heights[inside]])
        low, high = float(span.min()), float(span.max())
        if low < v.altitude_lower_m - HEIGHT_TOL_M or high > v.altitude_upper_m + HEIGHT_TOL_M:
            return (f"intent volume {k} holds {v.altitude_lower_m:g}-{v.altitude_upper_m:g} m but the sortie flies "
                    f"at {low:.1f}-{high:.1f} m from {v.t_from_s:.0f} to {v.t_to_s:.0f} s after takeoff")
        early = late = 0.0
        if timing is not None:  # the plan says how early or late its drones may be: the volume must allow it
            early, late = timing.uncertainty_s(v.t_from_s), timing.uncertainty_s(v.t_to_s)
        start, end = scenario.seconds_after_midnight(v.time_start), scenario.seconds_after_midnight(v.time_end)
        need_start = takeoff_s + v.t_from_s - first - early
        need_end = takeoff_s + v.t_to_s - first + late
        if start > need_start + TIME_TOL_S or end < need_end - TIME_TOL_S:
            return (f"intent volume {k} is occupied {clock_from_seconds(start)}-{clock_from_seconds(end)} but the "
                    f"sortie may be there {clock_from_seconds(need_start)}-{clock_from_seconds(need_end)}")
    return None
