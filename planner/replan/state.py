"""Where the day stands at --at: each sortie of the plan flown, in the air (kept, or cut short by a failure or a
recall), or not yet flown (planned again); and which tasks a change orphaned, with the change that did it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

import shapely

from airspace.paths import LegalAirspace, check_path
from airspace.projection import Projector
from airspace.windows import seconds_from_clock
from missions.models import MissionPlan, Scenario, Sortie
from planner.replan.changes import Changes, clock
from planner.replan.cut import forced_landing, recall, retimed, sortie_model
from planner.replan.energy import Winds, path_energy

logger = logging.getLogger(__name__)

Status = Literal["flown", "airborne", "retimed", "failed", "recalled", "replanned"]


@dataclass(frozen=True)
class Fate:
    original: Sortie
    status: Status
    now: Sortie | None  # as it stays in the day (None: planned again from --at)
    cause: str | None = None  # the change that cut it short or broke it (None: nothing the changes did)
    orphaned: tuple[str, ...] = ()  # its tasks a change left undone (cut short, or its sortie broken)
    slowed_by: str | None = None  # re-timed: the change that slowed it (its Break's text), for a later cause


@dataclass
class DayState:
    at_s: int
    fates: list[Fate]
    warnings: list[str] = field(default_factory=list)

    @property
    def kept(self) -> list[Sortie]:
        """Sorties that stay in the day as they are now flown: flown, airborne, cut short."""
        return [f.now for f in self.fates if f.now is not None]

    def orphaned(self) -> dict[str, str]:
        """Task id -> the change that left it undone."""
        return {t: f.cause or "" for f in self.fates for t in f.orphaned}


@dataclass(frozen=True)
class Frame:
    """What judging and cutting sorties needs: the changed day, its projection and legal airspace, transit height."""

    scenario: Scenario
    projector: Projector
    airspace: LegalAirspace
    transit_m: float

    @classmethod
    def of(cls, scenario: Scenario, clearance_m: float, transit_m: float) -> "Frame":
        projector = Projector.for_geometry(shapely.MultiPoint([(h.lon, h.lat) for h in scenario.hangars]))
        airspace = LegalAirspace(scenario.zones(), authorised=list(scenario.airspace.authorised),
                                 ceiling_m=scenario.airspace.ceiling_m, clearance_m=clearance_m, projector=projector)
        return cls(scenario, projector, airspace, transit_m)

    def winds(self, sortie: Sortie) -> Winds:
        hangar = self.scenario.hangar(sortie.hangar_id)
        return Winds(self.scenario, sortie_model(self.scenario, sortie), self.projector, hangar.lon, hangar.lat)


def day_state(plan: MissionPlan, frame: Frame, changes: Changes, at_s: int) -> DayState:
    """Every sortie of `plan` judged at clock `at_s` in the changed day (`frame.scenario`)."""
    scenario = frame.scenario
    failures = {f.drone: (seconds_from_clock(f.at), f) for f in changes.failures}
    cancelled = set(changes.cancelled_targets)
    state = DayState(at_s, [])
    for sortie in sorted(plan.sorties, key=lambda s: (s.takeoff, s.sortie_id)):
        takeoff_s = scenario.seconds_after_midnight(sortie.takeoff)
        landing_s = scenario.seconds_after_midnight(sortie.landing)
        fate: Fate
        if sortie.drone_id in failures and failures[sortie.drone_id][0] < landing_s:
            fail_s, failure = failures[sortie.drone_id]
            why = f"drone {sortie.drone_id} failed at {failure.at}" + (f" ({failure.reason})" if failure.reason else "")
            if takeoff_s <= fail_s:
                cut = forced_landing(sortie, fail_s, scenario, frame.winds(sortie), why)
                fate = Fate(sortie, "failed", cut.sortie, why, tuple(cut.unfinished))
            else:
                fate = Fate(sortie, "replanned", None, why + ": lost for the day", tuple(sortie.tasks))
        elif landing_s <= at_s:
            fate = Fate(sortie, "flown", sortie)
        elif takeoff_s < at_s:
            brk = broken(sortie, at_s, frame, changes)
            later = retimed(sortie, at_s, scenario, frame.winds(sortie)) if brk and brk.kind == "slowed" else None
            if brk is None:
                fate = Fate(sortie, "airborne", _rated(sortie, frame, changes))
            elif later is not None:
                fate = Fate(sortie, "retimed", later, retimed_cause(brk.text, later, scenario), slowed_by=brk.text)
            else:
                cause = brk.text if brk.kind != "slowed" else f"{brk.text}, and flying on slower breaks it"
                cut = recall(sortie, at_s, scenario, frame.winds(sortie), frame.airspace, frame.transit_m, cause)
                if cut.warning:
                    state.warnings.append(cut.warning)
                status: Status = "failed" if cut.sortie.ended is not None and cut.sortie.ended.kind == "failure" \
                    else "recalled"
                fate = Fate(sortie, status, cut.sortie, cause, tuple(cut.unfinished))
        else:
            brk = broken(sortie, takeoff_s, frame, changes)
            fate = Fate(sortie, "replanned", None, brk.text if brk else None, tuple(sortie.tasks) if brk else ())
        if cancelled and fate.orphaned:
            tasks = {t.task_id: t.target_id for t in sortie.inspections}
            fate = Fate(fate.original, fate.status, fate.now, fate.cause,
                        tuple(t for t in fate.orphaned if _target_of(t, tasks) not in cancelled))
        state.fates.append(fate)
    logger.info("day at %s: %s", clock(at_s), {s: sum(f.status == s for f in state.fates)
                                               for s in ("flown", "airborne", "retimed", "failed", "recalled", "replanned")})
    return state


def retimed_cause(change: str, now: Sortie, scenario: Scenario, hold: str = "") -> str:
    """Why a sortie in the air flies on re-timed: the change, the hold it makes first if any (planner.replan.holds),
    and where its new timing lands it."""
    landing = clock(scenario.seconds_after_midnight(now.landing))
    return f"{change}: {hold + ', then' if hold else 'it'} flies on slower and lands at {landing}"


@dataclass(frozen=True)
class Break:
    """What a change does to a sortie: `kind` outage, wind (above the launch limit), zone, slowed (a leg the new
    wind slows), energy (beyond the usable battery); `text` says it with its numbers."""

    kind: Literal["outage", "wind", "zone", "slowed", "energy"]
    text: str


def broken(sortie: Sortie, from_s: float, frame: Frame, changes: Changes) -> Break | None:
    """The change that keeps the sortie from being flown as planned from clock `from_s` on (its takeoff, or --at
    while it is in the air); None when it still can be."""
    scenario = frame.scenario
    hangar = scenario.hangar(sortie.hangar_id)
    model = sortie_model(scenario, sortie)
    takeoff_s = scenario.seconds_after_midnight(sortie.takeoff)
    landing_s = scenario.seconds_after_midnight(sortie.landing)
    if from_s <= takeoff_s:  # not launched yet: the hangar or drone must be in service, the wind within limits
        for outage in hangar.outages:
            if outage.covers(sortie.drone_id) and outage.start_s <= takeoff_s < outage.end_s:
                who = f"drone {sortie.drone_id}" if outage.drone else f"hangar {hangar.id}"
                return Break("outage", f"{who} is out of service {outage.start}-{outage.end} "
                                       f"({outage.reason or 'no reason given'})")
    for a, _, weather in scenario.wind_spans(from_s, landing_s):
        if weather.wind_speed_ms > model.max_wind_ms:
            since = max((u.at_s for u in scenario.weather_updates if u.at_s <= a), default=None)
            return Break("wind", f"the wind is {weather.wind_speed_ms:g} m/s"
                                 + (f" from {clock(since)}" if since is not None else "")
                                 + f", above {model.id}'s {model.max_wind_ms:g} m/s limit")
    coords = [(w.lon, w.lat, w.alt_m) for w in sortie.waypoints]
    times = [takeoff_s + w.t_s for w in sortie.waypoints]
    for v in check_path(coords, times, scenario.zones(), authorised=scenario.airspace.authorised,
                        ceiling_m=scenario.airspace.ceiling_m, projector=frame.projector):
        if v.zone_id != "ceiling" and v.t1_s > from_s:
            zone = next(z for z in scenario.zones() if z.id == v.zone_id)
            return Break("zone", f"its path enters {zone.restriction.value} zone {zone.id} ({zone.lower_m:g}-"
                                 f"{zone.upper_m:g} m) at {clock(max(v.t0_s, from_s))}, while it is active")
    if changes.wind is not None:
        used = path_energy(sortie.waypoints, takeoff_s, frame.winds(sortie))
        since = clock(scenario.weather_updates[-1].at_s)
        if used.energy > model.usable_battery:
            return Break("energy", f"in the wind from {since} it needs {used.energy:.1%} of a battery, beyond the "
                                   f"usable {model.usable_battery:.0%}")
        if used.slowed:
            k = used.slowed[0]
            return Break("slowed", f"in the wind from {since} its leg {k}->{k + 1} needs {used.slowed_air_ms:.1f} m/s "
                                   f"airspeed to keep its planned ground speed, above {model.id}'s "
                                   f"{model.airspeed_limit_ms:g} m/s")
    return None


def _rated(sortie: Sortie, frame: Frame, changes: Changes) -> Sortie:
    """An airborne sortie kept as it is, its energy re-measured when the wind changed under it."""
    if changes.wind is None:
        return sortie
    scenario = frame.scenario
    used = path_energy(sortie.waypoints, scenario.seconds_after_midnight(sortie.takeoff), frame.winds(sortie))
    return sortie.model_copy(update={"battery_used": round(used.energy, 6)})


def _target_of(task_id: str, known: dict[str, str]) -> str:
    return known.get(task_id, task_id.split("#", 1)[0])
