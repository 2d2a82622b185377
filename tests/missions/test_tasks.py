"""Tasks from targets: leg cutting, shoreline rings, corridor passes, point hovers and invalid pieces.

Lengths are checked in metres against an independent geodesic measure of the same lines.
"""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from airspace.projection import Projector, geodesic_length_m
from missions.coverage import corridor_passes, corridor_step_m, pass_offsets_m
from missions.models import Camera, DroneModel, Hangar, Scenario, Target, UnservedReason
from missions.tasks import cut_line, tasks_from_targets

M3D_CAMERA = Camera(sensor_width_mm=17.3, focal_length_mm=12.3, image_width_px=5280, side_overlap=0.3)


def _scenario(targets: list[Target], *, camera: Camera | None = M3D_CAMERA) -> Scenario:
    model = DroneModel(id="m3d", cruise_speed_ms=15, inspection_speed_ms=8, endurance_min=45, max_wind_ms=12,
                       camera=camera)
    hangar = Hangar(id="H01", lon=114.40, lat=30.50, drone_model="m3d", drones=1, operating_radius_m=7000,
                    recharge_min=32)
    return Scenario(name="t", date="2026-11-21", drone_models=[model], hangars=[hangar], targets=targets)


def _target(geometry: dict, **extra) -> Target:
    kind = "point" if geometry["type"] in ("Point", "MultiPoint") else extra.pop("kind", "river")
    return Target(id=extra.pop("id", "R1"), kind=kind, geometry=geometry, **extra)


RIVER = {"type": "LineString", "coordinates": [[114.30, 30.48], [114.33, 30.49], [114.36, 30.485]]}


def test_legs_sum_to_line_length_and_respect_max_leg():
    tasks, unserved = tasks_from_targets(_scenario([_target(RIVER)]), max_leg_m=1500)
    line_m = geodesic_length_m(RIVER["coordinates"])
    assert unserved == []
    assert math.isclose(sum(t.length_m for t in tasks), line_m, rel_tol=1e-3)
    assert all(t.length_m <= 1500 + 1e-6 for t in tasks)
    assert len(tasks) == math.ceil(line_m / 1500)
    # Cut evenly: every leg has the same length.
    assert max(t.length_m for t in tasks) - min(t.length_m for t in tasks) < 1e-6
    assert [t.task_id for t in tasks] == [f"R1#{k}" for k in range(1, len(tasks) + 1)]


def test_legs_chain_end_to_end_along_the_line():
    tasks, _ = tasks_from_targets(_scenario([_target(RIVER)]), max_leg_m=2000)
    assert tasks[0].coordinates[0] == pytest.approx(RIVER["coordinates"][0], abs=1e-9)
    assert tasks[-1].coordinates[-1] == pytest.approx(RIVER["coordinates"][-1], abs=1e-9)
    for before, after in zip(tasks, tasks[1:]):
        assert before.coordinates[-1] == pytest.approx(after.coordinates[0], abs=1e-9)
    assert all(t.reversible and t.altitude_m == 80 and t.pass_index is None for t in tasks)


def test_cut_line_keeps_a_short_line_whole():
    line = LineString([(0, 0), (100, 0)])
    legs = cut_line(line, 500)
    assert len(legs) == 1 and legs[0].length == pytest.approx(100)
    with pytest.raises(ValueError, match="max_leg_m"):
        cut_line(line, 0)


def test_polygon_is_flown_along_exterior_and_hole_boundaries():
    outer = [[114.30, 30.50], [114.32, 30.50], [114.32, 30.52], [114.30, 30.52], [114.30, 30.50]]
    hole = [[114.305, 30.505], [114.31, 30.505], [114.31, 30.51], [114.305, 30.505]]
    lake = _target({"type": "Polygon", "coordinates": [outer, hole]}, id="L1", kind="shoreline")
    tasks, unserved = tasks_from_targets(_scenario([lake]), max_leg_m=1000)
    expected = geodesic_length_m(outer) + geodesic_length_m(hole)
    assert unserved == []
    assert math.isclose(sum(t.length_m for t in tasks), expected, rel_tol=1e-3)
    assert all(t.length_m <= 1000 + 1e-6 for t in tasks)
    assert all(t.kind == "shoreline" for t in tasks)


def test_m3d_camera_footprint_gives_four_passes_over_300_m():
    assert M3D_CAMERA.footprint_m(80) == pytest.approx(112.52, abs=0.01)
    step = corridor_step_m(80, [M3D_CAMERA])
    assert step == pytest.approx(78.76, abs=0.01)
    assert corridor_passes(300, step) == 4
    assert pass_offsets_m(300, 4) == pytest.approx([-112.5, -37.5, 37.5, 112.5])


def test_corridor_passes_are_parallel_offsets_at_the_planned_distances():
    straight = {"type": "LineString", "coordinates": [[114.30, 30.50], [114.33, 30.50]]}
    tasks, unserved = tasks_from_targets(
        _scenario([_target(straight, corridor_width_m=300, altitude_m=80)]), max_leg_m=1000)
    assert unserved == []
    assert sorted({t.pass_index for t in tasks}) == [1, 2, 3, 4]
    projector = Projector.for_geometry(LineString(straight["coordinates"]))
    centre = projector.to_metric(LineString(straight["coordinates"]))
    centre_len = centre.length
    for pass_index, offset in zip([1, 2, 3, 4], [-112.5, -37.5, 37.5, 112.5]):
        legs = [t for t in tasks if t.pass_index == pass_index]
        assert math.isclose(sum(t.length_m for t in legs), centre_len, rel_tol=1e-3)
        assert [t.task_id for t in legs] == [f"R1#p{pass_index}-{k}" for k in range(1, len(legs) + 1)]
        for leg in legs:
            mid = projector.to_metric(LineString(leg.coordinates)).interpolate(0.5, normalized=True)
            # A line heading east: left (positive offset) is north.
            assert centre.distance(mid) == pytest.approx(abs(offset), abs=0.05)
            side = 1 if mid.y > centre.interpolate(centre.project(mid)).y else -1
            assert side == (1 if offset > 0 else -1)


def test_corridor_without_any_camera_is_unserved_as_invalid():
    tasks, unserved = tasks_from_targets(
        _scenario([_target(RIVER, corridor_width_m=100)], camera=None), max_leg_m=1000)
    assert tasks == []
    assert len(unserved) == 1
    assert unserved[0].reason is UnservedReason.INVALID
    assert "camera" in unserved[0].detail and unserved[0].target_id == "R1"


def test_default_camera_stands_in_when_no_model_has_one():
    tasks, unserved = tasks_from_targets(
        _scenario([_target(RIVER, corridor_width_m=300)], camera=None), max_leg_m=100000,
        default_camera=M3D_CAMERA)
    assert unserved == [] and len(tasks) == 4


def test_point_targets_become_hover_tasks_one_per_point():
    points = _target({"type": "MultiPoint", "coordinates": [[114.31, 30.50], [114.32, 30.51]]},
                     id="P1", hover_s=30, priority=5)
    tasks, unserved = tasks_from_targets(_scenario([points]), max_leg_m=1000)
    assert unserved == []
    assert [t.task_id for t in tasks] == ["P1#pt1", "P1#pt2"]
    assert [t.coordinates for t in tasks] == [
        [pytest.approx([114.31, 30.50], abs=1e-9)], [pytest.approx([114.32, 30.51], abs=1e-9)]]
    assert all(t.hover_s == 30 and t.length_m == 0 and t.priority == 5 for t in tasks)


def test_zero_length_piece_is_unserved_with_a_reason_not_dropped():
    multi = {"type": "MultiLineString", "coordinates": [
        [[114.30, 30.50], [114.31, 30.50]],
        [[114.32, 30.50], [114.32, 30.500000001]],  # 0.1 mm: valid GeoJSON, nothing to fly
    ]}
    tasks, unserved = tasks_from_targets(_scenario([_target(multi)]), max_leg_m=5000)
    assert len(tasks) == 1 and tasks[0].task_id == "R1#1"
    assert len(unserved) == 1
    assert unserved[0].reason is UnservedReason.INVALID
    assert "zero length" in unserved[0].detail
    assert unserved[0].coordinates[0] == pytest.approx([114.32, 30.50])


def test_task_ids_are_deterministic():
    scenario = _scenario([_target(RIVER, corridor_width_m=200)])
    first, _ = tasks_from_targets(scenario, max_leg_m=800)
    second, _ = tasks_from_targets(scenario, max_leg_m=800)
    assert [t.task_id for t in first] == [t.task_id for t in second]
    assert len({t.task_id for t in first}) == len(first)


@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(st.tuples(st.floats(0, 5000), st.floats(0, 5000)), min_size=2, max_size=8, unique=True),
    max_leg=st.floats(200, 10000),
)
def test_cut_line_legs_are_equal_bounded_and_sum_to_the_line(points, max_leg):
    line = LineString(points)
    if line.length < 1.0:
        return
    legs = cut_line(line, max_leg)
    assert len(legs) == math.ceil(line.length / max_leg - 1e-9)
    assert sum(leg.length for leg in legs) == pytest.approx(line.length, rel=1e-6)
    assert all(leg.length <= max_leg * (1 + 1e-9) for leg in legs)
    assert legs[0].coords[0] == pytest.approx(points[0], abs=1e-6)
    assert legs[-1].coords[-1] == pytest.approx(points[-1], abs=1e-6)
