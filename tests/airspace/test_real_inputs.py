"""Files authorities and GIS tools really publish (tests/data/real/, attribution there) read as they are.

Each test names what the file is, what lowalt makes of it, and the warning an operator sees for what it cannot
apply; a broken feature is reported without hiding the rest.
"""
from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
import shapely

from airspace.errors import InputError, InputErrors
from airspace.projection import Projector
from airspace.readers import load_zones
from airspace.zones import Restriction
from missions.models import TargetFileRef
from missions.target_readers import load_targets

REAL = Path(__file__).parents[1] / "data" / "real"
DAY = dt.date(2026, 10, 25)


def _geodesic_area_m2(shape) -> float:
    import pyproj  # an independent measure: the ellipsoid, not lowalt's UTM projection
    return abs(pyproj.Geod(ellps="WGS84").geometry_area_perimeter(shape)[0])


def zones_of(name, warnings=None, **kwargs):
    kwargs.setdefault("date", DAY)
    return {z.id: z for z in load_zones(REAL / name, warnings=warnings, **kwargs)}


def messages(warnings):
    return [w.message for w in warnings]


# ------------------------------------------------------------------------------------------------ ED-269
def test_interuss_ed269_document_with_uaszonelist_wrapper_is_read():
    warnings = []
    (zone,) = zones_of("interuss_cis_source_sample_ed269.json", warnings, timezone="Europe/Zurich").values()
    assert (zone.id, zone.name, zone.restriction) == ("LSXX", "LSXX City Sample", Restriction.AUTHORISATION_REQUIRED)
    assert (zone.lower_m, zone.upper_m, zone.active) == (0.0, 10_000.0, None)  # "0" as text; upper null: no top
    assert _geodesic_area_m2(zone.geometry.shape) == pytest.approx(133_316, rel=0.001)
    assert [(w.feature, w.field) for w in warnings] == [("0 (LSXX)", "restrictionConditions")]


def test_ed269_daily_period_is_a_schedule(tmp_path):
    doc = json.loads((REAL / "interuss_cis_source_sample_ed269.json").read_text())
    doc["UASZoneList"][0]["applicability"] = [{
        "permanent": "NO", "startDateTime": "2026-10-01T00:00:00Z", "endDateTime": "2026-11-01T00:00:00Z",
        "dailyPeriod": [{"day": ["SUN"], "startTime": "06:00:00.00Z", "endTime": "10:30:00.00Z"}]}]
    path = tmp_path / "daily.json"
    path.write_text(json.dumps(doc))
    (zone,) = load_zones(path, date=DAY, timezone="Europe/Zurich")  # a Sunday, the day Zurich leaves summer time
    assert [(w.start, w.end) for w in zone.active] == [("07:00:00", "11:30:00")]  # CET after 03:00
    assert load_zones(path, date=DAY + dt.timedelta(days=1), timezone="Europe/Zurich")[0].active == []


# ------------------------------------------------------------------------------------------------ ED-318
def test_swiss_ed318_self_touching_ring_is_repaired_with_a_warning_naming_the_zone():
    warnings = []
    zones = zones_of("swiss_ed318_two_zones_derived.json", warnings, timezone="Europe/Zurich")
    assert set(zones) == {"LSZB003", "VBS_8-0"}
    (repair,) = [w for w in warnings if "repaired" in w.message]
    assert (repair.feature, repair.field) == ("1 (VBS_8-0)", "geometry.coordinates")
    assert repair.message == ("Polygon was invalid (Ring Self-intersection[8.9201188 46.1392969]) and was repaired; "
                              "its area changed by 0.00%")
    raw = json.loads((REAL / "swiss_ed318_two_zones_derived.json").read_text())["features"][1]["geometry"]
    before = shapely.geometry.shape(raw)
    assert not before.is_valid and zones["VBS_8-0"].geometry.shape.area == pytest.approx(before.area, rel=1e-9)
    assert zones["LSZB003"].lower_m == 60 and zones["LSZB003"].upper_m == 99_999


def test_repair_that_changes_the_area_is_refused_and_the_other_zones_still_load(tmp_path):
    doc = json.loads((REAL / "swiss_ed318_two_zones_derived.json").read_text())
    # A bow tie: its two lobes cancel in the ring's own area; make_valid would double it.
    doc["features"][1]["geometry"]["coordinates"] = [[[8.90, 46.10], [8.92, 46.12], [8.92, 46.10], [8.90, 46.12],
                                                      [8.90, 46.10]]]
    path = tmp_path / "bowtie.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputErrors) as caught:
        load_zones(path, date=DAY, timezone="Europe/Zurich")
    (error,) = caught.value.errors
    assert (error.feature, error.field) == ("1 (VBS_8-0)", "geometry.coordinates")
    assert "Self-intersection" in error.message and "change its area by 100.0% (more than 1%)" in error.message
    assert [z.id for z in caught.value.readable] == ["LSZB003"]


def test_interuss_ed318_sample_reads_clean():
    warnings = []
    zones = zones_of("interuss_cis_source_sample_ed318.json", warnings, timezone="Europe/Zurich")
    assert len(zones) == 3 and all(z.restriction is Restriction.AUTHORISATION_REQUIRED for z in zones.values())
    assert not [w for w in warnings if "schema" in w.message]


def test_ed318_schema_breaks_are_warnings_and_the_zones_load():
    warnings = []
    zones = zones_of("eurocontrol_InvalidExample_GeoZone_2_Layers.json", warnings, date=dt.date(2019, 1, 1),
                     timezone="Europe/Paris")
    assert sorted(zones) == ["NFZ6547#0", "NFZ6547#1"]
    assert sorted((w.field, w.message) for w in warnings) == [
        ("metadata.validFrom", "breaks the ED-318 schema: {'purposely_invalid': 'This object is not a datetime'} "
                               "is not of type 'string'"),
        ("properties.name[0]", "breaks the ED-318 schema: 'lang' is a required property"),
        ("properties.type", "breaks the ED-318 schema: 'REQ_AUTHORISATION' is not one of ['USPACE', 'PROHIBITED', "
                            "'REQ_AUTHORIZATION', 'CONDITIONAL', 'NO_RESTRICTION']"),
    ]
    # Its 2019 schedule, every day 16:00Z-17:00Z (and Sundays 10:00Z-12:00Z), on a Tuesday in Paris (CET).
    assert [(w.start, w.end) for w in zones["NFZ6547#0"].active] == [("17:00:00", "18:00:00")]


def test_irish_feed_with_text_where_the_schema_wants_lists_loads_with_one_warning_per_kind_of_break():
    warnings = []
    zones = zones_of("ed318-ie.json", warnings, date=dt.date(2026, 8, 5), timezone="Europe/Dublin")
    assert zones["T901"].restriction is Restriction.PROHIBITED
    assert [(w.start, w.end) for w in zones["T901"].active] == [("12:00:00", "23:59:00")]  # 11:00Z-22:59Z, IST
    names = [w for w in warnings if w.field == "properties.name"]
    assert len(names) == 1 and names[0].message.endswith("is not of type 'array' (4 features, first: 0 (U901))")
    assert zones["U901"].upper_m == pytest.approx(2500 * 0.3048)


# ------------------------------------------------------------------------------------------------ KML / KMZ
def test_nats_extruded_prisms_read_as_footprint_and_altitude_band():
    warnings = []
    zones = zones_of("nats_two_prisms_derived.kml", warnings, default_restriction="prohibited")
    city, runway = zones["EG R158 CITY OF LONDON"], zones["EG RU135B LONDON CITY RWY 09"]
    assert (city.lower_m, city.upper_m) == (0.0, 426.72)  # SFC to 1400 ft
    assert (runway.lower_m, runway.upper_m) == (0.0, 609.6)  # SFC to 2000 ft
    assert city.geometry.type == "Polygon" and warnings == []
    assert _geodesic_area_m2(city.geometry.shape) == pytest.approx(4_758_812, rel=0.001)  # the prism's floor


def test_kmz_is_read_as_the_zip_it_is(tmp_path):
    path = tmp_path / "nats.kmz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", (REAL / "nats_two_prisms_derived.kml").read_bytes())
    zones = load_zones(path, default_restriction="prohibited")
    assert [(z.id, z.upper_m) for z in zones] == [("EG R158 CITY OF LONDON", 426.72),
                                                   ("EG RU135B LONDON CITY RWY 09", 609.6)]
    assert zones[0].source == f"{path}!doc.kml"


# ------------------------------------------------------------------------------------------------ GeoJSON feeds
def test_danish_feed_without_ids_gets_stable_ids_and_its_points_are_skipped():
    warnings = []
    zones = zones_of("dronezoner-dk.json", warnings, default_restriction="authorisation_required",
                     name_property="title", timezone="Europe/Copenhagen")
    assert sorted(zones) == ["Gammelt event", "Kasernen Test", "Landsret Test#50c91b63", "Sikringskritisk område - "
                             "Testevent", "Testlufthavn#89637ea5"]  # a name used twice gets its geometry's hash
    again = zones_of("dronezoner-dk.json", default_restriction="authorisation_required", name_property="title")
    assert sorted(again) == sorted(zones)
    by_field = {w.field: w for w in warnings}
    assert by_field["geometry.type"].message == ("feature skipped: a Point is no area (zones are Polygon or "
                                                 "MultiPolygon) (6 features, first: 1 (Testlufthavn#95bcd19b))")
    assert "Bufferzone" in by_field["properties"].message and "they are ignored" in by_field["properties"].message
    assert by_field["id"].message.endswith("(5 features, first: 0 (Testlufthavn#89637ea5))")
    by_id = {z.id: z for z in load_zones(REAL / "dronezoner-dk.json", default_restriction="prohibited",
                                         id_property="OBJECTID")}
    assert sorted(by_id) == ["1", "2", "5", "6", "8"]  # the OBJECTIDs of its five polygons


def test_openaip_ceilings_are_read_with_the_amsl_caveat():
    warnings = []
    (zone,) = zones_of("openaip_aspc-with-simple-polygon.json", warnings, default_restriction="prohibited").values()
    assert (zone.id, zone.lower_m, zone.upper_m) == ("ED-R10B Todendorf-Putlos MON-SAT+", 0.0, 40_000 * 0.3048)
    assert any("AMSL are treated as heights above ground" in m for m in messages(warnings))


def test_geojson_time_begin_and_end_bound_the_zone():
    day = zones_of("zanppa_sup.geojson", default_restriction="prohibited", date=dt.date(2019, 6, 17),
                   timezone="Europe/Helsinki")
    assert [(w.start, w.end) for w in day["EFR442"].active] == [("08:00:00", "24:00:00")]  # 05:00Z in EEST
    assert day["EFR444"].active == [] and day["EFR445"].active == []


def test_our_tianhe_file_without_ids_loads_its_polygons_and_skips_lines_and_the_airport_point():
    warnings = []
    zones = zones_of("zhhh_tianhe_protection_zones_derived.geojson", warnings,
                     default_restriction="authorisation_required", timezone="Asia/Shanghai")
    assert len(zones) == 4 and all(i.startswith("zhhh_tianhe_protection_zones_derived#") for i in zones)
    union = max(zones.values(), key=lambda z: z.geometry.shape.area)
    assert Projector.for_lonlat(114.2, 30.78).to_metric(union.geometry.shape).area / 1e6 == pytest.approx(981.1, rel=0.01)
    assert sorted(m.split(" (")[0] for m in messages(warnings) if "skipped" in m) == [
        "feature skipped: a LineString is no area", "feature skipped: a Point is no area"]


def test_one_bad_feature_is_reported_and_never_hides_the_others(tmp_path):
    doc = json.loads((REAL / "zanppa_sup.geojson").read_text())
    doc["features"][0]["properties"]["restriction"] = "FORBIDDEN"
    doc["features"][2]["geometry"]["coordinates"][0][1] = [200.0, 61.0]
    path = tmp_path / "sup.geojson"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputErrors) as caught:
        load_zones(path, default_restriction="prohibited")
    assert [(e.feature, e.field) for e in caught.value.errors] == [("0 (EFR442)", "restriction"),
                                                                    ("2 (EFR445)", "geometry.coordinates")]
    assert [z.id for z in caught.value.readable] == ["EFR444"]


# ------------------------------------------------------------------------------------------------ targets
OSM = REAL / "haidian_extract.osm"


def test_osm_rivers_roads_and_water_come_through_gdal_with_tag_filters():
    rivers = load_targets(OSM, TargetFileRef(file=OSM.name, kind="river", layer="lines",
                                             where="waterway IN ('river','canal')"))
    assert [(t.id, t.name) for t in rivers] == [("haidian_extract-lines-27065953", "小月河")]
    roads = load_targets(OSM, TargetFileRef(file=OSM.name, kind="road", layer="lines",
                                            where="highway IN ('primary','secondary','tertiary','residential')"))
    assert len(roads) == 71 and {t.kind for t in roads} == {"road"}
    assert "学清路" in {t.name for t in roads}
    water = load_targets(OSM, TargetFileRef(file=OSM.name, layer="multipolygons", where="\"natural\" = 'water'"))
    assert [(t.kind, t.geometry.type) for t in water] == [("shoreline", "MultiPolygon")]


def test_osm_without_a_layer_is_refused_naming_the_layers_and_is_never_parsed_as_json():
    with pytest.raises(InputError) as caught:
        load_targets(OSM, TargetFileRef(file=OSM.name, kind="road"))
    assert caught.value.field == "layer"
    assert "holds the layers points, lines, multilinestrings, multipolygons, other_relations" in caught.value.message
    renamed = OSM.read_bytes()
    with pytest.raises(InputError, match="layer"):
        load_zones(_copy(renamed, "extract.json"))  # sniffed as OpenStreetMap XML, not JSON


def _copy(data: bytes, name: str) -> Path:
    import tempfile
    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(data)
    return path


def test_a_bad_where_filter_names_the_field():
    with pytest.raises(InputError) as caught:
        load_targets(OSM, TargetFileRef(file=OSM.name, kind="river", layer="lines", where="waterway IS LIKE river"))
    assert caught.value.field == "where"


def test_gbk_shapefile_without_cpg_warns_and_reads_right_with_encoding():
    path = REAL / "hyd2_4l_wuhan_clip.shp"
    warnings = []
    garbled = load_targets(path, TargetFileRef(file=path.name, kind="river", name_property="NAME"), warnings=warnings)
    (hint,) = [w for w in warnings if w.field == "encoding"]
    assert "no .cpg" in hint.message and "set encoding: (e.g. GBK" in hint.message
    assert garbled[0].name != "长江"
    right = load_targets(path, TargetFileRef(file=path.name, kind="river", name_property="NAME", encoding="GBK"))
    assert [t.name for t in right[:2]] == ["长江", "长江"] and len(right) == 32
    length_km = sum(Projector.for_lonlat(114.3, 30.6).to_metric(t.geometry.shape).length for t in right) / 1000
    assert 500 < length_km < 2000


def test_multi_layer_geopackage_without_layer_reads_every_layer_and_says_so(tmp_path):
    import numpy as np
    import pyogrio

    path = tmp_path / "two.gpkg"
    for layer, shape in (("roads", shapely.LineString([(116.35, 40.0), (116.36, 40.0)])),
                         ("rivers", shapely.LineString([(116.35, 40.001), (116.36, 40.002)]))):
        pyogrio.raw.write(str(path), np.array([shapely.to_wkb(shape)], dtype=object), [np.array([layer], dtype=object)],
                          ["name"], crs="EPSG:4326", layer=layer, geometry_type="LineString", append=path.exists())
    warnings = []
    targets = load_targets(path, TargetFileRef(file=path.name, kind="road"), warnings=warnings)
    assert sorted(t.name for t in targets) == ["rivers", "roads"]
    assert [w.message for w in warnings] == ["the file holds 2 layers and no layer: was given, so all were read: "
                                             "roads (1), rivers (1); name one with layer: to read only it"]
    only = load_targets(path, TargetFileRef(file=path.name, kind="river", layer="rivers"))
    assert [t.name for t in only] == ["rivers"]
    with pytest.raises(InputError, match="layer 'lakes' is not in the file"):
        load_targets(path, TargetFileRef(file=path.name, kind="river", layer="lakes"))


def test_kml_declaring_an_unknown_encoding_is_the_same_error_for_zones_and_targets(tmp_path):
    path = tmp_path / "zones.kml"
    path.write_bytes((REAL / "nats_two_prisms_derived.kml").read_bytes().replace(b"UTF-8", b"TTF-8", 1))
    with pytest.raises(InputError) as zone_error:
        load_zones(path, default_restriction="prohibited")
    with pytest.raises(InputError) as target_error:
        load_targets(path, TargetFileRef(file=path.name, kind="shoreline"))
    assert zone_error.value.message == target_error.value.message == (
        "malformed KML: it declares encoding 'TTF-8', which is not a known text encoding")


def test_zip_bomb_member_is_refused_before_it_is_inflated(tmp_path):
    path = tmp_path / "zones.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zones.json", b" " * (51 * 1024 * 1024))  # 51 MB of spaces, a few KB zipped
    assert path.stat().st_size < 200_000
    with pytest.raises(InputError, match="inflates to 53.5 MB: the limit is 52 MB"):
        load_zones(path)


# ------------------------------------------------------------------------------------------------ lowalt validate
LATVIAN = """\
name: riga-validate
date: 2026-10-25
timezone: Europe/Riga
operating_window: {start: "07:00", end: "17:00"}
drone_models:
  - {id: m3d, cruise_speed_ms: 15, inspection_speed_ms: 8, endurance_min: 45, max_wind_ms: 12}
hangars:
  - {id: H-IN, lon: 23.70, lat: 56.82, drone_model: m3d, drones: 1, operating_radius_m: 5000, recharge_min: 30}
airspace:
  zones:
    - file: ed269-lv.json
targets:
  - id: ROAD-1
    kind: road
    geometry: {type: LineString, coordinates: [[23.69, 56.81], [23.71, 56.82]]}
"""


def test_validate_reports_every_caveat_of_a_real_file_in_text_and_json(tmp_path, capsys):
    from planner.cli.main import main

    (tmp_path / "ed269-lv.json").write_bytes((REAL / "ed269-lv.json").read_bytes())
    path = tmp_path / "scenario.yaml"
    path.write_text(LATVIAN)
    assert main(["validate", str(path)]) == 0
    text = capsys.readouterr().out
    assert main(["validate", str(path), "--json"]) == 0
    problems = json.loads(capsys.readouterr().out)
    assert {p["severity"] for p in problems} == {"warning"}
    by_field = {(p["feature"], p["field"]): p["message"] for p in problems}
    where = "airspace.zones[0] (ed269-lv.json)"
    assert by_field[(where, "geometry[0].upperVerticalReference")].startswith(
        "limits referenced to AMSL are treated as heights above ground")
    assert by_field[(f"{where} -> 1 (5250143)", "restriction")].startswith("CONDITIONAL zones are read as conditional")
    # The hangar stands in ROBO1's authorisation zone (0-120 m AGL, 08:00-21:00 local) and is not authorised.
    assert by_field[("hangars[0] (H-IN)", "lon/lat")] == (
        "hangar is inside authorisation_required zone (not in airspace.authorised) 3c0b685 (ed269-lv.json: zone "
        "3c0b685), from the ground: its drones cannot launch 08:00-17:00 (9.0 h of the operating window "
        "07:00-17:00, while the zone is active)")
    for message in by_field.values():
        assert message in text


def test_zones_can_come_from_an_osm_layer_too():
    zones = load_zones(OSM, layer="multipolygons", where="\"natural\" = 'water'", default_restriction="prohibited")
    assert [(z.id, z.geometry.type) for z in zones] == [("929726058", "MultiPolygon")]  # the OSM id of the lake
    with pytest.raises(InputError, match="name one with layer:"):
        load_zones(OSM, default_restriction="prohibited")
