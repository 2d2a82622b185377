"""Features from any vector file lowalt reads: GeoJSON, KML/KMZ, Shapefile/GeoPackage/FlatGeobuf/GML, OSM.

The one place that decides how a file is read; the zone and target readers map its features to their models.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airspace.errors import InputError
from airspace.readers.files import open_source
from airspace.readers.jsondoc import feature_list, parse_json
from airspace.readers.kml import Placemark, flat_geometry, placemarks
from airspace.readers.notes import Notes


@dataclass
class Feature:
    index: int  # position in the file (across layers when several are read)
    id: Any  # the feature's own id: GeoJSON `id`, KML placemark id, OGR FID (an OSM id for .osm files)
    properties: dict
    geometry: dict | None  # GeoJSON geometry in WGS84 (2-D for KML; `placemark` keeps the heights)
    layer: str | None = None
    placemark: Placemark | None = None


def read_features(path: str | Path, *, layer: str | None = None, where: str | None = None,
                  encoding: str | None = None, notes: Notes | None = None, what: str = "vector file"
                  ) -> list[Feature]:
    """Every feature of `path`; `layer`, `where` and `encoding` apply to GDAL formats and OSM (see readers.ogr)."""
    path = Path(path)
    notes = notes or Notes(str(path))
    source = open_source(path)
    if source.kind in ("osm", "ogr"):
        from airspace.readers.ogr import read_ogr

        rows = read_ogr(path, layer=layer, where=where, encoding=encoding, osm=source.kind == "osm", notes=notes)
        return [Feature(i, fid, props, geometry, name) for i, (fid, props, geometry, name) in enumerate(rows)]
    for option, value in (("where", where), ("layer", layer), ("encoding", encoding)):
        if value is not None:
            kind = "KML" if source.kind == "xml" else "GeoJSON"
            raise InputError(f"{option}: applies to Shapefile, GeoPackage and OpenStreetMap files; this is {kind}",
                             file=str(path), field=option)
    if source.kind == "xml":
        out = []
        for mark in placemarks(source.data, source.label):
            props: dict[str, Any] = {k: v for k, v in (("name", mark.name), ("description", mark.description)) if v}
            props.update(mark.data)
            out.append(Feature(mark.index, mark.id, props, flat_geometry(mark, source.label), placemark=mark))
        if not out:
            raise InputError("KML holds no Placemark", file=source.label)
        return out
    return geojson_features(parse_json(source.data, source.label), source.label, what, notes)


def geojson_features(doc: Any, file: str, what: str, notes: Notes) -> list[Feature]:
    """The features of a parsed GeoJSON document (a lone Feature is read as one, with a warning)."""
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        notes.warn("a single Feature where a FeatureCollection is expected; read as one feature", field="type")
        raw = [doc]
    else:
        raw = feature_list(doc, file, what)
    out = []
    for index, feature in enumerate(raw):
        if not isinstance(feature, dict) or feature.get("type", "Feature") != "Feature":
            raise InputError("each entry of 'features' must be a GeoJSON Feature", file=file, feature=str(index),
                             field="type")
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise InputError("properties must be an object", file=file, feature=str(index), field="properties")
        out.append(Feature(index, feature.get("id"), props, feature.get("geometry")))
    return out
