"""The verifier's separation check: from the plan's own waypoints, may two drones of different sorties (or a
sortie and another operator's filed volume) come closer than the separation minima (airspace.separation)?

Independent of missions.intents and missions.conflicts: no volumes are drawn. Each flight is taken as straight,
constant-speed segments between its waypoint times (hovers held in place); a drone planned at a point at time t
may be anywhere within its accuracy of that point, up to its timing uncertainty earlier or later. For two
segments that makes a small convex problem in their two time parameters (linear limits on the time and height
differences, a quadratic horizontal distance), solved exactly; for a filed volume, an interval of one segment.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Point

from airspace.projection import Projector
from airspace.separation import SeparationMinima, separated
from airspace.windows import clock_from_seconds
from missions.intent_models import DeconflictionOptions
from missions.models import MissionPlan, Scenario, Sortie

_TINY_AREA = 1e-12  # a feasible region thinner than this only touches the minima: "reached, not undercut"


@dataclass(frozen=True)
class _Flight:
    sortie: Sortie
    takeoff_s: float
    t0: np.ndarray  # per segment: start and end (s after local midnight)
    t1: np.ndarray
    p0: np.ndarray  # per segment: start and end (x, y, z), metric
    p1: np.ndarray


def separation_violations(plan: MissionPlan, scenario: Scenario, projector: Projector
                          ) -> tuple[list[tuple[str, str]], str]:
    """(sortie id, message) per conflicting pair, and a note saying which minima and buffers were used."""
    options = plan.deconfliction or DeconflictionOptions()
    buffers, minima = options.intent, options.separation
    flights = [f for s in plan.sorties if (f := _flight(s, scenario, projector)) is not None]
    found = _own_pairs(flights, buffers, minima, projector) + _filed(flights, scenario, buffers, minima, projector)
    source = "the plan's" if plan.deconfliction else "lowalt's default"
    note = (f"separation checked with {source} minima {minima.horizontal_m:g} m / {minima.vertical_m:g} m / "
            f"{minima.time_s:g} s, accuracy {buffers.horizontal_accuracy_m:g} m / {buffers.vertical_accuracy_m:g} m"
            f", timing {buffers.timing_uncertainty_s:g} s + {100 * buffers.timing_drift:g} % of flight time")
    weaker = _weaker_than_defaults(options)
    if weaker:  # the plan says what it was planned with; a reader should know when that is below lowalt's own
        note += f" (below lowalt's defaults: {', '.join(weaker)})"
    return found, note


def _weaker_than_defaults(options: DeconflictionOptions) -> list[str]:
    default = DeconflictionOptions()
    pairs = [(f"separation.{k}", getattr(options.separation, k), getattr(default.separation, k))
             for k in ("horizontal_m", "vertical_m", "time_s")]
    pairs += [(f"intent.{k}", getattr(options.intent, k), getattr(default.intent, k))
              for k in ("horizontal_accuracy_m", "vertical_accuracy_m", "timing_uncertainty_s", "timing_drift")]
    return [f"{name} {value:g} < {base:g}" for name, value, base in pairs if value < base]


def _flight(sortie: Sortie, scenario: Scenario, projector: Projector) -> _Flight | None:
    wps = sortie.waypoints
    values = np.array([[w.lon, w.lat, w.alt_m, w.t_s, w.hover_s] for w in wps], dtype=float)
    if len(wps) < 2 or not np.isfinite(values).all() or (values[:, 4] < 0).any():
        return None  # the verifier's other checks report it; nothing about its position in time can be proven
    x, y = projector.forward(values[:, 0], values[:, 1])
    pos = np.column_stack([x, y, values[:, 2]])
    takeoff_s = scenario.seconds_after_midnight(sortie.takeoff)
    arrive = takeoff_s + values[:, 3] - values[0, 3]
    leave = arrive + values[:, 4]
    # Segments: hover at each waypoint (arrive..leave), then fly to the next (leave..next arrival).
    t0 = np.concatenate([arrive, leave[:-1]])
    t1 = np.concatenate([leave, arrive[1:]])
    p0 = np.concatenate([pos, pos[:-1]])
    p1 = np.concatenate([pos, pos[1:]])
    # Drop zero-length hovers; a segment going back in time is the time-order check's to report.
    keep = (t1 >= t0) & ((t1 > t0) | (np.arange(len(t0)) >= len(pos)))
    return _Flight(sortie, takeoff_s, t0[keep], t1[keep], p0[keep], p1[keep])


def _uncertainty(flight: _Flight, buffers) -> tuple[float, float]:
    """(c, d) with u(t) = c + d (t - takeoff) written as c' + d t: returns (c - d takeoff, d)."""
    return buffers.timing_uncertainty_s - buffers.timing_drift * flight.takeoff_s, buffers.timing_drift


# ------------------------------------------------------------------------------------------------ sortie pairs
def _own_pairs(flights: list[_Flight], buffers, minima: SeparationMinima, projector: Projector) -> list[tuple[str, str]]:
    if len(flights) < 2:
        return []
    owner = np.concatenate([np.full(len(f.t0), k) for k, f in enumerate(flights)])
    t0 = np.concatenate([f.t0 for f in flights])
    t1 = np.concatenate([f.t1 for f in flights])
    p0 = np.concatenate([f.p0 for f in flights])
    p1 = np.concatenate([f.p1 for f in flights])
    drift = buffers.timing_drift
    since0 = t0 - np.array([f.takeoff_s for f in flights])[owner]
    since1 = t1 - np.array([f.takeoff_s for f in flights])[owner]
    occ0 = t0 - buffers.timing_uncertainty_s - drift * since0
    occ1 = t1 + buffers.timing_uncertainty_s + drift * since1
    h_reach = minima.horizontal_m + 2 * buffers.horizontal_accuracy_m
    v_reach = minima.vertical_m + 2 * buffers.vertical_accuracy_m
    half = h_reach / 2
    boxes = shapely.box(np.minimum(p0[:, 0], p1[:, 0]) - half, np.minimum(p0[:, 1], p1[:, 1]) - half,
                        np.maximum(p0[:, 0], p1[:, 0]) + half, np.maximum(p0[:, 1], p1[:, 1]) + half)
    i, j = shapely.STRtree(boxes).query(boxes, predicate="intersects")
    drones = np.array([f.sortie.drone_id for f in flights], dtype=object)
    keep = (owner[i] < owner[j]) & (drones[owner[i]] != drones[owner[j]])
    i, j = i[keep], j[keep]
    # Coarse time and height screens (each segment's whole occupied interval and height range).
    keep = (np.maximum(occ0[j] - occ1[i], occ0[i] - occ1[j]) < minima.time_s)
    zlo, zhi = np.minimum(p0[:, 2], p1[:, 2]), np.maximum(p0[:, 2], p1[:, 2])
    keep &= np.maximum(zlo[j] - zhi[i], zlo[i] - zhi[j]) < v_reach
    best: dict[tuple[int, int], tuple] = {}
    for a, b in zip(i[keep], j[keep]):
        fa, fb = flights[owner[a]], flights[owner[b]]
        hit = _closest(t0[a], t1[a], p0[a], p1[a], _uncertainty(fa, buffers),
                       t0[b], t1[b], p0[b], p1[b], _uncertainty(fb, buffers), minima, h_reach, v_reach)
        if hit is None:
            continue
        key = (int(owner[a]), int(owner[b]))
        if key not in best or min(hit[0], hit[1]) < min(best[key][0], best[key][1]):
            best[key] = hit
    out = []
    for (ka, kb), (when_a, when_b, dist, dz, pa, pb, za, zb) in sorted(best.items(), key=lambda kv: kv[1][0]):
        a, b = flights[ka].sortie, flights[kb].sortie
        lon, lat = projector.inverse((pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2)
        when = (f"{a.sortie_id} at {clock_from_seconds(when_a)}, {b.sortie_id} at {clock_from_seconds(when_b)}"
                if abs(when_a - when_b) >= 1 else clock_from_seconds(when_a))
        out.append((a.sortie_id,
                    f"sortie {a.sortie_id} (drone {a.drone_id}) and sortie {b.sortie_id} (drone {b.drone_id}) pass "
                    f"{dist:.0f} m apart horizontally and {dz:.0f} m vertically near ({lon:.5f}, {lat:.5f}) ({when}; "
                    f"{za:.0f} m and {zb:.0f} m above ground): with their accuracy and timing uncertainty, closer "
                    f"than the separation minima {minima.horizontal_m:g} m / {minima.vertical_m:g} m / "
                    f"{minima.time_s:g} s"))
    return out


def _closest(a0, a1, pa0, pa1, ua, b0, b1, pb0, pb1, ub, minima: SeparationMinima, h_reach: float, v_reach: float):
    """The earliest-found closest approach of two segments under the time and height limits, or None when they
    stay separated. Segment A is at pa0 + s (pa1 - pa0) at time a0 + s (a1 - a0), s in [0, 1]; B likewise in r.

    Limits (linear in s, r): |tA - tB| < T + uA(tA) + uB(tB) with u(t) = c + d t, and |zA - zB| < V + 2 v."""
    (ca, da), (cb, db) = ua, ub
    ta, tb = (a0, a1 - a0), (b0, b1 - b0)  # t = t_0 + s dt
    k = minima.time_s + ca + cb
    # g(s, r) = coef_s s + coef_r r + const <= 0
    limits = []
    for sign in (1.0, -1.0):
        # sign (tA - tB) - k - da tA - db tB <= 0
        limits.append(((sign - da) * ta[1], (-sign - db) * tb[1],
                       (sign - da) * ta[0] + (-sign - db) * tb[0] - k))
        dz0, dza, dzb = pa0[2] - pb0[2], pa1[2] - pa0[2], pb1[2] - pb0[2]
        limits.append((sign * dza, -sign * dzb, sign * dz0 - v_reach))
    polygon = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
    for cs, cr, c0 in limits:
        if abs(cs) < 1e-15 and abs(cr) < 1e-15:
            if c0 >= 0:
                return None  # a constant limit that is not strictly met: separated everywhere
            continue
        polygon = _clip(polygon, cs, cr, c0)
        if len(polygon) < 3:
            return None
    if _area(polygon) <= _TINY_AREA:
        return None
    da_xy, db_xy = pa1[:2] - pa0[:2], pb1[:2] - pb0[:2]
    d0 = pa0[:2] - pb0[:2]
    s, r = _min_quadratic(polygon, d0, da_xy, db_xy)
    dist = float(np.hypot(*(d0 + s * da_xy - r * db_xy)))
    za, zb = pa0[2] + s * (pa1[2] - pa0[2]), pb0[2] + r * (pb1[2] - pb0[2])
    when_a, when_b = a0 + s * ta[1], b0 + r * tb[1]
    # Inside the region (not empty: it has area) the time and height gaps are below their minima, so the
    # rule's answer rests on the horizontal gap, net of both drones' accuracy.
    if separated(dist - (h_reach - minima.horizontal_m), -math.inf, -math.inf, minima):
        return None
    return (when_a, when_b, dist, abs(za - zb), pa0 + s * (pa1 - pa0), pb0 + r * (pb1 - pb0), za, zb)


def _clip(polygon: list[tuple[float, float]], cs: float, cr: float, c0: float) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of a convex polygon where cs s + cr r + c0 <= 0."""
    out = []
    n = len(polygon)
    for idx in range(n):
        p, q = polygon[idx], polygon[(idx + 1) % n]
        fp, fq = cs * p[0] + cr * p[1] + c0, cs * q[0] + cr * q[1] + c0
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            lam = fp / (fp - fq)
            out.append((p[0] + lam * (q[0] - p[0]), p[1] + lam * (q[1] - p[1])))
    return out


def _area(polygon: list[tuple[float, float]]) -> float:
    return abs(sum(p[0] * q[1] - q[0] * p[1] for p, q in zip(polygon, polygon[1:] + polygon[:1]))) / 2


def _min_quadratic(polygon, d0: np.ndarray, da: np.ndarray, db: np.ndarray) -> tuple[float, float]:
    """argmin over a convex polygon of |d0 + s da - r db|^2: the interior critical point if inside, else the best
    point of the edges (a line of minimisers, when da and db are parallel, crosses an edge)."""
    def value(s: float, r: float) -> float:
        v = d0 + s * da - r * db
        return float(v @ v)

    best = min(polygon, key=lambda p: value(*p))
    best_value = value(*best)
    n = len(polygon)
    for idx in range(n):
        p, q = np.array(polygon[idx]), np.array(polygon[(idx + 1) % n])
        # along p + lam (q - p): w(lam) = w0 + lam w1
        w0 = d0 + p[0] * da - p[1] * db
        w1 = (q[0] - p[0]) * da - (q[1] - p[1]) * db
        denom = float(w1 @ w1)
        if denom > 0:
            lam = min(1.0, max(0.0, -float(w0 @ w1) / denom))
            point = p + lam * (q - p)
            if value(*point) < best_value:
                best, best_value = (float(point[0]), float(point[1])), value(*point)
    m = np.array([[da @ da, -(da @ db)], [-(da @ db), db @ db]])
    if abs(np.linalg.det(m)) > 1e-9 * max(1.0, float(np.abs(m).max()) ** 2):
        s, r = np.linalg.solve(m, [-(d0 @ da), d0 @ db])
        if _inside(polygon, s, r) and value(s, r) < best_value:
            best = (float(s), float(r))
    return best


def _inside(polygon, s: float, r: float) -> bool:
    n = len(polygon)
    signs = [(q[0] - p[0]) * (r - p[1]) - (q[1] - p[1]) * (s - p[0])
             for p, q in ((polygon[k], polygon[(k + 1) % n]) for k in range(n))]
    return all(v >= -1e-12 for v in signs) or all(v <= 1e-12 for v in signs)


# ------------------------------------------------------------------------------------------------ filed volumes
def _filed(flights: list[_Flight], scenario: Scenario, buffers, minima: SeparationMinima,
           projector: Projector) -> list[tuple[str, str]]:
    volumes = scenario.airspace.external_volumes()
    if not volumes or not flights:
        return []
    shapes = [projector.to_metric(v.geometry.shape) for v in volumes]
    tree = shapely.STRtree(shapes)
    reach = minima.horizontal_m + buffers.horizontal_accuracy_m
    v_reach = minima.vertical_m + buffers.vertical_accuracy_m
    out = []
    for flight in flights:
        c, d = _uncertainty(flight, buffers)
        hits: dict[tuple[str, str | None], tuple[float, str]] = {}  # first meeting with each filed intent
        for k in range(len(flight.t0)):
            a, b = flight.p0[k], flight.p1[k]
            box = shapely.box(min(a[0], b[0]) - reach, min(a[1], b[1]) - reach,
                              max(a[0], b[0]) + reach, max(a[1], b[1]) + reach)
            for j in tree.query(box):
                vol = volumes[j]
                start, end = scenario.seconds_after_midnight(vol.start), scenario.seconds_after_midnight(vol.end)
                span = _segment_span(flight.t0[k], flight.t1[k], a[2], b[2], c, d, start, end,
                                     vol.lower_m, vol.upper_m, minima.time_s, v_reach)
                if span is None:
                    continue
                s0, s1 = span
                q0, q1 = a + s0 * (b - a), a + s1 * (b - a)
                piece = Point(q0[:2]) if np.allclose(q0[:2], q1[:2]) else LineString([q0[:2], q1[:2]])
                dist = float(piece.distance(shapes[j]))
                if separated(dist - buffers.horizontal_accuracy_m, -math.inf, -math.inf, minima):
                    continue
                # Where (and so when) the drone first comes closer than the minima: the entry into the volume
                # widened by them, along the stretch that is close in time and height.
                f = _first_within(piece, shapes[j], reach)
                s_in = s0 + f * (s1 - s0)
                when = flight.t0[k] + s_in * (flight.t1[k] - flight.t0[k])
                key = (vol.intent_id, vol.operator)
                if key not in hits or when < hits[key][0]:
                    at = a + s_in * (b - a)
                    lon, lat = projector.inverse(at[0], at[1])
                    hits[key] = (when, (
                        f"sortie {flight.sortie.sortie_id} (drone {flight.sortie.drone_id}) passes "
                        f"{dist:.0f} m from intent {vol.intent_id}"
                        + (f" of {vol.operator}" if vol.operator else "")
                        + f" ({vol.lower_m:g}-{vol.upper_m:g} m, {clock_from_seconds(start)}-"
                          f"{clock_from_seconds(end)}); it comes too close at ({lon:.5f}, {lat:.5f}) around "
                          f"{clock_from_seconds(when)} at {at[2]:.0f} m above ground: with its accuracy and timing "
                          f"uncertainty, closer than the separation minima {minima.horizontal_m:g} m / "
                          f"{minima.vertical_m:g} m / {minima.time_s:g} s"))
        out += [(flight.sortie.sortie_id, message) for _, message in sorted(hits.values())]
    return out


def _first_within(piece, shape, reach: float) -> float:
    """Fraction along `piece` of its first point closer than `reach` to `shape` (0 when it starts that close)."""
    if piece.geom_type == "Point" or piece.distance(shape) >= reach or shapely.distance(
            shapely.get_point(piece, 0), shape) < reach:
        return 0.0
    inside = piece.intersection(shape.buffer(reach, quad_segs=16))
    coords = shapely.get_coordinates(inside)
    if not len(coords):
        return 0.0
    return min(piece.project(Point(c)) for c in coords) / piece.length


def _segment_span(t0, t1, z0, z1, c, d, start, end, lower, upper, time_s, v_reach) -> tuple[float, float] | None:
    """The parameters s in [0, 1] at which a segment (t0 -> t1, z0 -> z1) is, counting its timing uncertainty
    u(t) = c + d t, closer than the minima in time to [start, end] and in height to [lower, upper]; None if none."""
    lo, hi = 0.0, 1.0
    dt_, dz = t1 - t0, z1 - z0
    # start - t < T + u(t)  ->  -(1 + d) t + start - T - c < 0 ;  t - end < T + u(t) -> (1 - d) t - end - T - c < 0
    # z > lower - v_reach   ->  -z + lower - v_reach < 0      ;  z < upper + v_reach -> z - upper - v_reach < 0
    for slope, const in ((-(1 + d) * dt_, -(1 + d) * t0 + start - time_s - c),
                         ((1 - d) * dt_, (1 - d) * t0 - end - time_s - c),
                         (-dz, -z0 + lower - v_reach), (dz, z0 - upper - v_reach)):
        if abs(slope) < 1e-12:
            if const >= 0:
                return None
            continue
        bound = -const / slope
        if slope > 0:
            hi = min(hi, bound)
        else:
            lo = max(lo, bound)
    if lo > hi or (lo == hi and dt_ > 0):
        return None
    return lo, hi
