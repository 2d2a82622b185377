"""Tests for airspace.beidou3d: the worked values of GB/T 39409-2020 sec. 6 and annex C, round trips, covers."""
import math

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from airspace import beidou, beidou3d
from airspace.beidou3d import (
    CODE_LENGTHS_3D, LAYER_UNITS, cell_bounds, cells_covering, decode, encode, height_code, join, layer_bottom_m,
    layer_bounds_m, layer_count, layers_meeting, split,
)

# GB/T 39409-2020 table 1: one location as a 2D code and as a 3D code (height code 000000000000).
TABLE1_2D = "N36J93078B3101524314"
TABLE1_3D = "N036J0093000780B3010010520430140"
DEG = beidou.UNITS_PER_DEG  # layer counts per degree of the height domain (1/2048" each)
WUHAN = (114.3055, 30.5928)


def test_table1_example_splits_into_the_tables_2d_code_and_the_ground_layer():
    code_2d, k, level = split(TABLE1_3D)
    assert (code_2d, k, level) == (TABLE1_2D, 0, 10)
    assert join(TABLE1_2D, 0) == TABLE1_3D


def test_table1_example_encodes_from_a_point_of_its_cell_at_ground_height():
    west, south, east, north = beidou.cell_bounds(TABLE1_2D)
    centre = ((west + east) / 2, (south + north) / 2)
    assert encode(*centre, 0.0, 10) == TABLE1_3D
    assert encode(*centre, 0.014, 10) == TABLE1_3D  # the level-10 layer is 1.5 cm thick at the ground
    assert encode(*centre, 0.016, 10) == TABLE1_3D[:-1] + "1"


def test_annex_c13_heights_of_the_domain_edges_and_the_top_layer():
    # C.13 computes them for 1° layers: n = ±256 and 255 degrees of count.
    assert layer_bottom_m(-256 * DEG) / 1000 == pytest.approx(-6302.106722602182, rel=1e-12)
    assert layer_bottom_m(255 * DEG) / 1000 == pytest.approx(519501.8341582395, rel=1e-12)
    assert layer_bottom_m(256 * DEG) / 1000 == pytest.approx(528680.1711252437, rel=1e-12)
    h255 = layer_bottom_m(255 * DEG) - layer_bottom_m(254 * DEG)
    assert h255 / 1000 == pytest.approx(9020.892688127176, rel=1e-12)
    h_minus256 = layer_bottom_m(-256 * DEG) - layer_bottom_m(-257 * DEG)  # h_n = H_n - H_(n-1) (C.9)
    assert h_minus256 / 1000 == pytest.approx(1.304215811725356, rel=1e-12)
    l_minus256 = (layer_bottom_m(-256 * DEG) + beidou3d.R0_M) * math.pi / 180  # L_n = r_n θ0 (C.10)
    assert l_minus256 / 1000 == pytest.approx(1.326978671796536, rel=1e-12)
    assert beidou3d.MIN_HEIGHT_M == pytest.approx(-6302106.722602182)
    assert beidou3d.MAX_HEIGHT_M == pytest.approx(528680171.1252437)


@pytest.mark.parametrize("level, size_arcsec", [
    (1, 4 * 3600), (2, 30 * 60), (3, 15 * 60), (4, 60), (5, 4), (6, 2), (7, 1 / 4), (8, 1 / 32), (9, 1 / 256),
    (10, 1 / 2048),
])
def test_layers_have_the_sizes_of_section_6_1(level, size_arcsec):
    assert LAYER_UNITS[level] == round(size_arcsec * 2048)
    if level < 4:
        return  # thick layers grow noticeably within themselves; the linear estimate below holds from 1' down
    # At the ground a layer is as thick as its cell is wide at the equator, shrunk by the log spacing: 6.1 quotes
    # 123.69 m (level 5), 61.84 m (6), 7.73 m (7) for the equator arc; the first layer is ln(1+θ0)/θ0 of that.
    arc = beidou3d.R0_M * math.radians(size_arcsec / 3600)
    assert layer_bounds_m(0, level)[1] == pytest.approx(arc * math.log1p(math.pi / 180) / (math.pi / 180), rel=1e-3)


def test_section_6_1_sizes_quoted_for_levels_5_to_7():
    arcs = {level: beidou3d.R0_M * math.radians(LAYER_UNITS[level] / DEG) for level in (5, 6, 7)}
    assert arcs[5] == pytest.approx(123.69, abs=0.01)
    assert arcs[6] == pytest.approx(61.84, abs=0.01)
    assert arcs[7] == pytest.approx(7.73, abs=0.01)


def test_code_lengths_and_the_height_digit_ranges_of_section_6_2():
    assert CODE_LENGTHS_3D[10] == 32 and CODE_LENGTHS_3D[1] == 7
    top = join("N50J47539B8255346152", 64 * LAYER_UNITS[1] - 1)  # the highest level-10 layer
    assert split(top)[1] == 64 * LAYER_UNITS[1] - 1
    heights = top[1] + "".join(top[CODE_LENGTHS_3D[m] - (2 if m == 1 else 1):CODE_LENGTHS_3D[m]] for m in range(1, 11))
    assert heights == "063" + "71EE1" + "7777"  # every digit at its maximum: 63, 7, 1, E, E, 1, 7, 7, 7, 7


def test_heights_below_122_m_match_the_bit_layout_of_annex_c14_used_by_open_codecs():
    # n = 3340 for 50 m: C.14 takes bits 10-12, 7-9, 4-6 and 1-3 for a8..a11 -> 6, 4, 1, 4.
    assert layer_count(50.0) == 3340
    code = encode(120.5830508, 31.1415575, 50.0, 10)
    assert height_code(3340, 10) == "0" + "00" + "0" * 5 + "6414"
    assert code == "N051H0016000480E7010366734331434"


def test_above_4_arcsec_digits_carry_after_e_as_section_6_2_and_c5_say():
    k = 15 * LAYER_UNITS[5]  # fifteen 4" layers = one 1' layer: a6 wraps from E to 0, a5 becomes 1
    assert height_code(k, 10) == "0" + "00" + "0" + "0" + "1" + "0" + "0" + "0000"
    assert layer_bounds_m(k, 10)[0] == pytest.approx(layer_bounds_m(1, 4)[0])


@settings(max_examples=300, deadline=None)
@given(
    lon=st.floats(-180, 180, allow_nan=False),
    lat=st.floats(-87.999, 87.999, allow_nan=False),
    height=st.floats(-6_000_000, 500_000_000, allow_nan=False),
    level=st.integers(1, 10),
)
def test_point_lies_in_its_decoded_cell(lon, lat, height, level):
    code = encode(lon, lat, height, level)
    assert len(code) == CODE_LENGTHS_3D[level]
    west, south, east, north, bottom, top = cell_bounds(code)
    assert west <= lon <= east and south <= lat <= north
    assert bottom <= height * (1 + 1e-12) + 1e-9 and height <= top * (1 + 1e-12) + 1e-9
    assert split(code)[0] == beidou.encode(lon, lat, level)
    # nesting: the parent level's cell holds this one
    if level > 1:
        parent = encode(lon, lat, height, level - 1)
        assert cell_bounds(parent)[4] <= bottom + 1e-6 and top <= cell_bounds(parent)[5] + 1e-6


@pytest.mark.parametrize("height", [-1000.0, -10.0, -0.001, 0.0, 0.001, 35.0, 120.0, 500.0, 9000.0])
def test_layers_nest_above_and_below_the_ellipsoid(height):
    for level in range(2, 11):
        child = layer_count(height) // LAYER_UNITS[level]
        parent = layer_count(height) // LAYER_UNITS[level - 1]
        bottom, top = layer_bounds_m(child, level)
        pb, pt = layer_bounds_m(parent, level - 1)
        assert pb <= bottom < top <= pt
        assert bottom <= height < top


def test_below_the_ellipsoid_the_sign_is_1_and_the_code_round_trips():
    code = encode(*WUHAN, -10.0, 7)
    assert code[1] == "1"
    _, bottom, top = decode(code)
    assert bottom <= -10.0 < top
    assert encode(*WUHAN, 0.0, 7)[1] == "0"


def test_lower_case_codes_decode():
    assert split(TABLE1_3D.lower()) == split(TABLE1_3D)


@pytest.mark.parametrize("code, message", [
    (TABLE1_3D[:-1] + "8", "level-10 height digit '8' must be 0..7"),
    ("N036J0093000780B3010010520430140X", "has 33 characters"),
    ("N236J00", "height sign '2'"),
    ("N036J64", "level-1 height digit '64'"),
    ("N036J0a", "level-1 height digit '0A'"),
    ("N036J0093F", "level-2 height digit 'F' must be 0..7"),
    ("N036J0093002", "level-3 height digit '2' must be 0..1"),
    ("N036J0093000780B3F", "level-5 height digit 'F'"),
    ("N061J00", "column 61 is outside"),
])
def test_bad_codes_name_the_code_and_the_fault(code, message):
    with pytest.raises(ValueError, match=message) as err:
        split(code)
    assert repr(code) in str(err.value) or "column 61" in message


def test_heights_outside_the_domain_are_refused():
    with pytest.raises(ValueError, match="outside the Beidou height domain"):
        encode(*WUHAN, 6e8, 5)
    with pytest.raises(ValueError, match="outside the Beidou height domain"):
        layer_count(float("nan"))
    with pytest.raises(ValueError, match="level must be an integer 1..10"):
        encode(*WUHAN, 50.0, 0)


def test_layers_meeting_a_flight_band():
    # 30..120 m spans the first two 61 m level-6 layers; a band ending exactly on a layer bottom only touches it.
    assert layers_meeting(30.0, 120.0, 6) == [0, 1]
    top_of_first = layer_bounds_m(0, 6)[1]
    assert layers_meeting(10.0, top_of_first, 6) == [0]
    assert layers_meeting(top_of_first, top_of_first, 6) == [1]
    with pytest.raises(ValueError, match="the top is below the bottom"):
        layers_meeting(50.0, 40.0, 6)


def test_cells_covering_a_volume_is_the_2d_cover_times_the_layers():
    box = shapely.box(114.30, 30.50, 114.30 + 5 / 3600, 30.50 + 3 / 3600)  # 5" x 3": 3 x 2 level-6 cells... or more
    codes = cells_covering(box, 30.0, 120.0, 6)
    cells_2d = beidou.cells_covering(box, 6)
    assert len(codes) == len(cells_2d) * 2 == len(set(codes))
    for code in codes:
        west, south, east, north, bottom, top = cell_bounds(code)
        assert shapely.box(west, south, east, north).intersection(box).area > 0
        assert bottom < 120.0 and top > 30.0
    union = shapely.union_all([shapely.box(*cell_bounds(c)[:4]) for c in codes])
    assert union.covers(box)


def test_cells_covering_refuses_a_huge_volume():
    with pytest.raises(ValueError, match="use a coarser level"):
        cells_covering(shapely.box(114.0, 30.0, 114.2, 30.2), 0.0, 10_000.0, 7, max_cells=10_000)
