"""QGC .plan keep-out fences: outside every zone by the stated clearance, arcs included, never across the path.

Circles come from lowalt's own ED-269 reader (64 chords); distances to the true circle are geodesic (pyproj.Geod).
"""
from __future__ import annotations

import json
import logging
import math

import pyproj
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from airspace.projection import Projector
from airspace.readers import load_zones
from airspace.zones import Zone
from missions.export.fences import FENCE_CLEARANCE_M, PATH_SLACK_M, arc_bulge_m, sortie_fences
from missions.export.qgc_plan import write_qgc_plans
from missions.tasks import tasks_from_targets
from missions.verify import verify_plan
from tests.helpers import consumers as c
from tests.helpers.plan_factory import build_plan, build_sortie, small_scenario

GEOD = pyproj.Geod(ellps="WGS84")
H = 3600
# small_scenario's hangar and the start of its river: the first leg runs between them.
HANGAR, RIVER_START = (114.40, 30.50), (114.41, 30.51)


def test_arc_bulge_is_the_chord_sagitta_of_polygonised_arcs_only():
    circle = Point(0, 0).buffer(600, quad_segs=16)  # 64 chords, as the ED-269 reader draws a circle
    assert arc_bulge_m(circle.exterior.coords) == pytest.approx(600 * (1 - math.cos(math.pi / 64)), rel=1e-6)
    rounded = box(0, 0, 200, 100).buffer(50, quad_segs=8)  # 8 chords per rounded corner
    assert arc_bulge_m(rounded.exterior.coords) == pytest.approx(50 * (1 - math.cos(math.pi / 32)), rel=1e-6)
    assert arc_bulge_m(box(0, 0, 200, 100).exterior.coords) == 0.0
    lumpy = Polygon([(0, 0), (300, 40), (420, 260), (250, 480), (30, 390), (-60, 170)])
    assert arc_bulge_m(lumpy.exterior.coords) == 0.0


def _circle_zone(tmp_path, lon: float, lat: float, radius: float, **extra) -> Zone:
    feature = {"identifier": "CIRCLE", "country": "CHN", "name": "test circle", "type": "COMMON",
               "restriction": "PROHIBITED", "applicability": [{"permanent": "YES"}],
               "geometry": [{"uomDimensions": "M", "lowerLimit": 0, "lowerVerticalReference": "AGL",
                             "upperLimit": 120, "upperVerticalReference": "AGL",
                             "horizontalProjection": {"type": "Circle", "center": [lon, lat], "radius": radius}}]}
    path = tmp_path / "circle_ed269.json"
    path.write_text(json.dumps({"title": "t", "features": [feature]}))
    (zone,) = load_zones(path, format="ed269")
    return zone.model_copy(update=extra)


def _beside_first_leg(gap_m: float, radius: float) -> tuple[float, float]:
    """Centre of a circle whose edge lies `gap_m` from the midpoint of the hangar -> river leg, to its south-east."""
    projector = Projector.for_lonlat(*HANGAR)
    (x0, x1), (y0, y1) = projector.forward([HANGAR[0], RIVER_START[0]], [HANGAR[1], RIVER_START[1]])
    mx, my, length = (x0 + x1) / 2, (y0 + y1) / 2, math.hypot(x1 - x0, y1 - y0)
    nx, ny = (y1 - y0) / length, -(x1 - x0) / length  # unit normal, to the right of the leg
    lon, lat = projector.inverse(mx + nx * (radius + gap_m), my + ny * (radius + gap_m))
    return float(lon), float(lat)


def _day(zones: list[Zone]):
    scenario = small_scenario(airspace={"ceiling_m": 120, "zones": zones})
    tasks, _ = tasks_from_targets(scenario, max_leg_m=1000)
    river = [t for t in tasks if t.target_id == "R1"]
    point = [t for t in tasks if t.target_id == "P1"]
    # Home from the river by the north, away from the zones this file puts beside or across the first leg.
    sortie = build_sortie(scenario, "S1", "H01-1", 9 * H, river, transit_alt_m=100.0,
                          via={len(river): [(114.43, 30.53), (114.40, 30.53)]})
    plan = build_plan(scenario, tasks, [sortie, build_sortie(scenario, "S2", "H01-2", 10 * H, point)])
    assert verify_plan(plan, scenario).ok
    return scenario, plan, sortie


def _ring_points(plan_path) -> list[list[tuple[float, float]]]:
    data = json.loads(plan_path.read_text())
    return [[(lon, lat) for lat, lon in p["polygon"]] for p in data["geoFence"]["polygons"]]


def _min_from_centre(ring: list[tuple[float, float]], lon0: float, lat0: float) -> float:
    dense = shapely.segmentize(LineString([*ring, ring[0]]), 0.00001)  # ~1 m: the chords' midpoints count
    lons, lats = zip(*dense.coords)
    return min(GEOD.inv([lon0] * len(lons), [lat0] * len(lats), lons, lats)[2])


def test_circle_fence_circumscribes_the_circle_with_the_stated_clearance(tmp_path):
    radius = 300.0
    lon0, lat0 = _beside_first_leg(60.0, radius)
    zone = _circle_zone(tmp_path, lon0, lat0, radius)
    scenario, plan, sortie = _day([zone])
    path, _ = write_qgc_plans(plan, scenario, tmp_path / "out")
    (ring,) = _ring_points(path)
    meta = json.loads(path.read_text())["lowalt"]["geofence"]
    (fenced,) = meta["zones"]
    bulge = radius * (1 - math.cos(math.pi / 64))
    assert (fenced["zone"], fenced["clearance_m"]) == ("CIRCLE", FENCE_CLEARANCE_M)
    assert fenced["arc_bulge_m"] == pytest.approx(bulge, abs=0.002)
    # The reader draws the disc in UTM metres (0.03 % short of ground metres here): allow that, no more.
    scale = pyproj.Proj(Projector.for_lonlat(lon0, lat0).crs).get_factors(lon0, lat0).meridional_scale
    shortfall = (radius + FENCE_CLEARANCE_M + bulge) * (1 - 1 / scale)
    clearance = _min_from_centre(ring, lon0, lat0) - radius
    assert FENCE_CLEARANCE_M - shortfall - 0.01 <= clearance <= FENCE_CLEARANCE_M + 0.01
    # The old fence (the 64-gon itself) cut inside the circle by its chord sagitta: this one never does.
    assert _min_from_centre(list(zone.geometry.shape.exterior.coords)[:-1], lon0, lat0) < radius - bulge + 0.3
    # MAVSDK reads it as one 64-vertex exclusion polygon.
    imported = c.mavsdk_import_plan(path, c.MAV_AUTOPILOT_PX4).geofence_items
    assert len(imported) == 64 and {int(i.param1) for i in imported} == {64}


def test_fence_clearance_narrows_where_the_path_passes_closer_and_says_so(tmp_path, caplog):
    radius, gap = 300.0, 3.0
    lon0, lat0 = _beside_first_leg(gap, radius)
    scenario, plan, sortie = _day([_circle_zone(tmp_path, lon0, lat0, radius)])
    with caplog.at_level(logging.WARNING, logger="missions.export.fences"):
        (fence,), unfenced = sortie_fences(sortie, scenario.zones())
    assert unfenced == []
    # The path passes ~3 m from the true circle, a little more from its 64-gon; the fence keeps 1 m off the path.
    projector = Projector.for_lonlat(*HANGAR)
    path_gap = projector.to_metric(LineString([(w.lon, w.lat) for w in sortie.waypoints])).distance(
        projector.to_metric(scenario.zones()[0].geometry.shape))
    assert fence.offset_m == pytest.approx(path_gap - PATH_SLACK_M, abs=0.001)
    assert fence.clearance_m == pytest.approx(path_gap - PATH_SLACK_M - fence.arc_bulge_m, abs=0.001)
    assert 0 < fence.clearance_m < FENCE_CLEARANCE_M
    assert (f"sortie S1: fence of zone CIRCLE kept {fence.clearance_m:.1f} m from the zone (not 5.0 m): the path "
            f"passes {path_gap:.1f} m from it") in caplog.text


def test_zone_crossed_before_it_activates_is_left_unfenced_with_its_reason(caplog):
    # A closure over the first leg that starts 5 minutes after take-off: the verified crossing is legal, a fence
    # (which has no schedule) would stop the flight there.
    mid = ((HANGAR[0] + RIVER_START[0]) / 2, (HANGAR[1] + RIVER_START[1]) / 2)
    square = box(mid[0] - 0.0005, mid[1] - 0.0005, mid[0] + 0.0005, mid[1] + 0.0005)
    closure = Zone(id="TFR-LATE", restriction="prohibited", geometry=shapely.geometry.mapping(square),
                   active=[{"start": "09:05", "end": "12:00"}])
    scenario, plan, sortie = _day([closure])
    assert sortie.landing.strftime("%H:%M") > "09:05"
    with caplog.at_level(logging.WARNING, logger="missions.export.fences"):
        fences, (unfenced,) = sortie_fences(sortie, scenario.zones())
    assert fences == [] and unfenced.zone_id == "TFR-LATE"
    assert unfenced.reason == ("sortie S1 passes 0.0 m from zone TFR-LATE's outline (its arcs reach 0.0 m beyond "
                               "their chords): legal only outside the zone's active time or altitude band, which a "
                               "fence cannot express")
    assert "no fence for zone TFR-LATE" in caplog.text
