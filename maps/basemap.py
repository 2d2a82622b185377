"""Basemap choices: OpenStreetMap, none (closed network), an intranet tile server, Tianditu, AMap.

Each choice also names the datum its tiles are drawn in, so overlays can be shifted to match (AMap: GCJ-02).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

import folium

from maps.coords import GCJ02, WGS84

TILE_CHOICES = ("osm", "none", "custom", "tianditu", "amap")

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
# Tianditu WMTS in Web Mercator ("_w"): vec = streets, cva = their Chinese labels; `tk` is the user's key.
TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
TIANDITU_ATTRIBUTION = "&copy; Tianditu (National Platform for Common GeoSpatial Information Services)"
AMAP_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
AMAP_ATTRIBUTION = "&copy; AutoNavi (AMap); overlays shifted to GCJ-02"


@dataclass(frozen=True)
class Basemap:
    name: str
    datum: str  # datum the tiles are drawn in; overlays are converted to it
    layers: list[dict] = field(default_factory=list)  # folium.TileLayer keyword arguments, bottom first

    def add_to(self, fmap: folium.Map) -> None:
        for options in self.layers:
            folium.TileLayer(**options).add_to(fmap)


def basemap_for(tiles: str, tile_url: str | None = None, tianditu_key: str | None = None) -> Basemap:
    """The basemap for a `tiles` choice; errors name the parameter that is missing or wrong."""
    if tiles not in TILE_CHOICES:
        raise ValueError(f"tiles must be one of {', '.join(TILE_CHOICES)}, not {tiles!r}")
    if tile_url is not None and tiles != "custom":
        raise ValueError(f"tile_url is used only with tiles='custom' (got tiles={tiles!r})")
    if tianditu_key is not None and tiles != "tianditu":
        raise ValueError(f"tianditu_key is used only with tiles='tianditu' (got tiles={tiles!r})")
    if tiles == "none":
        return Basemap("none", WGS84)
    if tiles == "osm":
        return Basemap("osm", WGS84, [_layer(OSM_URL, OSM_ATTRIBUTION, "OpenStreetMap", max_zoom=19)])
    if tiles == "custom":
        if not tile_url or not all(part in tile_url for part in ("{z}", "{x}")) or not (
            "{y}" in tile_url or "{-y}" in tile_url
        ):
            raise ValueError(f"tile_url must be a tile template with {{z}}, {{x}} and {{y}}, not {tile_url!r}")
        return Basemap("custom", WGS84, [_layer(tile_url, "Tiles: local tile server", "Local tiles", max_zoom=20)])
    if tiles == "tianditu":
        if not tianditu_key or not tianditu_key.strip():
            raise ValueError("tianditu_key is required with tiles='tianditu' (a Tianditu 'tk' key)")
        key = quote(tianditu_key.strip(), safe="")
        return Basemap(
            "tianditu",
            # Tianditu is CGCS2000, within centimetres of WGS84 at map scale: no shift.
            WGS84,
            [
                _layer(TIANDITU_URL.format(layer="vec", key=key), TIANDITU_ATTRIBUTION, "Tianditu streets",
                       subdomains="01234567", max_zoom=18),
                _layer(TIANDITU_URL.format(layer="cva", key=key), TIANDITU_ATTRIBUTION, "Tianditu labels",
                       subdomains="01234567", max_zoom=18, overlay=True),
            ],
        )
    return Basemap("amap", GCJ02, [_layer(AMAP_URL, AMAP_ATTRIBUTION, "AMap", subdomains="1234", max_zoom=18)])


def _layer(url: str, attribution: str, name: str, *, max_zoom: int, subdomains: str = "abc",
           overlay: bool = False) -> dict:
    return {"tiles": url, "attr": attribution, "name": name, "max_zoom": max_zoom, "subdomains": subdomains,
            "overlay": overlay, "control": False}
