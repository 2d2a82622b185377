"""The independent plan verifier: recomputes legality, physics, energy, schedule and coverage from a plan's geometry.

Shares no code with the planner's cost model: distances and headings come from pyproj.Geod, zone crossings from
shapely here; the physics rules (wind by height, power curve) are the primitives of missions.physics.
"""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

import numpy as np
import pyproj
import shapely
from shapely.geometry import LineString, MultiPoint, Point

from airspace import rules
from airspace.clock import DAY_S
from airspace.projection import Projector
from airspace.windows import clock_from_seconds
from airspace.zones import Restriction, Zone
from missions.coverage import COVER_TOLERANCE_M, covered_length_m, requirements_of
from missions.coverage import coverage as plan_coverage
from missions.models import Hangar, MissionPlan, Scenario, Sortie

logger = logging.getLogger(__name__)

_GEOD = pyproj.Geod(ellps="WGS84")

# Violation kinds (stable strings: tests, the CLI's --json output and scripts match on them).
AIRSPACE = "airspace"  # a segment crosses a keep-out zone active at that time and height
CEILING = "ceiling"  # a vertex above airspace.ceiling_m
SPEED = "speed"  # implied ground speed above the model's fastest route speed
AIRSPEED = "airspeed"  # implied airspeed (ground velocity minus the wind there) above the model's limit
VERTICAL_RATE = "vertical_rate"  # implied climb/descent rate above the model's
TIME_ORDER = "time_order"  # vertex times decrease (or a hover overruns the next vertex)
ENDPOINTS = "endpoints"  # sortie does not start and end on its hangar at 0 m
TIMES = "times"  # takeoff/landing/flight_time_s disagree with the vertex times
BATTERY = "battery"  # energy beyond the usable share (1 - reserve), or battery_used off the recomputed energy
RECHARGE = "recharge"  # too little dock time between two sorties of one drone
OVERLAP = "overlap"  # one drone in two sorties at once
WINDOW = "window"  # sortie outside the operating window or its hangar's window, or across a clock change
DRONE = "drone"  # unknown hangar, drone id or drone model
CAPACITY = "capacity"  # more drones of a hangar airborne than it has
RADIUS = "radius"  # a vertex beyond the hangar's operating radius
WIND = "wind"  # a model flies in wind above its max_wind_ms
TARGET_WINDOW = "target_window"  # an inspection outside its target's window
INSPECTION = "inspection"  # an inspection record inconsistent with its sortie's waypoints or its task
COVERAGE = "coverage"  # required geometry neither flown nor listed unserved
MISSING_TASK = "missing_task"  # a plan task neither served nor unserved
DUPLICATE_TASK = "duplicate_task"  # a plan task served twice, or served and unserved
UNKNOWN_TASK = "unknown_task"  # a sortie serves a task id the plan does not list
TOTALS = "totals"  # reported distance, counts or coverage differ from the recomputed ones
SCENARIO = "scenario"  # the plan names another scenario or date
DUPLICATE_SORTIE = "duplicate_sortie"  # two sorties share an id
SEPARATION = "separation"  # two sorties, or a sortie and a filed intent, closer than the separation minima
INTENT = "intent"  # a sortie's stored operational intent does not hold its flight
OUT_OF_SERVICE = "out_of_service"  # a takeoff while its hangar or its drone is out of service (Hangar.outages)
ENDED = "ended"  # a sortie ended short (failure, recall) whose record does not match its flight

# Tolerances: the planner rounds times to solver units and may round coordinates in output files.
TIME_TOL_S = 0.5
TIME_ROUNDING_S = 0.002  # plan times are written to the millisecond: a segment's duration is off by up to two
SPEED_TOL_FRAC = 0.01
POSITION_TOL_M = 1.0
AIRSPACE_TOL_M = 0.5  # crossing length inside a zone that counts (a path may run along a zone edge)
ALTITUDE_TOL_M = 0.01
# Energy is recomputed from geodesic lengths and headings; the planner's come from its projection (0.04 % apart).
BATTERY_TOL = 0.002  # share of a battery beyond the usable share that still passes
BATTERY_REPORT_TOL_FRAC = 0.05  # battery_used may differ this much (relative) from the recomputed energy
DISTANCE_TOL_FRAC = 0.005
COVERAGE_TOL = 0.001
COORD_TOL_DEG = 1e-7


@dataclass(frozen=True)
class Violation:
    kind: str
    sortie_id: str | None
    task_id: str | None
    message: str

    def __str__(self) -> str:
        where = " ".join(p for p in (f"sortie {self.sortie_id}" if self.sortie_id else "",
                                     f"task {self.task_id}" if self.task_id else "") if p)
        return f"[{self.kind}] {where + ': ' if where else ''}{self.message}"


@dataclass(frozen=True)
class VerificationReport:
    ok: bool
    violations: tuple[Violation, ...]
    distance_m: float  # recomputed horizontal (geodesic) distance of all sorties
    flight_time_s: float
    coverage: float
    sorties: int
    drones_used: int
    notes: tuple[str, ...] = field(default_factory=tuple)
    battery: dict[str, float] = field(default_factory=dict)  # sortie id -> recomputed energy, share of a battery

    def kinds(self) -> set[str]:
        return {v.kind for v in self.violations}

    def to_dict(self) -> dict:
        data = asdict(self)
        data["violations"] = [asdict(v) for v in self.violations]
        data["notes"] = list(self.notes)
        return data

    def summary(self) -> str:
        head = "plan OK" if self.ok else f"plan has {len(self.violations)} violation(s)"
        return (f"{head}: {self.sorties} sorties, {self.drones_used} drones, {self.distance_m / 1000:.2f} km, "
                f"{self.flight_time_s / 60:.1f} min airborne, coverage {self.coverage:.3f}")


# ----------------------------------------------------------------------------------------------- helpers
def _segments(lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean geodesic azimuth in radians, length in metres) of each segment of a polyline."""
    if len(lons) < 2:
        return np.zeros(0), np.zeros(0)
    forward, back, length = _GEOD.inv(lons[:-1], lats[:-1], lons[1:], lats[1:])
    # The azimuth turns along a geodesic; the mean of its two ends is the segment's heading.
    turn = np.radians((np.asarray(back) + 180.0 - np.asarray(forward) + 180.0) % 360.0 - 180.0)
    return np.radians(np.asarray(forward)) + turn / 2.0, np.asarray(length, dtype=float)


def _distance_to(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    return np.asarray(_GEOD.inv(np.full_like(lons, lon), np.full_like(lats, lat), lons, lats)[2], dtype=float)


def _close(reported: float, measured: float) -> bool:
    return abs(reported - measured) <= DISTANCE_TOL_FRAC * measured + 1.0


def _operating_window(scenario: Scenario, notes: list[str]) -> tuple[float, float]:
    if scenario.operating_window is not None:
        return scenario.operating_window.start_s, scenario.operating_window.end_s
    try:
        from missions.daylight import operating_window_of  # lazy: daylight needs only the scenario
    except ImportError:
        notes.append("no missions.daylight: operating window taken as the whole day")
        return 0.0, float(DAY_S)
    window = operating_window_of(scenario)
    return window.start_s, window.end_s


class _Airspace:
    """Keep-out zones in one metric CRS with a spatial index, checked segment by segment."""

    def __init__(self, scenario: Scenario, projector: Projector):
        authorised = set(scenario.airspace.authorised)
        self.zones: list[Zone] = [z for z in scenario.zones() if rules.is_keep_out(z, authorised)]
        self.projector = projector
        self.shapes = [projector.to_metric(z.geometry.shape) for z in self.zones]
        self.tree = shapely.STRtree(self.shapes) if self.shapes else None

    def crossings(self, xy: np.ndarray, alts: np.ndarray, times: np.ndarray) -> list[tuple[int, Zone, float]]:
        """(segment index, zone, metres inside) for every segment inside an applicable zone."""
        if self.tree is None:
            return []
        found = []
        for i in range(len(xy) - 1):
            a, b = xy[i], xy[i + 1]
            still = np.allclose(a, b, atol=1e-6)
            seg = Point(a) if still else LineString([a, b])
            for j in self.tree.query(seg):
                zone, shape = self.zones[j], self.shapes[j]
                # When the zone applies along the segment (band and hours) is airspace.rules' to say; where the
                # segment is, and how deep inside, is measured here.
                for s0, s1 in rules.applicable_fractions(zone, alts[i], alts[i + 1], times[i], times[i + 1]):
                    p0, p1 = a + s0 * (b - a), a + s1 * (b - a)
                    if still or np.allclose(p0, p1, atol=1e-6):
                        inside, depth = shape.contains(Point(p0)), 0.0  # interior only: on the edge is outside
                    else:
                        depth = LineString([p0, p1]).intersection(shape).length
                        inside = depth > AIRSPACE_TOL_M
                    if inside:
                        found.append((i, zone, depth))
                        break
        return found


# ----------------------------------------------------------------------------------------------- checks
class _Verifier:
    def __init__(self, plan: MissionPlan, scenario: Scenario):
        self.plan = plan
        self.scenario = scenario
        self.violations: list[Violation] = []
        self.notes: list[str] = []
        anchor = MultiPoint([(h.lon, h.lat) for h in scenario.hangars] or [(0.0, 0.0)])
        self.projector = Projector.for_geometry(anchor)
        self.airspace = _Airspace(scenario, projector=self.projector)
        self.op_window = _operating_window(scenario, self.notes)
        self.clock = scenario.clock  # the one conversion between plan datetimes and clock seconds
        self.targets = {t.id: t for t in scenario.resolved_targets()}
        self.tasks = {t.task_id: t for t in plan.tasks}
        self.distance_m = 0.0
        self.slant_m = 0.0  # 3-D length, climbs included
        self.flight_time_s = 0.0
        self.battery: dict[str, float] = {}  # sortie id -> recomputed energy, share of a full battery

    def add(self, kind: str, message: str, sortie_id: str | None = None, task_id: str | None = None) -> None:
        self.violations.append(Violation(kind, sortie_id, task_id, message))

    # -- one sortie
    def sortie(self, sortie: Sortie) -> None:
        sid = sortie.sortie_id
        try:
            hangar = self.scenario.hangar(sortie.hangar_id)
        except KeyError:
            self.add(DRONE, f"unknown hangar {sortie.hangar_id!r}", sid)
            return
        if sortie.drone_id not in hangar.drone_ids():
            self.add(DRONE, f"drone {sortie.drone_id!r} is not based at {hangar.id} "
                            f"(its drones: {', '.join(hangar.drone_ids()) or 'none'})", sid)
        if sortie.drone_model != hangar.drone_model:
            self.add(DRONE, f"drone model {sortie.drone_model!r} but {hangar.id} flies {hangar.drone_model!r}", sid)
        model = self.scenario.drone_model(hangar.drone_model)
        wps = sortie.waypoints
        if len(wps) < 2:
            self.add(ENDPOINTS, f"{len(wps)} waypoint(s): a sortie needs at least takeoff and landing", sid)
            return
        if self._unmeasurable(sortie):
            return  # nothing below can be proven about a path with NaN or infinite numbers
        lons = np.array([w.lon for w in wps], dtype=float)
        lats = np.array([w.lat for w in wps], dtype=float)
        alts = np.array([w.alt_m for w in wps], dtype=float)
        t_rel = np.array([w.t_s for w in wps], dtype=float)
        hovers = np.array([w.hover_s for w in wps], dtype=float)
        takeoff_s = self.clock.seconds(sortie.takeoff)
        landing_s = self.clock.seconds(sortie.landing)
        azimuth, seg_m = _segments(lons, lats)
        distance = float(seg_m.sum())
        flight_time = float(t_rel[-1] - t_rel[0])
        slant = float(np.hypot(seg_m, np.diff(alts)).sum())  # a 3-D distance_m (climbs included) is accepted too
        self.distance_m += distance
        self.slant_m += slant
        self.flight_time_s += flight_time

        failed = sortie.ended is not None and sortie.ended.kind == "failure"
        self._endpoints(sid, hangar, lons, lats, alts, t_rel, wps, forced_landing=failed)
        self._times(sortie, flight_time)
        if sortie.ended is not None:
            self._ended(sortie, lons, lats, alts, t_rel, wps)
        energy = self._physics(sid, model, azimuth, seg_m, alts, t_rel, hovers, takeoff_s)
        self._battery(sortie, model, energy)
        self._windows(sid, hangar, takeoff_s, landing_s)
        self._service(sid, hangar, sortie.drone_id, takeoff_s)
        self._radius(sid, hangar, lons, lats)
        self._wind_limits(sortie, model, takeoff_s, landing_s)
        over = alts > self.scenario.airspace.ceiling_m  # exactly at the ceiling is legal (airspace.rules)
        if over.any():
            i = int(np.argmax(alts))
            self.add(CEILING, f"waypoint {i} at {alts[i]:.1f} m is above the {self.scenario.airspace.ceiling_m:g} m "
                              f"ceiling", sid)
        xy = np.column_stack(self.projector.forward(lons, lats))
        for i, zone, depth in self.airspace.crossings(xy, alts, takeoff_s + t_rel):
            self.add(AIRSPACE, f"segment {i}->{i + 1} ({clock_from_seconds(takeoff_s + t_rel[i])}-"
                               f"{clock_from_seconds(takeoff_s + t_rel[i + 1])}, {alts[i]:.0f}-{alts[i + 1]:.0f} m) "
                               f"enters {Restriction(zone.restriction).value} zone {zone.id} ({depth:.1f} m inside) while active",
                     sid)
        if not (_close(sortie.distance_m, distance) or _close(sortie.distance_m, slant)):
            self.add(TOTALS, f"distance_m {sortie.distance_m:.1f} but the path measures {distance:.1f} m", sid)
        self._inspections(sortie, wps)

    def _unmeasurable(self, sortie: Sortie) -> bool:
        """Flag NaN, infinite and negative-hover numbers and positions off the globe: NaN compares false with every
        limit, so it would slip through every later check (a NaN altitude is never "above the ceiling"), a negative
        hover buys time, and a position off the globe projects to infinity."""
        sid = sortie.sortie_id
        found = False
        fields = (("lon", AIRSPACE), ("lat", AIRSPACE), ("alt_m", CEILING), ("t_s", TIME_ORDER),
                  ("hover_s", TIME_ORDER))
        for i, w in enumerate(sortie.waypoints):
            for name, kind in fields:
                value = getattr(w, name)
                if not np.isfinite(value):
                    self.add(kind, f"waypoint {i} has {name} = {value}; a plan must hold finite numbers", sid)
                    found = True
            if np.isfinite(w.hover_s) and w.hover_s < 0:
                self.add(TIME_ORDER, f"waypoint {i} has a negative hover_s ({w.hover_s:g} s)", sid)
                found = True
            if np.isfinite(w.lon) and np.isfinite(w.lat) and not (-180 <= w.lon <= 180 and -90 <= w.lat <= 90):
                self.add(AIRSPACE, f"waypoint {i} at ({w.lon:g}, {w.lat:g}) is not a WGS84 position "
                                   "(lon -180..180, lat -90..90): its airspace cannot be checked", sid)
                found = True
        for name, kind in (("distance_m", TOTALS), ("flight_time_s", TIMES), ("battery_used", BATTERY)):
            value = getattr(sortie, name)
            if not np.isfinite(value):
                self.add(kind, f"{name} = {value}; a plan must hold finite numbers", sid)
                found = True
        for insp in sortie.inspections:
            if not all(np.isfinite(v) for position in insp.coordinates for v in position):
                self.add(INSPECTION, "inspection coordinates hold a NaN or infinite number", sid, insp.task_id)
                found = True
        return found

    def _endpoints(self, sid, hangar: Hangar, lons, lats, alts, t_rel, wps, forced_landing: bool = False) -> None:
        for label, i, action in (("first", 0, "takeoff"), ("last", len(wps) - 1, "land")):
            if forced_landing and i > 0:  # a failure lands where it happened: _ended checks that landing
                continue
            off = float(_distance_to(hangar.lon, hangar.lat, lons[i:i + 1], lats[i:i + 1])[0])
            if off > POSITION_TOL_M or abs(alts[i]) > ALTITUDE_TOL_M:
                self.add(ENDPOINTS, f"{label} waypoint is {off:.1f} m from hangar {hangar.id} at {alts[i]:.1f} m; "
                                    f"it must be on the hangar at 0 m", sid)
            if wps[i].action != action:
                self.add(ENDPOINTS, f"{label} waypoint action is {wps[i].action!r}, expected {action!r}", sid)
        if abs(t_rel[0]) > TIME_TOL_S:
            self.add(ENDPOINTS, f"first waypoint at t_s={t_rel[0]:g}, expected 0", sid)

    def _times(self, sortie: Sortie, flight_time: float) -> None:
        sid = sortie.sortie_id
        if abs(sortie.flight_time_s - flight_time) > TIME_TOL_S:
            self.add(TIMES, f"flight_time_s {sortie.flight_time_s:.1f} but waypoints span {flight_time:.1f} s", sid)
        elapsed = self.clock.elapsed_s(sortie.takeoff, sortie.landing)
        if abs(elapsed - flight_time) > 2 * TIME_TOL_S:
            self.add(TIMES, f"landing - takeoff is {elapsed:.1f} s but waypoints span {flight_time:.1f} s", sid)

    def _physics(self, sid, model, azimuth, seg_m, alts, t_rel, hovers, takeoff_s: float) -> float:
        """Check speeds against the route speeds and the airspeed limit, and measure the energy flown (a share of
        a full battery): every segment at the airspeed its ground velocity needs in the wind at its mean height,
        every hover at the wind's speed there; where the wind changes during a segment (Scenario.weather_updates)
        each part in the wind of its time."""
        spans = self.scenario.wind_spans(takeoff_s + float(t_rel[0]), takeoff_s + float(t_rel[-1] + hovers[-1]))
        winds = [(a - takeoff_s, b - takeoff_s, weather.profile) for a, b, weather in spans]

        def parts(t0: float, t1: float) -> list:
            """(seconds, wind profile) of each wind in force during [t0, t1] after takeoff."""
            if len(winds) == 1:
                return [(t1 - t0, winds[0][2])]
            # Times are written to the millisecond: a sliver of a part that short is rounding (a waypoint put at the
            # moment the wind changes lands a fraction of a millisecond either side of it), not flight in that wind.
            found = [(min(t1, b) - max(t0, a), wind) for a, b, wind in winds
                     if min(t1, b) - max(t0, a) > TIME_ROUNDING_S]
            return found or [(t1 - t0, next((w for a, b, w in winds if a <= t0 <= b), winds[-1][2]))]

        curve = model.power_curve
        route_limit = max(model.cruise_speed_ms, model.inspection_speed_ms)
        air_limit = model.airspeed_limit_ms
        energy = 0.0
        for i in range(len(seg_m)):
            for seconds, wind in (parts(t_rel[i], t_rel[i] + hovers[i]) if hovers[i] > 0 else ()):
                station = float(wind.speed_at(alts[i]))
                energy += seconds * float(curve.level(station))
                if station > air_limit * (1 + SPEED_TOL_FRAC):
                    self.add(AIRSPEED, f"waypoint {i}: hovering {hovers[i]:g} s in {station:.1f} m/s wind at "
                                       f"{alts[i]:.0f} m needs that airspeed, above {model.id}'s {air_limit:g} m/s", sid)
            moving = t_rel[i + 1] - t_rel[i] - hovers[i]  # a hover vertex is left hover_s after it is reached
            if moving < -TIME_TOL_S:
                self.add(TIME_ORDER, f"waypoint {i + 1} at t={t_rel[i + 1]:.1f} s comes before waypoint {i} "
                                     f"is left (t={t_rel[i]:.1f} s + hover {hovers[i]:g} s)", sid)
                continue
            allowed = moving * (1 + SPEED_TOL_FRAC) + TIME_TOL_S
            if seg_m[i] / route_limit > allowed:
                self.add(SPEED, f"segment {i}->{i + 1}: {seg_m[i]:.0f} m in {moving:.1f} s is "
                                f"{seg_m[i] / max(moving, 1e-9):.1f} m/s over the ground, above {model.id}'s route "
                                f"speed {route_limit:g} m/s", sid)
            climb = alts[i + 1] - alts[i]
            rate = model.climb_speed_ms if climb >= 0 else model.descent_rate_ms
            if abs(climb) / rate > allowed:
                self.add(VERTICAL_RATE, f"segment {i}->{i + 1}: {climb:+.0f} m in {moving:.1f} s, above "
                                        f"{rate:g} m/s", sid)
            if moving <= 0:
                continue
            ground = seg_m[i] / moving
            ux, uy = np.sin(azimuth[i]), np.cos(azimuth[i])
            for seconds, wind in parts(t_rel[i] + hovers[i], t_rel[i + 1]):
                wind_e, wind_n = (float(w) for w in wind.on_segment(alts[i], alts[i + 1]))
                w_par, w_perp = wind_e * ux + wind_n * uy, -wind_e * uy + wind_n * ux
                air = float(np.hypot(ground - w_par, w_perp))
                # Times are written to the millisecond: judge the airspeed at the least the timing allows.
                lowest = np.clip(w_par, seg_m[i] / (moving + TIME_ROUNDING_S),
                                 seg_m[i] / max(moving - TIME_ROUNDING_S, TIME_ROUNDING_S))
                if float(np.hypot(lowest - w_par, w_perp)) > air_limit * (1 + SPEED_TOL_FRAC):
                    self.add(AIRSPEED, f"segment {i}->{i + 1}: {ground:.1f} m/s over the ground in "
                                       f"{float(np.hypot(wind_e, wind_n)):.1f} m/s wind needs {air:.1f} m/s airspeed, "
                                       f"above {model.id}'s {air_limit:g} m/s", sid)
                energy += seconds * float(curve.power(air, climb / moving))
        return energy

    def _wind_limits(self, sortie: Sortie, model, takeoff_s: float, landing_s: float) -> None:
        """No launch in a surface wind above the model's limit; a wind rising above it while the drone is up (a
        weather update) must find the sortie ended by then: recalled home or down in a failure."""
        sid = sortie.sortie_id
        launch = self.scenario.weather_at(takeoff_s).wind_speed_ms
        if launch > model.max_wind_ms:
            self.add(WIND, f"model {model.id} launches only up to {model.max_wind_ms:g} m/s, wind is {launch:g} m/s"
                           + (f" at {clock_from_seconds(takeoff_s)}" if self.scenario.weather_updates else ""), sid)
            return
        ended_s = self.clock.seconds(sortie.ended.at) if sortie.ended is not None else None
        for update in self.scenario.weather_updates:
            if not (takeoff_s < update.at_s < landing_s) or update.wind_speed_ms <= model.max_wind_ms:
                continue
            if ended_s is None or ended_s > update.at_s + TIME_TOL_S:
                self.add(WIND, f"flies on after {update.at}, when the wind rises to {update.wind_speed_ms:g} m/s, above "
                               f"{model.id}'s {model.max_wind_ms:g} m/s limit: it must turn home then", sid)
            break

    def _service(self, sid, hangar: Hangar, drone_id: str, takeoff_s: float) -> None:
        for outage in hangar.outages:
            if outage.covers(drone_id) and outage.start_s - TIME_TOL_S < takeoff_s < outage.end_s:
                who = f"drone {drone_id}" if outage.drone else f"hangar {hangar.id}"
                why = f" ({outage.reason})" if outage.reason else ""
                self.add(OUT_OF_SERVICE, f"takes off at {clock_from_seconds(takeoff_s)} while {who} is out of service "
                                         f"{outage.start}-{outage.end}{why}", sid)

    def _ended(self, sortie: Sortie, lons, lats, alts, t_rel, wps) -> None:
        """A sortie ended short: the moment lies in its flight, nothing is inspected after it, and a failure comes
        straight down where it happened (a forced landing, not a flight on)."""
        assert sortie.ended is not None
        sid, ended = sortie.sortie_id, sortie.ended
        since = self.clock.elapsed_s(sortie.takeoff, ended.at)
        when = clock_from_seconds(self.clock.seconds(ended.at))
        if since < -TIME_TOL_S or since > t_rel[-1] + TIME_TOL_S:
            self.add(ENDED, f"{ended.kind} at {when} lies outside its flight "
                            f"({t_rel[-1]:.0f} s from takeoff)", sid)
            return
        late = [i for i, w in enumerate(wps) if w.action in ("inspect", "hover") and w.t_s > since + TIME_TOL_S]
        if late:
            self.add(ENDED, f"waypoint {late[0]} inspects {wps[late[0]].task_id} {wps[late[0]].t_s - since:.0f} s after "
                            f"the sortie ended ({ended.kind} at {when})", sid)
        if ended.kind != "failure":
            return
        last = len(wps) - 1
        if wps[last].action != "land" or abs(alts[last]) > ALTITUDE_TOL_M:
            self.add(ENDED, f"a failure ends on the ground: the last waypoint is {wps[last].action!r} at "
                            f"{alts[last]:.1f} m", sid)
        if last >= 1:
            off = float(_distance_to(lons[last - 1], lats[last - 1], lons[last:], lats[last:])[0])
            if off > POSITION_TOL_M:
                self.add(ENDED, f"a forced landing comes straight down: the last waypoint is {off:.1f} m from where "
                                f"the descent starts", sid)
            descends = t_rel[last - 1] + wps[last - 1].hover_s
            if abs(descends - since) > 2 * TIME_TOL_S:
                self.add(ENDED, f"the descent starts {descends:.0f} s after takeoff but the failure is at "
                                f"{when}, {since:.0f} s after takeoff", sid)

    def _battery(self, sortie: Sortie, model, energy: float) -> None:
        sid = sortie.sortie_id
        usable = model.usable_battery
        self.battery[sid] = float(energy)
        if energy > usable + BATTERY_TOL:
            self.add(BATTERY, f"the flight uses {energy:.1%} of a battery; {model.id} may use {usable:.0%} "
                              f"(reserve {model.reserve_fraction:.0%})", sid)
        if abs(sortie.battery_used - energy) > BATTERY_REPORT_TOL_FRAC * energy + 1e-4:
            self.add(BATTERY, f"battery_used {sortie.battery_used:.4f} but its flight measures {energy:.4f} of a "
                              f"battery", sid)

    def _windows(self, sid, hangar: Hangar, takeoff_s: float, landing_s: float) -> None:
        change = self.clock.discontinuity_in(takeoff_s, landing_s)
        if change is not None:
            # Clock times there name no single instant, so zone windows and durations cannot be proven.
            self.add(WINDOW, f"flies {clock_from_seconds(takeoff_s)}-{clock_from_seconds(landing_s)}, across "
                             f"{change.describe()}; lowalt plans no flight there", sid)
        windows = [("operating window", *self.op_window)]
        if hangar.window is not None:
            windows.append((f"hangar {hangar.id} window", hangar.window.start_s, hangar.window.end_s))
        for label, start, end in windows:
            if takeoff_s < start - TIME_TOL_S or landing_s > end + TIME_TOL_S:
                self.add(WINDOW, f"flies {clock_from_seconds(takeoff_s)}-{clock_from_seconds(landing_s)}, outside "
                                 f"the {label} {clock_from_seconds(start)}-{clock_from_seconds(end)}", sid)

    def _radius(self, sid, hangar: Hangar, lons, lats) -> None:
        far = _distance_to(hangar.lon, hangar.lat, lons, lats)
        i = int(np.argmax(far))
        if far[i] > hangar.operating_radius_m + POSITION_TOL_M:
            self.add(RADIUS, f"waypoint {i} is {far[i]:.0f} m from {hangar.id}, beyond its "
                             f"{hangar.operating_radius_m:g} m operating radius", sid)

    def _inspections(self, sortie: Sortie, wps) -> None:
        sid = sortie.sortie_id
        flown = [i.task_id for i in sortie.inspections]
        if flown != list(sortie.tasks):
            self.add(INSPECTION, f"tasks {sortie.tasks} but inspections cover {flown}", sid)
        for insp in sortie.inspections:
            tid = insp.task_id
            if insp.sortie_id != sid:
                self.add(INSPECTION, f"inspection names sortie {insp.sortie_id!r}", sid, tid)
            if not 0 <= insp.first_index <= insp.last_index < len(wps):
                self.add(INSPECTION, f"waypoint range {insp.first_index}..{insp.last_index} outside the sortie's "
                                     f"{len(wps)} waypoints", sid, tid)
                continue
            covered = wps[insp.first_index:insp.last_index + 1]
            on_path = len(insp.coordinates) == len(covered) and all(
                len(c) >= 2 and abs(c[0] - w.lon) <= COORD_TOL_DEG and abs(c[1] - w.lat) <= COORD_TOL_DEG
                for c, w in zip(insp.coordinates, covered))
            if not on_path:
                self.add(INSPECTION, "inspection coordinates are not the sortie's waypoints "
                                     f"{insp.first_index}..{insp.last_index}", sid, tid)
            if any(w.task_id != tid for w in covered):
                self.add(INSPECTION, f"waypoints {insp.first_index}..{insp.last_index} are not all marked with "
                                     f"this task", sid, tid)
            start_s = self.clock.seconds(insp.start)
            end_s = self.clock.seconds(insp.end)
            # Elapsed time since takeoff, so the check stays true whatever the clock does meanwhile.
            since = (self.clock.elapsed_s(sortie.takeoff, insp.start), self.clock.elapsed_s(sortie.takeoff, insp.end))
            want = (covered[0].t_s, covered[-1].t_s + covered[-1].hover_s)
            if abs(since[0] - want[0]) > 2 * TIME_TOL_S or abs(since[1] - want[1]) > 2 * TIME_TOL_S:
                self.add(INSPECTION, f"start/end {clock_from_seconds(start_s)}-{clock_from_seconds(end_s)} are "
                                     f"{since[0]:.0f}-{since[1]:.0f} s after takeoff but its waypoints are flown "
                                     f"{want[0]:.0f}-{want[1]:.0f} s after takeoff", sid, tid)
            target = self.targets.get(insp.target_id)
            if target is None:
                self.add(INSPECTION, f"unknown target {insp.target_id!r}", sid, tid)
            elif target.window is not None and (start_s < target.window.start_s - TIME_TOL_S
                                                or end_s > target.window.end_s + TIME_TOL_S):
                self.add(TARGET_WINDOW, f"inspected {clock_from_seconds(start_s)}-{clock_from_seconds(end_s)}, "
                                        f"outside target {target.id}'s window {target.window.start}-"
                                        f"{target.window.end}", sid, tid)
            task = self.tasks.get(tid)
            if task is not None:
                self._task_flown(sid, task, insp, covered)

    def _task_flown(self, sid, task, insp, covered) -> None:
        tid = task.task_id
        if task.target_id != insp.target_id:
            self.add(INSPECTION, f"inspection says target {insp.target_id!r}, task belongs to {task.target_id!r}",
                     sid, tid)
        if any(abs(w.alt_m - task.altitude_m) > POSITION_TOL_M for w in covered):
            self.add(INSPECTION, f"inspected at {covered[0].alt_m:.0f} m, task altitude is {task.altitude_m:g} m",
                     sid, tid)
        if task.hover_s and sum(w.hover_s for w in covered) < task.hover_s - TIME_TOL_S:
            self.add(INSPECTION, f"hovers {sum(w.hover_s for w in covered):g} s of the {task.hover_s:g} s required",
                     sid, tid)
        # The flown line must lie over the task's line (in either direction), within the cover tolerance.
        flown = [(w.lon, w.lat) for w in covered]
        task_shape = (Point(task.coordinates[0]) if len(task.coordinates) == 1
                      else LineString([c[:2] for c in task.coordinates]))
        flown_shape = Point(flown[0]) if len(flown) == 1 else LineString(flown)
        m_task = self.projector.to_metric(task_shape)
        m_flown = self.projector.to_metric(flown_shape).buffer(COVER_TOLERANCE_M, quad_segs=4)
        missed = m_task.length - m_task.intersection(m_flown).length if m_task.length else (
            0.0 if m_flown.covers(m_task) else 1.0)
        if missed > POSITION_TOL_M:
            self.add(COVERAGE, f"the inspection misses {missed:.1f} m of its task's line", sid, tid)

    # -- the whole plan
    def schedule(self) -> None:
        by_drone: dict[str, list[Sortie]] = defaultdict(list)
        for s in self.plan.sorties:
            by_drone[s.drone_id].append(s)
        for drone_id, sorties in by_drone.items():
            sorties.sort(key=lambda s: s.takeoff)
            lost = next((s for s in sorties if s.ended is not None and s.ended.kind == "failure"), None)
            for after in sorties:
                if lost is not None and lost.ended is not None and after.takeoff > lost.takeoff:
                    self.add(DRONE, f"drone {drone_id} was lost in a failure at "
                                    f"{clock_from_seconds(self.clock.seconds(lost.ended.at))} ({lost.sortie_id}) "
                                    f"but flies again at {clock_from_seconds(self.clock.seconds(after.takeoff))}",
                             after.sortie_id)
            try:
                recharge_s = self.scenario.hangar(sorties[0].hangar_id).recharge_min * 60.0
            except KeyError:
                continue
            for before, after in zip(sorties, sorties[1:]):
                gap = self.clock.elapsed_s(before.landing, after.takeoff)  # real time on the dock
                if gap < -TIME_TOL_S:
                    self.add(OVERLAP, f"drone {drone_id} takes off for {after.sortie_id} {-gap:.0f} s before it lands "
                                      f"from {before.sortie_id}", after.sortie_id)
                elif gap < recharge_s - TIME_TOL_S:
                    self.add(RECHARGE, f"drone {drone_id} rests {gap / 60:.1f} min after {before.sortie_id}; "
                                       f"recharge needs {recharge_s / 60:g} min", after.sortie_id)
        by_hangar: dict[str, list[Sortie]] = defaultdict(list)
        for s in self.plan.sorties:
            by_hangar[s.hangar_id].append(s)
        for hangar_id, sorties in by_hangar.items():
            try:
                capacity = self.scenario.hangar(hangar_id).drones
            except KeyError:
                continue
            # Landings sort before takeoffs at the same instant: a drone landing frees its slot.
            events = sorted([(s.takeoff, 1, s.sortie_id) for s in sorties] +
                            [(s.landing, -1, s.sortie_id) for s in sorties], key=lambda e: (e[0], e[1]))
            airborne = 0
            for moment, delta, sid in events:
                airborne += delta
                if delta > 0 and airborne > capacity:
                    self.add(CAPACITY, f"{airborne} drones of {hangar_id} airborne at "
                                       f"{clock_from_seconds(self.clock.seconds(moment))}, "
                                       f"it has {capacity}", sid)

    def separation(self) -> None:
        from missions.verify_separation import separation_violations  # its own geometry; see that module

        from missions.verify_intents import intent_violations

        found, note = separation_violations(self.plan, self.scenario, self.projector)
        for sid, message in found:
            self.add(SEPARATION, message, sid)
        self.notes.append(note)
        for sid, message in intent_violations(self.plan, self.scenario):
            self.add(INTENT, message, sid)

    def accounting(self) -> None:
        listed = Counter(t.task_id for t in self.plan.tasks)
        for tid, n in listed.items():
            if n > 1:
                self.add(DUPLICATE_TASK, f"listed {n} times in plan.tasks", task_id=tid)
        served = Counter(tid for s in self.plan.sorties for tid in s.tasks)
        unserved = Counter(u.task_id for u in self.plan.unserved)
        for tid in listed:
            count = served[tid] + unserved[tid]
            if count == 0:
                self.add(MISSING_TASK, "neither flown by a sortie nor listed unserved", task_id=tid)
            elif count > 1:
                self.add(DUPLICATE_TASK, f"flown {served[tid]} time(s) and listed unserved {unserved[tid]} time(s)",
                         task_id=tid)
        for tid in served:
            if tid not in listed:
                self.add(UNKNOWN_TASK, "a sortie flies a task that plan.tasks does not list", task_id=tid)

    def required_coverage(self) -> None:
        accounted: dict[str, list] = defaultdict(list)
        for s in self.plan.sorties:
            for insp in s.inspections:
                accounted[insp.target_id].append(insp.coordinates)
        for u in self.plan.unserved:
            accounted[u.target_id].append(u.coordinates)
        for req in requirements_of(self.scenario):
            missing = req.length_m - covered_length_m(req, accounted.get(req.target.id, []))
            if missing > AIRSPACE_TOL_M:
                self.add(COVERAGE, f"target {req.target.id}: {missing:.1f} m of its required "
                                   f"{req.length_m:.1f} m is neither inspected nor listed unserved")

    def totals(self, coverage: float) -> None:
        s = self.plan.summary
        for name in ("coverage", "total_distance_m"):
            if not np.isfinite(getattr(s, name)):
                self.add(TOTALS, f"summary.{name} is {getattr(s, name)}; a plan must hold finite numbers")
        if not (_close(s.total_distance_m, self.distance_m) or _close(s.total_distance_m, self.slant_m)):
            self.add(TOTALS, f"total_distance_m {s.total_distance_m:.1f} but the sorties measure "
                             f"{self.distance_m:.1f} m")
        if s.sorties != len(self.plan.sorties):
            self.add(TOTALS, f"summary.sorties {s.sorties} but the plan has {len(self.plan.sorties)}")
        drones = len({x.drone_id for x in self.plan.sorties})
        if s.drones_used != drones:
            self.add(TOTALS, f"summary.drones_used {s.drones_used} but {drones} drones fly")
        if abs(s.coverage - coverage) > COVERAGE_TOL:
            self.add(TOTALS, f"summary.coverage {s.coverage:.4f} but the inspections cover {coverage:.4f}")

    def run(self) -> VerificationReport:
        if self.plan.scenario != self.scenario.name or self.plan.date != self.scenario.date:
            self.add(SCENARIO, f"plan is for {self.plan.scenario!r} on {self.plan.date}, scenario is "
                               f"{self.scenario.name!r} on {self.scenario.date}")
        ids = Counter(s.sortie_id for s in self.plan.sorties)
        for sid, n in ids.items():
            if n > 1:
                self.add(DUPLICATE_SORTIE, f"sortie id used {n} times", sid)
        for sortie in self.plan.sorties:
            self.sortie(sortie)
        self.schedule()
        self.separation()
        self.accounting()
        self.required_coverage()
        coverage = plan_coverage(self.plan, self.scenario)
        self.totals(coverage)
        report = VerificationReport(
            ok=not self.violations, violations=tuple(self.violations), distance_m=self.distance_m,
            flight_time_s=self.flight_time_s, coverage=coverage, sorties=len(self.plan.sorties),
            drones_used=len({s.drone_id for s in self.plan.sorties}), notes=tuple(self.notes),
            battery=dict(self.battery),
        )
        logger.info("%s", report.summary())
        return report


def verify_plan(plan: MissionPlan, scenario: Scenario) -> VerificationReport:
    """Check `plan` against `scenario` from the plan's own geometry and times; `ok` when nothing is violated.

    Distances are horizontal geodesic lengths (a 3-D length is accepted for a sortie's distance_m). A hover vertex
    is left `hover_s` after it is reached, so its outgoing segment has that much less time.
    """
    return _Verifier(plan, scenario).run()
