"""Hand-built, geometrically honest MissionPlans for verifier and output tests.

Every vertex time follows from geodesic distances and the drone model's speeds, and battery_used from the power
curve at the airspeed each segment needs in the wind, so a plan from here verifies.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pyproj

from missions.coverage import coverage
from missions.models import (
    Camera, DroneModel, Hangar, Inspection, InspectionTask, MissionPlan, PlanSummary, Scenario, Sortie,
    UnservedTask, Waypoint,
)

GEOD = pyproj.Geod(ellps="WGS84")

M3D = DroneModel(id="m3d", cruise_speed_ms=15, inspection_speed_ms=8, endurance_min=45, reserve_fraction=0.2,
                 max_wind_ms=12, climb_speed_ms=5,
                 camera=Camera(sensor_width_mm=17.3, focal_length_mm=12.3, image_width_px=5280))


HANGAR = (114.40, 30.50)  # East Lake, Wuhan: where the generated test days put their first hangar
DEG_LON_M = 95_950.0  # metres per degree of longitude at 30.5 N (placing test targets only; distances use GEOD)
DEG_LAT_M = 110_850.0


def place(east_m: float, north_m: float = 0.0, origin: tuple[float, float] = HANGAR) -> list[float]:
    """[lon, lat] about `east_m` east and `north_m` north of `origin` (flat-earth placement for building days)."""
    return [origin[0] + east_m / DEG_LON_M, origin[1] + north_m / DEG_LAT_M]


def drone_model(**overrides) -> DroneModel:
    """The Matrice-3D-like profile the planner tests fly (15 / 8 m/s, 45 min, 20 % reserve, 12 m/s wind,
    5 m/s climb, no camera), with any field replaced."""
    values = dict(id="m3d", cruise_speed_ms=15, inspection_speed_ms=8, endurance_min=45, reserve_fraction=0.2,
                  max_wind_ms=12, climb_speed_ms=5)
    values.update(overrides)
    return DroneModel(**values)


def small_scenario(**overrides) -> Scenario:
    """One hangar with two drones near East Lake, a 1.9 km river, a point target and a zone off the route."""
    data = dict(
        name="factory-day",
        date=dt.date(2026, 11, 21),
        timezone="Asia/Shanghai",
        operating_window={"start": "08:00", "end": "17:30"},
        weather={"wind_speed_ms": 4, "wind_from_deg": 45},
        drone_models=[M3D],
        hangars=[Hangar(id="H01", lon=114.40, lat=30.50, drone_model="m3d", drones=2, operating_radius_m=5000,
                        recharge_min=32)],
        airspace={"ceiling_m": 120, "zones": [{
            "id": "TFR-1", "restriction": "prohibited", "lower_m": 0, "upper_m": 120,
            # South of the hangar, away from the targets; active in the morning only.
            "geometry": {"type": "Polygon", "coordinates": [[[114.395, 30.480], [114.405, 30.480],
                                                             [114.405, 30.488], [114.395, 30.488],
                                                             [114.395, 30.480]]]},
            "active": [{"start": "09:00", "end": "12:00"}],
        }]},
        targets=[
            {"id": "R1", "kind": "river", "altitude_m": 80,
             "geometry": {"type": "LineString", "coordinates": [[114.41, 30.51], [114.43, 30.515]]}},
            {"id": "P1", "kind": "point", "altitude_m": 60, "hover_s": 30,
             "geometry": {"type": "Point", "coordinates": [114.39, 30.51]}},
        ],
    )
    data.update(overrides)
    return Scenario.model_validate(data)


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


@dataclass
class _Builder:
    model: DroneModel
    waypoints: list[Waypoint] = field(default_factory=list)

    @property
    def here(self) -> Waypoint:
        return self.waypoints[-1]

    def add(self, lon: float, lat: float, alt: float, speed: float, **kw) -> None:
        prev = self.here
        horizontal = _dist((prev.lon, prev.lat), (lon, lat)) / speed
        rate = self.model.climb_speed_ms if alt >= prev.alt_m else self.model.descent_rate_ms
        vertical = abs(alt - prev.alt_m) / rate
        t = prev.t_s + prev.hover_s + max(horizontal, vertical)
        self.waypoints.append(Waypoint(lon=lon, lat=lat, alt_m=alt, t_s=t, **kw))


def _after(moment: dt.datetime, seconds: float) -> dt.datetime:
    """The moment `seconds` of real time after `moment` (instant arithmetic, right across a clock change)."""
    return (moment.astimezone(dt.timezone.utc) + dt.timedelta(seconds=seconds)).astimezone(moment.tzinfo)


def build_sortie(
    scenario: Scenario,
    sortie_id: str,
    drone_id: str,
    takeoff_s: float,
    tasks: list[InspectionTask],
    *,
    transit_alt_m: float = 100.0,
    via: dict[int, list[tuple[float, float]]] | None = None,
    reverse: set[str] = frozenset(),
) -> Sortie:
    """A sortie of `drone_id` taking off at `takeoff_s` (seconds after local midnight) flying `tasks` in order.

    `via[k]` adds transit vertices before task k (k == len(tasks): on the way home); ids in `reverse` fly backwards.
    """
    hangar_id = drone_id.rsplit("-", 1)[0]
    hangar = scenario.hangar(hangar_id)
    model = scenario.drone_model(hangar.drone_model)
    via = via or {}
    b = _Builder(model, [Waypoint(lon=hangar.lon, lat=hangar.lat, alt_m=0.0, t_s=0.0, action="takeoff")])
    b.add(hangar.lon, hangar.lat, transit_alt_m, model.cruise_speed_ms)
    takeoff = scenario.local_datetime(takeoff_s)
    inspections = []
    for k, task in enumerate(tasks + [None]):
        for lon, lat in via.get(k, []):
            b.add(lon, lat, transit_alt_m, model.cruise_speed_ms)
        if task is None:
            break
        coords = list(reversed(task.coordinates)) if task.task_id in reverse else task.coordinates
        b.add(coords[0][0], coords[0][1], task.altitude_m, model.cruise_speed_ms,
              action="hover" if task.hover_s else "inspect", task_id=task.task_id, hover_s=task.hover_s)
        first = len(b.waypoints) - 1
        for lon, lat in coords[1:]:
            b.add(lon, lat, task.altitude_m, model.inspection_speed_ms, action="inspect", task_id=task.task_id)
        last = len(b.waypoints) - 1
        covered = b.waypoints[first:last + 1]
        inspections.append(Inspection(
            task_id=task.task_id, target_id=task.target_id, sortie_id=sortie_id,
            start=_after(takeoff, covered[0].t_s),
            end=_after(takeoff, covered[-1].t_s + covered[-1].hover_s),
            first_index=first, last_index=last,
            coordinates=[[w.lon, w.lat, w.alt_m] for w in covered],
        ))
    b.add(hangar.lon, hangar.lat, transit_alt_m, model.cruise_speed_ms)
    b.add(hangar.lon, hangar.lat, 0.0, model.cruise_speed_ms, action="land")
    flight_time = b.here.t_s
    distance = sum(_dist((a.lon, a.lat), (c.lon, c.lat)) for a, c in zip(b.waypoints, b.waypoints[1:]))
    return Sortie(
        sortie_id=sortie_id, drone_id=drone_id, hangar_id=hangar_id, drone_model=model.id,
        takeoff=takeoff, landing=_after(takeoff, flight_time), waypoints=b.waypoints,
        distance_m=distance, flight_time_s=flight_time, battery_used=path_energy(scenario, model, b.waypoints),
        tasks=[t.task_id for t in tasks], inspections=inspections,
    )


def path_energy(scenario: Scenario, model: DroneModel, waypoints: list[Waypoint]) -> float:
    """Share of a battery the path uses: hovers at the wind's speed there, moves at |v_ground - w| plus climb."""
    wind, curve = scenario.wind.profile, model.power_curve
    energy = 0.0
    for a, b in zip(waypoints, waypoints[1:]):
        energy += a.hover_s * float(curve.level(wind.speed_at(a.alt_m)))
        moving = b.t_s - a.t_s - a.hover_s
        if moving <= 0:
            continue
        azimuth, _, metres = GEOD.inv(a.lon, a.lat, b.lon, b.lat)
        east, north = wind.at((a.alt_m + b.alt_m) / 2)
        speed = metres / moving
        air = math.hypot(speed * math.sin(math.radians(azimuth)) - east, speed * math.cos(math.radians(azimuth)) - north)
        energy += moving * float(curve.power(air, (b.alt_m - a.alt_m) / moving))
    return energy


def build_plan(
    scenario: Scenario,
    tasks: list[InspectionTask],
    sorties: list[Sortie],
    unserved: list[UnservedTask] = (),
) -> MissionPlan:
    """A MissionPlan whose summary is computed from its sorties the way the planner is expected to."""
    draft = MissionPlan(
        scenario=scenario.name, date=scenario.date, timezone=scenario.timezone, tasks=tasks, sorties=sorties,
        unserved=list(unserved),
        summary=PlanSummary(scenario=scenario.name, coverage=0.0, total_distance_m=0.0, sorties=0, drones_used=0,
                            solve_time_s=0.0),
    )
    summary = PlanSummary(
        scenario=scenario.name,
        coverage=coverage(draft, scenario),
        total_distance_m=sum(s.distance_m for s in sorties),
        sorties=len(sorties),
        drones_used=len({s.drone_id for s in sorties}),
        solve_time_s=0.01,
        served_tasks=sum(len(s.tasks) for s in sorties),
        unserved_tasks=len(unserved),
    )
    return draft.model_copy(update={"summary": summary})


def replace_sortie(plan: MissionPlan, index: int, **changes) -> MissionPlan:
    """A copy of `plan` with sortie `index` changed (the mutation helper for violation tests)."""
    sorties = list(plan.sorties)
    sorties[index] = sorties[index].model_copy(update=changes)
    return plan.model_copy(update={"sorties": sorties})


def crossing_scenario(**overrides) -> Scenario:
    """Two hangars (one drone each) whose rivers cross at (114.42, 30.50), both flown at 80 m; calm, no zones."""
    data = dict(
        name="crossing-day",
        date=dt.date(2026, 11, 21),
        timezone="Asia/Shanghai",
        operating_window={"start": "08:00", "end": "17:30"},
        drone_models=[M3D],
        hangars=[
            Hangar(id="HW", lon=114.40, lat=30.50, drone_model="m3d", drones=1, operating_radius_m=5000,
                   recharge_min=32),
            Hangar(id="HS", lon=114.42, lat=30.48, drone_model="m3d", drones=1, operating_radius_m=5000,
                   recharge_min=32),
        ],
        targets=[
            {"id": "EW", "kind": "river", "altitude_m": 80,
             "geometry": {"type": "LineString", "coordinates": [[114.41, 30.50], [114.43, 30.50]]}},
            {"id": "NS", "kind": "river", "altitude_m": 80,
             "geometry": {"type": "LineString", "coordinates": [[114.42, 30.49], [114.42, 30.51]]}},
        ],
    )
    data.update(overrides)
    return Scenario.model_validate(data)


def time_at(sortie: Sortie, lon: float, lat: float) -> float:
    """Seconds after takeoff when `sortie` passes nearest to (lon, lat) on its path (straight legs, no hovers)."""
    best, when = float("inf"), 0.0
    for a, b in zip(sortie.waypoints, sortie.waypoints[1:]):
        for k in range(201):
            f = k / 200
            x, y = a.lon + f * (b.lon - a.lon), a.lat + f * (b.lat - a.lat)
            d = _dist((x, y), (lon, lat))
            if d < best:
                best, when = d, a.t_s + a.hover_s + f * (b.t_s - a.t_s - a.hover_s)
    return when


CROSSING = (114.42, 30.50)


def crossing_day(offset_s: float = 0.0, b_altitude_m: float = 80.0, scenario: Scenario | None = None
                 ) -> tuple[Scenario, MissionPlan]:
    """Sortie A (HW-1) flies EW from 09:00; sortie B (HS-1) flies NS, timed to pass CROSSING `offset_s` after A does,
    at `b_altitude_m`. B flies home by the east, so CROSSING is the only place where their paths meet."""
    from missions.intents import with_intents
    from missions.tasks import tasks_from_targets

    scenario = scenario or crossing_scenario()
    tasks, _ = tasks_from_targets(scenario, max_leg_m=5000)
    ew = [t for t in tasks if t.target_id == "EW"]
    ns = [t.model_copy(update={"altitude_m": b_altitude_m}) for t in tasks if t.target_id == "NS"]
    home = {1: [(114.44, 30.51), (114.44, 30.48)]}
    a = build_sortie(scenario, "A", "HW-1", 9 * 3600, ew)
    probe = build_sortie(scenario, "B", "HS-1", 9 * 3600, ns, via=home)
    start = 9 * 3600 + time_at(a, *CROSSING) - time_at(probe, *CROSSING) + offset_s
    b = build_sortie(scenario, "B", "HS-1", start, ns, via=home)
    return scenario, with_intents(build_plan(scenario, ew + ns, [a, b]))
