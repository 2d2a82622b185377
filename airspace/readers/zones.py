"""`load_zones`: a zone file (GeoJSON, ED-269, ED-318, KML/KMZ, a ZIP of one of them, or any vector file GDAL
reads) -> zones active on the planned day, with every caveat as a warning and every bad feature as an error.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shapely.geometry import mapping

from airspace.errors import InputError, InputErrors
from airspace.readers import ed269, ed318, kml_zones, plain
from airspace.readers.ed318_check import check_collection
from airspace.readers.features import Feature, geojson_features, read_features
from airspace.readers.files import open_source
from airspace.readers.jsondoc import feature_list, parse_json
from airspace.readers.kml import placemarks
from airspace.readers.notes import Notes, ReadWarning
from airspace.readers.zone_fields import NotAZone, ZoneContext, feature_label, parse_restriction
from airspace.zones import Restriction, Zone

logger = logging.getLogger("airspace.readers")

FORMATS = ("geojson", "ed269", "ed318", "kml")
_GEOJSON_FIELDS = {"id", "name", "restriction", "lower_m", "upper_m", "active"}


def load_zones(
    path: str | Path,
    *,
    format: str | None = None,
    default_restriction: Restriction | str | None = None,
    date: dt.date | None = None,
    timezone: str | None = None,
    id_property: str | None = None,
    name_property: str | None = None,
    layer: str | None = None,
    where: str | None = None,
    encoding: str | None = None,
    warnings: list[ReadWarning] | None = None,
) -> list[Zone]:
    """Zones of a zone file; `format` None detects it from the content.

    `date` and `timezone` (IANA name) turn schedules into active windows of that day: a zone not applicable that
    day gets `active=[]`, a permanent one `active=None`; without a date every zone counts as active all day.
    `id_property`/`name_property` name the feature fields holding a zone's id and name; `layer`, `where` and
    `encoding` apply to GDAL formats and OSM (see readers.ogr). Warnings go to
    `warnings` when given (else to the log). Bad features raise InputErrors listing every one of them.

    One bad feature never hides the others: each is reported (file, feature, field) and the rest still load; a
    feature that is no area (a Point, a LineString) is skipped with a warning. Zones without an id get a stable one
    (`fallback_ids`). lowalt zones are bands above ground; AMSL/WGS84 limits are kept as numbers and treated as above
    ground (ground elevation is unknown here), which the zone name and a warning say. USPACE zones map to
    `conditional` and NO_RESTRICTION to `advisory` (shown, not avoided).
    """
    path = Path(path)
    file = str(path)
    if format is not None and format not in FORMATS:
        raise InputError(f"format {format!r} is not one of {', '.join(FORMATS)}", file=file, field="format")
    notes = Notes(file, warnings)
    ctx = ZoneContext(file, date, _timezone(timezone, file), notes, parse_restriction(default_restriction, None, file),
                      id_property, name_property)
    source = open_source(path)
    ctx.file = notes.file = source.label
    if source.kind == "xml" or format == "kml":
        if source.kind != "xml":
            raise InputError("format kml was given but the file is not XML", file=source.label, field="format")
        items = [(m, kml_zones.identify(m, ctx), m.name) for m in placemarks(source.data, source.label)]
        zones, errors = _read_all(items, ctx, kml_zones.read, what="placemark")
        kind = "kml"
    elif source.kind in ("osm", "ogr") or any(v is not None for v in (layer, where, encoding)):
        features = read_features(path, layer=layer, where=where, encoding=encoding, notes=notes, what="zone file")
        items = [(f, plain.identify(f, ctx), plain.name_of(f, ctx)) for f in features]
        zones, errors = _read_all(items, ctx, plain.read, what="feature")
        kind = "vector"
    else:
        doc = parse_json(source.data, source.label)
        kind = format or _detect(doc, ctx)
        zones, errors = _read_json(doc, kind, ctx)
    errors += _duplicate_ids(zones, ctx.file)
    if ctx.unread_fields:
        notes.warn(f"properties {', '.join(sorted(ctx.unread_fields, key=str))} hold numbers, lengths or dates "
                   "(a limit, buffer or schedule?) but are not zone fields lowalt reads "
                   f"({', '.join(sorted(plain.FIELDS))}, or the id_property/name_property named); they are ignored",
                   field="properties")
    notes.close()
    if errors:
        raise InputErrors(errors, zones)
    logger.info("%s: %d zones (%s)", source.label, len(zones), kind)
    return zones


def _timezone(name: str | None, file: str) -> dt.tzinfo:
    if name is None:
        return dt.timezone.utc
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a tz database folder such as "Asia"
        raise InputError(f"timezone {name!r} is not an IANA time zone name", file=file, field="timezone") from None


def _detect(doc: Any, ctx: ZoneContext) -> str:
    if not isinstance(doc, dict):
        raise ctx.error(f"a zone file is a JSON object, not {type(doc).__name__}")
    if isinstance(doc.get("UASZoneList"), list):
        return "ed269"
    features = doc.get("features")
    if doc.get("type") == "Feature":
        raise ctx.error("this is a single GeoJSON Feature; zone files need a FeatureCollection around it", "type")
    if not isinstance(features, list):
        raise ctx.error("no 'features' list: expected a GeoJSON FeatureCollection, ED-269 or ED-318 document",
                        "features")
    dicts = [f for f in features if isinstance(f, dict)]
    if doc.get("type") != "FeatureCollection" and any(isinstance(f.get("geometry"), list) for f in dicts):
        return "ed269"  # UASZoneVersion: geometry is a list of volumes, no GeoJSON wrapper
    for feature in dicts:
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        if isinstance(geometry, dict) and ("layer" in geometry or "extent" in geometry):
            return "ed318"
        if isinstance(props, dict) and "identifier" in props and ("zoneAuthority" in props or "type" in props):
            return "ed318"
    return "geojson"


def _read_json(doc: Any, kind: str, ctx: ZoneContext) -> tuple[list[Zone], list[InputError]]:
    if kind == "ed269":
        raw = ed269.zone_list(doc, ctx)
        return _read_all([(f, ed269.identify(f), None) for f in raw], ctx, lambda f, ident, c: ed269.read(f, c),
                         what="zone", fallback=False)
    raw = feature_list(doc, ctx.file, "ED-318 file" if kind == "ed318" else "GeoJSON zone file")
    if kind == "ed318":
        if doc.get("type") != "FeatureCollection":
            raise ctx.error(f"type is {doc.get('type')!r}; an ED-318 file is a FeatureCollection", "type")
        check_collection(doc, ctx)
        return _read_all([(f, ed318.identify(f), None) for f in raw], ctx, lambda f, ident, c: ed318.read(f, c),
                         what="zone", fallback=False)
    features = geojson_features({"type": "FeatureCollection", "features": raw}, ctx.file, "GeoJSON zone file",
                                ctx.notes)
    return _read_all([(f, plain.identify(f, ctx), plain.name_of(f, ctx)) for f in features], ctx, plain.read,
                     what="feature")


def _read_all(items: list[tuple[Any, Any, Any]], ctx: ZoneContext, read: Callable, *, what: str,
              fallback: bool = True) -> tuple[list[Zone], list[InputError]]:
    """Read each (raw feature, given id, name); collect zones and the errors of the bad ones."""
    ids = fallback_ids(items, ctx) if fallback else [_clean(ident) for _, ident, _ in items]
    zones: list[Zone] = []
    errors: list[InputError] = []
    for index, ((raw, given, _), ident) in enumerate(zip(items, ids)):
        ctx.feature = feature_label(index, ident)
        try:
            zones.extend(read(raw, ident, ctx))
            if _clean(given) is None and fallback:
                ctx.tally("fallback-id", "zone has no id (no id property or feature id; set id_property: to name "
                                         "one), so its id is made from its name or geometry", "id")
        except NotAZone as skipped:
            ctx.tally(f"skipped:{skipped}", f"{what} skipped: {skipped}", "geometry.type")
        except InputError as exc:
            errors.append(exc)
        except OverflowError:  # an integer beyond float range (JSON ints are unbounded) where a number belongs
            errors.append(ctx.error("a number is too large (beyond the float range)", "geometry.coordinates"))
    ctx.feature = None
    return zones, errors


def _clean(ident: Any) -> str | None:
    if ident is None or (isinstance(ident, str) and not ident.strip()):
        return None
    if isinstance(ident, float) and ident.is_integer():
        ident = int(ident)
    return str(ident)


def fallback_ids(items: list[tuple[Any, Any, Any]], ctx: ZoneContext) -> list[str]:
    """Each item's id, or for one without: its name when unique in the file, else '<file stem>#<8 hex digits of
    its geometry>' -- stable when the file is reordered or other zones are added."""
    given = [_clean(ident) for _, ident, _ in items]
    names = Counter(_clean(name) for (_, _, name), ident in zip(items, given) if ident is None)
    stem = Path(ctx.file.split("!")[0]).stem
    out = []
    for (raw, _, name), ident in zip(items, given):
        if ident is not None:
            out.append(ident)
            continue
        name = _clean(name)
        if name is not None and names[name] == 1:
            made = name
        else:
            digest = hashlib.sha1(_geometry_key(raw).encode()).hexdigest()[:8]
            made = f"{name or stem}#{digest}"
        out.append(made)
    return out


def _geometry_key(raw: Any) -> str:
    if isinstance(raw, Feature):
        return json.dumps(raw.geometry, sort_keys=True, default=str)
    if hasattr(raw, "geometries"):  # a KML placemark
        return json.dumps([(g.type, g.coordinates) for g in raw.geometries], default=str)
    return json.dumps(raw, sort_keys=True, default=str)


def _duplicate_ids(zones: list[Zone], file: str) -> list[InputError]:
    seen: set[str] = set()
    errors = []
    for zone in zones:
        if zone.id in seen:
            errors.append(InputError(f"zone id {zone.id!r} appears more than once", file=file, feature=zone.id,
                                     field="id"))
        seen.add(zone.id)
    return errors


def zone_to_feature(zone: Zone) -> dict:
    """A zone as a plain GeoJSON Feature that `load_zones` reads back (for tests and exports)."""
    return {
        "type": "Feature",
        "geometry": mapping(zone.geometry.shape),
        "properties": {key: value for key, value in zone.model_dump(mode="json").items()
                       if key in _GEOJSON_FIELDS and value is not None},
    }
