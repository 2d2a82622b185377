"""The scenario and plan contract (../shared/SCENARIO.md) as frozen pydantic models.

A Scenario as written may reference files; `load_scenario` returns one with every reference resolved.
"""
from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from airspace.clock import DayClock
from airspace.geometry import Geometry
from airspace.windows import TimeWindow, clock_text, seconds_from_clock
from airspace.zones import CHINA_CEILING_M, Restriction, Zone
from missions.export.dji_products import payload_error, product_for
from missions.physics.aircraft import AIRCRAFT_FIGURES, GENERIC, AircraftFigures
from missions.physics.power import ZENG_TIP_SPEED_MS, PowerCurve, fit_power_curve
from missions.physics.wind import OPEN_TERRAIN_SHEAR, REFERENCE_HEIGHT_M, WindProfile, wind_vector
from missions.intent_models import DeconflictionOptions, ExternalVolume, IntentFileRef, IntentVolume

FROZEN = ConfigDict(frozen=True, extra="forbid")
DEFAULT_AIRSPEED_FACTOR = 1.4  # max airspeed over route speed for a drone without published figures (M3D: 21 / 15)
# Mean rotor induced velocity in hover, sqrt(W / (2 rho A)) (momentum theory): ~5 m/s at the ~60 N/m^2 disc
# loading of a 1.4-1.9 kg quadcopter on four ~10-11 inch rotors, the Matrice 3D/4D class (Zeng et al.'s 2 kg
# example craft on larger rotors has 4.03 m/s).
DEFAULT_INDUCED_VELOCITY_MS = 5.0


# ----------------------------------------------------------------------------------------------- scenario
class WindLayer(BaseModel):
    """The wind at one height above ground (a sounding or a forecast's winds aloft)."""

    model_config = FROZEN
    height_m: float = Field(ge=0)
    speed_ms: float = Field(ge=0)
    from_deg: float = Field(ge=0, le=360)


class Weather(BaseModel):
    model_config = FROZEN
    wind_speed_ms: float = Field(0.0, ge=0)  # at reference_height_m; the launch limit max_wind_ms applies to it
    wind_from_deg: float = Field(0.0, ge=0, le=360)  # direction the wind blows FROM, clockwise from north
    reference_height_m: float = Field(REFERENCE_HEIGHT_M, gt=0)  # lowalt addition: where wind_speed_ms is measured
    shear_exponent: float = Field(OPEN_TERRAIN_SHEAR, ge=0, le=1)  # lowalt addition: power-law exponent aloft
    layers: list[WindLayer] = Field(default_factory=list)  # lowalt addition: wind by height, replaces the power law

    @model_validator(mode="after")
    def _distinct_heights(self) -> "Weather":
        heights = [layer.height_m for layer in self.layers]
        if len(set(heights)) != len(heights):
            raise ValueError("layers: two layers at the same height_m")
        return self

    @property
    def profile(self) -> WindProfile:
        """The wind by height above ground (missions.physics.wind)."""
        east, north = wind_vector(self.wind_speed_ms, self.wind_from_deg)
        layers = tuple(sorted((layer.height_m, *wind_vector(layer.speed_ms, layer.from_deg)) for layer in self.layers))
        return WindProfile(east, north, self.reference_height_m, self.shear_exponent, layers)


CALM = Weather()


class WeatherUpdate(Weather):
    """lowalt addition: the wind from a clock time on (a measurement or a forecast update during the day), in
    force until the next update. `lowalt replan` writes one for a wind change; plan() plans a day in one wind."""

    at: str  # clock time it applies from, e.g. "11:00"

    @field_validator("at", mode="before")
    @classmethod
    def _clock(cls, value: object) -> str:
        return clock_text(value)

    @property
    def at_s(self) -> int:
        return seconds_from_clock(self.at)

    def weather(self) -> Weather:
        """The wind itself, without its time."""
        return Weather(**self.model_dump(exclude={"at"}))


class Camera(BaseModel):
    model_config = FROZEN
    sensor_width_mm: float = Field(gt=0)
    focal_length_mm: float = Field(gt=0)
    image_width_px: int = Field(gt=0)
    side_overlap: float = Field(0.3, ge=0, lt=1)  # lowalt addition: overlap between corridor passes

    def footprint_m(self, height_m: float) -> float:
        """Ground width imaged by one nadir photo from `height_m` (similar triangles)."""
        return height_m * self.sensor_width_mm / self.focal_length_mm


class DjiProfile(BaseModel):
    """The DJI aircraft and payload a profile's WPML routes declare, and how its camera records inspections."""

    model_config = FROZEN
    aircraft: str  # m3d | m3td | m4d | m4td | m30 | m30t | m300 | m350 (missions.export.dji_products)
    payload: str | None = None  # default: the aircraft's built-in camera; m300/m350 need one (h20 ... h30t)
    capture: Literal["photo", "video"] = "photo"  # photos at a distance interval, or video, along each stretch
    forward_overlap: float = Field(0.6, ge=0, lt=1)  # overlap of consecutive photos along a stretch

    @model_validator(mode="after")
    def _known_product(self) -> "DjiProfile":
        problem = payload_error(self.aircraft, self.payload)
        if problem:
            raise ValueError(problem)
        return self


class DroneModel(BaseModel):
    model_config = FROZEN
    id: str = Field(min_length=1)
    name: str | None = None
    cruise_speed_ms: float = Field(gt=0)
    inspection_speed_ms: float = Field(gt=0)
    max_airspeed_ms: float | None = Field(None, gt=0)  # default: see airspeed_limit_ms
    endurance_min: float = Field(gt=0)
    reserve_fraction: float = Field(0.2, ge=0, lt=1)
    max_wind_ms: float = Field(gt=0)
    climb_speed_ms: float = Field(5.0, gt=0)
    descent_speed_ms: float | None = Field(None, gt=0)  # lowalt addition; default: climb_speed_ms
    camera: Camera | None = None
    dji: DjiProfile | None = None  # lowalt addition; default: see missions.export.dji_products.product_for
    # lowalt additions for the energy model (missions.physics.power); every one optional, defaults from `figures`:
    max_flight_time_min: float | None = Field(None, gt=0)  # longest flight on a full battery, in still air ...
    max_flight_time_speed_ms: float | None = Field(None, gt=0)  # ... at this constant forward speed
    battery_wh: float | None = Field(None, gt=0)  # battery energy, to report energies in Wh
    induced_velocity_ms: float = Field(DEFAULT_INDUCED_VELOCITY_MS, gt=0)  # rotors' mean induced velocity, hover
    rotor_tip_speed_ms: float = Field(ZENG_TIP_SPEED_MS, gt=0)  # blade tip speed

    @model_validator(mode="after")
    def _power_curve_fits(self) -> "DroneModel":
        try:
            self.power_curve  # noqa: B018 -- fitting is the check
        except ValueError as exc:
            raise ValueError(f"endurance_min {self.endurance_min:g}, max_flight_time_min {self.rated_flight_min:g} "
                             f"and max_flight_time_speed_ms {self.rated_flight_speed_ms:g} do not fit together: "
                             f"{exc}") from None
        return self

    @property
    def descent_rate_ms(self) -> float:
        return self.descent_speed_ms or self.climb_speed_ms

    @property
    def figures(self) -> AircraftFigures | None:
        """Published figures of the DJI aircraft this profile flies (its `dji.aircraft`, else an id naming one: the
        rule of missions.export.dji_products.product_for), if missions.physics.aircraft has them."""
        product = product_for(self.id, self.dji.aircraft if self.dji else None, self.dji.payload if self.dji else None)
        return AIRCRAFT_FIGURES.get(product.aircraft_key) if product.source != "default" else None

    @property
    def shape(self) -> AircraftFigures:
        """Whose flight-to-hover ratio and best-endurance speed the power curve takes: `figures`, else the M3D's."""
        return self.figures or GENERIC

    @property
    def airspeed_limit_ms(self) -> float:
        """Fastest airspeed: `max_airspeed_ms`, else the aircraft's max horizontal speed (21 m/s for the Matrice
        3D and 4D), else 1.4 x the faster route speed (21 m/s for a 15 m/s cruise, the Matrice 3D ratio)."""
        if self.max_airspeed_ms:
            return self.max_airspeed_ms
        figures = self.figures
        if figures is not None:
            return figures.max_speed_ms
        return DEFAULT_AIRSPEED_FACTOR * max(self.cruise_speed_ms, self.inspection_speed_ms)

    @property
    def rated_flight_min(self) -> float:
        """`max_flight_time_min`, else the aircraft's ratio of max flight time to hover time times endurance_min
        (a worn battery's shorter hover time shortens its flight time alike)."""
        if self.max_flight_time_min:
            return self.max_flight_time_min
        return self.endurance_min * self.shape.max_flight_min / self.shape.hover_min

    @property
    def rated_flight_speed_ms(self) -> float:
        return self.max_flight_time_speed_ms or self.shape.max_flight_speed_ms

    @property
    def battery_energy_wh(self) -> float | None:
        """`battery_wh`, else the aircraft's; None when neither is known."""
        figures = self.figures
        return self.battery_wh or (figures.battery_wh if figures is not None else None)

    @property
    def power_curve(self) -> PowerCurve:
        """Power against airspeed (and climb), in shares of a full battery per second: hovers endurance_min,
        flies longest (rated_flight_min) at rated_flight_speed_ms."""
        return fit_power_curve(self.endurance_min * 60.0, self.rated_flight_min * 60.0, self.rated_flight_speed_ms,
                               self.induced_velocity_ms, self.rotor_tip_speed_ms)

    def energy_wh(self, share: float) -> float | None:
        """A share of this model's battery in Wh (None when the battery's energy is not known)."""
        battery = self.battery_energy_wh
        return None if battery is None else share * battery

    @property
    def usable_battery(self) -> float:
        """Share of a full battery a sortie may use: the reserve is a share of energy, left on landing."""
        return 1.0 - self.reserve_fraction


class Outage(TimeWindow):
    """lowalt addition: a span in which a hangar launches nothing (`drone` unset) or one of its drones does not fly
    (maintenance, a fault, a drone lost in a failure). A drone already airborne when it starts still lands there."""

    kind: ClassVar[str] = "outage"

    start: str  # clock time, e.g. "11:30"
    end: str = "24:00"  # clock time; default: the rest of the day
    drone: str | None = None  # one of the hangar's drone ids (e.g. H01-2); unset: the whole hangar
    reason: str | None = None  # free text shown in plans and reasons, e.g. "failed at 10:52"

    def covers(self, drone_id: str) -> bool:
        return self.drone is None or self.drone == drone_id


class Hangar(BaseModel):
    model_config = FROZEN
    id: str = Field(min_length=1)
    name: str | None = None
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    drone_model: str
    drones: int = Field(1, ge=0)
    operating_radius_m: float = Field(gt=0)
    recharge_min: float = Field(ge=0)
    window: TimeWindow | None = None
    outages: list[Outage] = Field(default_factory=list)  # lowalt addition: spans it or one drone does not launch

    @model_validator(mode="after")
    def _outage_drones(self) -> "Hangar":
        for k, outage in enumerate(self.outages):
            if outage.drone is not None and outage.drone not in self.drone_ids():
                raise ValueError(f"outages[{k}].drone: {outage.drone!r} is not a drone of {self.id} (its drones: "
                                 f"{', '.join(self.drone_ids()) or 'none'})")
        return self

    def drone_ids(self) -> list[str]:
        return [f"{self.id}-{n}" for n in range(1, self.drones + 1)]

    def out_of_service(self, drone_id: str) -> list[tuple[int, int]]:
        """Clock spans in which `drone_id` may not launch: the hangar's outages and the drone's own."""
        return sorted((o.start_s, o.end_s) for o in self.outages if o.covers(drone_id))


class ZoneFileRef(BaseModel):
    """`- file: zones.geojson` inside `airspace.zones`: GeoJSON, ED-269 JSON, ED-318 GeoJSON, KML/KMZ, a ZIP of
    one of them, or a vector file GDAL reads (Shapefile, GeoPackage)."""

    model_config = FROZEN
    file: str
    format: Literal["geojson", "ed269", "ed318", "kml"] | None = None  # None: detected from content
    restriction: Restriction | None = None  # default for features that carry none
    id_property: str | None = None  # feature property holding the zone id (default: `id`, then the feature id)
    name_property: str | None = None  # feature property holding the zone name (default: `name`)
    layer: str | None = None  # multi-layer sources (GeoPackage, OSM), as for target files
    where: str | None = None  # OGR SQL filter on the layer's fields (GDAL formats and OSM)
    encoding: str | None = None  # text encoding of a Shapefile without .cpg


class GridCell(BaseModel):
    model_config = FROZEN
    code: str
    status: Literal["open", "restricted", "prohibited"]
    ceiling_m: float | None = Field(None, ge=0)


class GridSpec(BaseModel):
    """Beidou grid cells (GB/T 39409-2020) from a CSV file (code, status, ceiling_m) and/or inline."""

    model_config = FROZEN
    file: str | None = None
    cells: list[GridCell] | None = None


class AirspaceSpec(BaseModel):
    model_config = FROZEN
    ceiling_m: float = Field(CHINA_CEILING_M, gt=0)
    zones: list[Zone | ZoneFileRef] = Field(default_factory=list)
    grid: GridSpec | None = None
    authorised: list[str] = Field(default_factory=list)  # authorisation_required zone ids we may enter
    intents: list[ExternalVolume | IntentFileRef] = Field(default_factory=list)  # other operators' volumes

    def external_volumes(self) -> list[ExternalVolume]:
        """Other operators' volumes (after load_scenario, every file reference is resolved into them)."""
        return [volume for volume in self.intents if isinstance(volume, ExternalVolume)]

    def resolved_zones(self) -> list[Zone]:
        """Inline zones (after load_scenario, every zone is inline)."""
        return [zone for zone in self.zones if isinstance(zone, Zone)]


TargetKind = Literal["river", "road", "pipeline", "shoreline", "point"]


class Target(BaseModel):
    model_config = FROZEN
    id: str = Field(min_length=1)
    name: str | None = None
    kind: TargetKind
    geometry: Geometry
    altitude_m: float = Field(80.0, gt=0)  # above ground
    corridor_width_m: float | None = Field(None, gt=0)
    priority: int = Field(3, ge=1, le=5)  # 1 low .. 5 must fly
    window: TimeWindow | None = None
    hover_s: float = Field(0.0, ge=0)
    urgent: bool = False  # lowalt addition: outranks every priority (a pollution report, a replan's urgent target)
    properties: dict[str, str | int | float | bool | None] = Field(default_factory=dict)  # carried through, e.g. approximate

    @model_validator(mode="after")
    def _check(self) -> "Target":
        if self.kind == "point" and self.geometry.type not in ("Point", "MultiPoint"):
            raise ValueError(f"a point target needs Point geometry, not {self.geometry.type}")
        if self.kind != "point" and self.geometry.type in ("Point", "MultiPoint"):
            raise ValueError(f"a {self.kind} target needs a line or polygon geometry, not {self.geometry.type}")
        return self


class TargetFileRef(BaseModel):
    """`- file: rivers.geojson` inside `targets`; the other fields are defaults for its features."""

    model_config = FROZEN
    file: str
    kind: TargetKind | None = None
    id_property: str | None = None  # feature property used as target id (default: `id`, then feature id)
    name_property: str | None = None
    altitude_m: float | None = Field(None, gt=0)
    corridor_width_m: float | None = Field(None, gt=0)
    priority: int | None = Field(None, ge=1, le=5)
    window: TimeWindow | None = None
    hover_s: float | None = Field(None, ge=0)
    layer: str | None = None  # multi-layer sources (GeoPackage, OSM); None reads every layer (OSM must name one)
    where: str | None = None  # OGR SQL filter on the layer's fields, e.g. "waterway IN ('river','canal')"
    encoding: str | None = None  # text encoding of a Shapefile without .cpg, e.g. GBK


class PlanningSpec(BaseModel):
    """How the operator wants the day flown: choices, not physics (those live in the drone and hangar profiles)."""

    model_config = FROZEN
    transit_altitude_m: float | None = Field(None, gt=0)  # None: 100 m, or the airspace ceiling when lower
    # Intent buffers, separation minima and the takeoff-shift limit (missions.intent_models); None: lowalt's.
    deconfliction: DeconflictionOptions | None = None


class Scenario(BaseModel):
    model_config = FROZEN
    name: str
    date: dt.date
    timezone: str = "Asia/Shanghai"
    coordinates: Literal["wgs84", "gcj02"] = "wgs84"
    operating_window: TimeWindow | None = None  # None: civil daylight of `date` (see missions.daylight)
    weather: Weather | None = None
    weather_updates: list[WeatherUpdate] = Field(default_factory=list)  # lowalt addition: the wind from later times
    drone_models: list[DroneModel]
    hangars: list[Hangar]
    airspace: AirspaceSpec = Field(default_factory=AirspaceSpec)
    targets: list[Target | TargetFileRef] = Field(default_factory=list)
    planning: PlanningSpec = Field(default_factory=PlanningSpec)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # 'Asia' is a folder in the tz database
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _references(self) -> "Scenario":
        transit = self.planning.transit_altitude_m
        if transit is not None and transit > self.airspace.ceiling_m:
            raise ValueError(f"planning.transit_altitude_m: {transit:g} m is above the airspace ceiling "
                             f"({self.airspace.ceiling_m:g} m)")
        times = [u.at_s for u in self.weather_updates]
        if times != sorted(set(times)):
            raise ValueError("weather_updates: updates must be in time order, at most one per clock time")
        models = {m.id for m in self.drone_models}
        for index, hangar in enumerate(self.hangars):
            if hangar.drone_model not in models:
                raise ValueError(
                    f"hangars[{index}] ({hangar.id}).drone_model: unknown drone model {hangar.drone_model!r}"
                    f" (known: {', '.join(sorted(models)) or 'none'})"
                )
        for label, ids in (
            ("drone_models", [m.id for m in self.drone_models]),
            ("hangars", [h.id for h in self.hangars]),
            ("airspace.zones", [z.id for z in self.airspace.resolved_zones()]),
            ("targets", [t.id for t in self.resolved_targets()]),
        ):
            seen: set[str] = set()
            for item_id in ids:
                if item_id in seen:
                    raise ValueError(f"{label}: duplicate id {item_id!r}")
                seen.add(item_id)
        return self

    # -- helpers for code downstream of load_scenario (every reference resolved)
    def resolved_targets(self) -> list[Target]:
        return [t for t in self.targets if isinstance(t, Target)]

    def zones(self) -> list[Zone]:
        return self.airspace.resolved_zones()

    def drone_model(self, model_id: str) -> DroneModel:
        for model in self.drone_models:
            if model.id == model_id:
                return model
        raise KeyError(model_id)

    def hangar(self, hangar_id: str) -> Hangar:
        for hangar in self.hangars:
            if hangar.id == hangar_id:
                return hangar
        raise KeyError(hangar_id)

    @property
    def wind(self) -> Weather:
        """The day's wind; calm when the scenario gives no weather (the one place that default lives)."""
        return self.weather or CALM

    def weather_at(self, clock_s: float) -> Weather:
        """The wind in force at a clock time: the last of `weather_updates` at or before it, else `wind`."""
        current = self.wind
        for update in self.weather_updates:
            if update.at_s <= clock_s:
                current = update.weather()
        return current

    def wind_spans(self, start_s: float, end_s: float) -> list[tuple[float, float, Weather]]:
        """[start_s, end_s] cut where the wind changes: (from, to, wind in force) in time order."""
        cuts = [start_s] + [u.at_s for u in self.weather_updates if start_s < u.at_s < end_s] + [end_s]
        return [(a, b, self.weather_at(a)) for a, b in zip(cuts, cuts[1:])]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def clock(self) -> DayClock:
        """The planned day's clock: the one conversion between clock seconds and instants (airspace.clock)."""
        return DayClock(self.date, self.tz)

    def local_datetime(self, seconds_after_midnight: float) -> dt.datetime:
        """Aware datetime for a time of the planned day (clock seconds after local midnight)."""
        return self.clock.moment(seconds_after_midnight)

    def seconds_after_midnight(self, moment: dt.datetime) -> float:
        """Clock seconds after local midnight of `moment` (aware: read on the scenario's clock; naive: local)."""
        return self.clock.seconds(moment)


# ----------------------------------------------------------------------------------------------- plan
class UnservedReason(str, Enum):
    OUT_OF_REACH = "out_of_reach"  # no hangar's operating radius / usable energy reaches it
    BLOCKED_BY_AIRSPACE = "blocked_by_airspace"  # inside or only reachable through keep-out volumes
    WIND = "wind"  # grounded by wind, or a leg the airspeed limit cannot fly in the wind at its height
    WINDOW_IMPOSSIBLE = "window_impossible"  # its window does not meet any usable hangar window
    CANCELLED = "cancelled"  # its target was cancelled (lowalt replan's changes file)
    NO_CAPACITY = "no_capacity"  # feasible alone, but every drone in reach is busy (lower priority dropped first)
    TIME_LIMIT = "time_limit"  # a drone could still fly it, but planning ran out of time first (give more time)
    CONFLICT = "conflict"  # its sortie would come too close to another flight and no takeoff shift clears it
    INVALID = "invalid"  # could not be turned into a task (reason in detail)


class Waypoint(BaseModel):
    """One vertex of a sortie's flown path: `[lon, lat, alt_m]` reached `t_s` seconds after takeoff."""

    model_config = FROZEN
    lon: float
    lat: float
    alt_m: float
    t_s: float
    action: Literal["takeoff", "transit", "inspect", "hover", "land"] = "transit"
    task_id: str | None = None  # set on inspect/hover vertices
    hover_s: float = 0.0


class Inspection(BaseModel):
    """A task flown within a sortie: waypoints[first_index..last_index] of that sortie."""

    model_config = FROZEN
    task_id: str
    target_id: str
    sortie_id: str
    start: AwareDatetime
    end: AwareDatetime
    first_index: int
    last_index: int
    coordinates: list[list[float]]  # [lon, lat, alt_m] as flown


class SortieEnd(BaseModel):
    """Why a sortie ended short of its plan: a drone failure (a forced landing where it was, the drone lost for the
    day) or a recall (it turned home, e.g. before a new closure or a wind above its limit)."""

    model_config = FROZEN
    kind: Literal["failure", "recalled"]
    at: AwareDatetime  # the moment it stopped flying its plan: the failure, or where it turned home
    reason: str  # the change that ended it, with its numbers


class Sortie(BaseModel):
    model_config = FROZEN
    sortie_id: str
    drone_id: str
    hangar_id: str
    drone_model: str
    takeoff: AwareDatetime
    landing: AwareDatetime
    waypoints: list[Waypoint]
    distance_m: float
    flight_time_s: float
    battery_used: float  # share of a full battery's energy the sortie uses (power curve in the wind, missions.physics)
    tasks: list[str]  # task ids in flight order
    inspections: list[Inspection]
    intent: list[IntentVolume] | None = None  # its operational intent (missions.intents); None in older plans
    ended: SortieEnd | None = None  # set when it ended short of its plan (lowalt replan); None: flown as planned

    @property
    def times_s(self) -> list[float]:
        return [w.t_s for w in self.waypoints]


class InspectionTask(BaseModel):
    """A unit of work cut from a target: one leg of a line, a corridor pass, or a point with hover."""

    model_config = FROZEN
    task_id: str
    target_id: str
    kind: TargetKind
    coordinates: list[list[float]]  # [lon, lat] line (one position for a point task)
    length_m: float
    altitude_m: float
    priority: int
    window: TimeWindow | None = None
    hover_s: float = 0.0
    reversible: bool = True  # a line may be flown in either direction
    pass_index: int | None = None  # corridor pass number, when the target has a corridor width
    urgent: bool = False  # its target is urgent: it outranks every priority


class UnservedTask(BaseModel):
    model_config = FROZEN
    task_id: str
    target_id: str
    reason: UnservedReason
    detail: str
    coordinates: list[list[float]]


class GroupSummary(BaseModel):
    """One solve of a group of nearby hangars: the first pass (round 0) or a repair round."""

    model_config = FROZEN
    name: str
    round: int = 0  # 0: the first pass; 1, 2, ...: repair rounds on the drones' free time
    hangars: list[str]
    tasks: int  # tasks given to the group
    status: str  # the solver's: optimal, feasible, infeasible, timeout-no-solution, ...
    time_limit_s: float  # the solver time the group had
    solve_s: float  # solver wall time used


class PlanSummary(BaseModel):
    model_config = FROZEN
    scenario: str
    coverage: float  # served length over required length (points count by hover task, see missions.coverage)
    total_distance_m: float
    sorties: int
    drones_used: int
    solve_time_s: float
    # The routing solvers' (groups and repair rounds): what options["objective"] minimises outside the inspections
    # (flight time in deciseconds plus 120 s a sortie, or horizontal distance in decimetres) plus the penalties of
    # tasks left out, before deconfliction moved or dropped sorties (not recomputed after it)
    objective: int | None = None
    seed: int = 0
    time_limit_s: float | None = None
    served_tasks: int = 0
    unserved_tasks: int = 0
    transit_distance_m: float = 0.0  # flown outside inspections: to, between and back from the tasks
    deadhead_share: float = 0.0  # transit_distance_m over total_distance_m
    transit_altitude_m: float | None = None
    repaired_tasks: int = 0  # tasks the repair pass placed on drones with free time, across groups
    groups: list[GroupSummary] = Field(default_factory=list)


class MissionPlan(BaseModel):
    """A day's plan. Its times are aware datetimes; a plan file whose times carry no UTC offset is read as
    clock times of `timezone`."""

    model_config = FROZEN
    scenario: str
    date: dt.date
    timezone: str
    tasks: list[InspectionTask]
    sorties: list[Sortie]
    unserved: list[UnservedTask]
    summary: PlanSummary
    warnings: list[str] = Field(default_factory=list)
    options: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    deconfliction: DeconflictionOptions | None = None  # buffers and minima the intents were drawn with

    @model_validator(mode="before")
    @classmethod
    def _local_times(cls, data: object) -> object:
        # plan.json written by hand or by another tool may lack offsets: they are clock times of the plan's zone.
        if not isinstance(data, dict) or not isinstance(data.get("sorties"), list):
            return data
        try:
            tz = ZoneInfo(str(data.get("timezone")))
        except (ZoneInfoNotFoundError, ValueError, OSError):
            return data  # the timezone field reports itself
        sorties = []
        for sortie in data["sorties"]:
            if isinstance(sortie, dict):
                sortie = {**sortie, **_localised(sortie, ("takeoff", "landing"), tz)}
                if isinstance(sortie.get("ended"), dict):
                    sortie["ended"] = {**sortie["ended"], **_localised(sortie["ended"], ("at",), tz)}
                if isinstance(sortie.get("inspections"), list):
                    sortie["inspections"] = [{**i, **_localised(i, ("start", "end"), tz)} if isinstance(i, dict)
                                             else i for i in sortie["inspections"]]
            sorties.append(sortie)
        return {**data, "sorties": sorties}

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return Scenario._known_timezone(value)


def _localised(item: dict, keys: tuple[str, ...], tz: ZoneInfo) -> dict:
    """`item`'s datetimes under `keys` with `tz` attached where they carry no offset (unparsable ones untouched)."""
    out = {}
    for key in keys:
        value = item.get(key)
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                continue  # pydantic reports it
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            out[key] = value.replace(tzinfo=tz)
    return out
