"""Recalled drones kept clear of the others in the air: a recall whose way home meets another airborne drone holds
first, hovering at transit height where it turns, for the shortest whole step that clears it within its battery.

Deconfliction moves only sorties not yet flown, and two drones of one dock recalled at once head for the same dock
far closer together than the dock interval that staggers their launches (planner.problem.slots).
"""
from __future__ import annotations

from missions.conflicts import IntentIndex, VolumeTable, external_table, sortie_table
from missions.intent_models import DeconflictionOptions
from missions.intents import plan_projector
from missions.models import MissionPlan, Sortie
from planner.replan.cut import recall, sortie_model
from planner.replan.state import DayState, Fate, Frame

HOLD_STEP_S = 10.0  # holds grow in whole steps: an order a pilot can read out
LONGEST_HOLD_S = 900.0  # a bound on the search; the battery ends it sooner


def hold_recalls(state: DayState, plan: MissionPlan, frame: Frame, options: DeconflictionOptions) -> DayState:
    """`state` with each recall that would meet a filed intent or another drone in the air (one flying on, or one
    recalled and landing before it) held where it turns, for the shortest step that clears it within the usable
    battery. A recall no hold clears stays as it was, and deconfliction names the conflict in the plan's warnings."""
    scenario = frame.scenario
    in_air = [f for f in state.fates
              if f.now is not None and scenario.seconds_after_midnight(f.now.landing) > state.at_s]
    recalled = sorted((f for f in in_air if f.status == "recalled"),
                      key=lambda f: (scenario.seconds_after_midnight(f.now.landing) if f.now else 0.0,
                                     f.original.sortie_id))
    if not recalled or not options.resolve:
        return state
    projector = plan_projector(plan, scenario)

    def table(sortie: Sortie) -> VolumeTable:
        return sortie_table(sortie, scenario, projector, options.intent)

    index = IntentIndex(external_table(scenario, projector), options.separation)
    for fate in in_air:
        if fate.status != "recalled" and fate.now is not None:
            index.add(table(fate.now))
    held: dict[str, Fate] = {}
    for fate in recalled:
        assert fate.now is not None
        now = fate.now
        met = sorted({c.second.label() for c in index.conflicts(table(now))})
        if met:
            now = _shortest_hold(fate, state.at_s, frame, lambda s: not index.conflicts(table(s)), met) or now
            if now is not fate.now:
                held[fate.original.sortie_id] = Fate(fate.original, fate.status, now, fate.cause, fate.orphaned)
        index.add(table(now))
    if not held:
        return state
    return DayState(state.at_s, [held.get(f.original.sortie_id, f) for f in state.fates], state.warnings)


def _shortest_hold(fate: Fate, at_s: int, frame: Frame, clear, met: list[str]) -> Sortie | None:
    """The recall at `at_s` with the shortest hold after which `clear` holds, within the usable battery; or None."""
    sortie, scenario = fate.original, frame.scenario
    usable = sortie_model(scenario, sortie).usable_battery
    hold = HOLD_STEP_S
    while hold <= LONGEST_HOLD_S:
        why = (f"{fate.cause}; it holds {hold:g} s at {frame.transit_m:g} m where it turns, clear of "
               f"{' and '.join(met)} on its way home")
        cut = recall(sortie, at_s, scenario, frame.winds(sortie), frame.airspace, frame.transit_m, why, hold)
        ended = cut.sortie.ended
        if ended is None or ended.kind != "recalled" or cut.sortie.battery_used > usable:
            return None  # a longer hold only costs more battery
        if clear(cut.sortie):
            return cut.sortie
        hold += HOLD_STEP_S
    return None
