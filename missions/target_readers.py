"""Patrol targets from files: GeoJSON, KML, Shapefile and GeoPackage (the last two through pyogrio).

Feature properties are the inline target fields; the `targets[]` file entry supplies defaults for missing ones.
"""
from __future__ import annotations

import json
import logging
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from airspace.errors import InputError
from missions.models import Target, TargetFileRef

logger = logging.getLogger(__name__)

# Inline target fields a feature property may set (the rest go to Target.properties).
_TARGET_FIELDS = {"id", "name", "kind", "altitude_m", "corridor_width_m", "priority", "window", "hover_s"}
_DEFAULT_FIELDS = ("kind", "altitude_m", "corridor_width_m", "priority", "window", "hover_s")
_POLYGONS = ("Polygon", "MultiPolygon")
_POINTS = ("Point", "MultiPoint")
_KML_NS = re.compile(r"^\{[^}]*\}")


class TargetFileError(InputError):
    """Several features of one target file are bad; `errors` lists each (file, feature, field)."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first.message + more, file=first.file, feature=first.feature, field=first.field)


def load_targets(path: str | Path, ref: TargetFileRef | None = None, *,
                 transform: Callable | None = None) -> list[Target]:
    """Targets of a GeoJSON, KML, Shapefile or GeoPackage file, with `ref`'s fields as defaults.

    `transform(lon, lat) -> (lon, lat)` is applied to every position first (GCJ-02 to WGS84).
    Raises TargetFileError listing every bad feature, or InputError for an unreadable file.
    """
    path = Path(path)
    ref = ref or TargetFileRef(file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".kml",):
        features = _kml_features(path)
    elif suffix in (".shp", ".gpkg", ".zip", ".fgb", ".gml"):
        features = _ogr_features(path, ref.layer)
    else:
        features = _geojson_features(path)
    targets, errors = targets_from_features(features, ref, path, transform)
    if errors:
        raise TargetFileError(errors)
    logger.info("%s: %d targets", path.name, len(targets))
    return targets


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


# ------------------------------------------------------------------------------------ GeoJSON
def _geojson_features(path: Path) -> list[tuple[Any, dict, dict | None]]:
    from missions.loader import MAX_FILE_BYTES

    file = str(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"file is larger than {MAX_FILE_BYTES / 1e6:.0f} MB", file=file)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", file=file) from None
    except RecursionError:
        raise InputError("JSON nests too deeply", file=file) from None
    except UnicodeDecodeError:
        raise InputError("file is not UTF-8 text", file=file) from None
    if not isinstance(data, dict):
        raise InputError(f"expected a GeoJSON FeatureCollection, found a JSON {type(data).__name__}", file=file,
                         field="type")
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise InputError("FeatureCollection has no features list", file=file, field="features")
    elif kind == "Feature":
        logger.warning("%s: a single Feature where a FeatureCollection is expected; reading it as one target", file)
        features = [data]
    elif kind in ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"):
        raise InputError(f"file is a bare {kind} geometry; a target file must be a FeatureCollection whose "
                         "features carry an id and the target fields", file=file, field="type")
    else:
        raise InputError(f"expected a GeoJSON FeatureCollection, found type {kind!r}", file=file, field="type")
    out = []
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise InputError("is not a GeoJSON Feature", file=file, feature=str(index), field="type")
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise InputError("properties must be an object", file=file, feature=str(index), field="properties")
        out.append((feature.get("id"), props, feature.get("geometry")))
    return out


# ------------------------------------------------------------------------------------ KML
def _kml_features(path: Path) -> list[tuple[Any, dict, dict | None]]:
    file = str(path)
    raw = path.read_bytes()
    head = raw[:4096].upper()
    # Entities are how XML bombs and external-file reads happen; KML never needs them.
    if b"<!DOCTYPE" in head or b"<!ENTITY" in raw.upper():
        raise InputError("KML with a DOCTYPE or ENTITY declaration is refused (XML entity expansion)", file=file)
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise InputError(f"malformed KML: {exc}", file=file) from None
    except (LookupError, ValueError) as exc:  # the XML declaration names an encoding Python does not know
        raise InputError(f"malformed KML: {exc}", file=file) from None
    out = []
    for index, placemark in enumerate(e for e in root.iter() if _local(e.tag) == "Placemark"):
        props: dict[str, Any] = {}
        for element in placemark:
            tag = _local(element.tag)
            if tag == "name" and element.text:
                props["name"] = element.text.strip()
            elif tag == "description" and element.text:
                props["description"] = element.text.strip()
        for data in placemark.iter():
            tag = _local(data.tag)
            if tag == "Data" and data.get("name"):
                value = next((c.text for c in data if _local(c.tag) == "value"), None)
                props[data.get("name")] = _kml_value(value)
            elif tag == "SimpleData" and data.get("name"):
                props[data.get("name")] = _kml_value(data.text)
        geometry = _kml_geometry(placemark, file, f"{index} ({props.get('name', placemark.get('id'))})")
        out.append((placemark.get("id"), props, geometry))
    if not out:
        raise InputError("KML holds no Placemark", file=file)
    return out


def _local(tag: Any) -> str:
    return _KML_NS.sub("", tag) if isinstance(tag, str) else ""


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


def _kml_coords(element: ET.Element | None, file: str, feature: str) -> list[list[float]]:
    if element is None or not (element.text or "").strip():
        return []
    positions = []
    for token in element.text.split():
        try:
            positions.append([float(v) for v in token.split(",")])
        except ValueError:
            raise InputError(f"coordinate {token!r} is not lon,lat[,alt]", file=file, feature=feature,
                             field="coordinates") from None
    return positions


def _find(element: ET.Element, name: str) -> ET.Element | None:
    return next((e for e in element.iter() if _local(e.tag) == name), None)


def _kml_geometry(placemark: ET.Element, file: str, feature: str) -> dict | None:
    parts: list[tuple[str, Any]] = []
    for element in placemark.iter():
        tag = _local(element.tag)
        if tag == "Point":
            coords = _kml_coords(_find(element, "coordinates"), file, feature)
            if coords:
                parts.append(("Point", coords[0]))
        elif tag == "LineString":
            parts.append(("LineString", _kml_coords(_find(element, "coordinates"), file, feature)))
        elif tag == "Polygon":
            rings = []
            for boundary in element:
                if _local(boundary.tag) in ("outerBoundaryIs", "innerBoundaryIs"):
                    ring = _kml_coords(_find(boundary, "coordinates"), file, feature)
                    if _local(boundary.tag) == "outerBoundaryIs":
                        rings.insert(0, ring)
                    else:
                        rings.append(ring)
            parts.append(("Polygon", rings))
    if not parts:
        return None
    kinds = {kind for kind, _ in parts}
    if len(parts) == 1:
        return {"type": parts[0][0], "coordinates": parts[0][1]}
    if len(kinds) > 1:
        raise InputError(f"MultiGeometry mixes {', '.join(sorted(kinds))}; a target has one geometry kind",
                         file=file, feature=feature, field="geometry")
    return {"type": "Multi" + parts[0][0], "coordinates": [c for _, c in parts]}


# ------------------------------------------------------------------------------------ Shapefile / GeoPackage
def _ogr_features(path: Path, layer: str | None) -> list[tuple[Any, dict, dict | None]]:
    file = str(path)
    try:
        import pyogrio
    except ImportError:
        raise InputError("reading Shapefile or GeoPackage targets needs pyogrio: "
                         "pip install 'lowalt-planner[gis]'", file=file) from None
    import shapely
    from pyproj import CRS

    try:
        meta, _fids, geometries, field_data = pyogrio.raw.read(file, layer=layer, return_fids=True)
    except Exception as exc:  # pyogrio raises its own DataSourceError/DataLayerError families
        raise InputError(f"cannot read: {exc}", file=file, field="layer" if layer else None) from None
    shapes = shapely.from_wkb(geometries)
    crs_text = meta.get("crs")
    if crs_text:
        crs = CRS.from_user_input(crs_text)
        if not crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            # Shapefiles in a national CRS (CGCS2000 / UTM) are reprojected once, here.
            from pyproj import Transformer
            transformer = Transformer.from_crs(crs, 4326, always_xy=True)
            logger.info("%s: reprojecting targets from %s to WGS84", path.name, crs.name)
            shapes = shapely.transform(shapes, lambda xy: _stack(transformer.transform(xy[:, 0], xy[:, 1])))
    else:
        logger.warning("%s: no CRS given; assuming WGS84 lon/lat", path.name)
    names = list(meta["fields"])
    out = []
    for index, shape in enumerate(shapes):
        props = {name: _numpy_scalar(field_data[k][index]) for k, name in enumerate(names)}
        geometry = None if shape is None or shape.is_empty else json.loads(shapely.to_geojson(shape))
        out.append((None, props, geometry))
    return out


def _stack(xy):
    import numpy as np
    return np.column_stack(xy)


def _numpy_scalar(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value

