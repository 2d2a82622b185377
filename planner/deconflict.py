"""Strategic deconfliction in the planner: conflicting sorties take off earlier or later within their slack; a
sortie no shift clears is not flown, its tasks unserved as `conflict` naming what it would meet, with the numbers.

Sorties are taken least movable first (then by takeoff) against what is already in the sky (other operators'
filed volumes, then the sorties placed before them); a conflicting sortie takes off earlier or later by the
smallest shift that clears it within its slack (or, when only its drone's next sortie holds it back, later with
that drone's following sorties pushed as far as their recharge needs; or, when it cannot move and meets one placed
sortie, that one moves, the same two ways); the slack: its drone's sorties before and after with recharge, the windows,
its targets' windows, the clock changes, and the hours of part-time keep-out zones near its path (the whole
flight stays on its side of them). Paths and distances do not change. Two drones of one dock are kept apart
before this pass: the schedule staggers their days (planner.problem.slots.dock_interval_s). Height layers and
rerouting are measured in benchmarks/deconfliction.py, not used: see the README. The time a dropped sortie frees
is offered to the tasks left undone by planner.refill (with `held_after`: when a dropped path would conflict).
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace

import shapely

from airspace import rules
from missions.conflicts import Conflict, IntentIndex, VolumeTable, external_table, find_conflicts, sortie_table
from missions.intent_models import DeconflictionOptions
from missions.intents import later, plan_projector, sortie_intent
from missions.models import InspectionTask, MissionPlan, Scenario, Sortie, UnservedReason, UnservedTask
from missions.plan_totals import with_totals

logger = logging.getLogger(__name__)


def retime_to_clear(plan: MissionPlan, scenario: Scenario, options: DeconflictionOptions, window: tuple[float, float],
                   clearance_m: float, pinned: frozenset[str] = frozenset()) -> MissionPlan:
    """`plan` with conflicting sorties re-timed where a shift within their slack clears them, and the ones none
    clears dropped, their tasks unserved as `conflict` (see module doc).
    `pinned` sorties do not move (a replan's flown and airborne ones): they are placed first, the rest around them;
    one that still meets something stays, named in plan.warnings."""
    if not plan.sorties:
        return plan
    if not options.resolve:
        found = find_conflicts(plan, scenario, options)
        return plan.model_copy(update={"warnings": list(plan.warnings) + [
            f"not deconflicted (resolve: false): {c.describe()}" for c in found.conflicts]})
    projector = plan_projector(plan, scenario)
    filed = external_table(scenario, projector)
    index = IntentIndex(filed, options.separation)
    limits = _Limits(plan, scenario, window, _time_limited_zones(scenario, projector, clearance_m), projector,
                     pinned)
    placed: dict[str, VolumeTable] = {}
    # The least movable first (pinned ones, then those held by their windows), the rest moving around them.
    room = {s.sortie_id: limits.room(s) for s in plan.sorties}
    moved, dropped, warnings = 0, [], []
    for original in sorted(plan.sorties, key=lambda s: (s.sortie_id not in pinned, room[s.sortie_id], s.takeoff,
                                                        s.sortie_id)):
        sortie = limits.current[original.sortie_id]
        table = sortie_table(sortie, scenario, projector, options.intent)
        conflicts = index.conflicts(table)
        if conflicts:
            shift, (lo, hi), (earliest, latest) = _nearest_shift(index, table, sortie, limits, options)
            if shift is None:
                # Pinned by its drone's next sortie: move later and push that drone's following sorties along.
                pushed = _chain_shift(index, filed, placed, table, sortie, limits, options)
                if pushed is not None:
                    shift, followers = pushed
                    moved += _push(followers, limits, placed, options)
                    index = IntentIndex(VolumeTable.concat([filed, *placed.values()]), options.separation)
            if shift is None:
                # Pinned itself: perhaps the one it meets can move (pushing its drone's following sorties if it
                # must), around everything else and this one.
                others = [c.second.id for c in conflicts if c.second.kind == "sortie"]
                if len(others) == len(conflicts) and len(others) == 1 and others[0] not in pinned:
                    around = {sid: t for sid, t in placed.items() if sid != others[0]}
                    rest = IntentIndex(VolumeTable.concat([filed, table, *around.values()]), options.separation)
                    partner = limits.current[others[0]]
                    partner_shift = _nearest_shift(rest, placed[others[0]], partner, limits, options)[0]
                    if partner_shift is None:
                        pushed = _chain_shift(rest, filed, {**around, sortie.sortie_id: table}, placed[others[0]],
                                              partner, limits, options)
                        if pushed is not None:
                            partner_shift, followers = pushed
                            moved += _push(followers, limits, placed, options)
                    if partner_shift:
                        limits.current[partner.sortie_id] = _retimed(partner, partner_shift, options)
                        placed[partner.sortie_id] = placed[partner.sortie_id].shifted(partner_shift)
                        index = IntentIndex(VolumeTable.concat([filed, *placed.values()]), options.separation)
                        moved += 1
                        shift = 0.0
            if shift:
                sortie = _retimed(sortie, shift, options)
                limits.current[sortie.sortie_id] = sortie
                table = table.shifted(shift)
                moved += 1
            elif shift is None and sortie.sortie_id in pinned:
                warnings.append(f"{_describe(conflicts, projector)}; {sortie.sortie_id} has flown or is flying, "
                                f"so it is kept as it is")
            elif shift is None:
                # The last resort: the sortie is not flown; its tasks go unserved naming what it would meet.
                dropped.append(_Dropped(sortie, _describe(conflicts, projector), (lo, hi), (earliest, latest)))
                limits.drop(sortie)
                continue
        placed[sortie.sortie_id] = table
        index.add(table)
    logger.info("deconfliction: %d sorties re-timed, %d dropped", moved, len(dropped))
    sorties = sorted(limits.current.values(), key=lambda s: (s.takeoff, s.sortie_id))
    plan = plan.model_copy(update={"sorties": sorties, "warnings": list(plan.warnings) + warnings})
    if not dropped:
        return plan
    tasks = {t.task_id: t for t in plan.tasks}
    unserved = list(plan.unserved) + [_unserved(tasks[t], d, options) for d in dropped for t in d.sortie.tasks
                                      if t in tasks]
    return with_totals(plan.model_copy(update={"sorties": sorties,
                                               "unserved": sorted(unserved, key=lambda u: u.task_id)}), scenario)


def held_after(sorties: list[Sortie], plan: MissionPlan, scenario: Scenario, options: DeconflictionOptions
               ) -> dict[str, tuple[float, float]]:
    """Per sortie not in `plan`, the clock seconds its drone is held on the ground: while what its path met (`plan`'s
    sorties, the filed volumes) is in the sky, widened by the time minimum and by how far the sortie's volumes
    reached past its nominal takeoff and landing (the timing uncertainty), so that a sortie of the drone flown
    wholly before or after may pass."""
    projector = plan_projector(plan, scenario)
    index = IntentIndex(VolumeTable.concat([external_table(scenario, projector)] + [
        sortie_table(s, scenario, projector, options.intent) for s in plan.sorties]), options.separation)
    need = options.separation.time_s
    held = {}
    for sortie in sorties:
        takeoff_s = scenario.seconds_after_midnight(sortie.takeoff)
        landing_s = scenario.seconds_after_midnight(sortie.landing)
        table = sortie_table(sortie, scenario, projector, options.intent)
        # Not expected (deconfliction drops only what meets something): then its own flight is held.
        start, end = index.met_span(table) or (takeoff_s, landing_s)
        early = late = 0.0
        if len(table):
            early = max(0.0, takeoff_s - float(table.start.min()))
            late = max(0.0, float(table.end.max()) - landing_s)
        held[sortie.sortie_id] = (start - need - late, end + need + early)
    return held


@dataclass(frozen=True)
class _Dropped:
    """A sortie no takeoff shift cleared: what it met first, the offsets searched and its slack."""

    sortie: Sortie
    met: str
    searched: tuple[float, float]
    slack: tuple[float, float]


def _describe(conflicts: list[Conflict], projector) -> str:
    """The first conflict with its numbers (place, time, gaps, heights), and how many others."""
    first = min(conflicts, key=lambda c: (c.start_s, c.second.kind, c.second.id))
    lon, lat = projector.inverse(first.lon, first.lat)
    text = replace(first, lon=float(lon), lat=float(lat)).describe()
    others = len(conflicts) - 1
    return text + (f"; and {others} other{'s' if others > 1 else ''}" if others else "")


def _unserved(task: InspectionTask, dropped: _Dropped, options: DeconflictionOptions) -> UnservedTask:
    (lo, hi), (earliest, latest) = dropped.searched, dropped.slack
    sortie = dropped.sortie
    m = options.separation
    detail = (f"its sortie {sortie.sortie_id} (takeoff {sortie.takeoff.strftime('%H:%M:%S')}) is not flown: "
              f"{dropped.met}, closer than the minima {m.horizontal_m:g} m / {m.vertical_m:g} m / {m.time_s:g} s; "
              f"no takeoff between {abs(lo):.0f} s earlier and {hi:.0f} s later clears it (its slack "
              f"is {abs(earliest):.0f} s earlier to {latest:.0f} s later, max_takeoff_shift_s "
              f"{options.max_takeoff_shift_s:g} s)")
    return UnservedTask(task_id=task.task_id, target_id=task.target_id, reason=UnservedReason.CONFLICT,
                        detail=detail, coordinates=[list(c) for c in task.coordinates])


def _nearest_shift(index: IntentIndex, table: VolumeTable, sortie: Sortie, limits: "_Limits",
                   options: DeconflictionOptions):
    """(smallest clearing shift or None, the range searched, the sortie's slack)."""
    earliest, latest = limits.slack(sortie)
    limit = options.max_takeoff_shift_s
    lo, hi = max(earliest, -limit), min(latest, limit)
    return index.nearest_clear_offset(table, lo, hi), (lo, hi), (earliest, latest)


def _chain_shift(index: IntentIndex, filed: VolumeTable, placed: dict[str, VolumeTable], table: VolumeTable,
                 sortie: Sortie, limits: "_Limits", options: DeconflictionOptions):
    """(shift, [(following sortie, its delay)]) that clears `sortie` by taking off later than its next sortie
    allows, pushing that drone's following sorties just as far as their recharge needs; None when no such
    shift clears it or a pushed sortie would meet anything else."""
    _, own_late = limits.slack(sortie)
    chain_late = min(limits.chain_late(sortie), options.max_takeoff_shift_s)
    if chain_late <= own_late:
        return None
    shift = index.nearest_clear_offset(table, own_late, chain_late)
    if shift is None or shift <= own_late:
        return None
    followers = limits.pushes(sortie, shift)
    moving = {f.sortie_id for f, _ in followers}
    rest = IntentIndex(VolumeTable.concat([filed, table.shifted(shift)] +
                                          [t for sid, t in placed.items() if sid not in moving]), options.separation)
    for follower, delay in followers:
        follower_table = placed.get(follower.sortie_id)
        if follower_table is None:
            follower_table = sortie_table(follower, limits.scenario, limits.projector, options.intent)
        if rest.conflicts(follower_table.shifted(delay)):
            return None
    return shift, followers


def _push(followers: list[tuple[Sortie, float]], limits: "_Limits", placed: dict[str, VolumeTable],
          options: DeconflictionOptions) -> int:
    """Delay each of a chain's following sorties (and its placed volumes) by its own delay; how many moved."""
    for follower, delay in followers:
        limits.current[follower.sortie_id] = _retimed(follower, delay, options)
        if follower.sortie_id in placed:
            placed[follower.sortie_id] = placed[follower.sortie_id].shifted(delay)
    return len(followers)


def _retimed(sortie: Sortie, delay_s: float, options: DeconflictionOptions) -> Sortie:
    inspections = [i.model_copy(update={"start": later(i.start, delay_s), "end": later(i.end, delay_s)})
                   for i in sortie.inspections]
    moved = sortie.model_copy(update={"takeoff": later(sortie.takeoff, delay_s),
                                      "landing": later(sortie.landing, delay_s), "inspections": inspections})
    return moved.model_copy(update={"intent": sortie_intent(moved, options.intent)})


class _Limits:
    """How far each sortie may move with everything else as it currently stands."""

    def __init__(self, plan: MissionPlan, scenario: Scenario, window: tuple[float, float], timed, projector,
                 pinned: frozenset[str] = frozenset()):
        self.scenario, self.window, self.timed, self.projector = scenario, window, timed, projector
        self.pinned = pinned
        self.current: dict[str, Sortie] = {s.sortie_id: s for s in plan.sorties}
        self.by_drone: dict[str, list[str]] = {}
        for s in plan.sorties:
            self.by_drone.setdefault(s.drone_id, []).append(s.sortie_id)
        self.targets = {t.id: t for t in scenario.resolved_targets()}

    def drop(self, sortie: Sortie) -> None:
        """`sortie` is not flown: its drone's other sorties may use its time."""
        del self.current[sortie.sortie_id]
        self.by_drone[sortie.drone_id].remove(sortie.sortie_id)

    def room(self, sortie: Sortie) -> float:
        earliest, latest = self.slack(sortie)
        return latest - earliest

    def following(self, sortie: Sortie) -> Sortie | None:
        """The same drone's next sortie, if any."""
        after = [self.current[sid] for sid in self.by_drone[sortie.drone_id]
                 if self.current[sid].takeoff > sortie.takeoff]
        return min(after, key=lambda s: s.takeoff) if after else None

    def gap(self, sortie: Sortie, follower: Sortie) -> float:
        """Seconds `sortie` may land later before `follower` would take off with less than a full recharge."""
        recharge_s = self.scenario.hangar(sortie.hangar_id).recharge_min * 60.0
        return (self.scenario.seconds_after_midnight(follower.takeoff) - recharge_s
                - self.scenario.seconds_after_midnight(sortie.landing))

    def chain_late(self, sortie: Sortie) -> float:
        """Latest takeoff offset of `sortie` if the drone's following sorties move later with it as needed."""
        late = self.slack(sortie, with_following=False)[1]
        follower = self.following(sortie)
        if follower is not None:
            late = min(late, self.gap(sortie, follower) + self.chain_late(follower))
        return late

    def pushes(self, sortie: Sortie, delay_s: float) -> list[tuple[Sortie, float]]:
        """The following sorties a `delay_s` later takeoff of `sortie` moves, each with its own delay."""
        out: list[tuple[Sortie, float]] = []
        follower = self.following(sortie)
        while follower is not None:
            delay_s = math.ceil(delay_s - self.gap(sortie, follower))
            if delay_s <= 0:
                break
            out.append((follower, float(delay_s)))
            sortie, follower = follower, self.following(follower)
        return out

    def slack(self, sortie: Sortie, with_following: bool = True) -> tuple[float, float]:
        """(earliest, latest) takeoff offsets of `sortie`: its drone's sorties before and after (with recharge), the
        operating and hangar windows, its targets' windows, the day's clock changes, and the active hours of every
        part-time keep-out zone its path passes near (the whole flight stays on the side of them it is on)."""
        if sortie.sortie_id in self.pinned:
            return 0.0, 0.0
        scenario = self.scenario
        hangar = scenario.hangar(sortie.hangar_id)
        takeoff_s = scenario.seconds_after_midnight(sortie.takeoff)
        landing_s = scenario.seconds_after_midnight(sortie.landing)
        recharge_s = hangar.recharge_min * 60.0
        early = [self.window[0] - takeoff_s]
        late = [self.window[1] - landing_s]
        if hangar.window is not None:
            early.append(hangar.window.start_s - takeoff_s)
            late.append(hangar.window.end_s - landing_s)
        own = [self.current[sid] for sid in self.by_drone[sortie.drone_id] if sid != sortie.sortie_id]
        before = [s for s in own if s.takeoff < sortie.takeoff]
        after = [s for s in own if s.takeoff > sortie.takeoff]
        if before:
            previous = max(before, key=lambda s: s.takeoff)
            early.append(scenario.seconds_after_midnight(previous.landing) + recharge_s - takeoff_s)
        if after and with_following:
            following = min(after, key=lambda s: s.takeoff)
            late.append(scenario.seconds_after_midnight(following.takeoff) - recharge_s - landing_s)
        # A daylight-saving change: no flight may touch its clock span (airspace.clock), nor land before a skipped
        # one with too little rest. A part-time zone near the path: its hours are spans to keep clear the same way.
        spans = list(scenario.clock.unflyable_spans(recharge_s))
        for zone in _timed_zones_near(sortie, self.timed, self.projector):
            spans += [(w.start_s, w.end_s) for w in zone.active or ()]
        for lo, hi in spans:
            if hi <= takeoff_s:
                early.append(hi - takeoff_s)
            elif lo >= landing_s:
                late.append(lo - landing_s)
            else:
                return 0.0, 0.0
        for inspection in sortie.inspections:
            target = self.targets.get(inspection.target_id)
            if target is not None and target.window is not None:
                early.append(target.window.start_s - scenario.seconds_after_midnight(inspection.start))
                late.append(target.window.end_s - scenario.seconds_after_midnight(inspection.end))
        # Whole seconds inside the limits, so rounding in the plan's times cannot cross one.
        return min(0.0, math.ceil(max(early))), max(0.0, math.floor(min(late)))


def _time_limited_zones(scenario: Scenario, projector, clearance_m: float) -> list:
    """(zone, metric shape grown by the clearance) of keep-out zones that are active only part of the day."""
    authorised = set(scenario.airspace.authorised)
    return [(zone, projector.to_metric(zone.geometry.shape).buffer(clearance_m))
            for zone in scenario.zones() if zone.active is not None and rules.is_keep_out(zone, authorised)]


def _timed_zones_near(sortie: Sortie, timed, projector) -> list:
    """Part-time keep-out zones whose clearance the path enters at heights of its band: a shift must not move the
    flight into their active hours, which this pass does not re-plan around."""
    if not timed or len(sortie.waypoints) < 2:
        return []
    x, y = projector.forward([w.lon for w in sortie.waypoints], [w.lat for w in sortie.waypoints])
    path = shapely.LineString(list(zip(x, y)))
    low, high = min(w.alt_m for w in sortie.waypoints), max(w.alt_m for w in sortie.waypoints)
    return [zone for zone, shape in timed if rules.band_meets(zone, low, high) and path.intersects(shape)]
