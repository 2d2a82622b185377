"""ED-318 files checked against the published ED-318 JSON Schema (ed318_schema/, EUROCONTROL, MIT).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from airspace.readers.zone_fields import ZoneContext

SCHEMA_DIR = Path(__file__).with_name("ed318_schema")
_INDEX = re.compile(r"\[\d+\]")


@lru_cache(maxsize=1)
def _validators() -> dict[str, Any]:
    from jsonschema import Draft7Validator

    docs = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("Schema_*.json")}

    def inline(node: Any, current: str) -> Any:
        # The schema's $refs form a tree: resolving them once keeps validation off the reference resolver,
        # which otherwise costs more than the checks themselves on a 1,179-zone file.
        if isinstance(node, dict):
            if "$ref" in node:
                name, _, pointer = node["$ref"].partition("#")
                name = name.removeprefix("./") or current
                target = docs[name]
                for part in filter(None, pointer.split("/")):
                    target = target[part]
                return inline(target, name)
            return {k: inline(v, current) for k, v in node.items() if k != "$schema"}
        if isinstance(node, list):
            return [inline(v, current) for v in node]
        return node

    def validator(name: str) -> Draft7Validator:
        return Draft7Validator(inline(docs[name], name), format_checker=Draft7Validator.FORMAT_CHECKER)

    return {"metadata": validator("Schema_GeoZoneCollectionMetadata.json"),
            "properties": validator("Schema_GeoZoneProperties.json"),
            "layer": validator("Schema_LayeredGeoJSON.json")}


def check_collection(doc: dict, ctx: ZoneContext) -> None:
    if isinstance(doc.get("metadata"), dict):
        _report(_validators()["metadata"], doc["metadata"], "metadata", ctx)


def check_feature(feature: dict, ctx: ZoneContext) -> None:
    """Warnings for what one feature breaks of the schema.

    What a file breaks becomes warnings, one per kind of break with a count and the first feature; the file is
    still read. Checked: the collection metadata, each zone's properties and each geometry's `layer`. Coordinate
    arrays are left to the zone reader, which checks range, closure and validity itself and names the ring.
    """
    validators = _validators()
    _report(validators["properties"], feature.get("properties"), "properties", ctx)
    geometry = feature.get("geometry")
    parts = geometry.get("geometries") if isinstance(geometry, dict) and geometry.get("type") == \
        "GeometryCollection" else [geometry]
    for k, part in enumerate(parts if isinstance(parts, list) else []):
        if isinstance(part, dict) and "layer" in part:
            where = "geometry" if len(parts) == 1 else f"geometry.geometries[{k}]"
            _report(validators["layer"], {"layer": part["layer"]}, where, ctx)


def _report(validator, instance: Any, where: str, ctx: ZoneContext) -> None:
    for error in validator.iter_errors(instance):
        path = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in error.absolute_path).replace(".[", "[")
        field = f"{where}.{path}" if path else where
        key = f"ed318:{_INDEX.sub('[]', field)}:{error.validator}"
        ctx.tally(key, f"breaks the ED-318 schema: {_shorten(error.message)}", field)


def _shorten(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[:limit - 3] + "..."
