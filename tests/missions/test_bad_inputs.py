"""Every broken scenario in tests/data/bad is reported with severity, file, feature and field.

Files are named after their defect; errors stop loading, warnings let the scenario load.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from missions.errors import ScenarioError
from missions.loader import check_scenario, load_scenario
from tests.helpers import DATA_DIR

BAD = DATA_DIR / "bad"

# scenario file, severity, file the problem names, feature, field, words in the message
EXPECTED = [
    ("self_intersecting_zone.yaml", "error", "self_intersecting_zone.yaml", "airspace.zones[0] (Z-bowtie)",
     "geometry", "Self-intersection"),
    ("lat_lon_swapped_hangar.yaml", "error", "lat_lon_swapped_hangar.yaml", "hangars[0] (H01)", "lat",
     "looks like [lat, lon]; GeoJSON is [lon, lat]"),
    ("lat_lon_swapped_target.yaml", "error", "lat_lon_swapped_target.yaml", "targets[0] (R-1)", "geometry",
     "looks like [lat, lon]; GeoJSON is [lon, lat]"),
    ("lat_lon_swapped_target_in_range.yaml", "error", "lat_lon_swapped_target_in_range.yaml", "targets[0] (R-1)",
     "geometry.coordinates", "looks like [lat, lon]; GeoJSON is [lon, lat]"),
    ("unknown_drone_model.yaml", "error", "unknown_drone_model.yaml", "hangars[0] (H01)", "drone_model",
     "unknown drone model 'm4d' (known: m3d)"),
    ("hangar_inside_prohibited_zone.yaml", "warning", "hangar_inside_prohibited_zone.yaml", "hangars[0] (H01)",
     "lon/lat", "inside prohibited zone P-1"),
    ("window_ends_before_start.yaml", "error", "window_ends_before_start.yaml", "targets[0] (R-1)", "window.end",
     "window ends (08:00) before or when it starts (12:00)"),
    ("missing_referenced_file.yaml", "error", "missing_referenced_file.yaml",
     "targets[0] (no_such_rivers.geojson)", "file", "not found"),
    ("duplicate_target_ids.yaml", "error", "duplicate_target_ids.yaml", "targets[1] (R-1)", "id",
     "duplicate id 'R-1'"),
    ("empty_geometry.yaml", "error", "empty_geometry.yaml", "targets[0] (R-1)", "geometry", "empty geometry"),
    ("upper_below_lower.yaml", "error", "upper_below_lower.yaml", "airspace.zones[0] (Z-band)", "upper_m",
     "upper_m (30.0) is below lower_m (100.0)"),
    ("wrong_geojson_type_zone.yaml", "warning", "wrong_geojson_type_zone.geojson",
     "airspace.zones[0] (wrong_geojson_type_zone.geojson) -> 0 (Z-line)", "geometry.type",
     "feature skipped: a LineString is no area (zones are Polygon or MultiPolygon)"),
    ("target_file_bare_geometry.yaml", "error", "target_file_bare_geometry.geojson",
     "targets[0] (target_file_bare_geometry.geojson)", "type", "bare LineString geometry"),
    ("bad_target_feature.yaml", "error", "bad_target_feature.geojson",
     "targets[0] (bad_target_feature.geojson) -> 1 (R-bad)", "priority", "less than or equal to 5"),
    ("yaml_python_tag.yaml", "error", "yaml_python_tag.yaml", None, None, "python/object"),
    ("coordinates_out_of_range.yaml", "error", "coordinates_out_of_range.yaml", "targets[0] (R-1)", "geometry",
     "out of range"),
    ("unknown_field.yaml", "error", "unknown_field.yaml", None, "operating_windw", "unknown field"),
    ("unknown_hangar_field.yaml", "error", "unknown_hangar_field.yaml", "hangars[0] (H01)", "radius_km",
     "unknown field"),
    ("url_file_reference.yaml", "error", "url_file_reference.yaml",
     "targets[0] (https://example.com/rivers.geojson)", "file", "only local file paths"),
    ("file_scheme_reference.yaml", "error", "file_scheme_reference.yaml",
     "airspace.zones[0] (file:///etc/passwd)", "file", "is a file: reference"),
    ("bad_grid_status.yaml", "error", "bad_grid_status.yaml", "airspace.grid.cells[0] (N50H05190)", "status",
     "'open', 'restricted' or 'prohibited'"),
    ("unknown_timezone.yaml", "error", "unknown_timezone.yaml", None, "timezone", "unknown IANA time zone"),
    ("malformed_yaml.yaml", "error", "malformed_yaml.yaml", None, None, "malformed YAML at line 5"),
    ("point_target_with_line_geometry.yaml", "error", "point_target_with_line_geometry.yaml", "targets[0] (P-1)",
     "geometry", "needs Point geometry"),
    ("negative_drone_count.yaml", "error", "negative_drone_count.yaml", "hangars[0] (H01)", "drones",
     "greater than or equal to 0"),
    ("missing_required_field.yaml", "error", "missing_required_field.yaml", "drone_models[0] (m3d)",
     "cruise_speed_ms", "required field 'cruise_speed_ms' is missing"),
    ("scenario_is_a_list.yaml", "error", "scenario_is_a_list.yaml", None, None, "this document is list"),
    ("absurd_nesting.json", "error", "absurd_nesting.json", None, None, "nests deeper than"),
    ("no_civil_daylight_polar_night.yaml", "error", "no_civil_daylight_polar_night.yaml", None,
     "operating_window", "give operating_window explicitly"),
    ("target_out_of_reach.yaml", "warning", "target_out_of_reach.yaml", "targets[0] (R-far)", "geometry",
     "wholly out of every hangar's operating radius"),
    ("target_partly_out_of_reach.yaml", "warning", "target_partly_out_of_reach.yaml", "targets[0] (R-long)",
     "geometry", "partly out of every hangar's operating radius"),
    ("target_inside_prohibited_zone.yaml", "warning", "target_inside_prohibited_zone.yaml", "targets[0] (R-1)",
     "geometry", "inside always-active prohibited zone P-2"),
    ("target_window_outside_operating_window.yaml", "warning", "target_window_outside_operating_window.yaml",
     "targets[0] (R-1)", "window", "outside the operating window 08:00-17:30"),
    ("corridor_target_without_camera.yaml", "warning", "corridor_target_without_camera.yaml", "hangars[0] (H01)",
     "drone_model", "has no camera"),
    ("authorised_unknown_zone.yaml", "warning", "authorised_unknown_zone.yaml", "airspace.authorised[0]",
     "authorised", "'AR-missing' names no zone"),
]


def _matching(problems, severity, file, feature, field, words):
    return [p for p in problems if p.severity == severity and Path(p.file).name == file
            and p.feature == feature and p.field == field and words in p.message]


@pytest.mark.parametrize("name, severity, file, feature, field, words", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_bad_scenario_is_reported_with_file_feature_and_field(name, severity, file, feature, field, words):
    scenario, problems = check_scenario(BAD / name)
    assert _matching(problems, severity, file, feature, field, words), "\n".join(map(str, problems))
    if severity == "error":
        assert scenario is None
        with pytest.raises(ScenarioError) as info:
            load_scenario(BAD / name)  # nothing is planned from a scenario that fails validation
        assert words in str(info.value)
    else:
        assert scenario is not None
        assert not [p for p in problems if p.severity == "error"]


def test_every_bad_scenario_file_is_in_the_table():
    scenarios = {p.name for p in BAD.iterdir() if p.suffix in (".yaml", ".json")}
    assert scenarios == {e[0] for e in EXPECTED}
    assert len(scenarios) >= 18


def test_python_tag_is_never_executed(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.yaml"
    path.write_text(f'name: !!python/object/apply:pathlib.Path.touch [{str(marker)!r}]\n')
    scenario, problems = check_scenario(path)
    assert scenario is None and not marker.exists()
    assert "python/object/apply" in problems[0].message


def test_every_error_is_listed_at_once(tmp_path):
    text = (BAD / "unknown_drone_model.yaml").read_text()
    text = text.replace("drones: 1", "drones: -2").replace("Asia/Shanghai", "Mars/Olympus")
    path = tmp_path / "many.yaml"
    path.write_text(text)
    _, problems = check_scenario(path)
    assert {(p.feature, p.field) for p in problems} >= {
        ("hangars[0] (H01)", "drone_model"), ("hangars[0] (H01)", "drones"), (None, "timezone")}


def test_oversized_scenario_is_refused_before_parsing(tmp_path, monkeypatch):
    import missions.loader as loader

    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.yaml"
    path.write_text("name: big\n" + "# padding\n" * 200)
    _, problems = check_scenario(path)
    assert "the limit is" in problems[0].message and problems[0].file == str(path)


def test_yaml_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):  # 10**9 values once expanded
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nname: bomb\n")
    _, problems = check_scenario(path)
    assert "more than" in problems[0].message
