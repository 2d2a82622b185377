"""Tests for airspace.grid: reading grid CSV files and turning cells into zones."""

import pytest
from shapely.geometry import Point

from airspace.beidou import decode, encode
from airspace.errors import InputError
from airspace.grid import GRID_TOP_M, read_grid_csv, zones_from_grid
from airspace.rules import keep_out_zones
from airspace.zones import Restriction
from tests.helpers import DATA_DIR

DATA = DATA_DIR / "airspace"


def test_read_grid_csv_reads_rows_skipping_comments_and_blanks():
    rows = read_grid_csv(DATA / "grid_wuhan.csv")
    assert rows == [
        ("N50H0513548", "prohibited", None),
        ("N50H0513549", "restricted", None),
        ("N50H051354A", "open", 60.0),
        ("N50H0513558", "restricted", 50.0),
        ("N50H0513559", "open", None),
        ("N50H051355A", "open", 150.0),
    ]


@pytest.mark.parametrize(
    "name, feature, field, message",
    [
        ("grid_UnknownStatus.csv", "row 2 (code N50H0513548)", "status", "'closed' is not one of"),
        ("grid_BadCode.csv", "row 3 (code N50H05135Z8)", "code", "not two hex digits"),
        ("grid_NegativeCeiling.csv", "row 2 (code N50H0513548)", "ceiling_m", "must be a finite height"),
        ("grid_MissingStatusColumn.csv", "row 1", "status", "lacks column(s) status"),
    ],
)
def test_bad_grid_files_name_file_row_and_field(name, feature, field, message):
    with pytest.raises(InputError) as err:
        read_grid_csv(DATA / name)
    exc = err.value
    assert exc.file == str(DATA / name)
    assert exc.feature == feature
    assert exc.field == field
    assert message in str(exc)
    assert f"feature {feature}: field {field}: " in str(exc)


def test_duplicate_cell_and_missing_file_are_errors(tmp_path):
    dup = tmp_path / "dup.csv"
    dup.write_text("code,status\nN50H0513548,open\nn50h0513548,prohibited\n")
    with pytest.raises(InputError, match="listed twice \\(first on row 2\\)"):
        read_grid_csv(dup)
    with pytest.raises(InputError, match="cannot read grid file"):
        read_grid_csv(tmp_path / "absent.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("\n")
    with pytest.raises(InputError, match="empty"):
        read_grid_csv(empty)


def test_zones_from_grid_maps_each_status_and_ceiling():
    zones = {z.id: z for z in zones_from_grid(read_grid_csv(DATA / "grid_wuhan.csv"), 120.0, source="grid.csv")}
    assert set(zones) == {
        "grid:N50H0513548",
        "grid:N50H0513549",
        "grid:N50H051354A",
        "grid:N50H0513558",
        "grid:N50H0513558:ceiling",
    }
    prohibited = zones["grid:N50H0513548"]
    assert prohibited.restriction is Restriction.PROHIBITED
    assert (prohibited.lower_m, prohibited.upper_m) == (0.0, GRID_TOP_M)
    assert prohibited.geometry.shape.equals(decode("N50H0513548"))
    assert prohibited.source == "grid.csv"
    restricted = zones["grid:N50H0513549"]
    assert restricted.restriction is Restriction.AUTHORISATION_REQUIRED
    assert "restricted" in restricted.name
    low = zones["grid:N50H051354A"]
    assert low.restriction is Restriction.PROHIBITED
    assert (low.lower_m, low.upper_m) == (60.0, GRID_TOP_M)
    assert "ceiling 60 m" in low.name
    both = zones["grid:N50H0513558:ceiling"]
    assert both.lower_m == 50.0 and zones["grid:N50H0513558"].restriction is Restriction.AUTHORISATION_REQUIRED


def test_cell_ceiling_keeps_drones_out_only_above_it():
    zones = zones_from_grid([("N50H051354A", "open", 60.0)], 120.0)
    centre = decode("N50H051354A").centroid
    assert encode(centre.x, centre.y, 5) == "N50H051354A"
    assert keep_out_zones(zones, 0, 3600, 30.0, 55.0) == []
    assert [z.id for z in keep_out_zones(zones, 0, 3600, 80.0, 80.0)] == ["grid:N50H051354A"]


def test_ceiling_at_or_above_scenario_ceiling_makes_no_zone():
    assert zones_from_grid([("N50H051354A", "open", 120.0), ("N50H0513559", "open", None)], 120.0) == []


def test_zones_from_grid_rejects_bad_cells_with_index_and_code():
    with pytest.raises(InputError) as err:
        zones_from_grid([("N50H0513548", "open", None), ("N50H05135", "shut", None)], 120.0)
    assert err.value.feature == "cell 1 (N50H05135)" and err.value.field == "status"
    with pytest.raises(InputError, match="field code"):
        zones_from_grid([("N99H", "open", None)], 120.0)


def test_zone_polygon_is_the_cell_and_contains_its_centre():
    (zone,) = zones_from_grid([("N50H0513548", "prohibited", None)], 120.0)
    west, south, east, north = zone.geometry.shape.bounds
    assert zone.geometry.shape.contains(Point((west + east) / 2, (south + north) / 2))
    assert east - west == pytest.approx(4 / 3600)
