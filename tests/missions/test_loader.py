"""load_scenario / check_scenario: every contract field lands in the model, file references resolve.

The SCENARIO.md example is tests/data/scenarios/full_contract.yaml verbatim; broken inputs are in test_bad_inputs.py.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
import yaml

from airspace import beidou
from airspace.chinese_coords import wgs84_to_gcj02
from airspace.projection import Projector
from airspace.zones import Restriction, Zone
from missions.errors import ScenarioError
from missions.loader import check_scenario, load_scenario
from missions.models import Scenario, Target, TargetFileRef
from missions.target_readers import TargetFileError, load_targets
from tests.helpers import DATA_DIR

DATA = DATA_DIR / "scenarios"
FULL = DATA / "full_contract.yaml"
FILES = ("zones.geojson", "grid.csv", "rivers.geojson")


@pytest.fixture(scope="module")
def full() -> Scenario:
    return load_scenario(FULL)


def _copy_with_files(tmp_path: Path, raw: dict, name: str) -> Path:
    for file in FILES:
        shutil.copy(DATA / file, tmp_path / file)
    path = tmp_path / name
    path.write_text(json.dumps(raw, default=str) if name.endswith(".json") else yaml.safe_dump(raw, sort_keys=False))
    return path


def _without_sources(scenario: Scenario) -> dict:
    """The model as data, minus each zone's `source` (the path it was read from differs between copies)."""
    data = scenario.model_dump(mode="json")
    for zone in data["airspace"]["zones"]:
        zone.pop("source")
    return data


# ------------------------------------------------------------------------------------ the contract example
def test_top_level_fields_land_in_the_model(full):
    assert full.name == "east-lake-daily"
    assert full.date.isoformat() == "2026-11-21"
    assert full.timezone == "Asia/Shanghai"
    assert full.coordinates == "wgs84"
    assert (full.operating_window.start, full.operating_window.end) == ("08:00", "17:30")
    assert (full.weather.wind_speed_ms, full.weather.wind_from_deg) == (6, 45)


def test_drone_model_fields_land_in_the_model(full):
    (model,) = full.drone_models
    assert model.id == "m3d"
    assert (model.cruise_speed_ms, model.inspection_speed_ms, model.endurance_min) == (15, 8, 45)
    assert (model.reserve_fraction, model.max_wind_ms, model.climb_speed_ms) == (0.2, 12, 5)
    assert (model.camera.sensor_width_mm, model.camera.focal_length_mm, model.camera.image_width_px) == (
        17.3, 12.3, 5280)


def test_hangar_fields_land_in_the_model(full):
    (hangar,) = full.hangars
    assert (hangar.id, hangar.name) == ("H01", "Optics Valley 1")
    assert (hangar.lon, hangar.lat) == (114.4121, 30.5043)
    assert (hangar.drone_model, hangar.drones, hangar.operating_radius_m, hangar.recharge_min) == ("m3d", 1, 7000, 32)
    assert (hangar.window.start, hangar.window.end) == ("08:00", "17:00")


def test_every_zone_is_inline_with_file_inline_and_grid_zones(full):
    assert all(isinstance(z, Zone) for z in full.airspace.zones)
    assert full.airspace.ceiling_m == 120
    zones = {z.id: z for z in full.zones()}
    # zones.geojson, then the inline TFR-1, then one zone per prohibited/restricted/low-ceiling grid cell.
    assert list(zones) == ["HOSP-1", "AR-EastLake", "TFR-1", "grid:N50H051904A", "grid:N50H045A91D",
                           "grid:N50H051A076"]
    assert zones["HOSP-1"].restriction is Restriction.PROHIBITED and zones["HOSP-1"].upper_m == 150
    assert zones["AR-EastLake"].restriction is Restriction.AUTHORISATION_REQUIRED
    tfr = zones["TFR-1"]
    assert (tfr.name, tfr.restriction, tfr.lower_m, tfr.upper_m) == ("Marathon", Restriction.PROHIBITED, 0, 120)
    assert tfr.geometry.coordinates == [[[114.30, 30.55], [114.32, 30.55], [114.32, 30.57], [114.30, 30.55]]]
    assert [(w.start, w.end) for w in tfr.active] == [("09:00", "12:00")]
    assert zones["grid:N50H051904A"].restriction is Restriction.PROHIBITED
    assert zones["grid:N50H045A91D"].restriction is Restriction.AUTHORISATION_REQUIRED
    assert zones["grid:N50H051A076"].lower_m == 60  # the open cell's 60 m ceiling closes the air above it
    cell = shapely.box(*beidou.cell_bounds("N50H051904A"))
    assert zones["grid:N50H051904A"].geometry.shape.equals_exact(cell.normalize(), 1e-9) or \
        zones["grid:N50H051904A"].geometry.shape.symmetric_difference(cell).area < 1e-12


def test_grid_cells_are_kept_inline_and_the_file_cleared(full):
    grid = full.airspace.grid
    assert grid.file is None
    assert [(c.code, c.status, c.ceiling_m) for c in grid.cells] == [
        ("N50H051904A", "prohibited", None), ("N50H045A91D", "restricted", None), ("N50H051A076", "open", 60)]


def test_every_target_is_inline_with_file_defaults_and_properties(full):
    targets = {t.id: t for t in full.targets}
    assert all(isinstance(t, Target) for t in full.targets)
    assert list(targets) == ["R-Huangjia", "R-Channels", "L-Tangxun", "R-Xunsi"]
    huangjia = targets["R-Huangjia"]
    assert (huangjia.kind, huangjia.priority, huangjia.altitude_m) == ("river", 4, 70)  # kind from the file entry
    assert huangjia.properties == {"operator": "Hongshan district", "length_class": 2}
    channels = targets["R-Channels"]  # id from the GeoJSON feature id
    assert channels.geometry.type == "MultiLineString"
    assert (channels.window.start, channels.window.end) == ("13:00", "16:00")
    assert targets["L-Tangxun"].kind == "shoreline" and targets["L-Tangxun"].priority == 5
    xunsi = targets["R-Xunsi"]
    assert (xunsi.name, xunsi.kind, xunsi.altitude_m, xunsi.corridor_width_m, xunsi.priority, xunsi.hover_s) == (
        "Xunsi River", "river", 80, 60, 3, 30)
    assert xunsi.geometry.coordinates == [[114.30, 30.48], [114.33, 30.49]]
    assert (xunsi.window.start, xunsi.window.end) == ("08:00", "12:00")


def test_contract_example_warns_that_xunsi_river_is_beyond_the_hangar_radius():
    scenario, problems = check_scenario(FULL)
    assert scenario is not None
    assert [(p.severity, p.feature, p.field) for p in problems] == [("warning", "targets[1] (R-Xunsi)", "geometry")]
    assert "out of every hangar's operating radius" in problems[0].message


def test_json_form_loads_to_the_same_scenario(tmp_path, full):
    raw = yaml.safe_load(FULL.read_text())
    path = _copy_with_files(tmp_path, raw, "scenario.json")
    assert _without_sources(load_scenario(path)) == _without_sources(full)


def test_json_content_is_recognised_without_the_extension(tmp_path, full):
    raw = yaml.safe_load(FULL.read_text())
    path = _copy_with_files(tmp_path, raw, "scenario.txt")
    path.write_text(json.dumps(raw, indent=1, default=str))
    assert _without_sources(load_scenario(path)) == _without_sources(full)


def test_resolved_scenario_round_trips_through_json(tmp_path, full):
    dumped = full.model_dump(mode="json")
    path = tmp_path / "resolved.json"
    path.write_text(json.dumps(dumped))  # no referenced files next to it: everything is inline
    again = load_scenario(path)
    assert again.model_dump(mode="json") == dumped
    assert again == full


def test_file_references_resolve_relative_to_the_scenario_not_the_cwd(tmp_path, monkeypatch, full):
    monkeypatch.chdir(tmp_path)
    assert load_scenario(FULL.resolve()).model_dump() == full.model_dump()


# ------------------------------------------------------------------------------------ GCJ-02
def test_gcj02_scenario_is_converted_once_to_wgs84(tmp_path):
    raw = yaml.safe_load(FULL.read_text())
    wgs = (114.4121, 30.5043)
    raw["coordinates"] = "gcj02"
    raw["hangars"][0]["lon"], raw["hangars"][0]["lat"] = map(float, wgs84_to_gcj02(*wgs))
    tfr = raw["airspace"]["zones"][1]["geometry"]["coordinates"][0]
    raw["airspace"]["zones"][1]["geometry"]["coordinates"][0] = [list(map(float, wgs84_to_gcj02(*p))) for p in tfr]
    path = _copy_with_files(tmp_path, raw, "gcj.yaml")
    scenario = load_scenario(path)
    assert scenario.coordinates == "wgs84"
    hangar = scenario.hangars[0]
    assert (hangar.lon, hangar.lat) == pytest.approx(wgs, abs=1e-6)
    zones = {z.id: z for z in scenario.zones()}
    assert zones["TFR-1"].geometry.coordinates[0][0] == pytest.approx([114.30, 30.55], abs=1e-6)
    # File geometry is converted too: a GCJ-02 point in Wuhan sits ~500-600 m from its WGS84 position.
    plain = load_scenario(FULL)
    before = {t.id: t for t in plain.resolved_targets()}["R-Huangjia"].geometry.shape
    after = {t.id: t for t in scenario.resolved_targets()}["R-Huangjia"].geometry.shape
    projector = Projector.for_geometry(before)
    moved = projector.to_metric(shapely.Point(before.coords[0])).distance(
        projector.to_metric(shapely.Point(after.coords[0])))
    assert 450 < moved < 700
    moved_zone = projector.to_metric(shapely.Point(zones["HOSP-1"].geometry.coordinates[0][0])).distance(
        projector.to_metric(shapely.Point(114.360, 30.520)))
    assert 450 < moved_zone < 700
    # Grid codes are defined on CGCS2000/WGS84 and are never shifted.
    assert {z.id: z for z in plain.zones()}["grid:N50H051904A"] == zones["grid:N50H051904A"]
    # The resolved scenario says wgs84, so loading its dump does not convert a second time.
    dump = tmp_path / "resolved.json"
    dump.write_text(json.dumps(scenario.model_dump(mode="json")))
    assert load_scenario(dump) == scenario


# ------------------------------------------------------------------------------------ target files
def _write_ogr(path: Path, shapes, fields: dict, *, crs="EPSG:4326", layer=None, driver=None, append=False):
    pyogrio.raw.write(
        str(path), np.array(shapely.to_wkb(shapes), dtype=object),
        [np.asarray(v) for v in fields.values()], list(fields), crs=crs, layer=layer, driver=driver,
        geometry_type="LineString", append=append,
    )


def test_shapefile_targets_are_read_with_file_defaults(tmp_path):
    path = tmp_path / "canals.shp"
    lines = [shapely.LineString([(114.40, 30.49), (114.42, 30.50)]), shapely.LineString([(114.43, 30.50), (114.44, 30.51)])]
    _write_ogr(path, lines, {"code": np.array(["C-1", "C-2"], dtype=object), "priority": np.array([5, 2]),
                             "owner": np.array(["water bureau", "district"], dtype=object)})
    targets = load_targets(path, TargetFileRef(file="canals.shp", kind="river", id_property="code", altitude_m=60))
    assert [t.id for t in targets] == ["C-1", "C-2"]
    assert [t.priority for t in targets] == [5, 2]
    assert targets[0].altitude_m == 60 and targets[0].kind == "river"
    assert targets[0].properties == {"owner": "water bureau"}
    assert targets[0].geometry.coordinates == [[114.40, 30.49], [114.42, 30.50]]


def test_shapefile_in_utm_is_reprojected_to_wgs84(tmp_path):
    projector = Projector.for_lonlat(114.41, 30.50)
    line = shapely.LineString([(114.40, 30.49), (114.42, 30.50)])
    path = tmp_path / "utm.shp"
    _write_ogr(path, [projector.to_metric(line)], {"name": np.array(["canal"], dtype=object)},
               crs=f"EPSG:{projector.epsg}")
    (target,) = load_targets(path, TargetFileRef(file="utm.shp", kind="pipeline"))
    assert target.id == "utm-0"  # no id property, no feature id: file stem and index
    assert target.name == "canal"
    assert np.allclose(target.geometry.coordinates, [[114.40, 30.49], [114.42, 30.50]], atol=1e-7)


def test_geopackage_layer_is_selected(tmp_path):
    path = tmp_path / "patrol.gpkg"
    _write_ogr(path, [shapely.LineString([(114.40, 30.49), (114.41, 30.49)])],
               {"id": np.array(["road-1"], dtype=object)}, layer="roads", driver="GPKG")
    _write_ogr(path, [shapely.LineString([(114.42, 30.49), (114.43, 30.49)])],
               {"id": np.array(["pipe-1"], dtype=object)}, layer="pipes", driver="GPKG", append=False)
    (target,) = load_targets(path, TargetFileRef(file="patrol.gpkg", kind="pipeline", layer="pipes"))
    assert (target.id, target.kind) == ("pipe-1", "pipeline")
    (road,) = load_targets(path, TargetFileRef(file="patrol.gpkg", kind="road", layer="roads"))
    assert road.id == "road-1"


def test_kml_placemarks_become_targets_with_extended_data(tmp_path):
    path = tmp_path / "patrol.kml"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
  <Placemark id="pm-1"><name>Xunsi River</name>
    <ExtendedData><Data name="id"><value>R-Xunsi</value></Data><Data name="priority"><value>4</value></Data><Data name="kind"><value>river</value></Data>
      <Data name="window"><value>08:00-12:00</value></Data><Data name="basin"><value>Yangtze</value></Data></ExtendedData>
    <LineString><coordinates>114.30,30.48,0 114.33,30.49,0</coordinates></LineString></Placemark>
  <Placemark><name>Nanhu</name>
    <Polygon><outerBoundaryIs><LinearRing><coordinates>114.33,30.49 114.35,30.49 114.35,30.50 114.33,30.49</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
  <Placemark id="gate"><name>Sluice gate</name><ExtendedData><Data name="hover_s"><value>45</value></Data></ExtendedData>
    <Point><coordinates>114.36,30.51</coordinates></Point></Placemark>
</Document></kml>""")
    river, lake, gate = load_targets(path, TargetFileRef(file="patrol.kml"))
    assert (river.id, river.name, river.priority, river.window.start, river.window.end) == (
        "R-Xunsi", "Xunsi River", 4, "08:00", "12:00")
    assert river.kind == "river"
    assert river.properties == {"basin": "Yangtze"}
    assert (lake.id, lake.kind, lake.geometry.type) == ("patrol-1", "shoreline", "Polygon")
    assert (gate.id, gate.kind, gate.hover_s) == ("gate", "point", 45)


def test_kml_line_without_kind_is_an_error_naming_the_feature(tmp_path):
    path = tmp_path / "lines.kml"
    path.write_text('<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark id="x"><LineString>'
                    "<coordinates>114.30,30.48 114.33,30.49</coordinates></LineString></Placemark></kml>")
    with pytest.raises(TargetFileError) as info:
        load_targets(path, TargetFileRef(file="lines.kml"))
    assert (info.value.errors[0].feature, info.value.errors[0].field) == ("0 (x)", "kind")


def test_kml_with_entity_declaration_is_refused(tmp_path):
    path = tmp_path / "bomb.kml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml><Placemark>&a;</Placemark></kml>')
    with pytest.raises(Exception, match="DOCTYPE or ENTITY"):
        load_targets(path, TargetFileRef(file="bomb.kml", kind="river"))


def test_scenario_reads_kml_and_gpkg_target_files(tmp_path):
    raw = yaml.safe_load((DATA / "inline_minimal.yaml").read_text())
    gpkg = tmp_path / "t.gpkg"
    _write_ogr(gpkg, [shapely.LineString([(114.40, 30.49), (114.41, 30.49)])],
               {"id": np.array(["road-9"], dtype=object)}, layer="roads", driver="GPKG")
    (tmp_path / "t.kml").write_text('<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark id="P-7"><Point>'
                                     "<coordinates>114.41,30.50</coordinates></Point></Placemark></kml>")
    raw["targets"] += [{"file": "t.gpkg", "kind": "road", "layer": "roads"}, {"file": "t.kml", "hover_s": 20}]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(raw))
    scenario = load_scenario(path)
    assert [(t.id, t.kind) for t in scenario.targets] == [("R-1", "river"), ("road-9", "road"), ("P-7", "point")]
    assert scenario.targets[2].hover_s == 20


# ------------------------------------------------------------------------------------ inline and errors
def test_inline_scenario_loads_with_every_value():
    scenario = load_scenario(DATA / "inline_minimal.yaml")
    assert scenario.name == "inline-minimal"
    assert scenario.hangars[0].lon == pytest.approx(114.4121)
    zone = scenario.zones()[0]
    assert isinstance(zone, Zone) and zone.restriction is Restriction.PROHIBITED
    target = scenario.resolved_targets()[0]
    assert isinstance(target, Target) and target.window.start == "08:00"


def test_invalid_scenario_raises_with_every_error(tmp_path):
    raw = yaml.safe_load((DATA / "inline_minimal.yaml").read_text())
    raw["hangars"][0]["drone_model"] = "nope"
    raw["targets"][0]["priority"] = 9
    raw["bogus"] = 1
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    fields = {(p.feature, p.field) for p in info.value.problems}
    assert ("hangars[0] (H01)", "drone_model") in fields
    assert ("targets[0] (R-1)", "priority") in fields
    assert (None, "bogus") in fields


def test_duplicate_ids_across_a_file_and_inline_targets_are_an_error(tmp_path):
    raw = yaml.safe_load(FULL.read_text())
    raw["targets"][1]["id"] = "R-Huangjia"  # also in rivers.geojson
    path = _copy_with_files(tmp_path, raw, "dup.yaml")
    with pytest.raises(ScenarioError, match="duplicate id 'R-Huangjia'"):
        load_scenario(path)
