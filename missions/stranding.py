"""Tasks stranded beside a free drone: unserved for capacity or time though a drone within reach had the free time.

Straight-line lower bounds sharing no code with the planner; the city benchmark prints the count, tests assert none."""
from __future__ import annotations

from dataclasses import dataclass

import pyproj
import shapely

from airspace import rules
from missions.daylight import operating_window_of
from missions.models import DroneModel, Hangar, InspectionTask, MissionPlan, Scenario, Sortie

GEOD = pyproj.Geod(ellps="WGS84")
CAPACITY_REASONS = ("no_capacity", "time_limit")
DEFAULT_TRANSIT_M = 100.0
DEFAULT_MAX_SORTIES = 4

Span = tuple[float, float]


@dataclass(frozen=True)
class Stranded:
    task_id: str
    drone_id: str
    gap: Span  # the drone's free time (clock seconds) a solo sortie fits in
    needs_s: float  # lower bound of that sortie, takeoff to landing


def stranded_tasks(plan: MissionPlan, scenario: Scenario) -> list[Stranded]:
    """Every task unserved as no_capacity or time_limit that some drone within reach could have flown alone."""
    tasks = {t.task_id: t for t in plan.tasks}
    transit = plan.summary.transit_altitude_m or min(DEFAULT_TRANSIT_M, scenario.airspace.ceiling_m)
    max_sorties = int(plan.options.get("max_sorties_per_drone") or DEFAULT_MAX_SORTIES)
    found = []
    for item in plan.unserved:
        task = tasks.get(item.task_id)
        if item.reason.value in CAPACITY_REASONS and task is not None:
            hit = flyable_alone(task, scenario, plan.sorties, transit, max_sorties)
            if hit is not None:
                found.append(hit)
    return found


def flyable_alone(task: InspectionTask, scenario: Scenario, sorties: list[Sortie], transit: float, max_sorties: int,
                  start_s: float | None = None) -> Stranded | None:
    """The first drone within reach with a free gap the task fits in alone, if any: free of `sorties` and the
    recharge around them, of its hangar's outages, and (a replan) from clock `start_s` on."""
    window = operating_window_of(scenario)
    busy: dict[str, list[Span]] = {}
    for sortie in sorties:
        recharge = scenario.hangar(sortie.hangar_id).recharge_min * 60.0
        busy.setdefault(sortie.drone_id, []).append((scenario.seconds_after_midnight(sortie.takeoff) - recharge,
                                                     scenario.seconds_after_midnight(sortie.landing) + recharge))
    wind = scenario.wind.wind_speed_ms
    closed = _closed(scenario, task, transit)
    for hangar in scenario.hangars:
        model = scenario.drone_model(hangar.drone_model)
        if hangar.drones == 0 or wind > model.max_wind_ms or not _within_radius(hangar, task):
            continue
        day = (max(window.start_s, start_s or 0, hangar.window.start_s if hangar.window else 0),
               min(window.end_s, hangar.window.end_s if hangar.window else 86400))
        shut = _shut(scenario, hangar, transit)
        legs = _solo_lower_bound(hangar, model, task, transit, wind)
        for drone in hangar.drone_ids():
            if len(busy.get(drone, [])) >= max_sorties:
                continue
            holes = busy.get(drone, []) + [(float(a), float(b)) for a, b in hangar.out_of_service(drone)]
            for gap in _minus(_minus([day], holes), shut):
                if _fits(gap, legs, task, closed):
                    return Stranded(task.task_id, drone, gap, sum(legs))
    return None


def _within_radius(hangar: Hangar, task: InspectionTask) -> bool:
    lons = [c[0] for c in task.coordinates]
    lats = [c[1] for c in task.coordinates]
    _, _, dist = GEOD.inv([hangar.lon] * len(lons), [hangar.lat] * len(lats), lons, lats)
    return max(dist) <= hangar.operating_radius_m


def _solo_lower_bound(hangar: Hangar, model: DroneModel, task: InspectionTask, transit: float,
                      wind: float) -> tuple[float, float, float]:
    """(before the inspection, the inspection, after it): climb, fastest transit (airspeed plus the whole wind),
    the height change, the inspection at its speed plus the wind and the hover, and the way back."""
    ends = [(task.coordinates[0], task.coordinates[-1])]
    if task.reversible:
        ends.append((task.coordinates[-1], task.coordinates[0]))
    fastest = model.cruise_speed_ms + wind
    down = max(0.0, transit - task.altitude_m)
    best = None
    for first, last in ends:
        to = GEOD.inv(hangar.lon, hangar.lat, first[0], first[1])[2]
        back = GEOD.inv(last[0], last[1], hangar.lon, hangar.lat)[2]
        before = transit / model.climb_speed_ms + to / fastest + down / model.descent_rate_ms
        after = down / model.climb_speed_ms + back / fastest + transit / model.descent_rate_ms
        if best is None or before + after < best[0] + best[2]:
            best = (before, 0.0, after)
    inspect = task.length_m / (model.inspection_speed_ms + wind) + task.hover_s
    return best[0], inspect, best[2]


def _active(zone, day_end: float = 86400.0) -> list[Span]:
    return [(0.0, day_end)] if zone.active is None else [(w.start_s, w.end_s) for w in zone.active]


def _shut(scenario: Scenario, hangar: Hangar, transit: float) -> list[Span]:
    """When a keep-out zone over the hangar, meeting its climb band, keeps its drones on the dock."""
    here = shapely.Point(hangar.lon, hangar.lat)
    allowed = set(scenario.airspace.authorised)
    return [span for z in scenario.zones() if rules.is_keep_out(z, allowed) and rules.band_meets(z, 0.0, transit)
            and z.geometry.shape.intersects(here) for span in _active(z)]


def _closed(scenario: Scenario, task: InspectionTask, transit: float) -> list[Span]:
    """When a keep-out zone over the task, meeting the band between its height and transit, forbids inspecting it."""
    coords = [(c[0], c[1]) for c in task.coordinates]
    shape = shapely.Point(coords[0]) if len(coords) == 1 else shapely.LineString(coords)
    low, high = sorted((task.altitude_m, transit))
    allowed = set(scenario.airspace.authorised)
    return [span for z in scenario.zones() if rules.is_keep_out(z, allowed) and rules.band_meets(z, low, high)
            and z.geometry.shape.intersects(shape) for span in _active(z)]


def _minus(spans: list[Span], holes: list[Span]) -> list[Span]:
    result = list(spans)
    for h0, h1 in holes:
        cut = []
        for a, b in result:
            if h1 <= a or h0 >= b:
                cut.append((a, b))
                continue
            if h0 > a:
                cut.append((a, h0))
            if h1 < b:
                cut.append((h1, b))
        result = cut
    return [(a, b) for a, b in result if b > a]


def _fits(gap: Span, legs: tuple[float, float, float], task: InspectionTask, closed: list[Span]) -> bool:
    """Some inspection start s with the whole sortie inside the gap, the inspection inside the task's window and
    clear of every closure over the task."""
    before, inspect, after = legs
    lo, hi = gap[0] + before, gap[1] - after - inspect
    if task.window is not None:
        lo, hi = max(lo, task.window.start_s), min(hi, task.window.end_s - inspect)
    if hi < lo:
        return False
    starts = _minus([(lo, hi + 1e-6)], [(c0 - inspect, c1) for c0, c1 in closed])
    return bool(starts)
