"""Every mission file of a planned day read by the program that consumes it, and a broken copy refused by it.

Consumers (tests/helpers/consumers.py): pymavlink and MAVSDK (WPL, QGC .plan on PX4 and ArduPilot), the OGC KML 2.2 XSD,
fastkml and GDAL (KML), geojson-pydantic and GDAL (GeoJSON), DJI's demo import check and WPML tables (.kmz).
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, Polygon

from airspace.projection import utm_crs_for
from airspace.zones import Zone
from missions.export import export_plan
from missions.export.common import active_keep_out_zones, file_stems
from missions.export.dji_products import AIRCRAFT, product_for
from tests.helpers.mission_readers import read_kml, read_qgc_plan, read_wpl
from missions.models import MissionPlan, Scenario
from missions.plan_io import read_plan
from missions.synthetic import synthetic_scenario
from missions.verify import verify_plan
from planner import PlanOptions, plan
from tests.helpers import consumers as c

NAV_FENCE_POLYGON_VERTEX_EXCLUSION = 5002
GEOD = pyproj.Geod(ellps="WGS84")
CLEARANCE_TOL_M = 0.05  # measured fence clearance may fall short of the stated one by this much (projection, rounding)

# Generated days: synthetic_scenario options, and DJI blocks put on its two profiles (none: the ids decide).
GENERATED = {
    7: (dict(hangars=4, line_km=45, points=6), {}),  # 6 sorties: energy, not minutes, sizes a battery
    8: (dict(hangars=6, line_km=50, points=8, zones=4, closures=2),
        {"m3d": {"aircraft": "m30t", "capture": "video"},
         "m4d": {"aircraft": "m350", "payload": "h30t", "forward_overlap": 0.8}}),
}


@dataclass(frozen=True)
class Day:
    scenario: Scenario
    plan: MissionPlan
    out: Path

    def files(self, suffix: str) -> list[Path]:
        return sorted(self.out.glob(f"*{suffix}"))


def _generated(seed: int, out: Path) -> Day:
    options, dji = GENERATED[seed]
    scenario = synthetic_scenario(seed, **options)
    if dji:
        data = scenario.model_dump()
        for model in data["drone_models"]:
            model["dji"] = dji.get(model["id"])
        scenario = Scenario.model_validate(data)
    day = plan(scenario, PlanOptions(time_limit_s=5, seed=0, solution_limit=60))
    assert verify_plan(day, scenario).ok
    export_plan(day, scenario, "all", out)
    return Day(scenario, day, out)


@pytest.fixture(scope="module", params=sorted(GENERATED), ids=lambda seed: f"generated-{seed}")
def day(request, tmp_path_factory) -> Day:
    generated = _generated(request.param, tmp_path_factory.mktemp(f"day{request.param}"))
    assert len(generated.plan.sorties) >= 5
    return generated


def _broken_copy(path: Path, tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    broken = tmp_path / f"broken-{path.name}"
    broken.write_text(text.replace(old, new, count), encoding="utf-8")
    return broken


# ------------------------------------------------------------------------------------------------ WPL
def test_wpl_files_load_in_pymavlink_and_mavsdk(day, tmp_path):
    paths = day.files(".waypoints")
    assert len(paths) == len(day.plan.sorties)
    for path in paths:
        ours = read_wpl(path)
        loaded = c.pymavlink_load_wpl(path)
        assert [(w.seq, w.frame, w.command) for w in loaded] == [(line.index, line.frame, line.command) for line in ours]
        np.testing.assert_allclose([(w.x, w.y, w.z) for w in loaded], [(line.lat, line.lon, line.alt_m) for line in ours],
                                   atol=1e-6)
        # MAVSDK's Mission Planner importer takes every line as an item, the home line 0 included (QGC,
        # Mission Planner and MAVProxy read line 0 as home); for ArduPilot it prepends a copy of it as home.
        px4 = c.mavsdk_import_wpl(path, c.MAV_AUTOPILOT_PX4).mission_items
        assert [(i.command, i.frame, i.x) for i in px4] == [(line.command, line.frame, round(line.lat * 1e7)) for line in ours]
        ardupilot = c.mavsdk_import_wpl(path, c.MAV_AUTOPILOT_ARDUPILOTMEGA).mission_items
        assert [(i.command, i.x) for i in ardupilot[1:]] == [(i.command, i.x) for i in px4]
        assert (ardupilot[0].x, ardupilot[0].y) == (px4[0].x, px4[0].y)
    lines = paths[0].read_text().splitlines()
    broken = tmp_path / "eleven-columns.waypoints"
    broken.write_text("\n".join([*lines[:3], lines[3].rsplit("\t", 1)[0], *lines[4:]]) + "\n")
    with pytest.raises(Exception, match="invalid waypoint line with 11 values"):
        c.pymavlink_load_wpl(broken)
    with pytest.raises(Exception, match="FAILED_TO_PARSE_MISSION_PLANNER_PLAN"):
        c.mavsdk_import_wpl(broken, c.MAV_AUTOPILOT_ARDUPILOTMEGA)


# ------------------------------------------------------------------------------------------------ QGC .plan
@pytest.mark.parametrize("autopilot", [c.MAV_AUTOPILOT_PX4, c.MAV_AUTOPILOT_ARDUPILOTMEGA], ids=["px4", "ardupilot"])
def test_qgc_plans_import_in_mavsdk_with_their_fences(day, autopilot, tmp_path):
    paths = day.files(".plan")
    assert len(paths) == len(day.plan.sorties)
    for path in paths:
        data = read_qgc_plan(path)
        imported = c.mavsdk_import_plan(path, autopilot)
        items = data["mission"]["items"]
        # ArduPilot's mission starts with the home position: MAVSDK inserts it as item 0.
        mission = imported.mission_items[1:] if autopilot == c.MAV_AUTOPILOT_ARDUPILOTMEGA else imported.mission_items
        assert [(i.command, i.frame) for i in mission] == [(i["command"], i["frame"]) for i in items]
        assert [i.x for i in mission] == [round(i["params"][4] * 1e7) for i in items]
        polygons = data["geoFence"]["polygons"]
        fence = imported.geofence_items
        assert len(fence) == sum(len(p["polygon"]) for p in polygons) > 0
        assert {i.command for i in fence} == {NAV_FENCE_POLYGON_VERTEX_EXCLUSION}
        assert [int(i.param1) for i in fence] == [len(p["polygon"]) for p in polygons for _ in p["polygon"]]
    version_zero = _broken_copy(paths[0], tmp_path, '"version": 1,\n  "groundStation"', '"version": 0,\n  "groundStation"')
    with pytest.raises(Exception, match="FAILED_TO_PARSE_QGC_PLAN"):
        c.mavsdk_import_plan(version_zero, autopilot)
    complex_item = _broken_copy(paths[0], tmp_path, '"type": "SimpleItem"', '"type": "ComplexItem"')
    with pytest.raises(Exception, match="FAILED_TO_PARSE_QGC_PLAN"):
        c.mavsdk_import_plan(complex_item, autopilot)


# ------------------------------------------------------------------------------------------------ KML, GeoJSON
def test_kml_is_valid_ogc_kml_and_read_by_fastkml_and_gdal(day, tmp_path):
    (path,) = day.files(".kml")
    c.validate_kml(path)
    ours = read_kml(path)
    assert len(c.fastkml_features(path)) == len(ours)
    folders = {}
    for placemark in ours:
        folders[placemark.folder] = folders.get(placemark.folder, 0) + 1
    assert c.gdal_layers(path) == folders
    sideways = _broken_copy(path, tmp_path, "<altitudeMode>relativeToGround</altitudeMode>",
                            "<altitudeMode>sideways</altitudeMode>")
    with pytest.raises(Exception, match="'sideways' is not an element of the set"):
        c.validate_kml(sideways)
    with pytest.raises(Exception, match="sideways"):
        c.fastkml_features(sideways)
    truncated = tmp_path / "truncated.kml"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(Exception, match="parsing kml"):
        c.gdal_layers(truncated)


def test_geojson_is_rfc7946_and_read_by_gdal(day, tmp_path):
    path = day.out / "plan.geojson"
    collection = c.validate_geojson(path)
    features = json.loads(path.read_text())["features"]
    assert len(collection.features) == len(features) > len(day.plan.sorties)
    assert c.gdal_layers(path) == {path.stem: len(features)}
    one_position = json.loads(path.read_text())
    line = next(f for f in one_position["features"] if f["geometry"]["type"] == "LineString")
    line["geometry"]["coordinates"] = line["geometry"]["coordinates"][:1]
    broken = tmp_path / "one-position.geojson"
    broken.write_text(json.dumps(one_position))
    with pytest.raises(Exception, match="LineString"):
        c.validate_geojson(broken)
    off_globe = json.loads(path.read_text())
    off_globe["features"][0]["geometry"]["coordinates"][0][1] = 95.0
    broken.write_text(json.dumps(off_globe))
    with pytest.raises(ValueError, match="outside longitude/latitude range"):
        c.validate_geojson(broken)


def test_intents_geojson_is_rfc7946_and_read_by_gdal(day):
    path = day.out / "intents.geojson"
    collection = c.validate_geojson(path)
    volumes = sum(len(s.intent or ()) for s in day.plan.sorties)
    assert len(collection.features) == volumes > len(day.plan.sorties)
    assert c.gdal_layers(path) == {path.stem: volumes}
    assert {f.geometry.type for f in collection.features} <= {"Polygon", "MultiPolygon"}


# ------------------------------------------------------------------------------------------------ DJI WPML
def _expected_product(day: Day, model_id: str):
    model = day.scenario.drone_model(model_id)
    product = product_for(model_id, model.dji.aircraft if model.dji else None, model.dji.payload if model.dji else None)
    return product.aircraft, product.payload


def test_kmz_pass_dji_demo_import_and_the_wpml_tables(day, tmp_path):
    paths = day.files(".kmz")
    assert len(paths) == len(day.plan.sorties)
    stems = {stem: s for s, stem in file_stems(day.plan).items()}
    dock3 = c.DEMO_DEVICES | c.DOCK3_DEVICES
    for path in paths:
        sortie = next(s for s in day.plan.sorties if s.sortie_id == stems[path.stem])
        aircraft, payload = _expected_product(day, sortie.drone_model)
        assert c.dji_demo_import_check(path, dock3) == f"0-{aircraft.enum}-{aircraft.sub_enum}"
        assert c.wpml_table_problems(path) == []
        with zipfile.ZipFile(path) as archive:
            assert f"<wpml:payloadEnumValue>{payload.enum}</wpml:payloadEnumValue>".encode() in archive.read(
                "wpmz/waylines.wpml")
        if (0, aircraft.enum, aircraft.sub_enum) not in c.DEMO_DEVICES:
            # DJI's demo, unmaintained since before Dock 3, does not know the newer aircraft and cameras.
            with pytest.raises(c.DjiImportRefused, match="is not in the device list"):
                c.dji_demo_import_check(path)
    no_payload = _rewrite_kmz(paths[0], tmp_path, "wpmz/template.kml",
                              lambda t: t.split("<wpml:payloadInfo>")[0] + t.split("</wpml:payloadInfo>")[1])
    with pytest.raises(c.DjiImportRefused, match="template.kml lacks wpml:payloadInfo"):
        c.dji_demo_import_check(no_payload, dock3)
    assert "wpmz/template.kml: missionConfig.payloadInfo: wpml:payloadEnumValue missing" in c.wpml_table_problems(
        no_payload)
    no_ellipsoid = _rewrite_kmz(paths[0], tmp_path, "wpmz/template.kml",
                                lambda t: t.replace("<wpml:ellipsoidHeight>", "<wpml:note>").replace(
                                    "</wpml:ellipsoidHeight>", "</wpml:note>"))
    assert "wpmz/template.kml: Placemark 0: wpml:ellipsoidHeight missing" in c.wpml_table_problems(no_ellipsoid)
    too_fast = _rewrite_kmz(paths[0], tmp_path, "wpmz/waylines.wpml",
                            lambda t: t.replace("<wpml:waypointSpeed>", "<wpml:waypointSpeed>2", 1))
    assert any("wpml:waypointSpeed" in p and "outside [1.0, 15.0]" for p in c.wpml_table_problems(too_fast))


def _rewrite_kmz(path: Path, tmp_path: Path, entry: str, edit) -> Path:
    broken = tmp_path / f"broken-{path.name}"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, edit(data.decode("utf-8")).encode("utf-8") if name == entry else data)
    return broken


# ------------------------------------------------------------------------------------------------ fences
DENSIFY_DEG = 0.001  # fence and zone edges are straight in (lon, lat), as autopilots draw them: ~100 m steps keep it


def _densified_ring(ring: list[tuple[float, float]]) -> LineString:
    return shapely.segmentize(LineString([*ring, ring[0]]), DENSIFY_DEG)


def _project(geom, transformer: pyproj.Transformer):
    return shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


_MEASURED: dict[tuple, float] = {}  # (zone, ring) -> clearance: sorties of a day share most fences


def fence_measurements(plan_path: Path, zones: dict[str, Zone], circles: dict[str, tuple[float, float, float]],
                       path_lonlat: list[tuple[float, float]]) -> list[tuple[str, float, float, float]]:
    """(zone, stated clearance, measured clearance, path distance to fence) for every fence polygon of a .plan.

    Polygon zones are measured in an azimuthal equidistant projection around the zone; a zone known to be a
    circle (centre lon, lat, radius) geodesically from its centre, against the circle itself, not its 64-gon.
    """
    data = read_qgc_plan(plan_path)
    polygons = iter(data["geoFence"]["polygons"])
    out = []
    for meta in data["lowalt"]["geofence"]["zones"]:
        zone = zones[meta["zone"]]
        centre = zone.geometry.shape.centroid
        aeqd = pyproj.Transformer.from_crs(
            "EPSG:4326", pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84"),
            always_xy=True)
        zone_metric = _project(shapely.segmentize(zone.geometry.shape, DENSIFY_DEG), aeqd)
        path_metric = _project(LineString(path_lonlat), aeqd)
        for _ in range(meta["polygons"]):
            ring = [(lon, lat) for lat, lon in next(polygons)["polygon"]]
            outline = _densified_ring(ring)
            fence_metric = _project(outline, aeqd)
            key = (meta["zone"], tuple(ring))
            if key in _MEASURED:
                measured = _MEASURED[key]
            elif meta["zone"] in circles:
                lon0, lat0, radius = circles[meta["zone"]]
                coords = list(shapely.segmentize(outline, DENSIFY_DEG / 100).coords)  # ~1 m: chord midpoints count
                distances = GEOD.inv([lon0] * len(coords), [lat0] * len(coords), *zip(*coords))[2]
                measured = min(distances) - radius
            else:
                assert Polygon(fence_metric).contains(zone_metric), meta["zone"]
                measured = fence_metric.distance(zone_metric) - meta["arc_bulge_m"]
            _MEASURED[key] = measured
            out.append((meta["zone"], meta["clearance_m"], measured,
                        path_metric.distance(Polygon(fence_metric))))
    return out


def test_generated_day_fences_lie_outside_their_zones_and_off_the_path(day):
    zones = {z.id: z for z in day.scenario.zones()}
    stems = file_stems(day.plan)
    measured = 0
    for sortie in day.plan.sorties:
        plan_path = day.out / f"{stems[sortie.sortie_id]}.plan"
        data = read_qgc_plan(plan_path)
        fenced = {z["zone"] for z in data["lowalt"]["geofence"]["zones"]}
        unfenced = {z["zone"] for z in data["lowalt"]["geofence"]["not_fenced"]}
        assert fenced | unfenced == {z.id for z in active_keep_out_zones(sortie, day.scenario)}
        path = [(w.lon, w.lat) for w in sortie.waypoints]
        for zone_id, stated, got, path_gap in fence_measurements(plan_path, zones, {}, path):
            assert got >= stated - CLEARANCE_TOL_M, (sortie.sortie_id, zone_id, stated, got)
            assert got <= stated + CLEARANCE_TOL_M + 0.5, (sortie.sortie_id, zone_id, stated, got)  # mitred corners
            assert path_gap > 0.5, (sortie.sortie_id, zone_id, path_gap)  # the mission never trips its own fence
            measured += 1
    assert measured >= len(day.plan.sorties)


# ------------------------------------------------------------------------------------------------ the demo
@pytest.mark.slow
def test_demo_day_every_file_accepted_by_its_consumer_and_fences_clear_the_zones(tmp_path, capsys):
    from planner.cli.main import main
    from missions.loader import load_scenario

    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--time-limit", "6", "--tiles", "none"]) == 0, capsys.readouterr().err
    scenario, demo = load_scenario(out / "scenario" / "scenario.yaml"), read_plan(out / "plan.json")
    assert verify_plan(demo, scenario).ok
    missions = out / "missions"

    def tables(path: Path) -> None:
        assert c.wpml_table_problems(path) == []

    consumers = {
        "pymavlink mavwp": (".waypoints", c.pymavlink_load_wpl),
        "MAVSDK Mission Planner import": (".waypoints", lambda p: c.mavsdk_import_wpl(p, c.MAV_AUTOPILOT_ARDUPILOTMEGA)),
        "MAVSDK QGC import, PX4": (".plan", lambda p: c.mavsdk_import_plan(p, c.MAV_AUTOPILOT_PX4)),
        "MAVSDK QGC import, ArduPilot": (".plan", lambda p: c.mavsdk_import_plan(p, c.MAV_AUTOPILOT_ARDUPILOTMEGA)),
        "DJI demo import check": (".kmz", lambda p: c.dji_demo_import_check(p, c.DEMO_DEVICES | c.DOCK3_DEVICES)),
        "DJI WPML tables": (".kmz", tables),
        "OGC KML 2.2 XSD": (".kml", c.validate_kml), "fastkml": (".kml", c.fastkml_features),
        "GDAL KML": (".kml", c.gdal_layers),
        "geojson-pydantic": (".geojson", c.validate_geojson), "GDAL GeoJSON": (".geojson", c.gdal_layers),
    }
    for name, (suffix, check) in consumers.items():
        # plan.geojson is a plan file, written once next to plan.json (missions/ holds the dock and GCS files).
        files = sorted((out if suffix == ".geojson" else missions).glob(f"*{suffix}"))
        for path in files:
            check(path)  # raises on a file the consumer refuses
        expected = demo.summary.sorties if suffix in (".waypoints", ".plan", ".kmz") else \
            2 if suffix == ".geojson" else 1  # plan.geojson and intents.geojson
        assert len(files) == expected, (name, len(files))
    # M30-class sorties declare the Matrice 30 (67/0) and its camera (52), not the Matrice 3D.
    m30 = [s for s in demo.sorties if s.drone_model == "m30"]
    assert m30 and AIRCRAFT["m30"].enum == 67
    stems = file_stems(demo)
    with zipfile.ZipFile(missions / f"{stems[m30[0].sortie_id]}.kmz") as archive:
        template = archive.read("wpmz/template.kml")
    assert b"<wpml:droneEnumValue>67</wpml:droneEnumValue>" in template
    assert b"<wpml:payloadEnumValue>52</wpml:payloadEnumValue>" in template
    # The 600 m prohibited circle: its fence lies 5 m outside the circle itself, not just outside its 64-gon.
    source = json.loads((out / "scenario" / "zones_ed269.json").read_text())
    circles = {}
    for feature in source["features"]:
        projection = feature["geometry"][0]["horizontalProjection"]
        if projection["type"] == "Circle":
            circles[feature["identifier"]] = (*projection["center"], float(projection["radius"]))
    assert "WUH-P-C" in circles
    # lowalt's ED-269 reader draws a circle in UTM metres, 0.03 % short of ground metres 2.5 deg off the zone's
    # central meridian: its 600 m disc is 0.18 m small on the ground, and the fence inherits that.
    lon0, lat0, radius = circles["WUH-P-C"]
    scale = pyproj.Proj(utm_crs_for(lon0, lat0)).get_factors(lon0, lat0).meridional_scale
    utm_shortfall = (radius + 10) * (1 - 1 / scale)
    zones = {z.id: z for z in scenario.zones()}
    errors = []
    for sortie in demo.sorties:
        path = [(w.lon, w.lat) for w in sortie.waypoints]
        for zone_id, stated, got, path_gap in fence_measurements(missions / f"{stems[sortie.sortie_id]}.plan", zones,
                                                                 circles, path):
            allowance = utm_shortfall if zone_id in circles else 0.0
            assert got > 0 and got >= stated - allowance - CLEARANCE_TOL_M, (sortie.sortie_id, zone_id, stated, got)
            assert path_gap > 0.5, (sortie.sortie_id, zone_id, path_gap)  # the mission never trips its own fence
            errors.append(abs(got - stated))
    assert len(errors) >= demo.summary.sorties and max(errors) <= utm_shortfall + CLEARANCE_TOL_M
