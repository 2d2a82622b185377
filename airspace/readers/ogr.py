"""Shapefile, GeoPackage, FlatGeobuf, GML and OpenStreetMap (.osm, .pbf) through GDAL (pyogrio, the `gis` extra).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from airspace.errors import InputError
from airspace.readers.notes import Notes

OSM_LAYERS_HINT = ("lines with where: \"waterway IN ('river','canal')\" or \"highway IN ('primary','secondary')\"; "
                   "multipolygons with where: \"natural = 'water'\"")


def read_ogr(path: Path, *, layer: str | None, where: str | None, encoding: str | None, osm: bool,
             notes: Notes) -> list[tuple[Any, dict, dict | None, str]]:
    """(feature id, properties, GeoJSON geometry, layer name) for every feature read.

    `layer` picks a layer (a multi-layer file without one is read whole, every layer named in a warning; an OSM
    file must name one), `where` is an OGR SQL filter on the layer's fields (`waterway IN ('river','canal')`), and
    `encoding` overrides the text encoding of a Shapefile without a .cpg. Geometries come back in WGS84.
    """
    file = str(path)
    try:
        import pyogrio
    except ImportError:
        raise InputError("reading Shapefile, GeoPackage or OpenStreetMap files needs pyogrio: "
                         "pip install 'lowalt-planner[gis]'", file=file) from None
    source = f"/vsizip/{path}" if path.suffix.lower() in (".zip", ".kmz") else file
    try:
        available = [str(name) for name, _ in pyogrio.list_layers(source)]
    except Exception as exc:  # pyogrio raises its own DataSourceError family
        raise InputError(f"cannot read: {exc}", file=file) from None
    if layer is not None and layer not in available:
        raise InputError(f"layer {layer!r} is not in the file (its layers: {', '.join(available)})", file=file,
                         field="layer")
    if layer is None and osm:
        raise InputError(f"an OpenStreetMap file holds the layers {', '.join(available)}; name one with layer: "
                         f"and filter it with where: (e.g. {OSM_LAYERS_HINT})", file=file, field="layer")
    chosen = [layer] if layer is not None else available
    out: list[tuple[Any, dict, dict | None, str]] = []
    counts = []
    for name in chosen:
        rows = _read_layer(pyogrio, source, file, name, where, encoding, notes)
        counts.append(f"{name} ({len(rows)})")
        out += rows
    if layer is None and len(available) > 1:
        notes.warn(f"the file holds {len(available)} layers and no layer: was given, so all were read: "
                   f"{', '.join(counts)}; name one with layer: to read only it", field="layer")
    return out


def _read_layer(pyogrio, source: str, file: str, layer: str, where: str | None, encoding: str | None,
                notes: Notes) -> list[tuple[Any, dict, dict | None, str]]:
    import shapely

    try:
        meta, fids, geometries, field_data = pyogrio.raw.read(source, layer=layer, where=where, encoding=encoding,
                                                              return_fids=True)
    except Exception as exc:  # GDAL rejects a bad `where` with an SQL or attribute-filter message
        text = str(exc).lower()
        field = "where" if where and any(w in text for w in ("where", "sql", "filter", "syntax")) else "layer"
        raise InputError(f"cannot read layer {layer!r}: {exc}", file=file, field=field) from None
    shapes = shapely.from_wkb(geometries)
    shapes = _to_wgs84(shapes, meta.get("crs"), file, layer, notes)
    names = [str(n) for n in meta["fields"]]
    _check_encoding(file, meta, names, field_data, encoding, notes)
    rows = []
    for index, shape in enumerate(shapes):
        props = {name: _scalar(field_data[k][index]) for k, name in enumerate(names)}
        geometry = None if shape is None or shape.is_empty else json.loads(shapely.to_geojson(shape))
        fid = _scalar(fids[index]) if fids is not None else None
        rows.append((fid, props, geometry, layer))
    return rows


def _to_wgs84(shapes, crs_text: str | None, file: str, layer: str, notes: Notes):
    import shapely
    from pyproj import CRS, Transformer

    if not crs_text:
        notes.warn(f"layer {layer!r} names no coordinate system (no .prj); its positions are read as WGS84 lon/lat",
                   field="crs")
        return shapes
    crs = CRS.from_user_input(crs_text)
    if crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return shapes
    # A national CRS (CGCS2000, a UTM zone) is reprojected once, here.
    transformer = Transformer.from_crs(crs, 4326, always_xy=True)
    import numpy as np
    return shapely.transform(shapes, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _check_encoding(file: str, meta: dict, names: list[str], field_data, encoding: str | None, notes: Notes) -> None:
    """A Shapefile without .cpg is read as ISO-8859-1 by GDAL: say so when its text does not look like it."""
    if encoding is not None or str(meta.get("encoding", "")).upper() not in ("ISO-8859-1", "LATIN1"):
        return
    if Path(file).suffix.lower() == ".shp" and Path(file).with_suffix(".cpg").exists():
        return
    for k, name in enumerate(names):
        column = field_data[k]
        if getattr(column, "dtype", None) is None or column.dtype != object:
            continue
        odd = [v for v in column if isinstance(v, str) and any("\u0080" <= ch <= "\u00ff" for ch in v)]
        if odd:
            notes.warn(f"the file names no text encoding (no .cpg), so GDAL read its text as ISO-8859-1; "
                       f"{len(odd)} values of {name!r} hold accented Latin-1 characters (first: {odd[0]!r}), which "
                       "is how GBK or another multi-byte encoding looks when misread: set encoding: (e.g. GBK "
                       "for Chinese national data)", field="encoding")
            return


def _scalar(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value
