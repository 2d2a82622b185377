"""Load a scenario file (YAML or JSON), resolve its file references and validate it.

`load_scenario` returns a Scenario with every zone and target inline in WGS84, or raises ScenarioError listing
every error; `check_scenario` returns the problems (errors and warnings) instead of raising.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Callable

import yaml
from pydantic import ValidationError

from airspace.errors import InputError, InputErrors
from airspace.readers.files import MAX_FILE_BYTES
from airspace.geometry import Geometry
from airspace.zones import Zone
from missions.errors import Problem, ScenarioError
from missions.intent_models import ExternalVolume
from missions.models import GridCell, GridSpec, Hangar, Scenario, Target
from missions.validation import (
    duplicate_id_problems, error, warning, oversized_number_problems, problems_from_validation_error, reference_problems,
    semantic_problems, timezone_problems,
)

logger = logging.getLogger(__name__)

MAX_DEPTH = 64  # GeoJSON MultiPolygon inside a scenario nests ~10 deep
MAX_NODES = 10_000_000  # guards against YAML alias bombs, which expand when validated
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


class _DocumentError(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


DocumentError = _DocumentError  # what read_document raises: `.problem` names the file and what is wrong


# ------------------------------------------------------------------------------------ reading
def read_document(path: Path, label: str) -> Any:
    """Parse a YAML or JSON file with the safe loader, refusing huge files and absurd nesting."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _DocumentError(error(label, None, None, f"cannot read file: {exc.strerror or exc}")) from None
    if size > MAX_FILE_BYTES:
        raise _DocumentError(error(label, None, None, f"file is {size / 1e6:.1f} MB; the limit is "
                                                      f"{MAX_FILE_BYTES / 1e6:.0f} MB"))
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _DocumentError(error(label, None, None, f"file is not UTF-8 text ({exc.reason} at byte {exc.start})")) from None
    as_json = path.suffix.lower() in (".json", ".geojson") or text.lstrip().startswith("{")
    try:
        data = json.loads(text) if as_json else yaml.safe_load(text)
    except RecursionError:
        raise _DocumentError(error(label, None, None, f"document nests deeper than {MAX_DEPTH} levels")) from None
    except json.JSONDecodeError as exc:
        if path.suffix.lower() not in (".json", ".geojson"):
            try:  # a YAML flow mapping starts with "{" too
                data = yaml.safe_load(text)
            except yaml.YAMLError as yexc:
                raise _DocumentError(error(label, None, None, _yaml_message(yexc))) from None
            except RecursionError:
                raise _DocumentError(error(label, None, None, f"document nests deeper than {MAX_DEPTH} levels")) from None
        else:
            raise _DocumentError(error(label, None, None, f"malformed JSON at line {exc.lineno} column {exc.colno}: "
                                                          f"{exc.msg}")) from None
    except yaml.YAMLError as exc:
        raise _DocumentError(error(label, None, None, _yaml_message(exc))) from None
    _check_shape(data, label)
    return data


def _yaml_message(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.constructor.ConstructorError) and exc.problem and "tag" in exc.problem:
        tag = re.search(r"'(tag:[^']*|![^']*)'", exc.problem)
        name = tag.group(1) if tag else "a tag"
        where = f" at line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        if "python" in (name or ""):
            return (f"YAML tag {name}{where} is not allowed: lowalt reads YAML with the safe loader, "
                    "python/object tags could run code")
        return f"YAML tag {name}{where} is not allowed (safe YAML only)"
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"malformed YAML{where}: {problem}"


def _check_shape(data: Any, label: str) -> None:
    """Refuse absurd nesting and YAML alias bombs (shared nodes that expand hugely when validated)."""
    sizes: dict[int, tuple[int, int]] = {}  # id(container) -> (expanded values, depth); aliases share ids

    def measure(node: Any, depth: int) -> tuple[int, int]:
        if depth > MAX_DEPTH:
            raise _DocumentError(error(label, None, None, f"document nests deeper than {MAX_DEPTH} levels"))
        if not isinstance(node, (dict, list)):
            return 1, 0
        if id(node) in sizes:
            if depth + sizes[id(node)][1] > MAX_DEPTH:
                raise _DocumentError(error(label, None, None, f"document nests deeper than {MAX_DEPTH} levels"))
            return sizes[id(node)]
        children = node.values() if isinstance(node, dict) else node
        total, deepest = 1, 0
        for child in children:
            count, below = measure(child, depth + 1)
            total += count
            deepest = max(deepest, below + 1)
        sizes[id(node)] = (total, deepest)
        return total, deepest

    total, _ = measure(data, 0)
    if total > MAX_NODES:
        raise _DocumentError(error(label, None, None, f"document expands to {total:,} values, more than "
                                                      f"{MAX_NODES:,} (YAML aliases?)"))


def resolve_reference(base: Path, reference: Any) -> Path:
    """A `file:` value -> an existing local path, relative to the scenario's folder. Raises ValueError."""
    if not isinstance(reference, str) or not reference.strip():
        raise ValueError(f"file must be a non-empty path, got {reference!r}")
    text = reference.strip()
    if _SCHEME.match(text) and not _WINDOWS_DRIVE.match(text):
        scheme = text.split(":", 1)[0]
        raise ValueError(f"{text!r} is a {scheme}: reference; only local file paths are read "
                         "(download the file and name its path)")
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = base / path
    if not path.exists():
        raise ValueError(f"referenced file {text!r} not found (looked for {path})")
    if not path.is_file():
        raise ValueError(f"referenced file {text!r} is not a file ({path})")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"referenced file {text!r} is {size / 1e6:.1f} MB; the limit is "
                         f"{MAX_FILE_BYTES / 1e6:.0f} MB")
    return path


# ------------------------------------------------------------------------------------ resolving
class _Resolver:
    """Turns a raw scenario document into inline zones, grid cells and targets, collecting problems."""

    def __init__(self, raw: dict, path: Path, label: str):
        self.raw = raw
        self.base = path.parent
        self.label = label
        self.problems: list[Problem] = []
        self.labels: dict[str, str] = {}

    def fail(self, feature: str | None, field: str | None, message: str, file: str | None = None) -> None:
        self.problems.append(error(file or self.label, feature, field, message))

    def input_error(self, exc: InputError, feature: str, ref_path: Path) -> None:
        for one in exc.errors if isinstance(exc, InputErrors) else [exc]:
            file = one.file or str(ref_path)
            where = f"{feature} -> {one.feature}" if one.feature else feature
            self.problems.append(error(file, where, one.field, one.message))

    def read_warnings(self, warnings: list, feature: str, ref_path: Path) -> None:
        """What a reader noticed (a repaired ring, AMSL limits, a skipped Point) as warnings of the scenario."""
        for one in warnings:
            where = f"{feature} -> {one.feature}" if one.feature else feature
            self.problems.append(warning(one.file or str(ref_path), where, one.field, one.message))

    def read_file(self, feature: str, entry: Any, read: Callable[[Path, list, Any], list]) -> tuple[Path, list] | None:
        """Resolve the file a scenario entry names and read it (`read(path, warnings, entry)`): what the reader
        noticed becomes warnings; a path outside the scenario, an unreadable or invalid file an error (then None)."""
        reference = entry.file
        try:
            path = resolve_reference(self.base, reference)
        except ValueError as exc:
            self.fail(feature, "file", str(exc))
            return None
        notes: list = []
        try:
            items = read(path, notes, entry)
        except InputError as exc:
            self.read_warnings(notes, feature, path)
            self.input_error(exc, feature, path)
            return None
        except OSError as exc:
            self.fail(feature, "file", f"cannot read {reference}: {exc.strerror or exc}", file=str(path))
            return None
        self.read_warnings(notes, feature, path)
        return path, items

    def zones(self, scenario: Scenario, to_wgs84: Callable | None) -> list[Zone]:
        out: list[Zone] = []
        for index, entry in enumerate(scenario.airspace.zones):
            if isinstance(entry, Zone):
                out.append(_convert_zone(entry, to_wgs84) if to_wgs84 else entry)
                self.labels[f"zone:{entry.id}"] = f"airspace.zones[{index}] ({entry.id})"
                continue
            feature = f"airspace.zones[{index}] ({entry.file})"
            from airspace.readers import load_zones  # lazily: only scenarios with zone files need the readers

            read = self.read_file(feature, entry, lambda path, notes, ref: load_zones(
                path, format=ref.format, default_restriction=ref.restriction, date=scenario.date,
                timezone=scenario.timezone, id_property=ref.id_property, name_property=ref.name_property,
                layer=ref.layer, where=ref.where, encoding=ref.encoding, warnings=notes))
            if read is None:
                continue
            path, zones = read
            if not zones:
                self.problems.append(warning(str(path), feature, None, "the file holds no zones"))
            for zone in zones:
                self.labels.setdefault(f"zone:{zone.id}", f"{entry.file}: zone {zone.id}")
                out.append(_convert_zone(zone, to_wgs84) if to_wgs84 else zone)
        return out

    def grid(self, scenario: Scenario, existing: list[Zone]) -> tuple[GridSpec | None, list[Zone]]:
        """Grid cells (file rows + inline) kept inline for the map, and the zones they stand for."""
        spec = scenario.airspace.grid
        if spec is None:
            return None, []
        from airspace.grid import read_grid_csv, zones_from_grid

        cells: list[GridCell] = list(spec.cells or [])
        source = None
        if spec.file is not None:
            try:
                path = resolve_reference(self.base, spec.file)
            except ValueError as exc:
                self.fail(f"airspace.grid ({spec.file})", "file", str(exc))
                return spec, []
            source = str(spec.file)
            try:
                rows = read_grid_csv(path)
            except InputError as exc:
                self.input_error(exc, f"airspace.grid ({spec.file})", path)
                return spec, []
            cells += [GridCell(code=code, status=status, ceiling_m=ceiling) for code, status, ceiling in rows]
        try:
            grid_zones = zones_from_grid(cells, scenario.airspace.ceiling_m, source=source)
        except InputError as exc:
            where = f"airspace.grid ({spec.file})" if spec.file else "airspace.grid.cells"
            self.problems.append(error(self.label, f"{where} -> {exc.feature}" if exc.feature else where,
                                       exc.field, exc.message))
            return spec, []
        # A resolved scenario carries both the cells and their zones: on reload, keep the zones it has.
        known = {zone.id: zone for zone in existing}
        fresh = [zone for zone in grid_zones if not _same_zone(known.get(zone.id), zone)]
        return GridSpec(cells=cells), fresh

    def intents(self, scenario: Scenario, to_wgs84: Callable | None) -> list[ExternalVolume]:
        """Other operators' volumes: inline ones, and the files `airspace.intents` lists (missions.intents_io)."""
        from missions.intents_io import read_intents

        out: list[ExternalVolume] = []
        for index, entry in enumerate(scenario.airspace.intents):
            if isinstance(entry, ExternalVolume):
                geometry = _convert_geometry(entry.geometry, to_wgs84) if to_wgs84 else entry.geometry
                out.append(entry.model_copy(update={"geometry": geometry}))
                continue
            feature = f"airspace.intents[{index}] ({entry.file})"
            read = self.read_file(feature, entry, lambda path, notes, ref: read_intents(
                path, ground_height_w84_m=ref.ground_height_w84_m))
            if read is None:
                continue
            _, volumes = read
            on_day = [v for v in volumes if v.start.astimezone(scenario.tz).date() <= scenario.date
                      <= v.end.astimezone(scenario.tz).date()]
            if not on_day:  # F3548 positions are WGS84 whatever `coordinates` says: no conversion for files
                self.problems.append(warning(self.label, feature, "file",
                                             f"none of its {len(volumes)} volumes is on {scenario.date} "
                                             f"({scenario.timezone}): nothing to deconflict against"))
            out.extend(volumes)
        return out

    def targets(self, scenario: Scenario, to_wgs84: Callable | None) -> list[Target]:
        from missions.target_readers import load_targets

        out: list[Target] = []
        for index, entry in enumerate(scenario.targets):
            if isinstance(entry, Target):
                out.append(_convert_target(entry, to_wgs84) if to_wgs84 else entry)
                self.labels[f"target:{entry.id}"] = f"targets[{index}] ({entry.id})"
                continue
            feature = f"targets[{index}] ({entry.file})"
            read = self.read_file(feature, entry, lambda path, notes, ref: load_targets(
                path, ref, transform=to_wgs84, warnings=notes))
            if read is None:
                continue
            _, targets = read
            for target in targets:
                self.labels.setdefault(f"target:{target.id}", f"{entry.file}: target {target.id}")
            out.extend(targets)
        return out


def _same_zone(old: Zone | None, new: Zone) -> bool:
    if old is None:
        return False
    ignore = {"name", "source"}
    return old.model_dump(exclude=ignore) == new.model_dump(exclude=ignore)


def _convert_geometry(geometry: Geometry, to_wgs84: Callable) -> Geometry:
    from airspace.chinese_coords import transform_coordinates

    return Geometry(type=geometry.type, coordinates=transform_coordinates(geometry.coordinates, to_wgs84))


def _convert_zone(zone: Zone, to_wgs84: Callable) -> Zone:
    return zone.model_copy(update={"geometry": _convert_geometry(zone.geometry, to_wgs84)})


def _convert_target(target: Target, to_wgs84: Callable) -> Target:
    return target.model_copy(update={"geometry": _convert_geometry(target.geometry, to_wgs84)})


def _convert_hangar(hangar: Hangar, to_wgs84: Callable) -> Hangar:
    lon, lat = to_wgs84(hangar.lon, hangar.lat)
    return hangar.model_copy(update={"lon": float(lon), "lat": float(lat)})


# ------------------------------------------------------------------------------------ public API
def check_scenario(path: str | Path) -> tuple[Scenario | None, list[Problem]]:
    """Read, resolve and validate a scenario file: (scenario or None when any error, errors + warnings)."""
    path = Path(path)
    label = str(path)
    try:
        raw = read_document(path, label)
    except _DocumentError as exc:
        return None, [exc.problem]
    if not isinstance(raw, dict):
        kind = "empty" if raw is None else type(raw).__name__
        return None, [error(label, None, None, f"a scenario is a mapping of fields (name, date, hangars, ...); "
                                                 f"this document is {kind}")]
    problems = reference_problems(raw, label)
    oversized = oversized_number_problems(raw, label)
    if oversized:  # converting them to float would raise inside the model's validation
        return None, _dedupe(problems + oversized)
    zone_problems = timezone_problems(raw, label)
    if zone_problems:  # listed here; a placeholder lets the model report every other error at once
        problems += zone_problems
        raw = {**raw, "timezone": "UTC"}
    try:
        written = Scenario.model_validate(raw)
    except ValidationError as exc:
        translated = problems_from_validation_error(exc, raw, label)
        if problems:  # the model's own reference check repeats what reference_problems listed
            translated = [p for p in translated if p.feature is not None or p.field is not None]
        return None, _dedupe(problems + translated)
    if problems:
        return None, problems
    resolver = _Resolver(raw, path, label)
    to_wgs84 = None
    if written.coordinates == "gcj02":
        from airspace.chinese_coords import gcj02_to_wgs84
        to_wgs84 = gcj02_to_wgs84
    try:
        zones = resolver.zones(written, to_wgs84)
        grid, grid_zones = resolver.grid(written, zones)
        targets = resolver.targets(written, to_wgs84)
        intents = resolver.intents(written, to_wgs84)
        hangars = [_convert_hangar(h, to_wgs84) for h in written.hangars] if to_wgs84 else list(written.hangars)
    except ValueError as exc:  # geometry that conversion broke, or a reader's unexpected complaint
        resolver.fail(None, None, str(exc))
    problems = resolver.problems
    if any(p.severity == "error" for p in problems):
        return None, problems
    zones = zones + grid_zones
    duplicates = duplicate_id_problems("airspace.zones", zones, label) + duplicate_id_problems("targets", targets,
                                                                                             label)
    if duplicates:
        return None, problems + duplicates
    airspace = written.airspace.model_copy(update={"zones": zones, "grid": grid, "intents": intents})
    try:
        scenario = Scenario.model_validate({
            **{name: getattr(written, name) for name in Scenario.model_fields},
            "coordinates": "wgs84", "hangars": hangars, "airspace": airspace, "targets": targets,
        })
    except ValidationError as exc:
        return None, problems_from_validation_error(exc, raw, label)
    problems += semantic_problems(scenario, label, resolver.labels)
    if any(p.severity == "error" for p in problems):
        return None, problems
    logger.info("%s: %d hangars, %d zones, %d targets, %d warnings", label, len(scenario.hangars),
                len(scenario.zones()), len(scenario.resolved_targets()), len(problems))
    return scenario, problems


def load_scenario(path: str | Path) -> Scenario:
    """The resolved, validated Scenario of a file; raises ScenarioError listing every error."""
    scenario, problems = check_scenario(path)
    if scenario is None:
        raise ScenarioError(problems)
    for problem in problems:
        logger.warning("%s", problem)
    return scenario


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple] = set()
    out = []
    for p in problems:
        key = (p.severity, p.file, p.feature, p.field, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
