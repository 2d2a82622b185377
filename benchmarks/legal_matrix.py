"""Benchmark: the legal distance matrix for 2,000 points among 200 keep-out polygons around Wuhan.

Run: .venv/bin/python benchmarks/legal_matrix.py [--points 2000] [--zones 200] [--repeats 3] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from airspace.geometry import Geometry
from airspace.paths import LegalAirspace, check_path
from airspace.projection import Projector
from airspace.zones import Zone

CENTRE = (114.3, 30.55)  # Wuhan
HALF_SIDE_M = 20_000.0  # a 40 km x 40 km square
ALTITUDE_M = 100.0


def random_zones(rng: np.random.Generator, count: int, projector: Projector) -> list[Zone]:
    """Star-shaped polygons of 5-14 corners (often concave), 100 m to ~2 km across, some overlapping."""
    cx, cy = projector.forward(*CENTRE)
    zones = []
    for k in range(count):
        x0, y0 = cx + rng.uniform(-HALF_SIDE_M, HALF_SIDE_M), cy + rng.uniform(-HALF_SIDE_M, HALF_SIDE_M)
        corners = int(rng.integers(5, 15))
        angles = np.sort(rng.uniform(0.0, 2 * np.pi, corners))
        radius = float(np.clip(rng.lognormal(np.log(400.0), 0.6), 60.0, 1500.0))
        radii = radius * rng.uniform(0.35, 1.0, corners)
        xs, ys = x0 + radii * np.cos(angles), y0 + radii * np.sin(angles)
        lon, lat = projector.inverse(xs, ys)
        poly = shapely.Polygon(np.column_stack([lon, lat]))
        if not poly.is_valid:  # two nearly equal angles can fold the star; skip rather than repair
            continue
        zones.append(Zone(id=f"z{k}", restriction="prohibited", geometry=Geometry.from_shape(poly)))
    return zones


def random_points(rng: np.random.Generator, count: int, projector: Projector, keep_out: shapely.Geometry):
    cx, cy = projector.forward(*CENTRE)
    shapely.prepare(keep_out)
    xy = np.zeros((0, 2))
    while len(xy) < count:
        cand = np.column_stack([cx + rng.uniform(-HALF_SIDE_M, HALF_SIDE_M, count),
                                cy + rng.uniform(-HALF_SIDE_M, HALF_SIDE_M, count)])
        outside = ~shapely.intersects_xy(keep_out, cand[:, 0], cand[:, 1])
        xy = np.vstack([xy, cand[outside]])[:count]
    lon, lat = projector.inverse(xy[:, 0], xy[:, 1])
    return list(zip(lon.tolist(), lat.tolist()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--zones", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clearance", type=float, default=10.0)
    parser.add_argument("--profile", action="store_true", help="profile one run with cProfile")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    rng = np.random.default_rng(args.seed)
    projector = Projector.for_lonlat(*CENTRE)
    zones = random_zones(rng, args.zones, projector)
    probe = LegalAirspace(zones, clearance_m=args.clearance, projector=projector)
    points = random_points(rng, args.points, projector, probe.obstacles(0, 0, ALTITUDE_M, ALTITUDE_M))
    print(f"{len(zones)} zones, {len(points)} points, clearance {args.clearance:g} m, altitude {ALTITUDE_M:g} m")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        LegalAirspace(zones, clearance_m=args.clearance, projector=projector).legal_matrix(points,
                                                                                         altitude_m=ALTITUDE_M)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)

    walls = []
    matrix = None
    for _ in range(args.repeats):
        # A fresh LegalAirspace each run, so the obstacle graph is rebuilt and timed too.
        airspace = LegalAirspace(zones, clearance_m=args.clearance, projector=projector)
        started = time.perf_counter()
        matrix = airspace.legal_matrix(points, altitude_m=ALTITUDE_M)
        walls.append(time.perf_counter() - started)
    assert matrix is not None
    graph = airspace._graph(0, 86400, ALTITUDE_M, ALTITUDE_M)
    d = matrix.distances
    off = ~np.eye(len(points), dtype=bool)
    print(f"obstacle graph: {len(graph.vert)} corners, {len(graph.edges)} test edges")
    print(f"wall time over {args.repeats} runs: median {statistics.median(walls):.2f} s, "
          f"min {min(walls):.2f} s, max {max(walls):.2f} s")
    print(f"pairs needing a detour: {matrix.detour[off].mean():.1%}; unreachable pairs: {np.isinf(d[off]).mean():.2%}")

    # Sanity: sampled entries against shortest_path computed on their own, and legal against the zones.
    sample = rng.choice(len(points), size=(10, 2), replace=False)
    worst = 0.0
    illegal = 0
    for i, j in sample:
        alone = airspace.shortest_path(points[i], points[j], altitude_m=ALTITUDE_M)
        if alone is not None:
            timed = [(lon, lat, ALTITUDE_M) for lon, lat in alone.coords]
            illegal += bool(check_path(timed, list(range(len(timed))), zones, projector=projector))
        single = np.inf if alone is None else alone.length_m
        worst = max(worst, abs(single - d[i, j]) if np.isfinite(single) else (0.0 if np.isinf(d[i, j]) else np.inf))
        print(f"  d[{i:4d},{j:4d}] = {d[i, j]:9.1f} m   shortest_path = {single:9.1f} m   "
              f"corners {0 if alone is None else alone.via_vertices}")
    print(f"largest |matrix - shortest_path| on the sample: {worst:.3f} m; "
          f"sampled paths check_path rejects: {illegal}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
