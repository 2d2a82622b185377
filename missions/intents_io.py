"""Operational intents as a GeoJSON file other systems can read, and other operators' intents read back.

One Feature per 4D volume, following ASTM F3548-21 Volume4D (InterUSS utm.yaml, astm-utm/Protocol):
geometry = Volume3D.outline_polygon as a GeoJSON Polygon (lon, lat; the ring closed, as GeoJSON wants), and
properties `altitude_lower` / `altitude_upper` = Altitude {value, reference, units} and `time_start` /
`time_end` = Time {value, format: "RFC3339"} with UTC "Z" times as F3548 requires. F3548 knows only the
reference "W84" (ellipsoid heights); lowalt's heights are above ground, so it writes "SFC", the AIXM/FIXM code
F3548's own schema names as equivalent to AGL. Files written by others may use "SFC", "AGL" or "W84" (the
latter converted with the ground's ellipsoidal height given in the scenario). Units: "M" only, as in F3548.
Also per feature: `intent_id` (one operational intent has several volumes), optional `operator`, and from
lowalt `kind: "intent_volume"`, `sortie_id`, `drone_id`, `sequence`.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pydantic import ValidationError

from airspace.errors import InputError
from airspace.geometry import Geometry
from airspace.projection import Projector
from missions.intent_models import ExternalVolume
from missions.intents import intent_of, volume_paths
from missions.models import MissionPlan

logger = logging.getLogger(__name__)

FORMAT = "lowalt-intents/1"
FOLLOWS = "ASTM F3548-21 Volume4D: outline_polygon, altitude_lower/upper {value, reference, units}, time_start/end"
REFERENCES = ("SFC", "AGL", "W84")
INTENTS_FILENAME = "intents.geojson"
_COORD_DIGITS = 7  # 1 cm: finer than any buffer, coarse enough to keep a city day's file small
_QUAD_SEGS = 2  # round caps as 8-gons: a city day's file stays well under the readers' 50 MB limit
_SIMPLIFY_M = 0.5


def _utc(moment: dt.datetime, tz) -> str:
    aware = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment
    return aware.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def outlines(paths: np.ndarray, buffers: np.ndarray, projector: Projector) -> np.ndarray:
    """Footprint polygons in WGS84 of many volumes at once: each metric path widened by its buffer, lightly
    simplified, rounded to 1e-7 degrees (where rounding would fold a sliver, kept unrounded). Widened a little
    more first, by what the polygonal caps and the simplification cut off, so an outline holds its footprint."""
    if not len(paths):
        return np.array([], dtype=object)

    def to_lonlat(coords: np.ndarray) -> np.ndarray:
        lon, lat = projector.inverse(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    chord = buffers * (1 - np.cos(np.pi / (4 * _QUAD_SEGS)))  # a cap's chord lies this far inside its arc
    margin = chord / np.cos(np.pi / (4 * _QUAD_SEGS)) + _SIMPLIFY_M + 0.02  # + 1 cm rounding each way
    metric = shapely.simplify(shapely.buffer(paths, buffers + margin, quad_segs=_QUAD_SEGS), _SIMPLIFY_M)
    exact = shapely.transform(metric, to_lonlat)
    rounded = shapely.transform(exact, lambda coords: np.round(coords, _COORD_DIGITS))
    good = shapely.is_valid(rounded) & np.isin(shapely.get_type_id(rounded), (3, 6))
    return np.where(good, rounded, exact)


def intents_to_geojson(plan: MissionPlan, projector: Projector) -> dict:
    """The plan's operational intents (stored, or drawn with the plan's options) as a FeatureCollection."""
    from missions.intent_models import DeconflictionOptions

    options = plan.deconfliction or DeconflictionOptions()
    tz = _zone(plan.timezone)
    features = []
    for sortie in plan.sorties:
        volumes = intent_of(sortie, options.intent)
        shapes = outlines(volume_paths(sortie, volumes, projector), np.array([v.buffer_m for v in volumes]),
                          projector)
        for sequence, (volume, shape) in enumerate(zip(volumes, shapes)):
            features.append({
                "type": "Feature",
                "geometry": _geojson(shape),
                "properties": {
                    "kind": "intent_volume",
                    "intent_id": sortie.sortie_id,
                    "operator": plan.scenario,
                    "sortie_id": sortie.sortie_id,
                    "drone_id": sortie.drone_id,
                    "sequence": sequence,
                    "altitude_lower": {"value": volume.altitude_lower_m, "reference": "SFC", "units": "M"},
                    "altitude_upper": {"value": volume.altitude_upper_m, "reference": "SFC", "units": "M"},
                    "time_start": {"value": _utc(volume.time_start, tz), "format": "RFC3339"},
                    "time_end": {"value": _utc(volume.time_end, tz), "format": "RFC3339"},
                },
            })
    return {
        "type": "FeatureCollection",
        "intents": {
            "format": FORMAT, "follows": FOLLOWS, "scenario": plan.scenario, "date": plan.date.isoformat(),
            "timezone": plan.timezone, "intent_options": options.intent.model_dump(),
            "separation": options.separation.model_dump(),
        },
        "features": features,
    }


def _geojson(shape: shapely.Geometry) -> dict:
    """A Polygon/MultiPolygon as a GeoJSON dict, from its coordinate arrays (shapely's mapping is slower)."""
    polygons = shape.geoms if shape.geom_type == "MultiPolygon" else [shape]
    rings = [[np.asarray(p.exterior.coords).tolist()] + [np.asarray(h.coords).tolist() for h in p.interiors]
             for p in polygons]
    if shape.geom_type == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": rings}
    return {"type": "Polygon", "coordinates": rings[0]}


def write_intents(plan: MissionPlan, projector: Projector, path: str | Path) -> Path:
    """Write intents_to_geojson(plan) to `path` (compact JSON: a city day holds ~20,000 volumes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = intents_to_geojson(plan, projector)
    path.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    logger.info("intents of %s: %d volumes written to %s", plan.scenario, len(data["features"]), path)
    return path


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


# ------------------------------------------------------------------------------------------------ reading
def read_intents(path: str | Path, *, ground_height_w84_m: float | None = None) -> list[ExternalVolume]:
    """Other operators' volumes from an intents GeoJSON; errors name the file, the feature and the field."""
    path = Path(path)
    file = str(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=file) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", file=file) from None
    except RecursionError:
        raise InputError("JSON nests too deeply", file=file) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError("an intents file is a GeoJSON FeatureCollection", file=file, field="type")
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError("`features` must be a list of Feature objects", file=file, field="features")
    return [_volume(feature, index, file, ground_height_w84_m) for index, feature in enumerate(features)]


def _volume(feature: Any, index: int, file: str, ground_w84: float | None) -> ExternalVolume:
    label = f"features[{index}]"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InputError("each entry of `features` must be a GeoJSON Feature", file=file, feature=label, field="type")
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise InputError("a volume needs its properties (intent_id, altitude_lower, ...)", file=file, feature=label,
                         field="properties")
    raw_id = props.get("intent_id", feature.get("id"))
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or str(raw_id).strip() == "":
        raise InputError("every volume names the operational intent it belongs to", file=file, feature=label,
                         field="properties.intent_id")
    intent_id = str(raw_id)
    label = f"{label} ({intent_id})"
    operator = props.get("operator")
    if operator is not None and not isinstance(operator, str):
        raise InputError(f"operator must be text, got {type(operator).__name__}", file=file, feature=label,
                         field="properties.operator")
    try:
        geometry = Geometry.model_validate(feature.get("geometry"))
    except (ValidationError, OverflowError, TypeError) as exc:
        raise InputError(_first_error(exc), file=file, feature=label, field="geometry") from None
    if geometry.type not in ("Polygon", "MultiPolygon"):
        raise InputError(f"an intent volume's outline is a Polygon or MultiPolygon, not {geometry.type}",
                         file=file, feature=label, field="geometry.type")
    lower = _altitude(props, "altitude_lower", file, label, ground_w84)
    upper = _altitude(props, "altitude_upper", file, label, ground_w84)
    if upper <= lower:
        raise InputError(f"altitude_upper {upper:g} m must be above altitude_lower {lower:g} m", file=file,
                         feature=label, field="properties.altitude_upper.value")
    start = _time(props, "time_start", file, label)
    end = _time(props, "time_end", file, label)
    if end <= start:
        raise InputError(f"time_end {end.isoformat()} must be after time_start {start.isoformat()}", file=file,
                         feature=label, field="properties.time_end.value")
    return ExternalVolume(intent_id=intent_id, operator=operator, geometry=geometry, lower_m=lower, upper_m=upper,
                          start=start, end=end, source=f"{Path(file).name}: {label}")


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return str(err.get("msg", "invalid geometry")).removeprefix("Value error, ")
    return f"invalid geometry: {exc}"


def _altitude(props: dict, name: str, file: str, label: str, ground_w84: float | None) -> float:
    value = props.get(name)
    if not isinstance(value, dict):
        raise InputError(f"{name} must be an Altitude object {{value, reference, units}} (ASTM F3548)", file=file,
                         feature=label, field=f"properties.{name}")
    number = value.get("value")
    if isinstance(number, bool) or not isinstance(number, (int, float)) or not _finite(number):
        raise InputError(f"{name}.value must be a finite number of metres, got {number!r}", file=file,
                         feature=label, field=f"properties.{name}.value")
    units = value.get("units", "M")
    if units != "M":
        raise InputError(f"units {units!r} are not supported: ASTM F3548 altitudes are in metres (\"M\")",
                         file=file, feature=label, field=f"properties.{name}.units")
    reference = value.get("reference")
    if reference not in REFERENCES:
        raise InputError(f"reference {reference!r} is not one of {', '.join(REFERENCES)}", file=file, feature=label,
                         field=f"properties.{name}.reference")
    if reference == "W84":
        if ground_w84 is None:
            raise InputError("reference W84 gives heights above the WGS84 ellipsoid; set ground_height_w84_m on "
                             "this file's airspace.intents entry to turn them into heights above ground", file=file,
                             feature=label, field=f"properties.{name}.reference")
        return float(number) - float(ground_w84)
    return float(number)


def _finite(number: float) -> bool:
    try:
        return math.isfinite(float(number))
    except OverflowError:
        return False


def _time(props: dict, name: str, file: str, label: str) -> dt.datetime:
    value = props.get(name)
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise InputError(f"{name} must be a Time object {{value: RFC 3339 text, format: \"RFC3339\"}} (ASTM F3548)",
                         file=file, feature=label, field=f"properties.{name}")
    if value.get("format", "RFC3339") != "RFC3339":
        raise InputError(f"time format {value.get('format')!r} is not supported; use \"RFC3339\"", file=file,
                         feature=label, field=f"properties.{name}.format")
    text = value["value"]
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{text!r} is not an RFC 3339 time (e.g. 2026-11-21T01:30:00Z)", file=file, feature=label,
                         field=f"properties.{name}.value") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(f"{text!r} has no UTC offset; RFC 3339 times end in Z or +hh:mm", file=file,
                         feature=label, field=f"properties.{name}.value")
    return moment
