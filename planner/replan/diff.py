"""What a replan changed, task by task and sortie by sortie: moved, re-timed, added, now unserved (and why), cut short.

Plain data (a frozen pydantic model) for the console table, `--json`, diff.json and the map.
"""
from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from airspace.projection import geodesic_length_m
from airspace.windows import seconds_from_clock
from missions.models import MissionPlan, Scenario
from planner.replan.changes import Changes, clock
from planner.replan.state import DayState

FROZEN = ConfigDict(frozen=True, extra="forbid")
SAME_TIME_S = 60  # an inspection starting within a minute of its old time is unchanged

TaskChangeKind = Literal["moved", "retimed", "unchanged", "added", "new_unserved", "now_unserved", "cancelled",
                         "still_unserved", "flown"]
SortieChangeKind = Literal["failed", "recalled", "retimed", "replaced", "new"]


class Slot(BaseModel):
    """Where a task is in one plan: served by a drone at a time, or unserved with a reason."""

    model_config = FROZEN
    drone_id: str | None = None
    sortie_id: str | None = None
    start: str | None = None  # clock time its inspection starts
    reason: str | None = None  # unserved: the reason kind
    detail: str | None = None  # unserved: the reason text

    def text(self) -> str:
        if self.drone_id is not None:
            return f"{self.drone_id} {self.start} ({self.sortie_id})"
        return f"unserved: {self.reason}" if self.reason else "not in the plan"


class TaskChange(BaseModel):
    model_config = FROZEN
    task_id: str
    target_id: str
    change: TaskChangeKind
    before: Slot
    after: Slot
    orphaned_by: str | None = None  # the change that left it undone in the old plan


class SortieChange(BaseModel):
    model_config = FROZEN
    sortie_id: str
    drone_id: str
    change: SortieChangeKind
    takeoff: str
    landing: str
    detail: str  # what happened, with its numbers


class ReplanDiff(BaseModel):
    model_config = FROZEN
    scenario: str
    at: str
    changes: list[str]  # the changes file in words
    counts: dict[str, int]  # task changes by kind
    orphaned: int  # tasks a change left undone (failed, recalled or broken sorties), cancelled ones aside
    recoverable: int  # ... that a drone still in service could fly alone after --at (missions.stranding bounds)
    recovered: int  # ... that the merged day flies
    recovered_share: float | None  # recovered / recoverable (None: nothing recoverable was orphaned)
    coverage_before: float
    coverage_after: float
    distance_before_km: float  # flown from --at on (sorties taking off from --at, and the rest of those in the air)
    distance_after_km: float
    tasks: list[TaskChange]  # every task whose place changed (flown and unchanged ones are only counted)
    sorties: list[SortieChange]
    warnings: list[str]


def plan_diff(before: MissionPlan, after: MissionPlan, changed: Scenario, day: DayState, changes: Changes,
              at_s: int, recoverable: set[str]) -> ReplanDiff:
    """`recoverable`: the orphaned tasks some drone still in service could fly alone after `at_s`."""
    slots_before, slots_after = _slots(before), _slots(after)
    orphaned = day.orphaned()
    kept = {t for s in day.kept for t in s.tasks}
    rows: list[TaskChange] = []
    for task_id in sorted(set(slots_after) | (set(slots_before) - _parents(set(slots_after)))):
        was = slots_before.get(task_id) or slots_before.get(_parent(task_id, slots_before)) or Slot()
        now = slots_after.get(task_id, Slot())
        target = task_id.split("#", 1)[0]
        rows.append(TaskChange(task_id=task_id, target_id=_target(task_id, before, after, target),
                               change=_kind(task_id, was, now, kept), before=was, after=now,
                               orphaned_by=orphaned.get(task_id) or orphaned.get(_parent(task_id, slots_before))))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.change] = counts.get(row.change, 0) + 1
    served_after = {t for t, slot in slots_after.items() if slot.drone_id is not None}
    recovered = sum(1 for t in orphaned if t in served_after or _pieces_served(t, slots_after))
    share = sum(1 for t in recoverable if t in served_after or _pieces_served(t, slots_after))
    listed = [row for row in rows if row.change not in ("flown", "unchanged", "still_unserved")]
    return ReplanDiff(
        scenario=after.scenario, at=clock(at_s), changes=describe(changes, at_s), counts=counts,
        orphaned=len(orphaned), recoverable=len(recoverable), recovered=recovered,
        recovered_share=round(share / len(recoverable), 4) if recoverable else None,
        coverage_before=before.summary.coverage, coverage_after=after.summary.coverage,
        distance_before_km=round(_distance_after(before, changed, at_s) / 1000, 3),
        distance_after_km=round(_distance_after(after, changed, at_s) / 1000, 3),
        tasks=listed, sorties=_sortie_changes(before, after, changed, day, at_s), warnings=list(after.warnings),
    )


def describe(changes: Changes, at_s: int) -> list[str]:
    """One line per change, as the replan applied it."""
    at = clock(at_s)
    lines = [f"closure {z.id} ({z.restriction.value}, {z.lower_m:g}-{z.upper_m:g} m), active "
             + (", ".join(f"{w.start}-{w.end}" for w in z.active) if z.active else f"from {at}")
             for z in changes.zones()]
    lines += [f"zone {z} lifted from {at}" for z in changes.cancelled_closures]
    if changes.wind is not None:
        lines.append(f"wind {changes.wind.wind_speed_ms:g} m/s from {changes.wind.wind_from_deg:g} deg from {at}")
    lines += [f"{'hangar ' + o.hangar if o.hangar else 'drone ' + str(o.drone)} out of service "
              f"{o.start or at}-{o.end}" + (f" ({o.reason})" if o.reason else "") for o in changes.out_of_service]
    lines += [f"drone {f.drone} failed at {f.at}" + (f" ({f.reason})" if f.reason else "") for f in changes.failures]
    lines += [f"urgent target {t.id} ({t.kind}, priority {t.priority}) by {t.deadline}" for t in changes.urgent_targets]
    lines += [f"target {t} cancelled" for t in changes.cancelled_targets]
    return lines


def _slots(plan: MissionPlan) -> dict[str, Slot]:
    tz = ZoneInfo(plan.timezone)  # the plan's own clock, whatever offset a sortie's times were written with
    out: dict[str, Slot] = {}
    for sortie in plan.sorties:
        for insp in sortie.inspections:
            start = insp.start.astimezone(tz)
            out[insp.task_id] = Slot(drone_id=sortie.drone_id, sortie_id=sortie.sortie_id,
                                     start=start.strftime("%H:%M"))
    for item in plan.unserved:
        out.setdefault(item.task_id, Slot(reason=item.reason.value, detail=item.detail))
    return out


def _kind(task_id: str, was: Slot, now: Slot, kept: set[str]) -> TaskChangeKind:
    if task_id in kept:
        return "flown"
    if now.drone_id is None:
        if now.reason == "cancelled":
            return "cancelled"
        if was.drone_id is not None:
            return "now_unserved"
        return "still_unserved" if was.reason is not None else "new_unserved"
    if was.drone_id is None:
        return "added"
    if was.drone_id != now.drone_id:
        return "moved"
    # Both served here, so both have a start.
    if was.start != now.start and abs(seconds_from_clock(str(was.start)) - seconds_from_clock(str(now.start))) \
            >= SAME_TIME_S:
        return "retimed"
    return "unchanged"


def _parent(task_id: str, known: dict[str, Slot]) -> str:
    """The task a piece was cut from (R#3/1 -> R#3), as far up as the old plan knows it."""
    while "/" in task_id and task_id not in known:
        task_id = task_id.rsplit("/", 1)[0]
    return task_id


def _parents(ids: set[str]) -> set[str]:
    out = set()
    for task_id in ids:
        while "/" in task_id:
            task_id = task_id.rsplit("/", 1)[0]
            out.add(task_id)
    return out


def _pieces_served(task_id: str, slots: dict[str, Slot]) -> bool:
    pieces = [slot for t, slot in slots.items() if t.startswith(task_id + "/")]
    return bool(pieces) and all(slot.drone_id is not None for slot in pieces)


def _target(task_id: str, before: MissionPlan, after: MissionPlan, fallback: str) -> str:
    for plan in (after, before):
        for item in list(plan.tasks) + list(plan.unserved):
            if item.task_id == task_id:
                return item.target_id
    return fallback


def _distance_after(plan: MissionPlan, scenario: Scenario, at_s: int) -> float:
    """Metres flown from `at_s` on: whole sorties taking off then, the rest of the path of those in the air (a leg
    under way counted by the share of its time still to fly)."""
    total = 0.0
    for sortie in plan.sorties:
        takeoff_s = scenario.seconds_after_midnight(sortie.takeoff)
        if takeoff_s >= at_s:
            total += sortie.distance_m
        elif scenario.seconds_after_midnight(sortie.landing) > at_s:
            wps = sortie.waypoints
            for a, b in zip(wps, wps[1:]):
                start, end = takeoff_s + a.t_s + a.hover_s, takeoff_s + b.t_s
                if end <= at_s or end <= start:
                    continue
                share = min(1.0, (end - at_s) / (end - start))
                total += share * geodesic_length_m([(a.lon, a.lat), (b.lon, b.lat)])
    return total


def _sortie_changes(before: MissionPlan, after: MissionPlan, scenario: Scenario, day: DayState,
                    at_s: int) -> list[SortieChange]:
    def times(sortie) -> tuple[str, str]:
        return (clock(scenario.seconds_after_midnight(sortie.takeoff)),
                clock(scenario.seconds_after_midnight(sortie.landing)))

    out: list[SortieChange] = []
    for fate in day.fates:
        s = fate.original
        if fate.status in ("failed", "recalled") and fate.now is not None:
            now = fate.now
            left = f"; {len(fate.orphaned)} task{'s' if len(fate.orphaned) != 1 else ''} back to the pool" \
                if fate.orphaned else ""
            where = "lands where it is" if fate.status == "failed" else "flies home"
            # Its own record: the cause, with a recall's hold (planner.replan.holds) or why a recall came down.
            why = now.ended.reason if now.ended is not None else fate.cause or ""
            what = why if why.endswith(where) else f"{why}: {where}"
            out.append(SortieChange(sortie_id=s.sortie_id, drone_id=s.drone_id, change=fate.status,
                                    takeoff=times(now)[0], landing=times(now)[1],
                                    detail=f"{what}, down at {times(now)[1]} instead of {times(s)[1]}{left}"))
        elif fate.status == "retimed" and fate.now is not None:
            out.append(SortieChange(sortie_id=s.sortie_id, drone_id=s.drone_id, change="retimed",
                                    takeoff=times(s)[0], landing=times(fate.now)[1],
                                    detail=f"{fate.cause} instead of {times(s)[1]}"))
        elif fate.status == "replanned":
            why = f"broken: {fate.cause}" if fate.cause else "planned again"
            out.append(SortieChange(sortie_id=s.sortie_id, drone_id=s.drone_id, change="replaced",
                                    takeoff=times(s)[0], landing=times(s)[1],
                                    detail=f"{why} ({len(s.tasks)} task{'s' if len(s.tasks) != 1 else ''})"))
    kept = {(s.drone_id, s.takeoff) for s in day.kept}
    for s in after.sorties:
        if (s.drone_id, s.takeoff) not in kept:
            out.append(SortieChange(sortie_id=s.sortie_id, drone_id=s.drone_id, change="new", takeoff=times(s)[0],
                                    landing=times(s)[1],
                                    detail=f"{len(s.tasks)} task{'s' if len(s.tasks) != 1 else ''}, "
                                           f"{s.distance_m / 1000:.1f} km, battery {s.battery_used:.0%}"))
    return out
