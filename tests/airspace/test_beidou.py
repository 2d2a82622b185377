"""Tests for airspace.beidou: known codes from GB/T 39409-2020 and implementations, round trips, coverage."""
import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon

from airspace import beidou
from airspace.beidou import LEVELS, cell_bounds, cells_covering, children, decode, encode, level_of, parent

# The standard's worked example, 116°18'45.37"E 39°59'35.38"N (also in Gvitech-gis/beidou-grid-location-codec).
EXAMPLE = (116 + 18 / 60 + 45.37 / 3600, 39 + 59 / 60 + 35.38 / 3600)
EXAMPLE_CODE = "N50J47539B8255346152"
WUHAN = (114.3055, 30.5928)


def test_standard_worked_example_at_level_10():
    assert encode(*EXAMPLE, 10) == EXAMPLE_CODE


@pytest.mark.parametrize("level", range(1, 11))
def test_standard_example_prefixes_are_the_codes_of_each_level(level):
    assert encode(*EXAMPLE, level) == EXAMPLE_CODE[: [1, 4, 6, 7, 9, 11, 12, 14, 16, 18, 20][level]]


@pytest.mark.parametrize(
    "lon, lat, level, code",
    [
        (116.315222, 39.910278, 4, "N50J47534"),  # Ganos ST_AsGridcell BGC docs example
        (116.3974, 39.9093, 6, "N50J47584C81"),  # Tiananmen, open grid-converter example
        (114.3055, 30.5928, 1, "N50H"),  # Wuhan: sheet H-50 of the 1:1,000,000 series
    ],
)
def test_published_codes(lon, lat, level, code):
    assert encode(lon, lat, level) == code


def test_lower_case_hex_as_printed_in_the_standard_decodes():
    assert cell_bounds("N50J47539b8255346152") == cell_bounds(EXAMPLE_CODE)
    assert decode("n50j47539b82").contains(Point(EXAMPLE))


def test_level_sizes_follow_the_standard():
    assert LEVELS[1] == (6.0, 4.0)
    assert LEVELS[2] == (0.5, 0.5)
    assert LEVELS[3] == pytest.approx((0.25, 1 / 6))
    assert LEVELS[4] == pytest.approx((1 / 60, 1 / 60))
    assert LEVELS[5] == pytest.approx((4 / 3600, 4 / 3600))
    assert LEVELS[6] == pytest.approx((2 / 3600, 2 / 3600))
    assert LEVELS[7] == pytest.approx((0.25 / 3600, 0.25 / 3600))
    assert LEVELS[10] == pytest.approx((1 / 2048 / 3600, 1 / 2048 / 3600))


@pytest.mark.parametrize(
    "lon, lat, prefix",
    [(114.3055, 30.5928, "N50H"), (-74.006, 40.7128, "N18K"), (151.2093, -33.8688, "S56I"), (-58.3816, -34.6037, "S21I")],
)
def test_level_one_sheet_in_all_four_hemispheres(lon, lat, prefix):
    code = encode(lon, lat, 7)
    assert code.startswith(prefix)
    assert decode(code).contains(Point(lon, lat))


def test_other_hemispheres_mirror_the_north_east_one():
    # Gvitech's codec gives S11J47539B8255346152 for 116°18'45.37"W 39°59'35.38"S: digits mirror N50J...
    assert encode(-EXAMPLE[0], -EXAMPLE[1], 10) == "S11J47539B8255346152"
    west, south, east, north = cell_bounds("S11J47539B82")
    w2, s2, e2, n2 = cell_bounds("N50J47539B82")
    assert (west, south, east, north) == pytest.approx((-e2, -n2, -w2, -s2))


@settings(max_examples=300, deadline=None)
@given(
    lon=st.floats(-180, 180, allow_nan=False),
    lat=st.floats(-87.999, 87.999, allow_nan=False),
    level=st.integers(1, 10),
)
def test_point_lies_in_its_decoded_cell_of_the_right_size(lon, lat, level):
    code = encode(lon, lat, level)
    assert level_of(code) == level
    west, south, east, north = cell_bounds(code)
    assert west <= lon <= east and south <= lat <= north
    assert east - west == pytest.approx(LEVELS[level][0], rel=1e-9)
    assert north - south == pytest.approx(LEVELS[level][1], rel=1e-9)
    # the cell's centre encodes back to the same code
    assert encode((west + east) / 2, (south + north) / 2, level) == code


def test_random_points_round_trip_at_every_level_around_wuhan():
    rng = np.random.default_rng(3)
    for lon, lat in zip(114.0 + rng.random(200) * 1.5, 28.0 + rng.random(200) * 3.9):
        for level in range(1, 11):
            code = encode(lon, lat, level)
            assert code.startswith("N50H")
            assert decode(code).covers(Point(lon, lat))


def test_parent_and_children_nest():
    code = encode(*WUHAN, 7)
    up = parent(code)
    assert level_of(up) == 6
    assert decode(up).covers(decode(code))
    kids = children(up)
    assert len(kids) == 64 and code in kids
    assert shapely.union_all([decode(k) for k in kids]).symmetric_difference(decode(up)).area < 1e-18
    level3 = parent(parent(parent(parent(code))))
    assert len(children(level3)) == 150  # 15 x 10 one-minute cells in a 15' x 10' cell


def test_children_of_west_and_south_cells_stay_inside():
    code = encode(-58.3816, -34.6037, 3)
    assert all(decode(parent(k)).equals(decode(code)) for k in children(code))
    assert shapely.union_all([decode(k) for k in children(code)]).area == pytest.approx(decode(code).area)


@pytest.mark.parametrize(
    "code, message",
    [
        ("N50H09", "level-2 fragment '09' is out of range"),
        ("N50HC0", "level-2 fragment 'C0' is out of range"),
        ("N50H0X", "not two hex digits"),
        ("N50H006", "level-3 digit '6'"),
        ("N61H", "column 61 is outside"),
        ("N00H", "column 00 is outside"),
        ("N50W", "row A..V"),
        ("X50H", "N|S"),
        ("N50H0", "has 5 characters"),
        ("", "has 0 characters"),
    ],
)
def test_bad_codes_are_rejected_with_the_code_and_the_fault(code, message):
    with pytest.raises(ValueError, match=message) as err:
        cell_bounds(code)
    assert repr(code) in str(err.value)


def test_parent_of_level_one_and_bad_levels_are_errors():
    with pytest.raises(ValueError, match="no parent"):
        parent("N50H")
    with pytest.raises(ValueError, match="level must be an integer 1..10"):
        encode(*WUHAN, 11)
    with pytest.raises(ValueError, match="polar"):
        encode(10.0, 88.5, 3)


def test_cells_covering_a_polygon_covers_it_exactly_and_minimally():
    # East Lake area, Wuhan
    lake = Polygon([(114.36, 30.53), (114.43, 30.54), (114.44, 30.58), (114.39, 30.60), (114.35, 30.57)])
    codes = cells_covering(lake, 4)
    cells = [decode(c) for c in codes]
    union = shapely.union_all(cells)
    assert union.covers(lake)
    assert all(cell.intersection(lake).area > 0 for cell in cells)  # no cell is wasted
    assert len(set(codes)) == len(codes)
    # bbox 0.09 x 0.07 deg at 1' cells: at most 6 x 5 candidates... times 9 x ~5; fewer after filtering
    assert 20 < len(codes) <= 6 * 9 * 5


def test_cells_covering_a_polygon_on_cell_edges_takes_no_neighbours():
    west, south, east, north = cell_bounds("N50H051")
    cell = shapely.box(west, south, east, north)
    assert cells_covering(cell, 3) == ["N50H051"]
    assert len(cells_covering(cell, 4)) == 150


def test_cells_covering_a_line_and_a_point():
    line = LineString([(114.30, 30.50), (114.30 + 3.5 / 60, 30.50)])  # due east along 3.5 minutes
    codes = cells_covering(line, 4)
    assert len(codes) == 4
    assert cells_covering(Point(WUHAN), 6) == [encode(*WUHAN, 6)]


def test_cells_covering_across_the_prime_meridian_and_equator():
    square = shapely.box(-0.3, -0.2, 0.3, 0.2)
    codes = cells_covering(square, 2)
    assert sorted(c[:4] for c in codes) == sorted(["N30A", "N31A", "S30A", "S31A"])
    assert shapely.union_all([decode(c) for c in codes]).covers(square)


def test_cells_covering_refuses_a_huge_request():
    with pytest.raises(ValueError, match="use a coarser level"):
        cells_covering(shapely.box(114.0, 30.0, 115.0, 31.0), 6)


def test_wuhan_level7_cell_is_about_7_metres():
    from airspace.projection import geodesic_length_m

    west, south, east, north = cell_bounds(encode(*WUHAN, 7))
    assert geodesic_length_m([(west, south), (east, south)]) == pytest.approx(7.73 * math.cos(math.radians(30.59)), rel=0.02)
    assert geodesic_length_m([(west, south), (west, north)]) == pytest.approx(7.7, rel=0.02)
    assert beidou.MAX_LEVEL == 10
