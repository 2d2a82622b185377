"""The changed day: the scenario with the changes written in from --at, so the verifier can hold the merged plan to it.

Nothing before --at changes (closures and outages start no earlier, a lifted zone stays as it was until then); the
new wind is a weather update from --at; a failed drone is out of service from its failure on.
"""
from __future__ import annotations

from airspace.windows import TimeWindow, seconds_from_clock
from airspace.zones import Zone
from missions.models import Hangar, Outage, Scenario, Target, WeatherUpdate
from planner.replan.changes import Changes, UrgentTarget, clock

DAY_END = "24:00"


def changed_scenario(scenario: Scenario, changes: Changes, at_s: int) -> Scenario:
    """`scenario` as the day now stands: new and lifted closures, the wind from --at, outages and lost drones,
    urgent targets (window --at to deadline, urgent)."""
    cancelled = set(changes.cancelled_closures)
    zones = [_lifted(z, at_s) if z.id in cancelled else z for z in scenario.zones()]
    zones = [z for z in zones if z is not None] + [z for z in (_from(z, at_s) for z in changes.zones()) if z]
    airspace = scenario.airspace.model_copy(update={"zones": zones})
    updates = [u for u in scenario.weather_updates if u.at_s < at_s]
    if changes.wind is not None:
        updates.append(WeatherUpdate(at=clock(at_s), **changes.wind.model_dump()))
    targets = list(scenario.resolved_targets()) + [_urgent(t, at_s) for t in changes.urgent_targets]
    hangars = [_with_outages(h, changes, at_s) for h in scenario.hangars]
    return scenario.model_copy(update={"airspace": airspace, "weather_updates": updates, "targets": targets,
                                       "hangars": hangars})


def _lifted(zone: Zone, at_s: int) -> Zone | None:
    """A zone cancelled at --at: active as before until the second before it, never after (None when it was never
    active before). A window touching a moment counts as active then, so ending at --at would close --at itself."""
    windows = zone.active if zone.active is not None else [TimeWindow(start="00:00", end=DAY_END)]
    kept = [TimeWindow.from_seconds(w.start_s, min(w.end_s, at_s - 1)) for w in windows if w.start_s < at_s - 1]
    return zone.model_copy(update={"active": kept}) if kept else None


def _from(zone: Zone, at_s: int) -> Zone | None:
    """A new closure, active no earlier than --at (None when it is over by then)."""
    windows = zone.active if zone.active is not None else [TimeWindow(start=clock(at_s), end=DAY_END)]
    kept = [TimeWindow(start=clock(max(w.start_s, at_s)), end=w.end) for w in windows if w.end_s > at_s]
    return zone.model_copy(update={"active": kept}) if kept else None


def _urgent(target: UrgentTarget, at_s: int) -> Target:
    fields = target.model_dump(exclude={"deadline"})
    return Target(**{**fields, "urgent": True, "window": TimeWindow(start=clock(at_s), end=target.deadline)})


def _with_outages(hangar: Hangar, changes: Changes, at_s: int) -> Hangar:
    drones = set(hangar.drone_ids())
    added: list[Outage] = []
    for entry in changes.out_of_service:
        if entry.hangar == hangar.id or entry.drone in drones:
            start = clock(max(at_s, seconds_from_clock(entry.start) if entry.start else at_s))
            added.append(Outage(start=start, end=entry.end, drone=entry.drone, reason=entry.reason or "out of service"))
    for failure in changes.failures:
        if failure.drone in drones:
            why = f"failed at {failure.at}" + (f": {failure.reason}" if failure.reason else "")
            added.append(Outage(start=failure.at, end=DAY_END, drone=failure.drone, reason=why))
    if not added:
        return hangar
    return hangar.model_copy(update={"outages": list(hangar.outages) + added})
