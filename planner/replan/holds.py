"""Drones a change turned in the air kept clear of the others: a recalled or re-timed sortie that would meet
another drone in the air first holds (hovers) for the shortest whole step that clears it within its battery.

Deconfliction moves only sorties not yet flown, and a change reshapes the rest of those in the air: two drones of
one dock recalled at once head for the same dock together, and a wind that slows two of them can land them closer
than the dock interval that staggered their launches (planner.problem.slots).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

from missions.conflicts import IntentIndex, VolumeTable, external_table, sortie_table
from missions.intent_models import DeconflictionOptions
from missions.intents import plan_projector
from missions.models import MissionPlan, Sortie
from planner.replan.changes import clock
from planner.replan.cut import recall, retimed, sortie_model
from planner.replan.state import DayState, Fate, Frame, retimed_cause

HOLD_STEP_S = 10.0  # holds grow in whole steps: an order a pilot can read out
LONGEST_HOLD_S = 900.0  # a bound on the search; the battery ends it sooner
TURNED = ("recalled", "retimed")  # the sorties in the air a change reshaped: the ones a hold may change


def hold_to_clear(state: DayState, plan: MissionPlan, frame: Frame, options: DeconflictionOptions) -> DayState:
    """`state` with each recalled or re-timed sortie that would meet a filed intent or another drone in the air
    (one flying on as planned, or one turned before it: earliest landing first) held for the shortest step that
    clears it within the usable battery: a recall where it turns at transit height, a re-timed sortie where it is
    at --at. One no hold clears stays as it was, and deconfliction names the conflict in the plan's warnings."""
    scenario = frame.scenario
    in_air = [(f, f.now) for f in state.fates
              if f.now is not None and scenario.seconds_after_midnight(f.now.landing) > state.at_s]
    turned = sorted(((f, now) for f, now in in_air if f.status in TURNED),
                    key=lambda pair: (scenario.seconds_after_midnight(pair[1].landing), pair[0].original.sortie_id))
    if not turned or not options.resolve:
        return state
    projector = plan_projector(plan, scenario)

    def table(sortie: Sortie) -> VolumeTable:
        return sortie_table(sortie, scenario, projector, options.intent)

    index = IntentIndex(external_table(scenario, projector), options.separation)
    for fate, now in in_air:
        if fate.status not in TURNED:
            index.add(table(now))
    held: dict[str, Fate] = {}
    for fate, now in turned:
        volumes = table(now)
        met = sorted({c.second.label() for c in index.conflicts(volumes)})
        better = _shortest_hold(fate, state.at_s, frame, lambda s: not index.conflicts(table(s)), met) \
            if met else None
        if better is not None and better.now is not None:
            held[fate.original.sortie_id] = better
            volumes = table(better.now)
        index.add(volumes)
    if not held:
        return state
    return DayState(state.at_s, [held.get(f.original.sortie_id, f) for f in state.fates], state.warnings)


def _shortest_hold(fate: Fate, at_s: int, frame: Frame, clear: Callable[[Sortie], bool],
                   met: list[str]) -> Fate | None:
    """The fate with the shortest hold after which `clear` holds, within the usable battery; or None."""
    sortie, scenario = fate.original, frame.scenario
    usable = sortie_model(scenario, sortie).usable_battery
    away = f"clear of {' and '.join(met)}"
    hold = HOLD_STEP_S
    while hold <= LONGEST_HOLD_S:
        if fate.status == "recalled":
            why = f"{fate.cause}; it holds {hold:g} s at {frame.transit_m:g} m where it turns, {away} on its way home"
            cut = recall(sortie, at_s, scenario, frame.winds(sortie), frame.airspace, frame.transit_m, why, hold)
            now: Sortie | None = cut.sortie
            if cut.sortie.ended is None or cut.sortie.ended.kind != "recalled" or cut.sortie.battery_used > usable:
                now = None
            cause = fate.cause
        else:
            now = retimed(sortie, at_s, scenario, frame.winds(sortie), hold)
            cause = retimed_cause(fate.slowed_by or "", now, scenario,
                                  f"it holds {hold:g} s where it is at {clock(at_s)}, {away}") \
                if now is not None else fate.cause
        if now is None:
            return None  # a longer hold only costs more battery (or runs past a window or the day)
        if clear(now):
            return dataclasses.replace(fate, now=now, cause=cause)
        hold += HOLD_STEP_S
    return None
