"""Mission file exports written from a hand-built plan and parsed back: QGC .plan, QGC WPL, DJI WPML, KML, CLI.

Every check reads the file as a ground station would (json, csv, zipfile, ElementTree with namespaces).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import re
import math
import zipfile
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest

from airspace.projection import Projector
from airspace.windows import TimeWindow
from airspace.zones import Zone
from shapely.geometry import Polygon
from missions.export import FORMATS, export_plan
from missions.export.common import file_stems, sortie_speeds
from missions.export.dji_wpml import (
    KML_NS as WPML_KML_NS, TEMPLATE_ENTRY, WAYLINES_ENTRY, WPML_NS, write_wpml_kmz,
)
from missions.export.kml import KML_NS, write_kml
from missions.export.qgc_plan import write_qgc_plans
from missions.export.qgc_wpl import write_wpl_files
from tests.helpers.mission_readers import (
    positions_from_qgc_plan, read_kml, read_qgc_plan, read_wpl, read_wpml_kmz, waypoints_from_waylines,
)
from missions.models import (
    AirspaceSpec, DroneModel, Hangar, Inspection, InspectionTask, MissionPlan, PlanSummary, Scenario, Sortie,
    Waypoint,
)
from planner.cli.main import main

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 21)
CRUISE, INSPECT, CLIMB = 15.0, 8.0, 5.0
ALT = 80.0
HOVER_S = 30.0
H01 = (114.4121, 30.5043)
H02 = (114.3800, 30.5200)
WEIRD = '<&">'  # XML/HTML special characters in ids and names
NAV_TAKEOFF, NAV_WAYPOINT, NAV_LAND, DO_CHANGE_SPEED = 22, 16, 21, 178


# ------------------------------------------------------------------------------------------------ fixtures
def _sortie(sortie_id: str, drone_id: str, hangar: tuple[float, float], takeoff: dt.datetime,
            path: list[tuple[float, float, str, str | None]]) -> Sortie:
    """A sortie obeying the waypoint semantics, timed from real distances at the scenario's speeds.

    `path` holds the vertices between the climb and the descent: (lon, lat, action, task_id).
    """
    projector = Projector.for_lonlat(*hangar)
    vertices = [(*hangar, 0.0, "takeoff", None), (*hangar, ALT, "transit", None)]
    vertices += [(lon, lat, ALT, action, task) for lon, lat, action, task in path]
    vertices += [(*hangar, ALT, "transit", None), (*hangar, 0.0, "land", None)]
    waypoints: list[Waypoint] = []
    t = 0.0
    distance = 0.0
    for n, (lon, lat, alt, action, task) in enumerate(vertices):
        if n:
            plon, plat, palt, pact, ptask = vertices[n - 1]
            x0, y0 = projector.forward(plon, plat)
            x1, y1 = projector.forward(lon, lat)
            flat = math.hypot(x1 - x0, y1 - y0)
            inspecting = pact == "inspect" and action == "inspect" and ptask == task
            speed = INSPECT if inspecting else CRUISE
            t += waypoints[-1].hover_s + (flat / speed if flat else abs(alt - palt) / CLIMB)
            distance += flat + abs(alt - palt)
        hover = HOVER_S if action == "hover" else 0.0
        waypoints.append(Waypoint(lon=lon, lat=lat, alt_m=alt, t_s=t, action=action, task_id=task, hover_s=hover))
    inspections = []
    for task in dict.fromkeys(w.task_id for w in waypoints if w.task_id):
        idx = [i for i, w in enumerate(waypoints) if w.task_id == task]
        first, last = idx[0], idx[-1]
        inspections.append(Inspection(
            task_id=task, target_id=f"target {task}", sortie_id=sortie_id,
            start=takeoff + dt.timedelta(seconds=waypoints[first].t_s),
            end=takeoff + dt.timedelta(seconds=waypoints[last].t_s + waypoints[last].hover_s),
            first_index=first, last_index=last,
            coordinates=[[w.lon, w.lat, w.alt_m] for w in waypoints[first:last + 1]],
        ))
    return Sortie(
        sortie_id=sortie_id, drone_id=drone_id, hangar_id=drone_id.split("-")[0], drone_model="m3d",
        takeoff=takeoff, landing=takeoff + dt.timedelta(seconds=t), waypoints=waypoints, distance_m=distance,
        flight_time_s=t, battery_used=t / (45 * 60), tasks=[i.task_id for i in inspections], inspections=inspections,
    )


@pytest.fixture(scope="module")
def plan() -> MissionPlan:
    at = lambda h, m: dt.datetime(2026, 11, 21, h, m, tzinfo=TZ)  # noqa: E731
    line_task = f"T1 {WEIRD}"
    morning = _sortie(f"S1 {WEIRD}", "H01-1", H01, at(9, 30), [
        (114.4200, 30.5100, "transit", None),
        (114.4250, 30.5120, "inspect", line_task),
        (114.4300, 30.5140, "inspect", line_task),
        (114.4350, 30.5150, "inspect", line_task),
    ])
    hover = _sortie("S2", "H02-1", H02, at(10, 0), [
        (114.3850, 30.5250, "transit", None),
        (114.3900, 30.5260, "hover", "P1"),
    ])
    afternoon = _sortie("S3/afternoon", "H01-1", H01, at(14, 0), [
        (114.4150, 30.4980, "inspect", "T2"),
        (114.4200, 30.4950, "inspect", "T2"),
    ])
    sorties = [morning, hover, afternoon]
    tasks = [InspectionTask(task_id=t, target_id=f"target {t}", kind="river", coordinates=[[0.0, 0.0], [0.1, 0.1]],
                            length_m=100.0, altitude_m=ALT, priority=3) for t in (line_task, "T2")]
    tasks.append(InspectionTask(task_id="P1", target_id="target P1", kind="point", coordinates=[[114.39, 30.526]],
                                length_m=0.0, altitude_m=ALT, priority=3, hover_s=HOVER_S))
    summary = PlanSummary(scenario="east-lake", coverage=1.0, total_distance_m=sum(s.distance_m for s in sorties),
                          sorties=3, drones_used=2, solve_time_s=0.1)
    return MissionPlan(scenario="east-lake", date=DAY, timezone="Asia/Shanghai", tasks=tasks, sorties=sorties,
                       unserved=[], summary=summary)


def _square(lon: float, lat: float, size: float = 0.004) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _zone(zone_id: str, restriction: str, lon: float, lat: float, **extra) -> Zone:
    return Zone(id=zone_id, name=f"{zone_id} {WEIRD}", restriction=restriction, geometry=_square(lon, lat), **extra)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return _scenario(CRUISE, INSPECT)


def _scenario(cruise: float, inspect: float) -> Scenario:
    zones = [
        _zone("TFR-morning", "prohibited", 114.44, 30.52, active=[TimeWindow(start="09:00", end="12:00")]),
        _zone("NFZ-allday", "prohibited", 114.40, 30.49),
        _zone("AUTH-ok", "authorisation_required", 114.43, 30.49),
        _zone("AUTH-no", "authorisation_required", 114.45, 30.49),
        _zone("ADVISORY", "advisory", 114.46, 30.49),
        _zone("HIGH", "prohibited", 114.47, 30.49, lower_m=150, upper_m=300),
    ]
    model = DroneModel(id="m3d", name="Matrice 3D", cruise_speed_ms=cruise, inspection_speed_ms=inspect,
                       endurance_min=45, max_wind_ms=12, climb_speed_ms=CLIMB)
    hangars = [Hangar(id="H01", name=f"Optics Valley {WEIRD}", lon=H01[0], lat=H01[1], drone_model="m3d",
                      operating_radius_m=7000, recharge_min=32),
               Hangar(id="H02", lon=H02[0], lat=H02[1], drone_model="m3d", operating_radius_m=7000, recharge_min=32)]
    return Scenario(name="east-lake", date=DAY, drone_models=[model], hangars=hangars,
                    airspace=AirspaceSpec(zones=zones, authorised=["AUTH-ok"]))


def _by_id(plan: MissionPlan, sortie_id: str) -> Sortie:
    return next(s for s in plan.sorties if s.sortie_id == sortie_id)


# ------------------------------------------------------------------------------------------------ QGC .plan
def test_qgc_plan_items_fly_the_sortie_vertices_in_order_with_lat_lon(plan, scenario, tmp_path):
    paths = write_qgc_plans(plan, scenario, tmp_path)
    stems = file_stems(plan)
    assert [p.name for p in paths] == [f"{stems[s.sortie_id]}.plan" for s in plan.sorties]
    for sortie, path in zip(plan.sorties, paths):
        data = read_qgc_plan(path)
        assert (data["fileType"], data["version"], data["groundStation"]) == ("Plan", 1, "lowalt")
        mission = data["mission"]
        assert (mission["version"], mission["vehicleType"], mission["cruiseSpeed"]) == (2, 2, CRUISE)
        hangar = sortie.waypoints[0]
        assert mission["plannedHomePosition"] == [hangar.lat, hangar.lon, 0.0]  # [lat, lon, alt]
        items = mission["items"]
        assert [i["doJumpId"] for i in items] == list(range(1, len(items) + 1))
        positions = positions_from_qgc_plan(data)
        wps = sortie.waypoints
        expected = [(NAV_TAKEOFF, wps[1])] + [(NAV_WAYPOINT, w) for w in wps[2:-1]] + [(NAV_LAND, wps[-1])]
        assert [p[0] for p in positions] == [c for c, _ in expected]
        for (command, lon, lat, alt), (_, wp) in zip(positions, expected):
            assert lon == pytest.approx(wp.lon, abs=1e-7) and lat == pytest.approx(wp.lat, abs=1e-7)
            assert alt == pytest.approx(0.0 if command == NAV_LAND else wp.alt_m)
        for item in items:
            if item["command"] != DO_CHANGE_SPEED:
                assert item["frame"] == 3 and item["AltitudeMode"] == 1 and item["AMSLAltAboveTerrain"] is None
                assert item["Altitude"] == item["params"][6] and item["autoContinue"] is True
        # params[4] is latitude: around 30.5 in Wuhan, never the 114.x longitude.
        assert all(29 < p[2] < 32 and 113 < p[1] < 116 for p in positions)


def test_qgc_hover_point_holds_for_its_hover_time(plan, scenario, tmp_path):
    write_qgc_plans(plan, scenario, tmp_path)
    items = read_qgc_plan(tmp_path / "S2.plan")["mission"]["items"]
    holds = [(i["params"][0], i["params"][4], i["params"][5]) for i in items if i["command"] == NAV_WAYPOINT]
    hover_wp = _by_id(plan, "S2").waypoints[3]
    assert [h for h in holds if h[0] > 0] == [(HOVER_S, hover_wp.lat, hover_wp.lon)]


def test_qgc_speed_changes_to_inspection_speed_on_the_stretch_and_back(plan, scenario, tmp_path):
    write_qgc_plans(plan, scenario, tmp_path)
    sortie = plan.sorties[0]
    data = read_qgc_plan(tmp_path / f"{file_stems(plan)[sortie.sortie_id]}.plan")
    sequence = []
    for item in data["mission"]["items"]:
        if item["command"] == DO_CHANGE_SPEED:
            assert item["frame"] == 2 and item["params"][0] == 1  # mission frame, ground speed
            sequence.append(("speed", item["params"][1]))
        else:
            sequence.append(("nav", item["params"][4]))
    first, last = sortie.inspections[0].first_index, sortie.inspections[0].last_index
    wps = sortie.waypoints
    assert sequence[:2] == [("nav", wps[1].lat), ("speed", CRUISE)]
    start = sequence.index(("nav", wps[first].lat))
    end = sequence.index(("nav", wps[last].lat))
    assert sequence[start + 1] == ("speed", INSPECT)
    assert sequence[end + 1] == ("speed", CRUISE)
    assert [s for s in sequence[start + 2:end] if s[0] == "speed"] == []


def _fence_shapes(data: dict) -> dict[str, list[Polygon]]:
    """zone id -> its fence polygons, in (lon, lat), read back from a .plan's geoFence and lowalt metadata."""
    polygons = iter(data["geoFence"]["polygons"])
    return {zone["zone"]: [Polygon([(lon, lat) for lat, lon in next(polygons)["polygon"]])
                           for _ in range(zone["polygons"])]
            for zone in data["lowalt"]["geofence"]["zones"]}


def _metres_outside(fence: Polygon, zone: Zone) -> float:
    """Smallest distance from the fence outline to the zone, in metres (the zone's UTM zone)."""
    projector = Projector.for_geometry(zone.geometry.shape)
    return projector.to_metric(fence.exterior).distance(projector.to_metric(zone.geometry.shape))


def test_qgc_geofence_excludes_zones_active_during_the_sortie_only(plan, scenario, tmp_path):
    write_qgc_plans(plan, scenario, tmp_path)
    stems = file_stems(plan)
    morning = read_qgc_plan(tmp_path / f"{stems[plan.sorties[0].sortie_id]}.plan")
    afternoon = read_qgc_plan(tmp_path / f"{stems[plan.sorties[2].sortie_id]}.plan")
    # The 09:00-12:00 TFR only in the morning; the all-day NFZ and the unauthorised zone always;
    # the authorised, advisory and high-band (150-300 m) zones never.
    assert sorted(_fence_shapes(morning)) == ["AUTH-no", "NFZ-allday", "TFR-morning"]
    assert sorted(_fence_shapes(afternoon)) == ["AUTH-no", "NFZ-allday"]
    fence = morning["geoFence"]
    assert all(p["inclusion"] is False and p["version"] == 1 for p in fence["polygons"])
    assert (fence["version"], fence["circles"]) == (2, [])
    zones = {z.id: z for z in scenario.zones()}
    for zone_id, (shape,) in _fence_shapes(morning).items():
        # Square zones have no arcs: the fence is the square pushed out 5 m on every side, its corners mitred.
        assert shape.contains(zones[zone_id].geometry.shape)
        assert _metres_outside(shape, zones[zone_id]) == pytest.approx(5.0, abs=0.01)
        assert len(shape.exterior.coords) - 1 == 4  # [lat, lon] open ring: QGC closes it
    meta = morning["lowalt"]["geofence"]
    assert meta["clearance_m"] == 5.0 and meta["not_fenced"] == []
    assert {(z["zone"], z["clearance_m"], z["arc_bulge_m"], z["offset_m"]) for z in meta["zones"]} == {
        ("TFR-morning", 5.0, 0.0, 5.0), ("NFZ-allday", 5.0, 0.0, 5.0), ("AUTH-no", 5.0, 0.0, 5.0)}


def test_qgc_without_scenario_has_empty_geofence_warns_and_times_give_speeds(plan, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="missions.export"):
        write_qgc_plans(plan, None, tmp_path)
    assert "without a scenario" in caplog.text
    data = read_qgc_plan(tmp_path / "S2.plan")
    assert data["geoFence"]["polygons"] == []
    assert data["mission"]["cruiseSpeed"] == pytest.approx(CRUISE, rel=1e-9)
    speeds = sortie_speeds(plan.sorties[0], None)
    assert (speeds.cruise_ms, speeds.inspection_ms) == (pytest.approx(CRUISE), pytest.approx(INSPECT))


# ------------------------------------------------------------------------------------------------ QGC WPL
def test_wpl_lines_are_home_takeoff_waypoints_land_with_twelve_columns(plan, scenario, tmp_path):
    paths = write_wpl_files(plan, scenario, tmp_path)
    for sortie, path in zip(plan.sorties, paths):
        assert path.suffix == ".waypoints"
        assert path.read_text().splitlines()[0] == "QGC WPL 110"
        lines = read_wpl(path)
        assert [line.index for line in lines] == list(range(len(lines)))
        home = lines[0]
        hangar = sortie.waypoints[0]
        assert (home.current, home.frame, home.command) == (1, 0, NAV_WAYPOINT)
        assert (home.lat, home.lon) == (hangar.lat, hangar.lon)
        assert all(line.current == 0 and line.autocontinue == 1 for line in lines[1:])
        nav = [line for line in lines[1:] if line.command != DO_CHANGE_SPEED]
        wps = sortie.waypoints
        assert [line.command for line in nav] == [NAV_TAKEOFF] + [NAV_WAYPOINT] * (len(wps) - 3) + [NAV_LAND]
        for line, wp in zip(nav, wps[1:]):
            assert line.frame == 3
            assert line.lat == pytest.approx(wp.lat, abs=1e-7) and line.lon == pytest.approx(wp.lon, abs=1e-7)
            assert line.alt_m == pytest.approx(wp.alt_m)
            assert line.params[0] == wp.hover_s


def test_wpl_reader_names_line_with_wrong_column_count(tmp_path):
    path = tmp_path / "bad.waypoints"
    path.write_text("QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t30.5\t114.4\t0\n")
    with pytest.raises(ValueError, match="line 2: 11 tab-separated columns"):
        read_wpl(path)


# ------------------------------------------------------------------------------------------------ DJI WPML
def test_wpml_kmz_holds_exactly_template_and_waylines_with_dji_namespaces(plan, scenario, tmp_path):
    paths = write_wpml_kmz(plan, scenario, tmp_path)
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            assert sorted(archive.namelist()) == ["wpmz/template.kml", "wpmz/waylines.wpml"]
            for entry in (TEMPLATE_ENTRY, WAYLINES_ENTRY):
                raw = archive.read(entry)
                assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
                assert b'xmlns="http://www.opengis.net/kml/2.2"' in raw
                assert f'xmlns:wpml="{WPML_NS}"'.encode() in raw
                assert ET.fromstring(raw).tag == f"{{{WPML_KML_NS}}}kml"
    assert WPML_NS.startswith("http://www.dji.com/wpmz/1.0.")


def test_wpml_waylines_follow_the_airborne_vertices_with_speeds_and_hover(plan, scenario, tmp_path):
    write_wpml_kmz(plan, scenario, tmp_path)
    ns = {"kml": WPML_KML_NS, "wpml": WPML_NS}
    for sortie in plan.sorties:
        template, waylines = read_wpml_kmz(tmp_path / f"{file_stems(plan)[sortie.sortie_id]}.kmz")
        config = waylines.find("kml:Document/wpml:missionConfig", ns)
        assert config.findtext("wpml:flyToWaylineMode", None, ns) == "safely"
        assert config.findtext("wpml:finishAction", None, ns) == "goHome"
        assert config.findtext("wpml:exitOnRCLost", None, ns) == "goContinue"
        assert float(config.findtext("wpml:takeOffSecurityHeight", None, ns)) == ALT
        assert config.findtext("wpml:droneInfo/wpml:droneEnumValue", None, ns) == "91"  # Matrice 3D
        folder = waylines.find("kml:Document/kml:Folder", ns)
        assert folder.findtext("wpml:executeHeightMode", None, ns) == "relativeToStartPoint"
        assert folder.findtext("wpml:waylineId", None, ns) == "0"
        assert template.findtext("kml:Document/kml:Folder/wpml:templateType", None, ns) == "waypoint"
        points = waypoints_from_waylines(waylines)
        airborne = sortie.waypoints[1:-1]
        assert [p.index for p in points] == list(range(len(airborne)))
        slow = {i - 1 for ins in sortie.inspections for i in range(ins.first_index, ins.last_index)}
        for n, (point, wp) in enumerate(zip(points, airborne, strict=True)):
            assert point.lon == pytest.approx(wp.lon, abs=1e-7) and point.lat == pytest.approx(wp.lat, abs=1e-7)
            assert point.height_m == wp.alt_m and point.hover_s == wp.hover_s
            assert 1.0 <= point.speed_ms <= 15.0
            assert point.speed_ms == (INSPECT if n in slow else CRUISE)
        coordinates = folder.find("kml:Placemark/kml:Point/kml:coordinates", ns).text
        assert coordinates == f"{airborne[0].lon!r},{airborne[0].lat!r}"  # lon,lat


def test_wpml_speeds_outside_1_to_15_are_clamped_and_logged(plan, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="missions.export.dji_wpml"):
        write_wpml_kmz(plan, _scenario(cruise=21.0, inspect=0.5), tmp_path)
    assert "cruise speed 21.00 m/s clamped to 15.0" in caplog.text
    assert re.search(r"leg \d+ speed 0\.50 m/s clamped to 1\.0", caplog.text)
    _, waylines = read_wpml_kmz(tmp_path / f"{file_stems(plan)[plan.sorties[0].sortie_id]}.kmz")
    assert {p.speed_ms for p in waypoints_from_waylines(waylines)} == {1.0, 15.0}


# ------------------------------------------------------------------------------------------------ KML
def test_kml_has_a_folder_per_drone_sortie_lines_inspections_and_hangars(plan, scenario, tmp_path):
    (path,) = write_kml(plan, scenario, tmp_path)
    assert path.name == "plan.kml"
    raw = path.read_bytes()
    assert b"&lt;&amp;\"&gt;" in raw or b"&lt;&amp;&quot;&gt;" in raw
    assert ET.fromstring(raw).tag == f"{{{KML_NS}}}kml"
    placemarks = read_kml(path)
    by_name = {p.name: p for p in placemarks}
    for sortie in plan.sorties:
        line = by_name[f"sortie {sortie.sortie_id}"]
        assert line.folder == f"drone {sortie.drone_id}" and line.style == "#sortie"
        assert (line.geometry, line.altitude_mode) == ("LineString", "relativeToGround")
        assert line.coordinates == [(w.lon, w.lat, w.alt_m) for w in sortie.waypoints]
        for inspection in sortie.inspections:
            stretch = by_name[f"{inspection.task_id} ({inspection.target_id})"]
            assert stretch.style == "#inspection"
            assert stretch.coordinates == [tuple(c) for c in inspection.coordinates]
    assert by_name[f"T1 {WEIRD} (target T1 {WEIRD})"].geometry == "LineString"
    assert by_name["P1 (target P1)"].geometry == "Point"
    hangars = [p for p in placemarks if p.folder == "hangars"]
    assert [(p.name, p.coordinates) for p in hangars] == [
        (f"H01 Optics Valley {WEIRD}", [(*H01, 0.0)]), ("H02", [(*H02, 0.0)])]
    assert {p.folder for p in placemarks} == {"drone H01-1", "drone H02-1", "hangars"}


# ------------------------------------------------------------------------------------------------ registry, CLI
def test_export_all_writes_every_format_with_sanitised_names(plan, scenario, tmp_path):
    paths = export_plan(plan, scenario, "all", tmp_path)
    names = sorted(p.name for p in paths)
    stems = ["S1", "S2", "S3_afternoon"]
    assert stems == sorted(file_stems(plan).values())
    assert names == sorted([f"{s}{ext}" for s in stems for ext in (".plan", ".waypoints", ".kmz")]
                           + ["plan.kml", "plan.geojson", "schedule.csv", "intents.geojson"])
    geojson = json.loads((tmp_path / "plan.geojson").read_text())
    kinds = [f["properties"]["kind"] for f in geojson["features"]]
    assert kinds.count("sortie") == 3 and kinds.count("inspection") == 3 and kinds.count("hangar") == 2
    with (tmp_path / "schedule.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["activity"] for r in rows] == ["sortie", "recharge", "sortie", "sortie"]
    assert set(FORMATS) == {"qgc", "wpl", "wpml", "kml", "geojson", "csv", "intents"}


def test_plan_files_have_one_writer_and_missions_export_leaves_them_out(plan, scenario, tmp_path):
    from missions.plan_io import write_plan

    written = write_plan(plan, scenario, tmp_path / "plan")
    exported = {p.name: p for p in export_plan(plan, scenario, "all", tmp_path / "export")}
    plan_files = ("plan.geojson", "schedule.csv", "intents.geojson")
    for name in plan_files:
        assert exported[name].read_bytes() == written[name].read_bytes()
    missions = {p.name for p in export_plan(plan, scenario, "missions", tmp_path / "missions")}
    assert missions == {p for p in exported if p not in plan_files}


def test_export_all_without_scenario_skips_geojson_and_unknown_format_is_refused(plan, tmp_path):
    names = {p.name for p in export_plan(plan, None, "all", tmp_path)}
    assert "plan.geojson" not in names and "schedule.csv" in names and "plan.kml" in names
    with pytest.raises(ValueError, match="unknown export format 'gpx'"):
        export_plan(plan, None, "gpx", tmp_path)


def test_file_stems_are_unique_even_when_ids_sanitise_alike(plan):
    twins = plan.model_copy(update={"sorties": [
        plan.sorties[1].model_copy(update={"sortie_id": "a/b"}),
        plan.sorties[1].model_copy(update={"sortie_id": "a:b"}),
        plan.sorties[1].model_copy(update={"sortie_id": "../.."}),
    ]})
    assert list(file_stems(twins).values()) == ["a_b", "a_b-2", "sortie"]


def test_sortie_without_takeoff_vertex_is_refused_with_its_id(plan, tmp_path):
    broken = plan.sorties[1]
    waypoints = [broken.waypoints[0].model_copy(update={"action": "transit"}), *broken.waypoints[1:]]
    bad = plan.model_copy(update={"sorties": [broken.model_copy(update={"waypoints": waypoints})]})
    with pytest.raises(ValueError, match=r"sortie S2: field waypoints\[0\]: action must be 'takeoff'"):
        export_plan(bad, None, "qgc", tmp_path)


def test_cli_export_writes_files_from_plan_and_scenario(plan, scenario, tmp_path, capsys):
    (tmp_path / "plan.json").write_text(plan.model_dump_json())
    (tmp_path / "scenario.json").write_text(scenario.model_dump_json(exclude_none=True))
    out = tmp_path / "out"
    code = main(["export", str(tmp_path / "plan.json"), "--format", "qgc", "--out", str(out),
                 "--scenario", str(tmp_path / "scenario.json")])
    assert code == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["S1.plan", "S2.plan", "S3_afternoon.plan"]
    assert len(read_qgc_plan(out / "S2.plan")["geoFence"]["polygons"]) == 3  # S2 flies 10:00, TFR active
    assert main(["export", str(tmp_path), "--format", "geojson", "--out", str(out)]) == 2
    assert main(["export", str(tmp_path / "missing.json"), "--format", "kml", "--out", str(out)]) == 3


def test_wpml_template_matches_waylines_and_reader_refuses_extra_entries(plan, scenario, tmp_path):
    (path, *_) = write_wpml_kmz(plan, scenario, tmp_path)
    ns = {"kml": WPML_KML_NS, "wpml": WPML_NS}
    template, waylines = read_wpml_kmz(path)
    heights = [float(p.findtext("wpml:height", None, ns))
               for p in template.iterfind("kml:Document/kml:Folder/kml:Placemark", ns)]
    assert heights == [p.height_m for p in waypoints_from_waylines(waylines)]
    mode = template.findtext("kml:Document/kml:Folder/wpml:waylineCoordinateSysParam/wpml:heightMode", None, ns)
    assert mode == "relativeToStartPoint"
    extra = tmp_path / "extra.kmz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(extra, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("wpmz/res/readme.txt", "x")
    with pytest.raises(ValueError, match="extra.kmz: entries .* expected exactly wpmz/template.kml"):
        read_wpml_kmz(extra)


def test_qgc_fence_splits_multipolygon_zones_and_keeps_outer_rings(plan, tmp_path):
    outer = [[114.40, 30.50], [114.41, 30.50], [114.41, 30.51], [114.40, 30.51], [114.40, 30.50]]
    hole = [[114.403, 30.503], [114.406, 30.503], [114.406, 30.506], [114.403, 30.503]]
    second = _square(114.50, 30.60)["coordinates"]
    zone = Zone(id="MP", restriction="prohibited",
                geometry={"type": "MultiPolygon", "coordinates": [[outer, hole], second]})
    base = _scenario(CRUISE, INSPECT)
    scenario = base.model_copy(update={"airspace": AirspaceSpec(zones=[zone])})
    write_qgc_plans(plan, scenario, tmp_path)
    data = read_qgc_plan(tmp_path / "S2.plan")
    (fences,) = _fence_shapes(data).values()
    first = next(f for f in fences if f.contains(Polygon(outer)))
    other = next(f for f in fences if f.contains(Polygon(second[0])))
    # One exclusion polygon per part, outer rings only (QGC fences have no holes): the hole is fenced off too.
    assert len(fences) == 2 and first is not other
    assert not first.interiors and first.contains(Polygon(hole))
    for shape, part in ((first, Polygon(outer)), (other, Polygon(second[0]))):
        part_zone = Zone(id="part", restriction="prohibited", geometry={"type": "Polygon",
                                                                         "coordinates": [list(part.exterior.coords)]})
        assert _metres_outside(shape, part_zone) == pytest.approx(5.0, abs=0.01)


def _slowed(sortie, leg: int, factor: float):
    """The sortie with leg `leg` taking `factor` times as long, as the planner times a leg the wind slowed."""
    wps = list(sortie.waypoints)
    extra = (wps[leg + 1].t_s - wps[leg].t_s - wps[leg].hover_s) * (factor - 1.0)
    wps[leg + 1:] = [w.model_copy(update={"t_s": w.t_s + extra}) for w in wps[leg + 1:]]
    return sortie.model_copy(update={"waypoints": wps})


def test_a_leg_the_plan_slowed_is_asked_at_its_planned_ground_speed_in_every_format(plan, scenario, tmp_path):
    # Leg 1 -> 2 is the first transit leg (cruise); the plan flies it at 2/3 of the cruise speed, as it does
    # into a headwind beyond what the airspeed limit allows at cruise speed.
    sortie = _slowed(plan.sorties[0], 1, 1.5)
    slowed_plan = plan.model_copy(update={"sorties": [sortie] + list(plan.sorties[1:])})
    stem = file_stems(slowed_plan)[sortie.sortie_id]
    write_qgc_plans(slowed_plan, scenario, tmp_path)
    speeds = [i["params"][1] for i in read_qgc_plan(tmp_path / f"{stem}.plan")["mission"]["items"]
              if i["command"] == DO_CHANGE_SPEED]
    assert speeds[:2] == [pytest.approx(CRUISE / 1.5, abs=0.01), CRUISE]
    write_wpml_kmz(slowed_plan, scenario, tmp_path)
    _, waylines = read_wpml_kmz(tmp_path / f"{stem}.kmz")
    points = waypoints_from_waylines(waylines)
    assert points[0].speed_ms == pytest.approx(CRUISE / 1.5, abs=0.01)  # placemark 0 is vertex 1
    assert points[1].speed_ms == CRUISE
