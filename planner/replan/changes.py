"""The changes file of `lowalt replan`: what happened or became known by --at (closures, wind, outages, failures,
urgent and cancelled targets), read and checked against the scenario; every problem names file, entry and field.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from airspace.errors import InputError, InputErrors, LowaltError
from airspace.geometry import Geometry
from airspace.rules import is_keep_out
from airspace.windows import clock_from_seconds, clock_text, seconds_from_clock
from airspace.zones import Zone
from missions.errors import Problem
from missions.models import Scenario, Target, Weather, ZoneFileRef
from missions.validation import error, problems_from_validation_error, warning

FROZEN = ConfigDict(frozen=True, extra="forbid")


def clock(seconds: float) -> str:
    """'11:00', or '11:00:30' when the seconds matter."""
    text = clock_from_seconds(seconds)
    return text[:5] if text.endswith(":00") else text


class OutOfService(BaseModel):
    """A hangar (it launches nothing) or one drone taken out of service from a time."""

    model_config = FROZEN
    hangar: str | None = None  # a hangar id: the whole hangar
    drone: str | None = None  # a drone id, e.g. H01-2: that drone only
    start: str | None = None  # clock time; default: --at
    end: str = "24:00"  # clock time it is back; default: the rest of the day
    reason: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: object) -> str | None:
        return None if value is None else clock_text(value)

    @model_validator(mode="after")
    def _one_of(self) -> "OutOfService":
        if (self.hangar is None) == (self.drone is None):
            raise ValueError("name either `hangar` (the whole hangar) or `drone` (one drone), not both or neither")
        return self


class DroneFailure(BaseModel):
    """A drone that failed at a time: a sortie it was flying ends there with a forced landing, and the drone is
    lost for the rest of the day."""

    model_config = FROZEN
    drone: str  # a drone id, e.g. H03-1
    at: str  # clock time of the failure, at or before --at
    reason: str | None = None

    @field_validator("at", mode="before")
    @classmethod
    def _clock(cls, value: object) -> str:
        return clock_text(value)


class UrgentTarget(Target):
    """A target reported during the day: inspected between --at and its deadline, before any other work."""

    priority: int = Field(5, ge=1, le=5)
    deadline: str  # clock time by which the inspection must be over

    @field_validator("deadline", mode="before")
    @classmethod
    def _clock(cls, value: object) -> str:
        return clock_text(value)

    @model_validator(mode="after")
    def _no_window(self) -> "UrgentTarget":
        if self.window is not None:
            raise ValueError("an urgent target runs from --at to its `deadline`; give `deadline`, not `window`")
        return self


class Changes(BaseModel):
    """Everything that changed, as known at --at. Times are clock times of the scenario's day."""

    model_config = FROZEN
    description: str | None = None  # free text, e.g. "11:00 situation report"
    coordinates: Literal["wgs84", "gcj02"] = "wgs84"  # gcj02: positions below are converted once, on load
    closures: list[Zone | ZoneFileRef] = Field(default_factory=list)  # new zones, the scenario's fields
    cancelled_closures: list[str] = Field(default_factory=list)  # zone ids lifted from --at
    wind: Weather | None = None  # the wind from --at on (the scenario's weather fields)
    out_of_service: list[OutOfService] = Field(default_factory=list)
    failures: list[DroneFailure] = Field(default_factory=list)
    urgent_targets: list[UrgentTarget] = Field(default_factory=list)
    cancelled_targets: list[str] = Field(default_factory=list)  # target ids: nothing more of them is flown

    def zones(self) -> list[Zone]:
        """The new closures (after load_changes, every one is inline)."""
        return [zone for zone in self.closures if isinstance(zone, Zone)]


NO_CHANGES = Changes()


class ChangesError(LowaltError, ValueError):
    """A changes file failed its checks; `problems` lists every error (and the warnings found with them)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "changes are invalid")


# ------------------------------------------------------------------------------------ reading
def load_changes(path: str | Path, scenario: Scenario, at_s: int) -> tuple[Changes, list[Problem]]:
    """Read, resolve (zone files, GCJ-02) and check a changes file against the scenario and --at: the changes and
    their warnings; raises ChangesError listing every error."""
    from missions.loader import DocumentError, read_document

    path = Path(path)
    label = str(path)
    try:
        raw = read_document(path, label)
    except DocumentError as exc:
        raise ChangesError([exc.problem]) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ChangesError([error(label, None, None, f"a changes file is a mapping of fields (closures, wind, "
                                                     f"failures, ...); this document is {type(raw).__name__}")])
    try:
        changes = Changes.model_validate(raw)
    except ValidationError as exc:
        problems = problems_from_validation_error(exc, raw, label)
        raise ChangesError([p.model_copy(update={"message": p.message.replace("the scenario contract",
                                                                              "the changes file")})
                            for p in problems]) from None
    changes, problems = _resolved(changes, path, scenario)
    problems += check_changes(changes, scenario, at_s, label)
    if any(p.severity == "error" for p in problems):
        raise ChangesError(problems)
    return changes, problems


def _resolved(changes: Changes, path: Path, scenario: Scenario) -> tuple[Changes, list[Problem]]:
    """Zone files read (relative to the changes file) and GCJ-02 positions converted to WGS84."""
    from airspace.readers import load_zones
    from missions.loader import resolve_reference

    label = str(path)
    problems: list[Problem] = []
    zones: list[Zone] = []
    for index, entry in enumerate(changes.closures):
        if isinstance(entry, Zone):
            zones.append(entry)
            continue
        feature = f"closures[{index}] ({entry.file})"
        try:
            found = load_zones(resolve_reference(path.parent, entry.file), format=entry.format,
                               default_restriction=entry.restriction, date=scenario.date, timezone=scenario.timezone,
                               id_property=entry.id_property, name_property=entry.name_property, layer=entry.layer,
                               where=entry.where, encoding=entry.encoding)
        except ValueError as exc:  # InputError is a ValueError too
            for one in (exc.errors if isinstance(exc, InputErrors) else [exc]):
                if isinstance(one, InputError):
                    where = f"{feature} -> {one.feature}" if one.feature else feature
                    problems.append(error(one.file or label, where, one.field or "file", one.message))
                else:
                    problems.append(error(label, feature, "file", str(one)))
            continue
        except OSError as exc:
            problems.append(error(label, feature, "file", f"cannot read {entry.file}: {exc.strerror or exc}"))
            continue
        zones.extend(found)
    targets = list(changes.urgent_targets)
    if changes.coordinates == "gcj02":
        from airspace.chinese_coords import gcj02_to_wgs84, transform_coordinates

        def wgs84(geometry: Geometry) -> Geometry:
            return Geometry(type=geometry.type, coordinates=transform_coordinates(geometry.coordinates, gcj02_to_wgs84))

        zones = [z.model_copy(update={"geometry": wgs84(z.geometry)}) for z in zones]
        targets = [t.model_copy(update={"geometry": wgs84(t.geometry)}) for t in targets]
    resolved = changes.model_copy(update={"closures": zones, "urgent_targets": targets, "coordinates": "wgs84"})
    return resolved, problems


# ------------------------------------------------------------------------------------ checks
def check_changes(changes: Changes, scenario: Scenario, at_s: int, label: str = "changes") -> list[Problem]:
    """Every error and warning of `changes` against the scenario and the replan time (clock seconds)."""
    from missions.daylight import operating_window_of

    problems: list[Problem] = []
    window = operating_window_of(scenario)
    at = clock(at_s)
    if at_s >= window.end_s:
        problems.append(error(label, None, None, f"--at {at} is at or after the end of the operating window "
                                                 f"({clock(window.end_s)}): nothing is left to plan"))
    late = [u for u in scenario.weather_updates if u.at_s > at_s]
    if late:
        problems.append(error(label, None, None, f"the scenario's wind already changes at {late[0].at}, after --at "
                                                 f"{at}: replan from {late[0].at} or later"))
    problems += _closure_problems(changes, scenario, at_s, label)
    problems += _fleet_problems(changes, scenario, at_s, label)
    problems += _target_problems(changes, scenario, at_s, label)
    if changes.wind is not None:
        for model in scenario.drone_models:
            if changes.wind.wind_speed_ms > model.max_wind_ms:
                problems.append(warning(label, "wind", "wind_speed_ms",
                                        f"{changes.wind.wind_speed_ms:g} m/s is above {model.id}'s "
                                        f"{model.max_wind_ms:g} m/s launch limit: its drones launch nothing from "
                                        f"{at} and those in the air turn home"))
    return problems


def _closure_problems(changes: Changes, scenario: Scenario, at_s: int, label: str) -> list[Problem]:
    problems: list[Problem] = []
    at = clock(at_s)
    known = {z.id for z in scenario.zones()}
    seen: set[str] = set()
    for index, zone in enumerate(changes.zones()):
        feature = f"closures[{index}] ({zone.id})"
        if zone.id in known:
            problems.append(error(label, feature, "id", f"zone {zone.id} is already in the scenario; to change it, "
                                                        f"cancel it (cancelled_closures) and add one with a new id"))
        elif zone.id in seen:
            problems.append(error(label, feature, "id", f"duplicate closure id {zone.id!r}"))
        seen.add(zone.id)
        for k, active in enumerate(zone.active or ()):
            if active.end_s <= at_s:
                problems.append(warning(label, feature, f"active[{k}]", f"{active.start}-{active.end} is over by "
                                                                        f"--at {at}: ignored"))
            elif active.start_s < at_s:
                problems.append(warning(label, feature, f"active[{k}].start",
                                        f"{active.start} is before --at {at}: applied from {at} (what flew before "
                                        f"--at is flown)"))
        if not is_keep_out(zone, scenario.airspace.authorised):
            problems.append(warning(label, feature, "restriction",
                                    f"a {zone.restriction.value} zone is drawn, not avoided: it changes no flight"))
    for index, zone_id in enumerate(changes.cancelled_closures):
        feature = f"cancelled_closures[{index}] ({zone_id})"
        zone = next((z for z in scenario.zones() if z.id == zone_id), None)
        if zone is None:
            problems.append(error(label, feature, None, f"no zone {zone_id!r} in the scenario"))
        elif zone.active is not None and all(w.end_s <= at_s for w in zone.active):
            problems.append(warning(label, feature, None, f"zone {zone_id} is not active after --at {at}: "
                                                          f"cancelling it changes nothing"))
    return problems


def _fleet_problems(changes: Changes, scenario: Scenario, at_s: int, label: str) -> list[Problem]:
    problems: list[Problem] = []
    at = clock(at_s)
    hangars = {h.id: h for h in scenario.hangars}
    drones = {d: h for h in scenario.hangars for d in h.drone_ids()}
    for index, entry in enumerate(changes.out_of_service):
        name = entry.hangar or entry.drone
        feature = f"out_of_service[{index}] ({name})"
        if entry.hangar is not None and entry.hangar not in hangars:
            problems.append(error(label, feature, "hangar", f"no hangar {entry.hangar!r} in the scenario"))
        if entry.drone is not None and entry.drone not in drones:
            problems.append(error(label, feature, "drone", f"no drone {entry.drone!r} in the scenario (drone ids are "
                                                           f"<hangar>-<n>, e.g. {next(iter(drones), 'H01-1')})"))
        start_s = at_s if entry.start is None else seconds_from_clock(entry.start)
        if seconds_from_clock(entry.end) <= max(start_s, at_s):
            problems.append(error(label, feature, "end", f"{entry.end} is not after --at {at} and the start"))
        elif start_s < at_s:
            problems.append(warning(label, feature, "start", f"{entry.start} is before --at {at}: applied from {at} "
                                                             f"(what flew before --at is flown)"))
    seen: set[str] = set()
    for index, failure in enumerate(changes.failures):
        feature = f"failures[{index}] ({failure.drone})"
        if failure.drone not in drones:
            problems.append(error(label, feature, "drone", f"no drone {failure.drone!r} in the scenario"))
        if failure.drone in seen:
            problems.append(error(label, feature, "drone", f"{failure.drone} fails twice"))
        seen.add(failure.drone)
        if seconds_from_clock(failure.at) > at_s:
            problems.append(error(label, feature, "at", f"{failure.at} is after --at {at}: a replan knows only what "
                                                        f"has happened; replan at or after the failure"))
    return problems


def _target_problems(changes: Changes, scenario: Scenario, at_s: int, label: str) -> list[Problem]:
    problems: list[Problem] = []
    at = clock(at_s)
    known = {t.id for t in scenario.resolved_targets()}
    seen: set[str] = set()
    for index, target in enumerate(changes.urgent_targets):
        feature = f"urgent_targets[{index}] ({target.id})"
        if target.id in known or target.id in seen:
            problems.append(error(label, feature, "id", f"target id {target.id!r} is already used"))
        seen.add(target.id)
        if seconds_from_clock(target.deadline) <= at_s:
            problems.append(error(label, feature, "deadline", f"{target.deadline} is not after --at {at}"))
    for index, target_id in enumerate(changes.cancelled_targets):
        if target_id not in known:
            problems.append(error(label, f"cancelled_targets[{index}] ({target_id})", None,
                                  f"no target {target_id!r} in the scenario"))
    return problems
