"""Beidou grid location codes (GB/T 39409-2020), 2D, levels 1..10: encode, decode, parents, covering cells.

A code is N|S + level-1 map sheet (column 01..60, row A..V) + one fragment per finer level.
"""
from __future__ import annotations

import logging
import math
import re

import numpy as np
import shapely
from shapely.geometry import Polygon

logger = logging.getLogger(__name__)

# Subdivision per GB/T 39409-2020 sec. 5 (cross-checked against the standard's worked example
# 116°18'45.37"E 39°59'35.38"N -> N50J47539B8255346152 and the open implementations
# Gvitech-gis/beidou-grid-location-codec and ywx001/BeidouGridCodec):
#   level 1: 6° x 4°     (1:1,000,000 map sheet; 60 columns x 22 rows up to 88°)
#   level 2: 30' x 30'   12 x 8   two hex digits (column, row)
#   level 3: 15' x 10'   2 x 3    one digit, row * 2 + column (0..5)
#   level 4: 1' x 1'     15 x 10  two hex digits
#   level 5: 4" x 4"     15 x 15  two hex digits
#   level 6: 2" x 2"     2 x 2    one digit, row * 2 + column (0..3)
#   level 7..10: 1/4", 1/32", 1/256", 1/2048"; 8 x 8 each, two octal digits
# Everything is counted in integer units of 1/2048 arcsecond so cell edges are exact.
UNITS_PER_DEG = 3600 * 2048
_SIZE_UNITS: dict[int, tuple[int, int]] = {
    1: (6 * UNITS_PER_DEG, 4 * UNITS_PER_DEG),
    2: (UNITS_PER_DEG // 2, UNITS_PER_DEG // 2),
    3: (UNITS_PER_DEG // 4, UNITS_PER_DEG // 6),
    4: (UNITS_PER_DEG // 60, UNITS_PER_DEG // 60),
    5: (4 * 2048, 4 * 2048),
    6: (2 * 2048, 2 * 2048),
    7: (512, 512),
    8: (64, 64),
    9: (8, 8),
    10: (1, 1),
}
LEVELS: dict[int, tuple[float, float]] = {
    level: (lon_u / UNITS_PER_DEG, lat_u / UNITS_PER_DEG) for level, (lon_u, lat_u) in _SIZE_UNITS.items()
}
"""Cell size per level in degrees, (lon, lat)."""
_COUNTS = {1: (60, 22), 2: (12, 8), 3: (2, 3), 4: (15, 10), 5: (15, 15), 6: (2, 2), 7: (8, 8), 8: (8, 8), 9: (8, 8),
           10: (8, 8)}
CODE_LENGTHS = (1, 4, 6, 7, 9, 11, 12, 14, 16, 18, 20)  # characters of a 2D code up to and including level n
MAX_LEVEL = 10
MAX_ABS_LAT = 88.0  # above 88° the standard uses a separate polar scheme, not implemented here
_HEX = "0123456789ABCDEF"
_LEVEL1 = re.compile(r"^([NS])(\d{2})([A-V])$")


def check_level(level: int) -> int:
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or not 1 <= level <= MAX_LEVEL:
        raise ValueError(f"Beidou grid level must be an integer 1..{MAX_LEVEL}, got {level!r}")
    return int(level)


def _fragment(level: int, col: int, row: int) -> str:
    if level in (3, 6):
        return str(row * 2 + col)
    return _HEX[col] + _HEX[row]


def encode(lon: float, lat: float, level: int) -> str:
    """Code of the level-`level` cell holding (lon, lat).

    Other hemispheres mirror the north-east one: from level 2 on, columns and rows count away from the
    equator and the prime meridian (as the standard's symmetric definition and the Gvitech codec do).
    Cells are closed on the side nearer the origin; lon = 0 counts as east, lat = 0 as north.
    """
    level = check_level(level)
    lon, lat = float(lon), float(lat)
    if not (math.isfinite(lon) and math.isfinite(lat)) or not -180.0 <= lon <= 180.0:
        raise ValueError(f"cannot encode (lon={lon}, lat={lat}): longitude must be finite and within -180..180")
    if abs(lat) >= MAX_ABS_LAT:
        raise ValueError(f"cannot encode lat={lat}: polar cells (|lat| >= {MAX_ABS_LAT}) are not supported")
    east, north = lon >= 0.0, lat >= 0.0
    u = math.floor(abs(lon) * UNITS_PER_DEG)
    v = math.floor(abs(lat) * UNITS_PER_DEG)
    size_u, size_v = _SIZE_UNITS[1]
    col1 = min(u // size_u, 29)  # lon = ±180 belongs to the last sheet
    row1 = v // size_v
    parts = ["N" if north else "S", f"{31 + col1 if east else 30 - col1:02d}", chr(ord("A") + row1)]
    u -= col1 * size_u
    v -= row1 * size_v
    if u >= size_u:  # only at lon = ±180: keep the point on the sheet's far edge
        u = size_u - 1
    for n in range(2, level + 1):
        su, sv = _SIZE_UNITS[n]
        col, row = u // su, v // sv
        parts.append(_fragment(n, col, row))
        u -= col * su
        v -= row * sv
    return "".join(parts)


def level_of(code: str) -> int:
    """Level of a code from its length (validates nothing else; see `cell_bounds`)."""
    if not isinstance(code, str):
        raise ValueError(f"Beidou grid code must be a string, got {type(code).__name__}")
    try:
        return CODE_LENGTHS.index(len(code.strip()))
    except ValueError:
        raise ValueError(
            f"Beidou grid code {code!r} has {len(code.strip())} characters; a level 1..10 code has one of "
            f"{list(CODE_LENGTHS[1:])}"
        ) from None


def _parse(code: str) -> tuple[str, bool, bool, int, int, int, int, int]:
    """-> (normalised code, east, north, level, u0, v0, size_u, size_v) in mirrored positive units."""
    level = level_of(code)
    if level == 0:
        raise ValueError(f"Beidou grid code {code!r} has no level-1 sheet (needs e.g. 'N50H')")
    text = code.strip().upper()  # the standard's own example writes a lower-case hex digit ('b')
    match = _LEVEL1.match(text[:4])
    if not match:
        raise ValueError(f"Beidou grid code {code!r}: level 1 {text[:4]!r} must be N|S, column 01..60, row A..V")
    col_code = int(match[2])
    if not 1 <= col_code <= 60:
        raise ValueError(f"Beidou grid code {code!r}: level-1 column {match[2]} is outside 01..60")
    east, north = col_code >= 31, match[1] == "N"
    col1 = col_code - 31 if east else 30 - col_code
    row1 = ord(match[3]) - ord("A")
    size_u, size_v = _SIZE_UNITS[1]
    u, v = col1 * size_u, row1 * size_v
    for n in range(2, level + 1):
        frag = text[CODE_LENGTHS[n - 1]:CODE_LENGTHS[n]]
        cols, rows = _COUNTS[n]
        if n in (3, 6):
            if not frag.isdigit() or int(frag) >= cols * rows:
                raise ValueError(f"Beidou grid code {code!r}: level-{n} digit {frag!r} must be 0..{cols * rows - 1}")
            col, row = int(frag) % 2, int(frag) // 2
        else:
            if any(ch not in _HEX for ch in frag):
                raise ValueError(f"Beidou grid code {code!r}: level-{n} fragment {frag!r} is not two hex digits")
            col, row = _HEX.index(frag[0]), _HEX.index(frag[1])
            if col >= cols or row >= rows:
                raise ValueError(
                    f"Beidou grid code {code!r}: level-{n} fragment {frag!r} is out of range "
                    f"(column 0..{_HEX[cols - 1]}, row 0..{_HEX[rows - 1]})"
                )
        su, sv = _SIZE_UNITS[n]
        u += col * su
        v += row * sv
    su, sv = _SIZE_UNITS[level]
    return text, east, north, level, u, v, su, sv


def validate(code: str) -> str:
    """The code, stripped and upper-cased, or ValueError naming the code and what is wrong."""
    return _parse(code)[0]


def cell_bounds(code: str) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the cell in degrees."""
    _, east, north, _, u, v, su, sv = _parse(code)
    lo_x, hi_x = u / UNITS_PER_DEG, (u + su) / UNITS_PER_DEG
    lo_y, hi_y = v / UNITS_PER_DEG, (v + sv) / UNITS_PER_DEG
    west_, east_ = (lo_x, hi_x) if east else (0.0 - hi_x, 0.0 - lo_x)  # 0.0 - x: no -0.0
    south_, north_ = (lo_y, hi_y) if north else (0.0 - hi_y, 0.0 - lo_y)
    return west_, south_, east_, north_


def decode(code: str) -> Polygon:
    """The cell as a lon/lat rectangle."""
    return shapely.box(*cell_bounds(code))


def parent(code: str) -> str:
    """The enclosing cell one level up (a level-1 sheet has none)."""
    text, *_rest = _parse(code)
    level = _rest[2]
    if level == 1:
        raise ValueError(f"Beidou grid code {code!r} is a level-1 sheet and has no parent")
    return text[:CODE_LENGTHS[level - 1]]


def children(code: str) -> list[str]:
    """All cells one level down, inside `code`."""
    text, *_rest = _parse(code)
    level = _rest[2]
    if level == MAX_LEVEL:
        raise ValueError(f"Beidou grid code {code!r} is at level {MAX_LEVEL} and has no children")
    cols, rows = _COUNTS[level + 1]
    return [text + _fragment(level + 1, c, r) for r in range(rows) for c in range(cols)]


def cells_covering(geometry: shapely.Geometry, level: int, *, max_cells: int = 200_000) -> list[str]:
    """Codes of every level-`level` cell that meets `geometry` (lon/lat), sorted.

    Polygons must share interior with a cell (an edge lying on a cell border does not pull in the
    neighbour); lines and points count when they touch. Cells at every level tile a grid anchored at
    (0, 0) in all four hemispheres, so the bounding box gives the candidate cells directly.
    """
    level = check_level(level)
    if geometry is None or geometry.is_empty:
        return []
    west, south, east, north = geometry.bounds
    if south <= -MAX_ABS_LAT or north >= MAX_ABS_LAT:
        raise ValueError(f"geometry reaches |lat| >= {MAX_ABS_LAT}: polar cells are not supported")
    dx, dy = LEVELS[level]
    i0, i1 = math.floor(west / dx), min(math.floor(east / dx), math.ceil(180.0 / dx) - 1)
    j0, j1 = math.floor(south / dy), math.floor(north / dy)
    count = (i1 - i0 + 1) * (j1 - j0 + 1)
    if count > max_cells:
        raise ValueError(
            f"covering this geometry at level {level} means testing {count} cells (limit {max_cells}); "
            "use a coarser level"
        )
    ii, jj = np.meshgrid(np.arange(i0, i1 + 1), np.arange(j0, j1 + 1))
    ii, jj = ii.ravel(), jj.ravel()
    su, sv = _SIZE_UNITS[level]
    # Edges from integer units, the same arithmetic as cell_bounds, so shared borders compare equal.
    boxes = shapely.box(ii * su / UNITS_PER_DEG, jj * sv / UNITS_PER_DEG,
                        (ii + 1) * su / UNITS_PER_DEG, (jj + 1) * sv / UNITS_PER_DEG)
    shapely.prepare(geometry)
    hit = shapely.intersects(geometry, boxes)
    if shapely.get_type_id(geometry) in (3, 6) or (
        geometry.geom_type == "GeometryCollection" and all(g.geom_type.endswith("Polygon") for g in geometry.geoms)
    ):
        hit &= ~shapely.touches(geometry, boxes)
    # Encode each cell from its centre, which lies safely inside it whatever the float rounding.
    codes = sorted(encode((i + 0.5) * dx, (j + 0.5) * dy, level) for i, j in zip(ii[hit], jj[hit]))
    logger.debug("%d level-%d cells cover a %s (%d candidates)", len(codes), level, geometry.geom_type, count)
    return codes
