"""Cut a sortie short at a moment: a failure (a forced landing where the drone is) or a recall (home by a legal path).

What was flown before the moment stays as it was; only inspections over by then count, and the waypoints of one
broken off are kept as plain flight (its task returns to the pool).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.ops import nearest_points

from airspace.paths import LegalAirspace
from missions.models import Scenario, Sortie, SortieEnd, Waypoint
from planner.flight.sorties import Track, path_length_m
from planner.replan.changes import clock
from planner.replan.energy import Winds, path_energy

EXIT_STEP_M = 1.0  # a drone caught inside a new closure leaves it to a point this far beyond its clearance


@dataclass(frozen=True)
class Cut:
    sortie: Sortie  # the sortie as it is now flown
    finished: list[str]  # task ids inspected before the cut
    unfinished: list[str]  # the original's other task ids: back to the pool
    warning: str | None = None  # something the merged day cannot help (a recall that needs its reserve, ...)


@dataclass(frozen=True)
class _Split:
    kept: list[Waypoint]  # flown by the moment, the last one where the drone is then
    complete: int  # the last original vertex whose flying (and hover) is over
    rest: int  # the first original vertex still to fly to
    inserted: bool  # kept[-1] is a new point on a leg (not an original vertex)


def _split(sortie: Sortie, rel_s: float, whole_hover: bool = False) -> _Split:
    """Where the sortie is `rel_s` after takeoff. A hover under way is cut short (or, `whole_hover`, kept whole: a
    re-timed flight finishes it); a point on a leg inherits the leg's task when both its ends inspect it."""
    wps = sortie.waypoints
    i = max(k for k, w in enumerate(wps) if w.t_s <= rel_s)
    here = wps[i]
    if rel_s < here.t_s + here.hover_s:  # on station at vertex i
        if whole_hover:
            return _Split(wps[:i + 1], i, i + 1, False)
        return _Split(wps[:i] + [here.model_copy(update={"hover_s": round(max(0.0, rel_s - here.t_s), 3)})],
                      i - 1, i + 1, False)
    if rel_s == here.t_s + here.hover_s or i + 1 == len(wps):
        return _Split(wps[:i + 1], i, i + 1, False)
    after = wps[i + 1]
    f = (rel_s - here.t_s - here.hover_s) / (after.t_s - here.t_s - here.hover_s)
    same = here.task_id is not None and here.task_id == after.task_id and after.action == "inspect"
    point = Waypoint(lon=here.lon + f * (after.lon - here.lon), lat=here.lat + f * (after.lat - here.lat),
                     alt_m=here.alt_m + f * (after.alt_m - here.alt_m), t_s=round(rel_s, 3),
                     action="inspect" if same else "transit", task_id=here.task_id if same else None)
    return _Split(wps[:i + 1] + [point], i, i + 1, True)


def flown_until(sortie: Sortie, rel_s: float) -> tuple[list[Waypoint], list[str]]:
    """The waypoints flown until `rel_s` after takeoff, the last one where the drone is then (a hover cut short, or
    a point on a leg), and the tasks whose inspection was over by then; waypoints of any other task are plain
    flight."""
    split = _split(sortie, rel_s)
    done = [insp.task_id for insp in sortie.inspections if insp.last_index <= split.complete]
    kept = [w if w.task_id is None or w.task_id in done else w.model_copy(update={"action": "transit", "task_id": None})
            for w in split.kept]
    return kept, done


def retimed(sortie: Sortie, clock_s: float, scenario: Scenario, winds: Winds, hold_s: float = 0.0) -> Sortie | None:
    """The sortie flown on along its path from clock_s in the wind of that time, after a hover of `hold_s` where it
    is then (to let another drone pass: planner.replan.holds): each leg at its planned ground speed where the
    airspeed limit allows, slower where it does not. None when that breaks it: a leg it cannot fly, its battery
    beyond the usable share, an inspection outside its target's window, a landing after its hangar's day."""
    takeoff_s = scenario.seconds_after_midnight(sortie.takeoff)
    wps = sortie.waypoints
    split = _split(sortie, clock_s - takeoff_s, whole_hover=True)
    flight = winds.at(clock_s)
    track = Track(winds.projector, flight, waypoints=list(split.kept), t=split.kept[-1].t_s + split.kept[-1].hover_s)
    _hold(track, hold_s)
    for k in range(split.rest, len(wps)):
        before, w, here = wps[k - 1], wps[k], track.here
        xs, ys = winds.projector.forward(np.array([before.lon, w.lon, here.lon]), np.array([before.lat, w.lat,
                                                                                                 here.lat]))
        planned = w.t_s - before.t_s - before.hover_s
        length = float(np.hypot(xs[1] - xs[0], ys[1] - ys[0]))
        if math.isclose(here.alt_m, w.alt_m) or length > 0:
            route_ms = length / planned if planned > 0 and length > 0 else flight.model.cruise_speed_ms
            seconds = float(flight.horizontal(xs[1] - xs[2], ys[1] - ys[2], here.alt_m, route_ms)[0])
        else:
            seconds = flight.vertical(here.alt_m, w.alt_m)[0]
        if not math.isfinite(seconds):
            return None
        track.t += seconds
        track.add(w.lon, w.lat, w.alt_m, w.action, w.task_id, hover_s=w.hover_s)
    waypoints = track.waypoints
    flight_s = waypoints[-1].t_s
    shift = 1 if split.inserted else 0

    def moved(index: int) -> int:
        return index + shift if index >= split.rest else index

    inspections = []
    targets = {t.id: t for t in scenario.resolved_targets()}
    for insp in sortie.inspections:
        first, last = moved(insp.first_index), moved(insp.last_index)
        start_s = takeoff_s + waypoints[first].t_s
        end_s = takeoff_s + waypoints[last].t_s + waypoints[last].hover_s
        window = targets[insp.target_id].window if insp.target_id in targets else None
        if window is not None and not (window.start_s <= start_s and end_s <= window.end_s):
            return None
        inspections.append(insp.model_copy(update={
            "first_index": first, "last_index": last, "start": scenario.local_datetime(start_s),
            "end": scenario.local_datetime(end_s),
            "coordinates": [[w.lon, w.lat, w.alt_m] for w in waypoints[first:last + 1]]}))
    hangar = scenario.hangar(sortie.hangar_id)
    from missions.daylight import operating_window_of

    day_end = min([operating_window_of(scenario).end_s] + ([hangar.window.end_s] if hangar.window else []))
    energy = path_energy(waypoints, takeoff_s, winds).energy
    if takeoff_s + flight_s > day_end or energy > sortie_model(scenario, sortie).usable_battery:
        return None
    return sortie.model_copy(update={
        "waypoints": waypoints, "inspections": inspections, "landing": scenario.local_datetime(takeoff_s + flight_s),
        "flight_time_s": flight_s, "distance_m": round(path_length_m(waypoints), 2), "battery_used": round(energy, 6),
        "intent": None})


def forced_landing(sortie: Sortie, clock_s: float, scenario: Scenario, winds: Winds, reason: str) -> Cut:
    """The sortie ends at clock_s: the drone comes straight down where it is."""
    takeoff_s = scenario.seconds_after_midnight(sortie.takeoff)
    kept, done = flown_until(sortie, clock_s - takeoff_s)
    here = kept[-1]
    descent_s = here.alt_m / sortie_model(scenario, sortie).descent_rate_ms
    kept.append(Waypoint(lon=here.lon, lat=here.lat, alt_m=0.0, t_s=round(here.t_s + here.hover_s + descent_s, 3),
                         action="land"))
    return _finish(sortie, kept, done, scenario, winds, SortieEnd(kind="failure", at=scenario.local_datetime(clock_s),
                                                                 reason=reason))


def recall(sortie: Sortie, clock_s: float, scenario: Scenario, winds: Winds, airspace: LegalAirspace,
           transit_m: float, reason: str, hold_s: float = 0.0) -> Cut:
    """The sortie turns home at clock_s: up (or down) to transit height where it is, a hover of `hold_s` there (to let
    another drone pass: planner.replan.holds), the shortest legal path home in the wind of that time, and down onto
    its hangar. A drone caught inside a closure leaves it the shortest way first (the verifier still sees those
    metres); one that cannot make headway home lands where it is."""
    takeoff_s = scenario.seconds_after_midnight(sortie.takeoff)
    kept, done = flown_until(sortie, clock_s - takeoff_s)
    hangar = scenario.hangar(sortie.hangar_id)
    flight = winds.at(clock_s)
    track = Track(winds.projector, flight, waypoints=[kept[-1]], t=kept[-1].t_s + kept[-1].hover_s)
    track.vertical(transit_m)
    _hold(track, hold_s)
    here = track.here
    horizon = clock_s + flight.usable_hover_s  # no flight on this battery lasts longer
    path, note = _way_home(airspace, (here.lon, here.lat), (hangar.lon, hangar.lat), transit_m, clock_s, horizon,
                           winds)
    track.fly(path, transit_m, flight.model.cruise_speed_ms)
    if not math.isfinite(track.t):
        why = f"{reason}; it cannot make headway home in the wind at {clock(clock_s)}, so it lands where it is"
        return forced_landing(sortie, clock_s, scenario, winds, why)
    seconds, _ = flight.vertical(transit_m, 0.0)
    track.t += seconds
    track.add(hangar.lon, hangar.lat, 0.0, "land")
    cut = _finish(sortie, kept[:-1] + track.waypoints, done, scenario, winds,
                  SortieEnd(kind="recalled", at=scenario.local_datetime(clock_s), reason=reason))
    usable = sortie_model(scenario, sortie).usable_battery
    if cut.sortie.battery_used > 1.0:  # the reserve is not enough either: it would run out on the way
        why = (f"{reason}; flying home in the wind at {clock(clock_s)} takes {cut.sortie.battery_used:.1%} of a "
               f"full battery, more than it holds, so it lands where it is")
        return forced_landing(sortie, clock_s, scenario, winds, why)
    if cut.sortie.battery_used > usable:
        note = ((note + "; ") if note else "") + (f"flying home takes it to {cut.sortie.battery_used:.1%} of a battery, "
                                                  f"beyond the usable {usable:.0%}: it lands on its reserve")
    if note:
        cut = Cut(cut.sortie, cut.finished, cut.unfinished, f"{sortie.sortie_id} recalled at {clock(clock_s)}: {note}")
    return cut


def _hold(track: Track, hold_s: float) -> None:
    """Hover `hold_s` more where the track stands."""
    if hold_s > 0:
        track.waypoints[-1] = track.here.model_copy(update={"hover_s": round(track.here.hover_s + hold_s, 3)})
        track.wait(hold_s, track.here.alt_m)


def sortie_model(scenario: Scenario, sortie: Sortie):
    return scenario.drone_model(sortie.drone_model)


def _way_home(airspace: LegalAirspace, start: tuple[float, float], home: tuple[float, float], transit_m: float,
              t0_s: float, t1_s: float, winds: Winds) -> tuple[list[tuple[float, float]], str | None]:
    """Polyline from `start` home at transit height avoiding keep-out zones active meanwhile (with the clearance),
    and what it could not avoid."""
    legal = airspace.shortest_path(start, home, altitude_m=transit_m, t0_s=t0_s, t1_s=t1_s)
    if legal is not None:
        return [start] + list(legal.coords[1:-1]) + [home], None
    projector = winds.projector
    blocked = airspace.obstacles(t0_s, t1_s, transit_m, transit_m)
    here = projector.to_metric(shapely.Point(start))
    if blocked.contains(here):
        edge = nearest_points(blocked.boundary, here)[0]
        step = np.array([edge.x - here.x, edge.y - here.y])
        out = np.array([edge.x, edge.y]) + EXIT_STEP_M * step / max(float(np.hypot(*step)), 1e-9)
        exit_point = projector.to_wgs84(shapely.Point(out))
        exit_lonlat = (float(exit_point.x), float(exit_point.y))
        onward = airspace.shortest_path(exit_lonlat, home, altitude_m=transit_m, t0_s=t0_s, t1_s=t1_s)
        leave = f"it was inside a keep-out zone (or its clearance) and leaves it the shortest way " \
                f"({float(np.hypot(*(out - np.array([here.x, here.y])))):.0f} m)"
        if onward is not None:
            return [start, exit_lonlat] + list(onward.coords[1:-1]) + [home], leave
        return [start, exit_lonlat, home], leave + ", then flies straight home: no legal path is left"
    return [start, home], "no legal path home is left: it flies straight home"


def _finish(sortie: Sortie, waypoints: list[Waypoint], done: list[str], scenario: Scenario, winds: Winds,
            ended: SortieEnd) -> Cut:
    takeoff_s = scenario.seconds_after_midnight(sortie.takeoff)
    flight_s = waypoints[-1].t_s
    energy = path_energy(waypoints, takeoff_s, winds).energy
    inspections = [i for i in sortie.inspections if i.task_id in done]
    cut = sortie.model_copy(update={
        "waypoints": waypoints, "tasks": [t for t in sortie.tasks if t in done], "inspections": inspections,
        "landing": scenario.local_datetime(takeoff_s + flight_s), "flight_time_s": flight_s,
        "distance_m": round(path_length_m(waypoints), 2), "battery_used": round(energy, 6), "intent": None,
        "ended": ended,
    })
    return Cut(cut, done, [t for t in sortie.tasks if t not in done])
