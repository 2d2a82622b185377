"""Legal flight paths (airspace.paths): shortest paths round zones, legal matrices and check_path.

Geometry is built in metres in Wuhan's UTM zone and converted to WGS84 zones, as real inputs arrive.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import shapely
from shapely.geometry import LineString, Polygon, box

from airspace.geometry import Geometry
from airspace.paths import TEST_FRACTION, LegalAirspace, LegalPath, check_path
from airspace.projection import Projector
from airspace.zones import Zone

PROJ = Projector.for_lonlat(114.3, 30.55)
X0, Y0 = PROJ.forward(114.3, 30.55)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Metres east/north of the Wuhan origin -> (lon, lat)."""
    lon, lat = PROJ.inverse(X0 + x, Y0 + y)
    return float(lon), float(lat)


def zone(poly: Polygon, zone_id: str = "z", **fields) -> Zone:
    shape = PROJ.to_wgs84(shapely.affinity.translate(poly, X0, Y0))
    return Zone(id=zone_id, restriction=fields.pop("restriction", "prohibited"),
                geometry=Geometry.from_shape(shape), **fields)


def metric(path: LegalPath) -> LineString:
    x, y = PROJ.forward(*np.array(path.coords).T)
    return LineString(np.column_stack([x - X0, y - Y0]))


def ellipse(a: float, b: float, n: int) -> Polygon:
    th = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    return Polygon(np.column_stack([a * np.cos(th), b * np.sin(th)]))


def star(rng: np.random.Generator, cx: float, cy: float, radius: float) -> Polygon:
    corners = int(rng.integers(5, 11))
    angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
    radii = radius * rng.uniform(0.35, 1.0, corners)
    return Polygon(np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)]))


@pytest.fixture(scope="module")
def random_case():
    """A dozen concave star zones in 10 km x 10 km and 25 points outside them."""
    rng = np.random.default_rng(3)
    polys = [p for p in (star(rng, *rng.uniform(-5000, 5000, 2), rng.uniform(300, 1500)) for _ in range(14))
             if p.is_valid][:12]
    zones = [zone(p, f"s{i}") for i, p in enumerate(polys)]
    air = LegalAirspace(zones, projector=PROJ)
    keep_out = shapely.union_all(polys).buffer(20.0)
    pts = []
    while len(pts) < 25:
        x, y = rng.uniform(-5000, 5000, 2)
        if not keep_out.contains(shapely.Point(x, y)):
            pts.append(lonlat(x, y))
    return air, zones, shapely.union_all(polys), pts


def test_straight_leg_without_zones_is_the_direct_line():
    a, b = lonlat(0, 0), lonlat(3000, 4000)
    path = LegalAirspace([]).shortest_path(a, b, altitude_m=100)
    assert path.coords == (a, b)
    assert path.via_vertices == 0
    assert path.length_m == pytest.approx(5000.0, rel=1e-3)  # UTM scale factor is ~0.9997 here


def test_path_round_an_airport_ellipse_is_legal_and_within_1_percent_of_the_true_shortest():
    airport = ellipse(10_000, 4_000, 720)
    zones = [zone(airport, "ZHHH")]
    a, b = (-14_000.0, 1_500.0), (13_000.0, -2_500.0)
    path = LegalAirspace(zones, projector=PROJ).shortest_path(lonlat(*a), lonlat(*b), altitude_m=100)

    # Reference, independent of the graph: round a convex obstacle, the shortest path is the shorter
    # of the two chains of the convex hull of the obstacle and both ends (hull of a 20,000-gon).
    hull = shapely.convex_hull(shapely.GeometryCollection([ellipse(10_000, 4_000, 20_000),
                                                           shapely.Point(a), shapely.Point(b)]))
    ring = shapely.get_coordinates(hull.exterior)[:-1]
    ia = int(np.argmin(np.hypot(*(ring - a).T)))
    ib = int(np.argmin(np.hypot(*(ring - b).T)))
    ring = np.roll(ring, -ia, axis=0)
    ib = (ib - ia) % len(ring)
    seg = np.hypot(*np.diff(np.vstack([ring, ring[:1]]), axis=0).T)
    reference = min(seg[:ib].sum(), seg[ib:].sum())

    assert reference > math.dist(a, b) * 1.01  # the straight line really is blocked
    assert reference * 0.999 <= path.length_m <= reference * 1.01
    assert path.via_vertices > 5
    assert not metric(path).intersects(airport)
    assert metric(path).distance(airport) >= TEST_FRACTION * 10.0 - 1e-6
    timed = [(lon, lat, 100.0) for lon, lat in path.coords]
    assert check_path(timed, list(range(len(timed))), zones) == []


def test_zone_active_only_in_the_morning_blocks_the_leg_then_but_not_at_14h():
    closure = zone(box(-500, -500, 500, 500), "closure", active=[{"start": "09:00", "end": "12:00"}])
    air = LegalAirspace([closure], projector=PROJ)
    a, b = lonlat(-3000, 0), lonlat(3000, 0)
    morning = air.shortest_path(a, b, altitude_m=100, t0_s=10 * 3600, t1_s=10.5 * 3600)
    afternoon = air.shortest_path(a, b, altitude_m=100, t0_s=14 * 3600, t1_s=14.5 * 3600)
    assert morning.via_vertices == 2
    assert morning.length_m > afternoon.length_m + 100
    assert afternoon.via_vertices == 0
    assert afternoon.length_m == pytest.approx(6000.0, rel=1e-3)
    assert not air.obstacles(14 * 3600, 15 * 3600, 100, 100).intersects(box(X0 - 500, Y0 - 500, X0 + 500, Y0 + 500))
    straight = [(*a, 100.0), (*b, 100.0)]
    assert [v.zone_id for v in check_path(straight, [10 * 3600, 10.5 * 3600], [closure])] == ["closure"]
    assert check_path(straight, [14 * 3600, 14.5 * 3600], [closure]) == []


def test_zone_banded_150_to_300_m_does_not_block_a_leg_at_100_m():
    high = zone(box(-500, -500, 500, 500), "high", lower_m=150, upper_m=300)
    a, b = lonlat(-3000, 0), lonlat(3000, 0)
    assert LegalAirspace([high], projector=PROJ).shortest_path(a, b, altitude_m=100).via_vertices == 0
    tall_ceiling = LegalAirspace([high], projector=PROJ, ceiling_m=400)
    assert tall_ceiling.shortest_path(a, b, altitude_m=200).via_vertices == 2


def test_authorised_zone_is_flown_through_and_an_unauthorised_one_avoided():
    controlled = zone(box(-500, -500, 500, 500), "ctr", restriction="authorisation_required")
    a, b = lonlat(-3000, 0), lonlat(3000, 0)
    assert LegalAirspace([controlled], authorised=["ctr"], projector=PROJ).shortest_path(
        a, b, altitude_m=100).via_vertices == 0
    assert LegalAirspace([controlled], projector=PROJ).shortest_path(a, b, altitude_m=100).via_vertices == 2


def test_end_point_inside_a_prohibited_zone_has_no_path_and_inf_in_the_matrix():
    air = LegalAirspace([zone(box(-500, -500, 500, 500))], projector=PROJ)
    inside, west, east = lonlat(0, 0), lonlat(-3000, 100), lonlat(3000, -100)
    assert air.shortest_path(inside, east, altitude_m=100) is None
    d = air.distance_matrix([west, inside, east], altitude_m=100)
    assert np.isinf(d[1, [0, 2]]).all() and np.isinf(d[[0, 2], 1]).all()
    assert d[1, 1] == 0.0
    assert 6000 < d[0, 2] < 6300


def test_ring_shaped_enclosure_has_no_way_out_but_allows_flying_inside():
    ring = zone(Polygon(shapely.get_coordinates(ellipse(3000, 3000, 64).exterior),
                        [shapely.get_coordinates(ellipse(1500, 1500, 64).exterior)]), "ring")
    air = LegalAirspace([ring], projector=PROJ)
    assert air.shortest_path(lonlat(0, 0), lonlat(6000, 0), altitude_m=100) is None
    inside = air.shortest_path(lonlat(-500, 0), lonlat(500, 300), altitude_m=100)
    assert inside.via_vertices == 0 and inside.length_m == pytest.approx(math.hypot(1000, 300), rel=1e-3)


def test_matrix_is_symmetric_and_equals_shortest_path_lengths(random_case):
    air, _, _, pts = random_case
    matrix = air.legal_matrix(pts, altitude_m=100)
    d = matrix.distances
    assert np.array_equal(d, d.T)
    assert matrix.detour.sum() > 50  # the case really exercises detours
    for i, j in [(0, 1), (2, 9), (3, 17), (5, 24), (11, 12), (20, 7)]:
        alone = air.shortest_path(pts[i], pts[j], altitude_m=100)
        assert alone.length_m == pytest.approx(d[i, j], rel=1e-9)
        assert matrix.path(i, j).length_m == pytest.approx(d[i, j], rel=1e-9)


def test_triangle_inequality_holds_on_a_random_case(random_case):
    air, _, _, pts = random_case
    d = air.distance_matrix(pts, altitude_m=100)
    via = d[:, :, None] + d[None, :, :]  # via[i, j, k] = d[i, j] + d[j, k]
    assert (d[:, None, :] <= via + 1e-6).all()


def test_every_matrix_path_is_legal_with_clearance(random_case):
    air, zones, union, pts = random_case
    matrix = air.legal_matrix(pts, altitude_m=100)
    for i in range(len(pts)):
        for j in range(i + 1, len(pts)):
            path = matrix.path(i, j)
            line = metric(path)
            assert line.length == pytest.approx(path.length_m, rel=1e-6)
            assert line.distance(union) >= TEST_FRACTION * 10.0 - 1e-3
            timed = [(lon, lat, 100.0) for lon, lat in path.coords]
            assert check_path(timed, list(range(len(timed))), zones) == []


def test_check_path_finds_a_leg_cutting_a_corner_when_it_is_inside():
    square = zone(box(0, 0, 1000, 1000), "sq")
    # Both ends are outside; the line y = x + 900 crosses the corner for 0 <= x <= 100.
    coords = [(*lonlat(-500, 400), 100.0), (*lonlat(600, 1500), 100.0)]
    [violation] = check_path(coords, [0.0, 1100.0], [square])
    assert violation.segment == 0 and violation.zone_id == "sq"
    assert violation.t0_s == pytest.approx(500.0, abs=1.0)
    assert violation.t1_s == pytest.approx(600.0, abs=1.0)
    assert "sq" in violation.message


def test_check_path_finds_a_leg_above_the_ceiling_from_where_it_crosses():
    coords = [(*lonlat(0, 0), 100.0), (*lonlat(1000, 0), 100.0), (*lonlat(2000, 0), 150.0)]
    [violation] = check_path(coords, [0.0, 100.0, 200.0], [])
    assert violation.segment == 1 and violation.zone_id == "ceiling"
    assert violation.t0_s == pytest.approx(140.0) and violation.t1_s == pytest.approx(200.0)


def test_check_path_counts_a_zone_only_where_the_climbing_leg_is_within_its_band():
    coords = [(*lonlat(0, 0), 10.0), (*lonlat(1000, 0), 100.0)]
    early = zone(box(100, -50, 200, 50), "early", lower_m=80, upper_m=120)  # passed below 30 m
    late = zone(box(800, -50, 900, 50), "late", lower_m=80, upper_m=120)  # passed at 82-91 m
    assert [v.zone_id for v in check_path(coords, [0.0, 100.0], [early, late])] == ["late"]


def test_altitude_above_the_ceiling_is_refused():
    with pytest.raises(ValueError, match="ceiling"):
        LegalAirspace([]).shortest_path(lonlat(0, 0), lonlat(100, 0), altitude_m=150)


def test_leg_running_along_an_edge_at_the_clearance_is_straight_and_closer_is_not():
    air = LegalAirspace([zone(box(0, 0, 1000, 1000), "sq")], projector=PROJ)  # clearance 10 m
    along = air.shortest_path(lonlat(-100, 1010), lonlat(1100, 1010), altitude_m=100)
    assert along.via_vertices == 0 and along.length_m == pytest.approx(1200.0, rel=1e-3)
    off = 10 * math.sqrt(2)  # the line x + y = 2000 + off passes the corner (1000, 1000) at exactly 10 m
    grazing = air.shortest_path(lonlat(1500, 500 + off), lonlat(500, 1500 + off), altitude_m=100)
    assert grazing.via_vertices == 0
    too_close = air.shortest_path(lonlat(-100, 1008), lonlat(1100, 1008), altitude_m=100)
    assert too_close.via_vertices == 2
    assert metric(too_close).distance(box(0, 0, 1000, 1000)) >= 10.0 - 1e-6
    assert 1200.0 < too_close.length_m < 1201.0


def test_no_points_give_an_empty_matrix_and_one_point_a_zero():
    air = LegalAirspace([zone(box(0, 0, 1000, 1000))], projector=PROJ)
    assert air.distance_matrix([], altitude_m=100).shape == (0, 0)
    assert air.distance_matrix([lonlat(-50, -50)], altitude_m=100).tolist() == [[0.0]]


def test_any_end_point_at_the_clearance_from_every_zone_is_usable(random_case):
    air, _, union, _ = random_case
    rim = shapely.segmentize(union.buffer(10.0 + 1e-3).boundary, 20.0)
    xy = shapely.get_coordinates(rim)
    xy = xy[shapely.distance(union, shapely.points(xy)) >= 10.0]
    lon, lat = PROJ.inverse(xy[:, 0] + X0, xy[:, 1] + Y0)
    assert len(xy) > 500
    assert air.legal_matrix(list(zip(lon, lat)), altitude_m=100).usable.all()


coordinate = st.floats(-3000, 3000, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(boxes=st.lists(st.tuples(coordinate, coordinate, st.floats(50, 1500), st.floats(50, 1500)),
                      min_size=1, max_size=5),
       ends=st.tuples(coordinate, coordinate, coordinate, coordinate))
def test_path_is_straight_exactly_when_the_straight_line_keeps_clear(boxes, ends):
    polys = [box(x, y, x + w, y + h) for x, y, w, h in boxes]
    union = shapely.union_all(polys)
    a, b = (ends[0], ends[1]), (ends[2], ends[3])
    if min(union.distance(shapely.Point(a)), union.distance(shapely.Point(b))) < 10.0 or math.dist(a, b) < 1.0:
        return  # ends must be usable: at the clearance or more from every zone
    air = LegalAirspace([zone(p, f"b{i}") for i, p in enumerate(polys)], projector=PROJ)
    path = air.shortest_path(lonlat(*a), lonlat(*b), altitude_m=100)
    straight_gap = LineString([a, b]).distance(union)
    if path is None:  # enclosed: only possible when the straight line is blocked
        assert straight_gap < TEST_FRACTION * 10.0
        return
    line = metric(path)
    assert line.distance(union) >= TEST_FRACTION * 10.0 - 1e-6
    assert path.length_m >= math.dist(a, b) - 1e-6
    if straight_gap >= 10.0:
        assert path.via_vertices == 0
    if straight_gap < TEST_FRACTION * 10.0:
        assert path.via_vertices > 0


def test_check_path_finds_a_hover_inside_a_zone_from_when_the_zone_opens():
    closure = zone(box(-500, -500, 500, 500), "closure", active=[{"start": "09:00", "end": "12:00"}])
    hover = [(*lonlat(0, 0), 50.0), (*lonlat(0, 0), 50.0)]
    [violation] = check_path(hover, [8 * 3600, 10 * 3600], [closure])
    assert (violation.t0_s, violation.t1_s) == (9 * 3600, 10 * 3600)
    assert check_path(hover, [12.5 * 3600, 13 * 3600], [closure]) == []


def test_angular_sweep_agrees_with_shapely_on_which_segments_are_blocked(random_case):
    from airspace.paths import _ObstacleGraph

    _, _, union, _ = random_case
    graph = _ObstacleGraph([union], clearance_m=10.0)
    rng = np.random.default_rng(11)
    origins = rng.uniform(-6000, 6000, (40, 2))
    origins = origins[~shapely.intersects_xy(graph.test_region, origins[:, 0], origins[:, 1])]
    targets = rng.uniform(-6000, 6000, (100, 2))
    targets = targets[~shapely.intersects_xy(graph.test_region, targets[:, 0], targets[:, 1])]
    for origin in origins:
        lines = shapely.linestrings(np.stack([np.broadcast_to(origin, targets.shape), targets], axis=1))
        expected = shapely.intersects(lines, graph.test_region)
        assert np.array_equal(graph.edges.blocked(origin, targets), expected)
        assert 0 < expected.sum() < len(targets)
