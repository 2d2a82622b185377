"""Legal flight paths around keep-out zones: shortest paths, legal distance matrices and path checks.

Everything is computed in a metric CRS on the reduced visibility graph of the buffered, unioned zones.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import shortest_path as csgraph_shortest_path
from shapely.geometry import LineString, Point

from airspace.clock import DAY_S
from airspace.projection import Projector
from airspace.rules import above_ceiling_fraction, applicable_fractions, keep_out_zones
from airspace.windows import clock_from_seconds
from airspace.zones import CHINA_CEILING_M, Zone

logger = logging.getLogger(__name__)

# Legs are tested against the exact zones buffered by a little less than the clearance, while the graph
# turns only at corners lying beyond the full clearance: the gap keeps the tests robust to rounding for
# legs that graze a corner or run along an edge. Every leg keeps >= TEST_FRACTION x clearance_m from
# every zone; an end point at clearance_m or more from every zone is always usable.
TEST_FRACTION = 0.9
_TEST_QUAD_SEGS = 3  # the round test buffer's chords cut inside its arcs by at most 1 - cos(pi / 12)
_TEST_RADIUS_FRACTION = TEST_FRACTION / math.cos(math.pi / (4 * _TEST_QUAD_SEGS))  # ~0.93
# Zone outlines are simplified by this fraction of the clearance (and the graph buffer grown by as much,
# so it still contains the exact buffer): finely polygonised arcs would otherwise flood the graph.
SIMPLIFY_FRACTION = 0.25
MITRE_LIMIT = 2.0  # mitre joins keep one graph corner per zone corner (round joins would add an arc)
_ROW_CHUNK = 256  # corners per block of the pairwise tangency test (bounds temporary memory)


@dataclass(frozen=True)
class LegalPath:
    """A legal polyline from a to b in WGS84 (lon, lat), its metric length and how many corners it turns at."""

    coords: tuple[tuple[float, float], ...]
    length_m: float
    via_vertices: int


@dataclass(frozen=True)
class PathViolation:
    """One segment of a timed path entering a keep-out zone (or rising above the ceiling)."""

    segment: int
    zone_id: str  # or "ceiling"
    t0_s: float
    t1_s: float
    message: str


# ------------------------------------------------------------------------------------------- geometry kernels
def _cross(ax, ay, bx, by):
    return ax * by - ay * bx


class _Edges:
    """Boundary segments of a test region, as vertex index pairs into one coordinate array."""

    def __init__(self, region: shapely.Geometry):
        # Oriented so the region lies left of every segment: a leg can only enter across a segment whose
        # right side holds the leg's origin, so `blocked` skips the segments facing away.
        oriented = region if region.is_empty else shapely.orient_polygons(region, exterior_cw=False)
        rings = [] if region.is_empty else list(shapely.get_rings(shapely.get_parts(oriented)))
        xy, a, b = [], [], []
        offset = 0
        for ring in rings:
            coords = shapely.get_coordinates(ring)[:-1]  # closed ring: drop the repeated first vertex
            n = len(coords)
            xy.append(coords)
            idx = np.arange(n) + offset
            a.append(idx)
            b.append(np.roll(idx, -1))
            offset += n
        self.xy = np.concatenate(xy) if xy else np.zeros((0, 2))
        self.a = np.concatenate(a) if a else np.zeros(0, dtype=np.int64)
        self.b = np.concatenate(b) if b else np.zeros(0, dtype=np.int64)
        ab = self.xy[self.b] - self.xy[self.a] if len(self.a) else np.zeros((0, 2))
        self.abx, self.aby = ab[:, 0], ab[:, 1]

    def __len__(self) -> int:
        return len(self.a)

    def blocked(self, origin: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """For each target, True if the segment origin-target crosses a boundary segment.

        Angular sweep from the origin: each boundary segment covers an interval of directions, and only
        targets in that interval (a contiguous run once sorted by angle) and beyond the segment's line
        are blocked by it; so the work is the number of (segment, target-behind-it) pairs, not their product.
        """
        k = len(targets)
        blocked = np.zeros(k, dtype=bool)
        if k == 0 or len(self.a) == 0:
            return blocked
        ox, oy = float(origin[0]), float(origin[1])
        rx, ry = self.xy[:, 0] - ox, self.xy[:, 1] - oy
        facing = _cross(self.abx, self.aby, rx[self.a], ry[self.a]) > 0.0  # origin strictly right of a->b
        eid = np.flatnonzero(facing)
        ang = np.arctan2(ry, rx)
        ta, tb = ang[self.a[eid]], ang[self.b[eid]]
        lo, hi = np.minimum(ta, tb), np.maximum(ta, tb)
        wrap = hi - lo > math.pi  # the segment straddles the -pi/pi cut: its interval is [hi, pi] + [-pi, lo]
        if wrap.any():
            w = eid[wrap]
            lo, hi = (np.concatenate([lo[~wrap], hi[wrap], np.full(len(w), -math.pi)]),
                      np.concatenate([hi[~wrap], np.full(len(w), math.pi), lo[wrap]]))
            eid = np.concatenate([eid[~wrap], w, w])
        tx, ty = targets[:, 0] - ox, targets[:, 1] - oy
        tang = np.arctan2(ty, tx)
        order = np.argsort(tang)
        sorted_ang = tang[order]
        i0 = np.searchsorted(sorted_ang, lo, side="left")
        i1 = np.searchsorted(sorted_ang, hi, side="right")
        cnt = i1 - i0
        has = cnt > 0
        if not has.any():
            return blocked
        eid, i0, cnt = eid[has], i0[has], cnt[has]
        total = int(cnt.sum())
        starts = np.repeat(i0 - (np.cumsum(cnt) - cnt), cnt)
        t_idx = order[starts + np.arange(total)]
        e_rep = np.repeat(eid, cnt)
        ax, ay = self.xy[self.a[e_rep], 0], self.xy[self.a[e_rep], 1]
        abx, aby = self.abx[e_rep], self.aby[e_rep]
        # The origin is strictly right of the segment's line; a target strictly left of it, inside the
        # segment's interval of directions, means the leg crosses this boundary piece.
        hit = _cross(abx, aby, targets[t_idx, 0] - ax, targets[t_idx, 1] - ay) > 0.0
        blocked[t_idx[hit]] = True
        return blocked


def _tangent_at(vert, prev, nxt, other_x, other_y):
    """True where the line from vertex to `other` leaves both ring neighbours on one side (or on it)."""
    dx, dy = other_x - vert[..., 0], other_y - vert[..., 1]
    s1 = _cross(dx, dy, prev[..., 0] - vert[..., 0], prev[..., 1] - vert[..., 1])
    s2 = _cross(dx, dy, nxt[..., 0] - vert[..., 0], nxt[..., 1] - vert[..., 1])
    scale = np.hypot(dx, dy) * 1e-9  # collinear within rounding counts as tangent (legs along an edge)
    return ~(((s1 > scale) & (s2 < -scale)) | ((s1 < -scale) & (s2 > scale)))


def _convex_vertices(region: shapely.Geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convex corners of a polygonal region (interior angle < 180 deg), with their ring neighbours."""
    verts, prevs, nexts = [], [], []
    if not region.is_empty:
        oriented = shapely.orient_polygons(region, exterior_cw=False)  # obstacle on the left of every ring
        for ring in shapely.get_rings(shapely.get_parts(oriented)):
            c = shapely.get_coordinates(ring)[:-1]
            if len(c) < 3:
                continue
            p, n = np.roll(c, 1, axis=0), np.roll(c, -1, axis=0)
            into, out = c - p, n - c
            turn = _cross(into[:, 0], into[:, 1], out[:, 0], out[:, 1])
            keep = turn > 1e-9 * np.hypot(*into.T) * np.hypot(*out.T)  # a left turn: a convex corner
            verts.append(c[keep])
            prevs.append(p[keep])
            nexts.append(n[keep])
    if not verts:
        empty = np.zeros((0, 2))
        return empty, empty, empty
    return np.concatenate(verts), np.concatenate(prevs), np.concatenate(nexts)


# --------------------------------------------------------------------------------------------- obstacle graph
class _ObstacleGraph:
    """Visibility graph and all-pairs distances over the convex corners of one set of active zones."""

    def __init__(self, zones_metric: list[shapely.Geometry], clearance_m: float):
        started = time.perf_counter()
        self.clearance_m = clearance_m
        self.union = shapely.union_all(zones_metric) if zones_metric else shapely.Polygon()
        tol = SIMPLIFY_FRACTION * clearance_m
        simple = shapely.simplify(self.union, tol, preserve_topology=True) if tol > 0 else self.union
        # Simplifying moves the outline by at most tol, so buffering by (d + tol) still contains the exact d-buffer.
        self.graph_region = shapely.buffer(simple, clearance_m + tol, join_style="mitre", mitre_limit=MITRE_LIMIT)
        self.test_region = shapely.buffer(self.union, _TEST_RADIUS_FRACTION * clearance_m,
                                          quad_segs=_TEST_QUAD_SEGS)
        shapely.prepare(self.test_region)
        self.edges = _Edges(self.test_region)
        self.vert, self.prev, self.next = _convex_vertices(self.graph_region)
        # Corners lie beyond the test region by construction; the check guards `blocked`, which assumes
        # its origin outside (a corner inside would see straight through).
        outside = ~shapely.intersects_xy(self.test_region, self.vert[:, 0], self.vert[:, 1])
        if not outside.all():
            logger.warning("dropping %d graph corners inside the test region", int((~outside).sum()))
            self.vert, self.prev, self.next = self.vert[outside], self.prev[outside], self.next[outside]
        self.dist, self.pred = self._all_pairs()
        self._obstacles: shapely.Geometry | None = None
        logger.info("obstacle graph: %d zones, %d corners, %d test edges in %.2f s", len(zones_metric),
                    len(self.vert), len(self.edges), time.perf_counter() - started)

    @property
    def obstacles(self) -> shapely.Geometry:
        """The keep-out polygons as the public sees them: zones buffered by the clearance (metric)."""
        if self._obstacles is None:
            self._obstacles = shapely.buffer(self.union, self.clearance_m) if not self.union.is_empty else self.union
        return self._obstacles

    def _all_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.vert)
        if n == 0:
            return np.zeros((0, 0)), np.zeros((0, 0), dtype=np.int32)
        rows, cols = [], []
        v, p, nx = self.vert, self.prev, self.next
        for start in range(0, n, _ROW_CHUNK):
            sl = slice(start, min(n, start + _ROW_CHUNK))
            # Only bitangent pairs can be consecutive corners of a shortest path.
            at_u = _tangent_at(v[sl, None, :], p[sl, None, :], nx[sl, None, :], v[None, :, 0], v[None, :, 1])
            at_v = _tangent_at(v[None, :, :], p[None, :, :], nx[None, :, :], v[sl, None, 0], v[sl, None, 1])
            cand = at_u & at_v
            cand &= np.arange(n)[None, :] > np.arange(sl.start, sl.stop)[:, None]
            for r in range(sl.stop - sl.start):
                u = sl.start + r
                js = np.flatnonzero(cand[r])
                if len(js) == 0:
                    continue
                ok = js[~self.edges.blocked(v[u], v[js])]
                rows.append(np.full(len(ok), u))
                cols.append(ok)
        rows_a = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        cols_a = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        w = np.hypot(v[rows_a, 0] - v[cols_a, 0], v[rows_a, 1] - v[cols_a, 1])
        graph = coo_matrix((w, (rows_a, cols_a)), shape=(n, n)).tocsr()
        dist, pred = csgraph_shortest_path(graph, method="D", directed=False, return_predecessors=True)
        logger.debug("visibility graph: %d corners, %d bitangent edges", n, len(w))
        return dist, pred

    def corner_chain(self, u: int, v: int) -> list[int]:
        """Corner indices from u to v along the all-pairs shortest path."""
        chain = [v]
        while chain[-1] != u:
            chain.append(int(self.pred[u, chain[-1]]))
        return chain[::-1]


# --------------------------------------------------------------------------------------------- public objects
class LegalMatrix:
    """Legal distances between points and the path behind any entry.

    `distances[i, j]`: metres (np.inf where no legal path, 0 on the diagonal); `detour[i, j]`: the straight
    line is blocked but a legal path exists; `usable[i]`: the point is far enough from every zone to start
    or end a leg; `path(i, j)`: the polyline itself.
    """

    def __init__(self, graph: _ObstacleGraph, projector: Projector | None, points_xy: np.ndarray,
                 points_lonlat: np.ndarray):
        self._graph = graph
        self._projector = projector
        self._xy = points_xy
        self._lonlat = points_lonlat
        self.distances, self.detour = self._compute()

    def _compute(self) -> tuple[np.ndarray, np.ndarray]:
        g, xy = self._graph, self._xy
        n_pts, n_v = len(xy), len(g.vert)
        self.usable = ~shapely.intersects_xy(g.test_region, xy[:, 0], xy[:, 1]) if n_pts else np.zeros(0, bool)
        direct = np.zeros((n_pts, n_pts), dtype=bool)
        self._vis: list[np.ndarray] = []
        self._vis_d: list[np.ndarray] = []
        for i in range(n_pts):
            if not self.usable[i]:
                self._vis.append(np.zeros(0, dtype=np.int64))
                self._vis_d.append(np.zeros(0))
                continue
            # A point's first and last corners must be tangent to the obstacle there, as seen from the point.
            cand = np.flatnonzero(_tangent_at(g.vert, g.prev, g.next, xy[i, 0], xy[i, 1])) if n_v else \
                np.zeros(0, dtype=np.int64)
            later = np.arange(i + 1, n_pts)
            later = later[self.usable[later]]
            targets = np.concatenate([g.vert[cand], xy[later]]) if len(cand) else xy[later]
            blocked = g.edges.blocked(xy[i], targets)
            vis = cand[~blocked[: len(cand)]]
            self._vis.append(vis)
            self._vis_d.append(np.hypot(g.vert[vis, 0] - xy[i, 0], g.vert[vis, 1] - xy[i, 1]))
            direct[i, later[~blocked[len(cand):]]] = True
        direct |= direct.T
        np.fill_diagonal(direct, True)
        dist = self._via_corners() if n_v else np.full((n_pts, n_pts), np.inf)
        euclid = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        dist[direct] = euclid[direct]
        dist[~self.usable, :] = np.inf
        dist[:, ~self.usable] = np.inf
        np.fill_diagonal(dist, 0.0)
        self._direct = direct
        detour = ~direct & np.isfinite(dist)
        return dist, detour

    def _via_corners(self) -> np.ndarray:
        """Min-plus products: H[p, v] = min_u a(p, u) + D[u, v], then R[p, q] = min_v H[p, v] + a(q, v)."""
        g, n_pts = self._graph, len(self._xy)
        n_v = len(g.vert)
        most = max((len(v) for v in self._vis), default=0)
        buf = np.empty((most, n_v))  # reused (contiguous): the products are memory-bound
        h = np.full((n_pts, n_v), np.inf)
        for p in range(n_pts):
            k = len(self._vis[p])
            if k:
                np.take(g.dist, self._vis[p], axis=0, out=buf[:k], mode="clip")
                buf[:k] += self._vis_d[p][:, None]
                np.min(buf[:k], axis=0, out=h[p])
        ht = np.ascontiguousarray(h.T)  # rows per corner, so the second product gathers whole rows
        dist = np.full((n_pts, n_pts), np.inf)
        buf = np.empty((most, n_pts))
        for q in range(n_pts):
            k = len(self._vis[q])
            if k:
                np.take(ht, self._vis[q], axis=0, out=buf[:k], mode="clip")
                buf[:k] += self._vis_d[q][:, None]
                np.min(buf[:k], axis=0, out=dist[q])
        np.minimum(dist, dist.T, out=dist)  # the two directions differ only by rounding
        return dist

    def path(self, i: int, j: int) -> LegalPath | None:
        """The legal path behind distances[i, j] (None where it is inf)."""
        if not np.isfinite(self.distances[i, j]):
            return None
        assert self._projector is not None, "a matrix without a projector holds no points"
        g, xy = self._graph, self._xy
        if self._direct[i, j]:
            corners: list[int] = []
        else:
            vi, vj = self._vis[i], self._vis[j]
            total = self._vis_d[i][:, None] + g.dist[np.ix_(vi, vj)] + self._vis_d[j][None, :]
            a, b = np.unravel_index(int(np.argmin(total)), total.shape)
            corners = g.corner_chain(int(vi[a]), int(vj[b]))
        pts = np.vstack([xy[i], g.vert[corners].reshape(-1, 2), xy[j]])
        length = float(np.hypot(*np.diff(pts, axis=0).T).sum())
        lon, lat = self._projector.inverse(pts[1:-1, 0], pts[1:-1, 1])
        coords: list[tuple[float, float]] = [(float(self._lonlat[i][0]), float(self._lonlat[i][1]))]
        coords += [(float(x), float(y)) for x, y in zip(np.atleast_1d(lon), np.atleast_1d(lat))]
        coords.append((float(self._lonlat[j][0]), float(self._lonlat[j][1])))
        return LegalPath(coords=tuple(coords), length_m=length, via_vertices=len(corners))


class LegalAirspace:
    """Keep-out zones at a clearance, answering legal shortest paths and distance matrices at an altitude."""

    def __init__(self, zones: Sequence[Zone], *, authorised: Iterable[str] = (), ceiling_m: float = CHINA_CEILING_M,
                 clearance_m: float = 10.0, projector: Projector | None = None):
        if clearance_m < 0:
            raise ValueError(f"clearance_m must be >= 0, got {clearance_m}")
        self.zones = list(zones)
        self.authorised = frozenset(authorised)
        self.ceiling_m = float(ceiling_m)
        self.clearance_m = float(clearance_m)
        if projector is None and self.zones:
            bounds = shapely.total_bounds([z.geometry.shape for z in self.zones])
            projector = Projector.for_geometry(shapely.box(*bounds))
        self._projector = projector
        self._metric: dict[int, shapely.Geometry] = {}
        self._graphs: dict[tuple[int, ...], _ObstacleGraph] = {}

    def _projector_for(self, lonlat: np.ndarray) -> Projector:
        if self._projector is None:  # no zones: any points will do to choose the UTM zone
            west, south = lonlat.min(axis=0)
            east, north = lonlat.max(axis=0)
            self._projector = Projector.for_lonlat((west + east) / 2.0, (south + north) / 2.0)
        return self._projector

    def _graph(self, t0_s: float, t1_s: float, low_m: float, high_m: float) -> _ObstacleGraph:
        assert self._projector is not None, "callers return early without a projector (no points, no zones)"
        active = keep_out_zones(self.zones, t0_s, t1_s, low_m, high_m, self.authorised)
        key = tuple(sorted(id(z) for z in active))
        graph = self._graphs.get(key)
        if graph is None:
            metric = []
            for zone in active:
                if id(zone) not in self._metric:
                    self._metric[id(zone)] = self._projector.to_metric(zone.geometry.shape)
                metric.append(self._metric[id(zone)])
            graph = self._graphs[key] = _ObstacleGraph(metric, self.clearance_m)
        return graph

    def obstacles(self, t0_s: float, t1_s: float, low_m: float, high_m: float) -> shapely.Geometry:
        """Metric keep-out polygons: zones active in [t0_s, t1_s] meeting [low_m, high_m], buffered by clearance."""
        if self._projector is None:
            return shapely.Polygon()
        return self._graph(t0_s, t1_s, low_m, high_m).obstacles

    def legal_matrix(self, points: Sequence[tuple[float, float]], *, altitude_m: float, t0_s: float = 0.0,
                     t1_s: float = DAY_S) -> LegalMatrix:
        """Legal distances between every pair of (lon, lat) points at one altitude, with paths on demand."""
        if altitude_m > self.ceiling_m:
            raise ValueError(f"altitude_m {altitude_m} is above the ceiling ({self.ceiling_m} m)")
        if t1_s < t0_s:
            raise ValueError(f"t1_s ({t1_s}) is before t0_s ({t0_s})")
        lonlat = np.asarray(points, dtype=float).reshape(-1, 2)
        started = time.perf_counter()
        projector = self._projector_for(lonlat) if len(lonlat) else self._projector
        graph = self._graph(t0_s, t1_s, altitude_m, altitude_m) if projector else _ObstacleGraph([], self.clearance_m)
        if projector is None:
            return LegalMatrix(graph, None, np.zeros((0, 2)), lonlat)
        x, y = projector.forward(lonlat[:, 0], lonlat[:, 1])
        xy = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
        matrix = LegalMatrix(graph, projector, xy, lonlat)
        logger.info("legal matrix: %d points at %.0f m, %d corners, %.1f %% of pairs detour, %.2f s", len(lonlat),
                    altitude_m, len(graph.vert), 100.0 * matrix.detour.mean() if len(lonlat) else 0.0,
                    time.perf_counter() - started)
        return matrix

    def distance_matrix(self, points: Sequence[tuple[float, float]], *, altitude_m: float, t0_s: float = 0.0,
                        t1_s: float = DAY_S) -> np.ndarray:
        """Legal distances in metres (np.inf where no legal path); `legal_matrix` also gives the paths."""
        return self.legal_matrix(points, altitude_m=altitude_m, t0_s=t0_s, t1_s=t1_s).distances

    def shortest_path(self, a: tuple[float, float], b: tuple[float, float], *, altitude_m: float, t0_s: float = 0.0,
                      t1_s: float = DAY_S) -> LegalPath | None:
        """Shortest legal polyline from a to b (lon, lat), or None if an end is blocked or enclosed."""
        return self.legal_matrix([a, b], altitude_m=altitude_m, t0_s=t0_s, t1_s=t1_s).path(0, 1)


# ------------------------------------------------------------------------------------------------ path check
def check_path(coords: Sequence[Sequence[float]], times_s: Sequence[float], zones: Sequence[Zone], *,
               authorised: Iterable[str] = (), ceiling_m: float = CHINA_CEILING_M,
               projector: Projector | None = None) -> list[PathViolation]:
    """Every place a timed 3D path (lon, lat, alt_m) enters an active keep-out zone or rises above the ceiling.

    Exact: each segment is clipped to the part whose height is in a zone's band and whose time is in one of
    its windows (both vary linearly along the segment), and that part is intersected with the zone polygon.
    """
    pts = np.asarray(coords, dtype=float)
    times = np.asarray(times_s, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 3 or len(pts) < 2:
        raise ValueError("coords must hold at least two (lon, lat, alt_m) positions")
    if times.shape != (len(pts),):
        raise ValueError(f"times_s has {times.size} entries for {len(pts)} coords")
    if np.any(np.diff(times) < 0):
        raise ValueError("times_s must not decrease along the path")
    allowed = frozenset(authorised)
    if projector is None:
        projector = Projector.for_geometry(shapely.MultiPoint(pts[:, :2]))
    x, y = projector.forward(pts[:, 0], pts[:, 1])
    xy = np.column_stack([x, y])
    violations: list[PathViolation] = []
    for i in range(len(pts) - 1):
        z0, z1, t0, t1 = pts[i, 2], pts[i + 1, 2], times[i], times[i + 1]

        def at(s: float, t0: float = t0, t1: float = t1) -> float:
            return float(t0 + s * (t1 - t0))

        above = above_ceiling_fraction(z0, z1, ceiling_m)
        if above is not None:
            violations.append(PathViolation(i, "ceiling", at(above[0]), at(above[1]),
                                            f"segment {i} flies above the {ceiling_m:g} m ceiling "
                                            f"(up to {max(z0, z1):g} m) from {clock_from_seconds(at(above[0]))}"))
        for zone in keep_out_zones(zones, t0, t1, min(z0, z1), max(z0, z1), allowed):
            hit = _segment_hit(xy[i], xy[i + 1], z0, z1, t0, t1, zone, _metric_shape(zone.geometry.shape, projector))
            if hit is not None:
                s0, s1 = hit
                violations.append(PathViolation(
                    i, zone.id, at(s0), at(s1),
                    f"segment {i} is inside {zone.restriction.value} zone {zone.id} "
                    f"({zone.lower_m:g}-{zone.upper_m:g} m) from {clock_from_seconds(at(s0))} "
                    f"to {clock_from_seconds(at(s1))}"))
    if violations:
        logger.info("check_path: %d violations on %d segments", len(violations), len(pts) - 1)
    return violations


@lru_cache(maxsize=4096)
def _metric_shape(shape: shapely.Geometry, projector: Projector) -> shapely.Geometry:
    """A zone outline in metres, prepared; cached by value so checking many paths projects each zone once."""
    out = projector.to_metric(shape)
    shapely.prepare(out)
    return out


def _segment_hit(a, b, z0, z1, t0, t1, zone: Zone, poly: shapely.Geometry) -> tuple[float, float] | None:
    """The parameter range of segment a-b that is inside `poly` while in the zone's band and windows, or None."""
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    seg_len2 = float(d @ d)
    found: list[float] = []
    for s0, s1 in applicable_fractions(zone, z0, z1, t0, t1):
        p0, p1 = a + s0 * d, a + s1 * d
        piece = Point(p0) if s0 == s1 or seg_len2 == 0.0 else LineString([p0, p1])
        if not poly.intersects(piece):
            continue
        inside = shapely.intersection(piece, poly)
        c = shapely.get_coordinates(inside)
        found.extend(((c - a) @ d / seg_len2).tolist() if seg_len2 > 0 else [s0, s1])
    if not found:
        return None
    return max(0.0, min(found)), min(1.0, max(found))
