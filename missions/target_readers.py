"""Patrol targets from files: GeoJSON, KML/KMZ, Shapefile, GeoPackage, OpenStreetMap (through airspace.readers).

Feature properties are the inline target fields; the `targets[]` file entry supplies defaults for missing ones
and says how to read the file (`layer`, `where`, `encoding`, `id_property`, `name_property`).
"""
from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from airspace.errors import InputError, InputErrors
from airspace.readers import Feature, Notes, ReadWarning, read_features
from airspace.readers.files import OSM_SUFFIXES
from missions.models import Target, TargetFileRef

logger = logging.getLogger(__name__)

# Inline target fields a feature property may set (the rest go to Target.properties).
_TARGET_FIELDS = {"id", "name", "kind", "altitude_m", "corridor_width_m", "priority", "window", "hover_s"}
_DEFAULT_FIELDS = ("kind", "altitude_m", "corridor_width_m", "priority", "window", "hover_s")
_POLYGONS = ("Polygon", "MultiPolygon")
_POINTS = ("Point", "MultiPoint")


class TargetFileError(InputErrors):
    """Several features of one target file are bad; `errors` lists each (file, feature, field)."""


def load_targets(path: str | Path, ref: TargetFileRef | None = None, *, transform: Callable | None = None,
                 warnings: list[ReadWarning] | None = None) -> list[Target]:
    """Targets of a GeoJSON, KML/KMZ, Shapefile, GeoPackage or OSM file, with `ref`'s fields as defaults.

    `transform(lon, lat) -> (lon, lat)` is applied to every position first (GCJ-02 to WGS84). Warnings go to
    `warnings` when given (else to the log). Raises TargetFileError listing every bad feature, or InputError
    for an unreadable file.
    """
    path = Path(path)
    ref = ref or TargetFileRef(file=str(path))
    notes = Notes(str(path), warnings)
    features = read_features(path, layer=ref.layer, where=ref.where, encoding=ref.encoding, notes=notes,
                             what="target file")
    if ref.where is not None and not features:
        notes.warn(f"where: {ref.where} matches no feature", field="where")
    notes.close()
    triples = [(_fallback(f, path, features), _kml_typed(f), f.geometry) for f in features]
    targets, errors = targets_from_features(triples, ref, path, transform)
    if errors:
        raise TargetFileError(errors, targets)
    logger.info("%s: %d targets", path.name, len(targets))
    return targets


def _fallback(feature: Feature, path: Path, features: list[Feature]) -> Any:
    """The feature's own id, or for a GDAL feature '<stem>[-<layer>]-<fid>' (the layer when ids could clash)."""
    if feature.layer is None:
        return feature.id
    several = path.suffix.lower() in OSM_SUFFIXES or len({f.layer for f in features}) > 1  # OSM nodes and ways
    return f"{path.stem}-{feature.layer}-{feature.id}" if several else f"{path.stem}-{feature.id}"


def _kml_typed(feature: Feature) -> dict:
    if feature.placemark is None:
        return feature.properties
    return {k: v if k in ("name", "description") else _kml_value(v) for k, v in feature.properties.items()}


def _kml_value(text: str | None) -> Any:
    if text is None:
        return None
    text = text.strip()
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def targets_from_features(features: Iterable[tuple[Any, dict, dict | None]], ref: TargetFileRef, path: Path,
                          transform: Callable | None = None) -> tuple[list[Target], list[InputError]]:
    """(feature id, properties, GeoJSON geometry) triples -> targets and the errors of the bad ones."""
    targets: list[Target] = []
    errors: list[InputError] = []
    file = str(path)
    for index, (feature_id, props, geometry) in enumerate(features):
        props = dict(props or {})
        ident = _target_id(props, feature_id, ref, path, index)
        label = f"{index} ({ident})"
        if not isinstance(geometry, dict) or not geometry.get("coordinates"):
            errors.append(InputError("feature has no geometry (empty geometry)", file=file, feature=label,
                                     field="geometry"))
            continue
        if geometry.get("type") == "GeometryCollection":
            errors.append(InputError("GeometryCollection is not a target geometry; use LineString, "
                                     "MultiLineString, Polygon or Point", file=file, feature=label,
                                     field="geometry.type"))
            continue
        if transform is not None:
            from airspace.chinese_coords import transform_coordinates
            try:
                geometry = {"type": geometry.get("type"),
                            "coordinates": transform_coordinates(geometry["coordinates"], transform)}
            except (TypeError, ValueError, IndexError) as exc:
                errors.append(InputError(f"coordinates are malformed: {exc}", file=file, feature=label,
                                         field="geometry.coordinates"))
                continue
        data: dict[str, Any] = {"id": ident, "geometry": geometry}
        name = props.get(ref.name_property) if ref.name_property else props.get("name")
        if name is not None:
            data["name"] = str(name)
        for field in _DEFAULT_FIELDS:
            value = props.get(field)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                value = getattr(ref, field)
            if field == "window" and isinstance(value, str):
                value = _window_from_text(value)
            if value is not None:
                data[field] = value
        if "kind" not in data:
            # A polygon is a lake or reservoir: inspected along its shoreline.
            gtype = geometry.get("type")
            data["kind"] = "shoreline" if gtype in _POLYGONS else "point" if gtype in _POINTS else None
            if data["kind"] is None:
                errors.append(InputError("no kind given (river, road, pipeline, shoreline, point) in the feature "
                                         "or in the targets[] entry", file=file, feature=label, field="kind"))
                continue
        used = {ref.id_property, ref.name_property, "id", "name", *_DEFAULT_FIELDS}
        data["properties"] = {k: _scalar(v) for k, v in props.items() if k not in used and _is_scalar(v)}
        try:
            targets.append(Target.model_validate(data))
        except OverflowError:  # JSON integers are unbounded; a coordinate beyond float range
            errors.append(InputError("a coordinate is too large a number (beyond the float range)", file=file,
                                     feature=label, field="geometry.coordinates"))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = ".".join(str(p) for p in err["loc"]) or None
                message = str(err["msg"]).removeprefix("Value error, ")
                if "target needs" in message:
                    loc = "geometry.type"
                if "window ends" in message:
                    loc = "window.end"
                errors.append(InputError(message, file=file, feature=label, field=loc))
    return targets, errors


def _target_id(props: dict, feature_id: Any, ref: TargetFileRef, path: Path, index: int) -> str:
    for candidate in (props.get(ref.id_property) if ref.id_property else None, props.get("id"), feature_id):
        if candidate is not None and str(candidate).strip() and not (isinstance(candidate, float)
                                                                    and math.isnan(candidate)):
            if isinstance(candidate, float) and candidate.is_integer():
                candidate = int(candidate)
            return str(candidate)
    return f"{path.stem}-{index}"


def _window_from_text(text: str) -> dict | str:
    # Flat formats (shapefile, KML) carry a window as "08:00-12:00".
    parts = re.split(r"\s*[-/]\s*", text.strip())
    return {"start": parts[0], "end": parts[1]} if len(parts) == 2 else text


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _scalar(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
