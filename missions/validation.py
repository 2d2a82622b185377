"""Scenario problems: pydantic errors translated to file/feature/field, and the semantic checks.

Errors stop planning; warnings (a hangar inside a zone, a target out of reach) are reported and planned around.
"""
from __future__ import annotations

import logging
import math
import re
import sys
from typing import Any, Iterable, Sequence

import shapely
from pydantic import ValidationError

from airspace.projection import Projector
from airspace.rules import band_meets, is_keep_out
from airspace.windows import clock_from_seconds
from airspace.zones import Restriction, Zone
from missions.daylight import operating_window_of
from missions.errors import Problem
from missions.models import Scenario, Target

logger = logging.getLogger(__name__)

SWAP_HINT = "looks like [lat, lon]; GeoJSON is [lon, lat]"
# Union members pydantic names in error locations; the raw item tells which one was meant.
_UNION_TAGS = {"Zone", "ZoneFileRef", "Target", "TargetFileRef"}
# A point this far from every hangar, that lands near one when swapped, is a swapped point.
_SWAP_FAR_FACTOR = 20.0


def error(file: str, feature: str | None, field: str | None, message: str) -> Problem:
    return Problem(severity="error", file=file, feature=feature, field=field, message=message)


def warning(file: str, feature: str | None, field: str | None, message: str) -> Problem:
    return Problem(severity="warning", file=file, feature=feature, field=field, message=message)


# ------------------------------------------------------------------------------------ pydantic errors
_FUNCTION_TAG = re.compile(r"^function-\w+\[.*, (\w+)\]$")


def _union_tag(part: Any) -> str | None:
    """The model name when a loc part is a union member tag ('Zone', 'function-after[_check(), Target]')."""
    if not isinstance(part, str):
        return None
    match = _FUNCTION_TAG.match(part)
    name = match.group(1) if match else part
    return name if name in _UNION_TAGS else None


def _item_label(section: str, index: int, item: Any) -> str:
    label = f"{section}[{index}]"
    if isinstance(item, dict):
        ident = item.get("id", item.get("code", item.get("file")))
        if isinstance(ident, (str, int, float)) and not isinstance(ident, bool):
            label += f" ({ident})"
    return label


def _walk(raw: Any, key: Any) -> Any:
    if isinstance(raw, dict):
        return raw.get(key)
    if isinstance(raw, list) and isinstance(key, int) and 0 <= key < len(raw):
        return raw[key]
    return None


def split_location(loc: Sequence[Any], raw: Any) -> tuple[str | None, list[str], Any]:
    """Pydantic `loc` -> (feature label, remaining field path, the raw item the feature names).

    The feature is the innermost list item of the scenario's own lists (hangars[2] (H03),
    airspace.zones[1] (TFR-1)); what follows it is the field. Union member tags are dropped.
    """
    path: list[str] = []
    feature: str | None = None
    feature_item: Any = None
    rest: list[str] = []
    node = raw
    for part in loc:
        if _union_tag(part):
            continue
        if isinstance(part, int) and feature is None and path:
            node = _walk(node, part)
            feature = _item_label(".".join(path), part, node)
            feature_item = node
            continue
        if feature is None:
            path.append(str(part))
            node = _walk(node, part)
        else:
            rest.append(f"[{part}]" if isinstance(part, int) else str(part))
    if feature is None:
        return None, path, raw
    return feature, rest, feature_item


def _join_field(parts: list[str]) -> str | None:
    text = ""
    for part in parts:
        text += part if part.startswith("[") or not text else "." + part
    return text or None


def _wanted_branch(loc: Sequence[Any], raw: Any) -> bool:
    """For `Zone | ZoneFileRef` unions keep only the branch the raw item was written as."""
    node = raw
    for part in loc:
        tag = _union_tag(part)
        if tag:
            is_ref = isinstance(node, dict) and "file" in node
            return tag.endswith("FileRef") == is_ref
        node = _walk(node, part)
    return True


def _message(err: dict) -> str:
    msg = str(err.get("msg", ""))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    kind = err.get("type")
    if kind == "extra_forbidden":
        return f"unknown field {err['loc'][-1]!r} (not part of the scenario contract; check its spelling)"
    if kind == "missing":
        return f"required field {err['loc'][-1]!r} is missing"
    if "input" in err and kind not in ("missing", "value_error") and not isinstance(err["input"], (dict, list)):
        msg += f" (got {err['input']!r})"
    return msg


def problems_from_validation_error(exc: ValidationError, raw: Any, file: str) -> list[Problem]:
    """Every pydantic error of a scenario document as a Problem naming feature and field."""
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        if not _wanted_branch(loc, raw):
            continue
        feature, rest, item = split_location(loc, raw)
        message = _message(err)
        field_path = _join_field(rest)
        field_path, message = _refine(field_path, message, item, rest)
        if feature is None and not rest and loc:
            # A top-level field: no feature, the field is its name.
            field_path = ".".join(str(p) for p in loc if not _union_tag(p))
        key = (feature, field_path, message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(error(file, feature, field_path, message))
    return problems


def _refine(field_path: str | None, message: str, item: Any, rest: list[str]) -> tuple[str | None, str]:
    """Point model-level errors at the field they are about, and say when lat/lon look swapped."""
    if "window ends" in message:
        field_path = (field_path + ".end") if field_path else "window.end"
    elif message.startswith("upper_m ("):
        field_path = _join_field(rest + ["upper_m"])
    elif message.startswith("zone geometry must be") or "target needs" in message:
        field_path = _join_field(rest + ["geometry"]) if not field_path else field_path
    elif "is out of range" in message and field_path and field_path.startswith("geometry"):
        swapped = _swapped_position(item)
        if swapped is not None:
            message = f"position {swapped} {SWAP_HINT}"
    elif field_path in ("lon", "lat") and isinstance(item, dict):
        lon, lat = item.get("lon"), item.get("lat")
        if _is_number(lon) and _is_number(lat) and (abs(lat) > 90 or abs(lon) > 180) \
                and abs(lon) <= 90 and abs(lat) <= 180:
            message = f"lon {lon}, lat {lat} {SWAP_HINT} (swap lon and lat)"
    return field_path, message


_FLOAT_MAX = sys.float_info.max


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _positions(coords: Any) -> Iterable[list]:
    if isinstance(coords, list) and coords and all(_is_number(c) for c in coords):
        yield coords
    elif isinstance(coords, list):
        for part in coords:
            yield from _positions(part)


def _swapped_position(item: Any) -> list | None:
    """The first out-of-range position of the item's geometry that would be in range with lon/lat swapped."""
    geometry = item.get("geometry") if isinstance(item, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    for pos in _positions(coords):
        if len(pos) >= 2 and (abs(pos[1]) > 90 or abs(pos[0]) > 180):
            if abs(pos[0]) <= 90 and abs(pos[1]) <= 180:
                return pos
            return None
    return None


# ------------------------------------------------------------------------------------ raw checks
_SCALARS = (str, int, float, bool)

def reference_problems(raw: dict, file: str) -> list[Problem]:
    """Duplicate ids and unknown drone models, found on the raw document so all are listed at once."""
    problems: list[Problem] = []
    models = raw.get("drone_models") if isinstance(raw.get("drone_models"), list) else []
    # Only scalar ids can name a model; a list or mapping written as an id is reported by the model check.
    model_ids = {m.get("id") for m in models if isinstance(m, dict) and isinstance(m.get("id"), _SCALARS)}
    hangars = raw.get("hangars") if isinstance(raw.get("hangars"), list) else []
    for index, hangar in enumerate(hangars):
        if isinstance(hangar, dict) and isinstance(hangar.get("drone_model"), _SCALARS) \
                and hangar["drone_model"] not in model_ids:
            known = ", ".join(sorted(str(m) for m in model_ids if m is not None)) or "none"
            problems.append(error(file, _item_label("hangars", index, hangar), "drone_model",
                                  f"unknown drone model {hangar['drone_model']!r} (known: {known})"))
    airspace = raw.get("airspace") if isinstance(raw.get("airspace"), dict) else {}
    for section, items in (("drone_models", models), ("hangars", hangars),
                           ("airspace.zones", airspace.get("zones")), ("targets", raw.get("targets"))):
        problems += duplicate_id_problems(section, items if isinstance(items, list) else [], file)
    return problems


def timezone_problems(raw: dict, file: str) -> list[Problem]:
    """An unknown IANA name; checked on the raw document because a tz database folder name ("Asia") makes
    ZoneInfo raise OSError, which the model's own check does not turn into a validation error."""
    from zoneinfo import ZoneInfo

    name = raw.get("timezone")
    if not isinstance(name, str):
        return []
    try:
        ZoneInfo(name)
    except Exception:  # ZoneInfoNotFoundError, ValueError (bad key or file), OSError (a folder)
        return [error(file, None, "timezone", f"unknown IANA time zone {name!r}")]
    return []


def oversized_number_problems(raw: Any, file: str) -> list[Problem]:
    """Integers beyond the float range (YAML and JSON integers are unbounded) where a number is expected."""
    problems: list[Problem] = []

    def walk(node: Any, loc: tuple) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, loc + (key,))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, loc + (index,))
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > _FLOAT_MAX:
            feature, rest, _ = split_location(loc, raw)
            problems.append(error(file, feature, _join_field(rest) if feature else ".".join(map(str, loc)) or None,
                                  f"number with {len(str(abs(node)))} digits is beyond the float range"))

    walk(raw, ())
    return problems


def duplicate_id_problems(section: str, items: Sequence[Any], file: str) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[Any, int] = {}
    for index, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
        if ident is None or (isinstance(item, dict) and "file" in item):
            continue
        if not isinstance(ident, _SCALARS):  # a list or mapping as id: the model check names it
            continue
        if ident in first:
            problems.append(error(file, _item_label(section, index, {"id": ident}), "id",
                                  f"duplicate id {ident!r} (first used by {section}[{first[ident]}])"))
        else:
            first[ident] = index
    return problems


# ------------------------------------------------------------------------------------ semantic checks
def _airspeed_problems(scenario: Scenario, file: str) -> list[Problem]:
    """A route speed above the airspeed limit cannot be held even in still air: say so, the plan slows those legs."""
    problems = []
    for index, model in enumerate(scenario.drone_models):
        limit = model.airspeed_limit_ms
        for name in ("cruise_speed_ms", "inspection_speed_ms"):
            speed = getattr(model, name)
            if speed > limit:
                problems.append(warning(file, f"drone_models[{index}] ({model.id})", name,
                                        f"{speed:g} m/s over the ground is above the {limit:g} m/s airspeed limit "
                                        f"(max_airspeed_ms): even in still air those legs are flown at {limit:g} m/s"))
    return problems


def semantic_problems(scenario: Scenario, file: str, labels: dict[str, str] | None = None) -> list[Problem]:
    """Checks on a resolved, valid scenario: reach, zones around hangars and targets, windows, cameras.

    `labels` maps a target or zone id to the feature label it had in the files (for messages).
    """
    labels = labels or {}
    problems: list[Problem] = []
    zones = scenario.zones()
    targets = scenario.resolved_targets()
    hangars = scenario.hangars
    shapes = [shapely.Point(h.lon, h.lat) for h in hangars] + [t.geometry.shape for t in targets]
    try:
        projector = Projector.for_geometry(shapely.GeometryCollection(shapes)) if shapes else None
    except ValueError as exc:  # e.g. beyond UTM coverage (|lat| > 84)
        projector = None
        problems.append(warning(file, None, None, f"reach checks skipped: {exc}"))

    def target_label(index: int, target: Target) -> str:
        return labels.get(f"target:{target.id}", f"targets[{index}] ({target.id})")

    def zone_label(zone: Zone) -> str:
        return labels.get(f"zone:{zone.id}", f"zone {zone.id}")

    zone_ids = {z.id for z in zones}
    for index, ident in enumerate(scenario.airspace.authorised):
        if ident not in zone_ids:
            problems.append(warning(file, f"airspace.authorised[{index}]", "authorised",
                                    f"authorised id {ident!r} names no zone"))
    prohibited = [z for z in zones if z.restriction is Restriction.PROHIBITED]
    problems += _grounded_hangar_problems(scenario, file, zone_label)
    problems += _camera_problems(scenario, file, target_label)
    if projector is not None:  # a target beyond UTM coverage has no metric geometry to compare (warned above)
        problems += _retrace_problems(scenario, targets, file, target_label)
    problems += _airspeed_problems(scenario, file)
    if projector is not None and targets:
        problems += _reach_problems(scenario, file, projector, target_label)
    always = [z for z in prohibited if z.active is None]
    if always and targets:
        # STRtree: a city has thousands of targets and hundreds of zones; test only bbox neighbours.
        tree = shapely.STRtree([z.geometry.shape for z in always])
        target_idx, zone_idx = tree.query([t.geometry.shape for t in targets], predicate="intersects")
        for t_i, z_i in sorted(zip(target_idx.tolist(), zone_idx.tolist())):
            target, zone = targets[t_i], always[z_i]
            if not band_meets(zone, 0.0, target.altitude_m):
                continue
            how = "wholly" if zone.geometry.shape.covers(target.geometry.shape) else "partly"
            problems.append(warning(file, target_label(t_i, target), "geometry",
                                    f"target is {how} inside always-active prohibited zone {zone.id}; "
                                    "that part cannot be inspected"))
    problems += _window_problems(scenario, file, target_label)
    return problems


def _retrace_problems(scenario: Scenario, targets: list[Target], file: str, target_label) -> list[Problem]:
    """A line that runs over its own course is required once there (missions.coverage): say so, with the length."""
    from missions.coverage import requirement_of

    problems = []
    for index, target in enumerate(targets):
        if target.geometry.type in ("Point", "MultiPoint"):
            continue
        retraced = requirement_of(target, scenario.drone_models).retraced_m
        if retraced > 0:
            problems.append(warning(file, target_label(index, target), "geometry",
                                    f"the line runs over its own course for {retraced:,.0f} m: that stretch is "
                                    f"inspected once"))
    return problems


def _camera_problems(scenario: Scenario, file: str, target_label) -> list[Problem]:
    corridor = [(i, t) for i, t in enumerate(scenario.resolved_targets()) if t.corridor_width_m]
    if not corridor:
        return []
    problems = []
    for index, hangar in enumerate(scenario.hangars):
        model = scenario.drone_model(hangar.drone_model)
        if hangar.drones > 0 and model.camera is None:
            first = corridor[0][1]
            problems.append(warning(
                file, f"hangars[{index}] ({hangar.id})", "drone_model",
                f"drone model {model.id!r} has no camera, so its drones cannot fly the {len(corridor)} corridor "
                f"target(s) with corridor_width_m (first: {first.id}); add drone_models[].camera"))
    return problems


def _grounded_hangar_problems(scenario: Scenario, file: str, zone_label) -> list[Problem]:
    """A hangar inside a keep-out zone it may not enter (prohibited, or authorisation_required and not authorised)
    whose band reaches below the ceiling launches nothing while the zone is active: say which hours of the day."""
    authorised = set(scenario.airspace.authorised)
    keep_out = [z for z in scenario.zones()
                if is_keep_out(z, authorised) and band_meets(z, 0.0, scenario.airspace.ceiling_m)]
    if not keep_out:
        return []
    try:
        day = operating_window_of(scenario)
    except ValueError:
        day = None  # reported by the window checks
    tree = shapely.STRtree([z.geometry.shape for z in keep_out])
    problems = []
    for index, hangar in enumerate(scenario.hangars):
        if hangar.drones <= 0:
            continue
        for k in sorted(tree.query(shapely.Point(hangar.lon, hangar.lat), predicate="intersects").tolist()):
            zone = keep_out[k]
            kind = "prohibited zone" if zone.restriction is Restriction.PROHIBITED else \
                "authorisation_required zone (not in airspace.authorised)"
            band = "from the ground" if zone.lower_m <= 0 else f"from {zone.lower_m:g} m, below the ceiling"
            hours = _blocked_hours(zone, day)
            if hours is None:
                continue  # the zone is not active during the operating window
            problems.append(warning(file, f"hangars[{index}] ({hangar.id})", "lon/lat",
                                    f"hangar is inside {kind} {zone.id} ({zone_label(zone)}), {band}: its drones "
                                    f"cannot launch {hours}"))
    return problems


def _blocked_hours(zone: Zone, day) -> str | None:
    """When within the operating window the zone is active: text, or None when never."""
    if day is None:
        return "while the zone is active" if zone.active is None else \
            "while it is active (" + ", ".join(f"{w.start}-{w.end}" for w in zone.active) + ")"
    if zone.active is None:
        return f"all day (the zone is always active; operating window {day.start}-{day.end})"
    spans = [(max(w.start_s, day.start_s), min(w.end_s, day.end_s)) for w in zone.active]
    spans = [(a, b) for a, b in spans if b > a]
    if not spans:
        return None
    text = ", ".join(f"{clock_from_seconds(a)[:5]}-{clock_from_seconds(b)[:5]}" for a, b in spans)
    blocked = sum(b - a for a, b in spans)
    return f"{text} ({blocked / 3600:.1f} h of the operating window {day.start}-{day.end}, while the zone is active)"


def _reach_problems(scenario: Scenario, file: str, projector: Projector, target_label) -> list[Problem]:
    problems = []
    reach = []
    for hangar in scenario.hangars:
        if hangar.drones <= 0:
            continue
        centre = projector.to_metric(shapely.Point(hangar.lon, hangar.lat))
        reach.append(centre.buffer(hangar.operating_radius_m, quad_segs=32))
    covered = shapely.union_all(reach) if reach else shapely.Polygon()
    for index, target in enumerate(scenario.resolved_targets()):
        metric = projector.to_metric(target.geometry.shape)
        if target.geometry.type in ("Polygon", "MultiPolygon"):
            metric = metric.boundary  # a shoreline is flown along its boundary
        if covered.covers(metric):
            continue
        if not covered.intersects(metric):
            nearest = min((shapely.distance(projector.to_metric(shapely.Point(h.lon, h.lat)), metric)
                           - h.operating_radius_m, h.id) for h in scenario.hangars if h.drones > 0) \
                if reach else None
            swapped = _swap_target_near_hangars(scenario, target)
            if swapped:
                problems.append(error(file, target_label(index, target), "geometry.coordinates",
                                      f"target is far from every hangar; each position {SWAP_HINT}"))
                continue
            detail = f" (nearest: {nearest[1]}, {nearest[0]:.0f} m beyond its radius)" if nearest else ""
            problems.append(warning(file, target_label(index, target), "geometry",
                                    f"target is wholly out of every hangar's operating radius{detail}; "
                                    "it will be unserved"))
        else:
            outside = metric.difference(covered)
            size = outside.length if outside.length > 0 else 0.0
            problems.append(warning(file, target_label(index, target), "geometry",
                                    f"target is partly out of every hangar's operating radius "
                                    f"({size:.0f} m outside); that part will be unserved"))
    return problems


def _swap_target_near_hangars(scenario: Scenario, target: Target) -> bool:
    """True when the target is far from all hangars but its [lat, lon]-swapped copy lies near one."""
    geom = target.geometry.shape
    swapped = shapely.transform(geom, lambda xy: xy[:, ::-1])
    lon_s, lat_s = swapped.centroid.x, swapped.centroid.y
    if not (-180 <= lon_s <= 180 and -90 <= lat_s <= 90):
        return False
    far = near = True
    for hangar in scenario.hangars:
        d_orig = _haversine_m(hangar.lon, hangar.lat, geom.centroid.x, geom.centroid.y)
        d_swap = _haversine_m(hangar.lon, hangar.lat, lon_s, lat_s)
        far = far and d_orig > _SWAP_FAR_FACTOR * hangar.operating_radius_m
        near = near and d_swap > 2 * hangar.operating_radius_m
    return far and not near


def _haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    # Only to recognise swapped coordinates (orders of magnitude); real distances use the projector.
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def _window_problems(scenario: Scenario, file: str, target_label) -> list[Problem]:
    problems = []
    try:
        day = operating_window_of(scenario)
    except ValueError as exc:
        return [error(file, None, "operating_window", f"{exc}; give operating_window explicitly")]
    for index, target in enumerate(scenario.resolved_targets()):
        if target.window is None:
            continue
        w = target.window
        if w.end_s <= day.start_s or w.start_s >= day.end_s:
            problems.append(warning(file, target_label(index, target), "window",
                                    f"target window {w.start}-{w.end} lies outside the operating window "
                                    f"{day.start}-{day.end}; it will be unserved"))
        elif w.start_s < day.start_s or w.end_s > day.end_s:
            problems.append(warning(file, target_label(index, target), "window",
                                    f"target window {w.start}-{w.end} extends beyond the operating window "
                                    f"{day.start}-{day.end}; only the overlap is used"))
    for index, hangar in enumerate(scenario.hangars):
        w = hangar.window
        if w is not None and (w.end_s <= day.start_s or w.start_s >= day.end_s):
            problems.append(warning(file, f"hangars[{index}] ({hangar.id})", "window",
                                    f"hangar window {w.start}-{w.end} lies outside the operating window "
                                    f"{day.start}-{day.end}; it flies nothing"))
    return problems
