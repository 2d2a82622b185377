"""Metric projections for lowalt: the one owner of pyproj transformers (always_xy, cached).

Inputs and outputs stay WGS84 (lon, lat); distances, buffers and areas go through a `Projector`.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Iterable

import numpy as np
import pyproj
import shapely

logger = logging.getLogger(__name__)

WGS84 = pyproj.CRS.from_epsg(4326)
_GEOD = pyproj.Geod(ellps="WGS84")


def _utm_zone(lon: float, lat: float) -> int:
    """UTM zone number, with the Norway and Svalbard exceptions the zone grid defines."""
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    if 56.0 <= lat < 64.0 and 3.0 <= lon < 12.0:
        return 32
    if 72.0 <= lat <= 84.0 and 0.0 <= lon < 42.0:
        return 31 if lon < 9.0 else 33 if lon < 21.0 else 35 if lon < 33.0 else 37
    return zone


@lru_cache(maxsize=128)
def _announce(epsg: int) -> int:
    # Once per zone: a scenario asks for its projection many times (every target, every group).
    logger.info("metric CRS: EPSG:%d (%s)", epsg, _crs(epsg).name)
    return epsg


def utm_crs_for(lon: float, lat: float) -> pyproj.CRS:
    """The WGS84 UTM CRS whose zone holds (lon, lat); computed from the zone grid (no database query)."""
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError(f"(lon={lon}, lat={lat}) is out of range for WGS84")
    if abs(lat) > 84.0:
        raise ValueError(f"lat={lat} is outside UTM coverage (|lat| <= 84)")
    epsg = (32600 if lat >= 0 else 32700) + _utm_zone(float(lon), float(lat))
    return _crs(_announce(epsg))


_EPSG_OF_CACHED: dict[int, int] = {}  # id() of a CRS built by _crs -> its EPSG code


@lru_cache(maxsize=64)
def _crs(epsg: int) -> pyproj.CRS:
    crs = pyproj.CRS.from_epsg(epsg)
    _EPSG_OF_CACHED[id(crs)] = epsg
    return crs


def _epsg_of(crs: pyproj.CRS) -> int | None:
    # CRS.to_epsg() searches the database (tens of ms); CRS objects from _crs already know their code.
    return _EPSG_OF_CACHED.get(id(crs)) or crs.to_epsg()


@lru_cache(maxsize=64)
def _transformers(epsg: int) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    crs = _crs(epsg)
    forward = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    inverse = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
    return forward, inverse


class Projector:
    """WGS84 <-> one metric (UTM) CRS; geometry in, geometry out, z kept."""

    __slots__ = ("crs", "_fwd", "_inv", "epsg")

    def __init__(self, crs: pyproj.CRS):
        epsg = _epsg_of(crs)
        if epsg is None:
            raise ValueError(f"Projector needs a CRS with an EPSG code, got {crs.name}")
        if not crs.is_projected:
            raise ValueError(f"Projector needs a projected (metric) CRS, got {crs.name}")
        self.epsg = epsg
        self.crs = _crs(epsg)
        self._fwd, self._inv = _transformers(epsg)

    @classmethod
    def for_lonlat(cls, lon: float, lat: float) -> "Projector":
        return cls(utm_crs_for(lon, lat))

    @classmethod
    def for_geometry(cls, geom: shapely.Geometry) -> "Projector":
        """The UTM zone of the geometry's bounding-box centre (stable for a city-sized scenario)."""
        if geom is None or geom.is_empty:
            raise ValueError("cannot choose a projection for an empty geometry")
        west, south, east, north = geom.bounds
        return cls.for_lonlat((west + east) / 2.0, (south + north) / 2.0)

    def forward(self, lon, lat):
        """(lon, lat) degrees -> (x, y) metres; floats or numpy arrays."""
        return self._fwd.transform(lon, lat)

    def inverse(self, x, y):
        """(x, y) metres -> (lon, lat) degrees; floats or numpy arrays."""
        return self._inv.transform(x, y)

    def to_metric(self, geom: shapely.Geometry) -> shapely.Geometry:
        return _apply(geom, self._fwd)

    def to_wgs84(self, geom: shapely.Geometry) -> shapely.Geometry:
        return _apply(geom, self._inv)

    def __repr__(self) -> str:
        return f"Projector(EPSG:{self.epsg})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Projector) and other.epsg == self.epsg

    def __hash__(self) -> int:
        return hash(self.epsg)


def _apply(geom: shapely.Geometry, transformer: pyproj.Transformer) -> shapely.Geometry:
    has_z = bool(shapely.has_z(geom))

    def fn(coords: np.ndarray) -> np.ndarray:
        # One vectorised pyproj call over every vertex; z (height above ground) passes through unchanged.
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        out = np.array(coords, dtype=float, copy=True)
        out[:, 0] = x
        out[:, 1] = y
        return out

    return shapely.transform(geom, fn, include_z=has_z)


def geodesic_length_m(coords: Iterable) -> float:
    """Length in metres of a (lon, lat[, z]) polyline on the WGS84 ellipsoid (ignores z); an independent check."""
    arr = np.asarray(list(coords), dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 2:
        return 0.0
    return float(_GEOD.line_length(arr[:, 0], arr[:, 1]))
