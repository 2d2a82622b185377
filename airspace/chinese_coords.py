"""GCJ-02 (AMap/Tencent) and BD-09 (Baidu) <-> WGS84 conversion, vectorised over numpy arrays.

Neither offset has a closed-form inverse; both inverses iterate the forward map to < 1e-10 deg, not the one-step guess.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

# The published GCJ-02 constants (Krasovsky 1940 ellipsoid), as every public implementation uses them.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
# Rough China bounding box used by the obfuscation itself: outside it, GCJ-02 equals WGS84.
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)
_INVERSE_TOL_DEG = 1e-10  # ~1e-5 m; the loop stops well below the 0.5 m contract
_INVERSE_MAX_ITER = 30

Coord = Any  # float or numpy array


def _wrap(fn: Callable) -> Callable:
    """Let each converter take floats or arrays and hand back the same kind."""

    def wrapper(lon: Coord, lat: Coord) -> tuple[Coord, Coord]:
        scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
        x, y = fn(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        if scalar:
            return float(x), float(y)
        return x, y

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon < _CHINA_LON[0]) | (lon > _CHINA_LON[1]) | (lat < _CHINA_LAT[0]) | (lat > _CHINA_LAT[1])


def out_of_china(lon: Coord, lat: Coord):
    """True where (lon, lat) lies outside the box in which GCJ-02 applies its offset."""
    result = _out_of_china(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return bool(result) if np.ndim(result) == 0 else result


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset (degrees) at WGS84 (lon, lat), zero outside China."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    outside = _out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


@_wrap
def wgs84_to_gcj02(lon, lat):
    """WGS84 -> GCJ-02; points outside China are returned unchanged."""
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


@_wrap
def gcj02_to_wgs84(lon, lat):
    """GCJ-02 -> WGS84 by fixed-point iteration on the forward map (converges to < 1e-10 degrees)."""
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(_INVERSE_MAX_ITER):
        dlon, dlat = _delta(wlon, wlat)
        err_lon = wlon + dlon - lon
        err_lat = wlat + dlat - lat
        wlon = wlon - err_lon
        wlat = wlat - err_lat
        if np.all(np.abs(err_lon) < _INVERSE_TOL_DEG) and np.all(np.abs(err_lat) < _INVERSE_TOL_DEG):
            break
    return wlon, wlat


def _gcj02_to_bd09(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


@_wrap
def gcj02_to_bd09(lon, lat):
    """GCJ-02 -> BD-09 (Baidu's published formula; applied everywhere, as Baidu does)."""
    return _gcj02_to_bd09(lon, lat)


def _bd09_to_gcj02_step(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


@_wrap
def bd09_to_gcj02(lon, lat):
    """BD-09 -> GCJ-02: Baidu's one-step inverse (off by up to ~0.2 m), then refined on the forward map."""
    glon, glat = _bd09_to_gcj02_step(lon, lat)
    for _ in range(_INVERSE_MAX_ITER):
        blon, blat = _gcj02_to_bd09(glon, glat)
        err_lon, err_lat = blon - lon, blat - lat
        glon, glat = glon - err_lon, glat - err_lat
        if np.all(np.abs(err_lon) < _INVERSE_TOL_DEG) and np.all(np.abs(err_lat) < _INVERSE_TOL_DEG):
            break
    return glon, glat


def bd09_to_wgs84(lon: Coord, lat: Coord) -> tuple[Coord, Coord]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: Coord, lat: Coord) -> tuple[Coord, Coord]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def transform_coordinates(coords: Any, fn: Callable[[float, float], tuple[float, float]]) -> Any:
    """Apply `fn(lon, lat)` to nested GeoJSON coordinates, keeping any z; returns lists, same nesting."""
    if isinstance(coords, (list, tuple)) and coords and all(
        isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords
    ):
        if len(coords) < 2:
            raise ValueError(f"position {list(coords)} needs at least lon and lat")
        lon, lat = fn(float(coords[0]), float(coords[1]))
        return [float(lon), float(lat), *[float(c) for c in coords[2:]]]
    if isinstance(coords, (list, tuple)):
        return [transform_coordinates(item, fn) for item in coords]
    raise ValueError(f"coordinates hold {type(coords).__name__} where a list of numbers was expected")
