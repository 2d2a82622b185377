"""Tests for airspace.projection: UTM choice, vectorised transforms, z kept, lengths agree with geodesics."""
import math

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from airspace.projection import Projector, geodesic_length_m, utm_crs_for

WUHAN = (114.3055, 30.5928)


def test_wuhan_is_utm_zone_50n():
    assert utm_crs_for(*WUHAN).to_epsg() == 32650


@pytest.mark.parametrize(
    "lon, lat, epsg",
    [(-74.0, 40.7, 32618), (151.2, -33.9, 32756), (-58.4, -34.6, 32721), (2.35, 48.85, 32631)],
)
def test_utm_zone_matches_hemisphere_and_longitude(lon, lat, epsg):
    assert utm_crs_for(lon, lat).to_epsg() == epsg


def test_out_of_range_point_is_rejected():
    with pytest.raises(ValueError, match="out of range"):
        utm_crs_for(200.0, 30.0)
    with pytest.raises(ValueError, match="UTM coverage"):
        utm_crs_for(10.0, 88.0)


def test_forward_inverse_round_trip_arrays():
    proj = Projector.for_lonlat(*WUHAN)
    rng = np.random.default_rng(1)
    lon = 114.0 + rng.random(1000)
    lat = 30.0 + rng.random(1000)
    x, y = proj.forward(lon, lat)
    assert x.shape == (1000,)
    lon2, lat2 = proj.inverse(x, y)
    assert np.max(np.abs(lon2 - lon)) < 1e-9
    assert np.max(np.abs(lat2 - lat)) < 1e-9


def test_forward_on_floats_gives_floats():
    proj = Projector.for_lonlat(*WUHAN)
    x, y = proj.forward(*WUHAN)
    assert isinstance(x, float) and isinstance(y, float)
    # Zone 50 central meridian is 117E: Wuhan lies west of it (easting < 500 km), ~3.39e6 m north.
    assert 200_000 < x < 500_000
    assert 3_380_000 < y < 3_400_000


def test_projected_length_agrees_with_geodesic_within_0_1_percent():
    coords = [(114.30, 30.48), (114.33, 30.49), (114.36, 30.52)]
    proj = Projector.for_geometry(LineString(coords))
    metric = proj.to_metric(LineString(coords)).length
    geodesic = geodesic_length_m(coords)
    assert geodesic == pytest.approx(7_820, rel=0.05)
    assert metric == pytest.approx(geodesic, rel=1e-3)


def test_one_degree_of_latitude_is_about_110_9_km():
    assert geodesic_length_m([(114.0, 30.0), (114.0, 31.0)]) == pytest.approx(110_880, abs=100)


def test_z_is_kept_through_both_directions():
    proj = Projector.for_lonlat(*WUHAN)
    line = LineString([(114.30, 30.48, 80.0), (114.33, 30.49, 95.5)])
    metric = proj.to_metric(line)
    assert metric.has_z
    assert [c[2] for c in metric.coords] == [80.0, 95.5]
    back = proj.to_wgs84(metric)
    assert back.has_z
    assert np.allclose(np.asarray(back.coords), np.asarray(line.coords), atol=1e-9)


def test_buffer_in_metres_has_expected_area():
    proj = Projector.for_lonlat(*WUHAN)
    circle = proj.to_metric(Point(WUHAN)).buffer(100.0, quad_segs=64)
    assert circle.area == pytest.approx(math.pi * 100.0**2, rel=1e-3)
    back = proj.to_wgs84(circle)
    assert back.contains(Point(WUHAN))
    assert back.bounds[0] > 114.30 and back.bounds[2] < 114.31


def test_polygon_with_hole_and_multipart_round_trip():
    poly = Polygon(
        [(114.0, 30.0), (114.1, 30.0), (114.1, 30.1), (114.0, 30.1)],
        holes=[[(114.02, 30.02), (114.05, 30.02), (114.05, 30.05), (114.02, 30.05)]],
    )
    multi = shapely.MultiPolygon([poly, shapely.box(114.2, 30.2, 114.3, 30.3)])
    proj = Projector.for_geometry(multi)
    back = proj.to_wgs84(proj.to_metric(multi))
    assert back.geom_type == "MultiPolygon"
    assert len(back.geoms[0].interiors) == 1
    assert back.symmetric_difference(multi).area < 1e-12


def test_for_geometry_rejects_empty():
    with pytest.raises(ValueError, match="empty"):
        Projector.for_geometry(Polygon())


def test_projectors_for_same_zone_are_equal():
    assert Projector.for_lonlat(114.3, 30.5) == Projector.for_lonlat(114.5, 30.6)
    assert Projector.for_lonlat(114.3, 30.5).crs.to_epsg() == 32650
