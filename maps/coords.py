"""The one place where lowalt's `(lon, lat)` becomes Leaflet's `[lat, lon]` for the map.

AMap tiles are drawn in GCJ-02, so on that basemap every overlay vertex is shifted here as well.
"""
from __future__ import annotations

from typing import Iterable, Sequence

WGS84 = "wgs84"
GCJ02 = "gcj02"


def to_latlng(lon: float, lat: float, datum: str = WGS84) -> list[float]:
    """`(lon, lat)` in WGS84 -> `[lat, lon]` in the basemap's datum (GCJ-02 for AMap tiles)."""
    if datum == GCJ02:
        # Imported lazily: only the AMap basemap needs the shift.
        from airspace.chinese_coords import wgs84_to_gcj02

        lon, lat = wgs84_to_gcj02(lon, lat)
    elif datum != WGS84:
        raise ValueError(f"datum must be {WGS84!r} or {GCJ02!r}, not {datum!r}")
    return [float(lat), float(lon)]


def line_to_latlngs(coords: Iterable[Sequence[float]], datum: str = WGS84) -> list[list[float]]:
    """A `[[lon, lat(, alt)], ...]` line -> `[[lat, lon], ...]` (altitude dropped: the map is 2-D)."""
    return [to_latlng(c[0], c[1], datum) for c in coords]
