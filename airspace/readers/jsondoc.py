"""JSON documents from untrusted bytes: UTF-8 (a BOM allowed), every failure an InputError naming the file.

Used by the zone readers (GeoJSON, ED-269, ED-318) and the target reader alike.
"""
from __future__ import annotations

import json
from typing import Any

from airspace.errors import InputError


def parse_json(data: bytes, file: str) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"file is not UTF-8 text (byte {exc.start}: {exc.reason})", file=file) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", file=file) from None
    except RecursionError:  # json's decoder recurses per level: [[[[...]]]] thousands deep
        raise InputError("JSON nests too deeply to be a vector file", file=file) from None


def feature_list(doc: Any, file: str, what: str) -> list:
    """The `features` list of a GeoJSON FeatureCollection, or an InputError saying what the document is instead."""
    if not isinstance(doc, dict):
        raise InputError(f"a {what} is a JSON object (a FeatureCollection), not a JSON {type(doc).__name__}",
                         file=file, field="type")
    kind = doc.get("type")
    if kind == "Feature":
        raise InputError("this is a single GeoJSON Feature; a FeatureCollection must hold it", file=file, field="type")
    if kind in ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"):
        raise InputError(f"file is a bare {kind} geometry; a {what} is a FeatureCollection whose features carry "
                         "an id and their fields", file=file, field="type")
    features = doc.get("features")
    if kind not in (None, "FeatureCollection"):
        raise InputError(f"type is {kind!r}; a {what} is a FeatureCollection", file=file, field="type")
    if not isinstance(features, list):
        raise InputError("FeatureCollection has no 'features' list", file=file, field="features")
    return features
