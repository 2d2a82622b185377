"""Beidou 3D grid location codes (GB/T 39409-2020 sec. 6 and annex C): height layers, encode, decode, cover.

A 3D code interleaves the 2D code (airspace.beidou) with a height code, level by level, 32 characters at level 10.
"""
from __future__ import annotations

import math

import shapely

from airspace import beidou

# Height layers, GB/T 39409-2020 (text of the standard as published, 2020-11-19):
#  - C.1, eq. (C.12): the layer count of a geodetic height H is n = floor((θ0/θ) · log_{1+θ0}((H + r0) / r0)),
#    θ0 = 1° in radians, θ = the level-10 cell (1/2048"), r0 = 6 378 137 m (GB 22021-2008); the layer's
#    bottom is H_n = (1 + θ0)^(n θ/θ0) r0 - r0 (C.8). Layers thicken with height so cells stay near-cubes.
#  - sec. 6.1: level m layers match the level-m 2D cell sizes 4°, 30', 15', 1', 4", 2", 1/4", 1/32", 1/256",
#    1/2048"; sec. 6.2: the 12-character height code is a0 (0 above the ellipsoid, 1 below), a1a2 = 00..63
#    (level 1), a3 = 0..7, a4 = 0..1, a5 = 0..E, a6 = 0..E, a7 = 0..1, a8..a11 = 0..7 (levels 2..10);
#    C.2: the layers span 256° (64 level-1 layers of 4°) up and down; C.5: a5, a6 carry after E.
#  So the digits are the mixed-radix count of n in the radices below (64·8·2·15·15·2·8⁴ = 256° in 1/2048").
#  Annex C.14 (informative) instead slices n's binary bits (4 bits for a5, a6); that gives the same code
#  below 4" (about 122 m) and contradicts sec. 6 above it, so we follow the normative sec. 6. Below the
#  ellipsoid the count is stored as n + 256° (a complement, as C.14's 32-bit integer implies), so cells nest
#  and floor() holds on both sides; the open codecs Gvitech-gis/beidou-grid-location-codec and
#  ywx001/BeidouGridCodec store |n| there instead.
#  - sec. 6.2 and table 1: the 3D code is N|S, a0, then per level the 2D fragment and that level's height digit
#    (example: N036J0093000780B3010010520430140 for the 2D code N36J93078B3101524314 at height code 0).
R0_M = 6_378_137.0
THETA0 = math.pi / 180.0
_LOG_STEP = math.log1p(THETA0) / beidou.UNITS_PER_DEG  # ln((H_{n+1} + r0) / (H_n + r0))
RADIX = {1: 64, 2: 8, 3: 2, 4: 15, 5: 15, 6: 2, 7: 8, 8: 8, 9: 8, 10: 8}
LAYER_UNITS: dict[int, int] = {level: math.prod(RADIX[k] for k in range(level + 1, 11)) for level in RADIX}
"""Thickness of a level's layer in counts of n (1/2048" each): level 10 -> 1, level 1 -> 4°."""
FULL_RANGE = 64 * LAYER_UNITS[1]  # 256° of layers above the ellipsoid, and as many below
_DIGITS = "0123456789ABCDEF"
_HEIGHT_WIDTH = {level: 2 if level == 1 else 1 for level in RADIX}
_FRAGMENT_2D = {level: beidou.CODE_LENGTHS[level] - beidou.CODE_LENGTHS[level - 1] for level in RADIX}
CODE_LENGTHS_3D = tuple([0, *(2 + sum(_FRAGMENT_2D[k] + _HEIGHT_WIDTH[k] for k in range(1, m + 1)) for m in RADIX)])
"""Characters of a 3D code of level m (index m); 32 at level 10."""
MIN_HEIGHT_M = R0_M * math.expm1(-FULL_RANGE * _LOG_STEP)  # -6 302 106.7 m (C.13)
MAX_HEIGHT_M = R0_M * math.expm1(FULL_RANGE * _LOG_STEP)  # 528 680 171.1 m (C.13): top of the highest layer


# ------------------------------------------------------------------------------------------------ heights
def layer_count(height_m: float) -> int:
    """n of eq. (C.12): the level-10 layer holding geodetic height `height_m` (negative below the ellipsoid)."""
    height_m = float(height_m)
    if not math.isfinite(height_m) or not MIN_HEIGHT_M <= height_m < MAX_HEIGHT_M:
        raise ValueError(f"geodetic height {height_m} m is outside the Beidou height domain "
                         f"{MIN_HEIGHT_M:.0f}..{MAX_HEIGHT_M:.0f} m")
    return math.floor(math.log1p(height_m / R0_M) / _LOG_STEP)


def layer_bottom_m(n: int) -> float:
    """H_n of eq. (C.8): the geodetic height of the bottom of level-10 layer n."""
    return R0_M * math.expm1(n * _LOG_STEP)


def layer_bounds_m(k: int, level: int) -> tuple[float, float]:
    """(bottom, top) geodetic heights of the level-`level` layer number k (k = floor(n / LAYER_UNITS[level]))."""
    size = LAYER_UNITS[beidou.check_level(level)]
    return layer_bottom_m(k * size), layer_bottom_m((k + 1) * size)


def layers_meeting(low_m: float, high_m: float, level: int) -> list[int]:
    """Layer numbers at `level` that share heights with the band [low_m, high_m] (a band whose top is exactly a
    layer's bottom only touches that layer and does not take it, like a polygon edge on a cell border)."""
    if high_m < low_m:
        raise ValueError(f"height band {low_m}..{high_m} m: the top is below the bottom")
    size = LAYER_UNITS[beidou.check_level(level)]
    first = layer_count(low_m) // size
    last = layer_count(high_m) // size
    if last > first and layer_bottom_m(last * size) >= high_m:
        last -= 1
    return list(range(first, last + 1))


def height_code(k: int, level: int) -> str:
    """The height part (a0 a1a2 a3 ... up to `level`) of level-`level` layer k."""
    level = beidou.check_level(level)
    size = LAYER_UNITS[level]
    total = FULL_RANGE // size
    if not -total <= k < total:
        raise ValueError(f"layer {k} is outside the level-{level} height domain ({-total}..{total - 1})")
    count = k * size if k >= 0 else k * size + FULL_RANGE
    parts = ["0" if k >= 0 else "1"]
    for m in range(1, level + 1):
        digit = count // LAYER_UNITS[m] % RADIX[m]
        parts.append(f"{digit:02d}" if m == 1 else _DIGITS[digit])
    return "".join(parts)


def _layer_of_height_code(text: str, level: int, code: str) -> int:
    if text[0] not in "01":
        raise ValueError(f"Beidou 3D code {code!r}: height sign {text[0]!r} must be 0 (above) or 1 (below)")
    count, at = 0, 1
    for m in range(1, level + 1):
        digits = text[at:at + _HEIGHT_WIDTH[m]]
        at += _HEIGHT_WIDTH[m]
        value = int(digits) if m == 1 and digits.isdigit() else (
            _DIGITS.index(digits) if m > 1 and digits in _DIGITS else -1)
        if not 0 <= value < RADIX[m]:
            top = "63" if m == 1 else _DIGITS[RADIX[m] - 1]
            raise ValueError(f"Beidou 3D code {code!r}: level-{m} height digit {digits!r} must be 0..{top}")
        count += value * LAYER_UNITS[m]
    k = count // LAYER_UNITS[level]
    return k if text[0] == "0" else k - FULL_RANGE // LAYER_UNITS[level]


# ------------------------------------------------------------------------------------------------ codes
def join(code_2d: str, k: int) -> str:
    """The 3D code of the cell over 2D cell `code_2d` in layer k of the same level."""
    code_2d = beidou.validate(code_2d)
    level = beidou.level_of(code_2d)
    height = height_code(k, level)
    parts = [code_2d[0], height[0]]
    at_h = 1
    for m in range(1, level + 1):
        parts.append(code_2d[beidou.CODE_LENGTHS[m - 1]:beidou.CODE_LENGTHS[m]])
        parts.append(height[at_h:at_h + _HEIGHT_WIDTH[m]])
        at_h += _HEIGHT_WIDTH[m]
    return "".join(parts)


def split(code: str) -> tuple[str, int, int]:
    """(2D code, layer number, level) of a 3D code; ValueError naming the code and the fault."""
    if not isinstance(code, str):
        raise ValueError(f"Beidou 3D code must be a string, got {type(code).__name__}")
    text = code.strip().upper()
    if len(text) not in CODE_LENGTHS_3D[1:]:
        raise ValueError(f"Beidou 3D code {code!r} has {len(text)} characters; a level 1..10 code has one of "
                         f"{list(CODE_LENGTHS_3D[1:])}")
    level = CODE_LENGTHS_3D.index(len(text))
    parts_2d, parts_h = [text[0]], [text[1]]
    at = 2
    for m in range(1, level + 1):
        parts_2d.append(text[at:at + _FRAGMENT_2D[m]])
        at += _FRAGMENT_2D[m]
        parts_h.append(text[at:at + _HEIGHT_WIDTH[m]])
        at += _HEIGHT_WIDTH[m]
    code_2d = beidou.validate("".join(parts_2d))
    return code_2d, _layer_of_height_code("".join(parts_h), level, code), level


def encode(lon: float, lat: float, height_m: float, level: int) -> str:
    """Code of the level-`level` 3D cell holding (lon, lat) at geodetic height `height_m` (metres above the
    CGCS2000/WGS84 ellipsoid, not above ground: add the ground's ellipsoidal height to a height above ground)."""
    level = beidou.check_level(level)
    return join(beidou.encode(lon, lat, level), layer_count(height_m) // LAYER_UNITS[level])


def cell_bounds(code: str) -> tuple[float, float, float, float, float, float]:
    """(west, south, east, north, bottom_m, top_m) of a 3D cell; heights are geodetic, bottom included."""
    code_2d, k, level = split(code)
    bottom, top = layer_bounds_m(k, level)
    return (*beidou.cell_bounds(code_2d), bottom, top)


def decode(code: str) -> tuple[shapely.Polygon, float, float]:
    """The cell as (lon/lat rectangle, bottom_m, top_m)."""
    code_2d, k, level = split(code)
    bottom, top = layer_bounds_m(k, level)
    return beidou.decode(code_2d), bottom, top


def cells_covering(geometry: shapely.Geometry, low_m: float, high_m: float, level: int, *,
                   max_cells: int = 200_000) -> list[str]:
    """Codes of every level-`level` 3D cell meeting `geometry` (lon/lat) extruded over geodetic heights
    [low_m, high_m], sorted: the 2D cover (airspace.beidou.cells_covering) times the layers the band meets."""
    layers = layers_meeting(low_m, high_m, level)
    cells_2d = beidou.cells_covering(geometry, level, max_cells=max(1, max_cells // max(1, len(layers))))
    if len(cells_2d) * len(layers) > max_cells:
        raise ValueError(f"covering this volume at level {level} takes {len(cells_2d) * len(layers)} cells "
                         f"(limit {max_cells}); use a coarser level")
    return sorted(join(code, k) for code in cells_2d for k in layers)
