"""A sortie's operational intent: the 4D volumes it occupies, each a piece of its flown path widened by the
drone's accuracy, over a height band, during a time interval widened by the timing uncertainty (IntentOptions).

`sortie_intent` draws them; `with_intents` stores them on a plan; `volume_paths` rebuilds their footprints.
"""
from __future__ import annotations

import datetime as dt
import logging
import math

import numpy as np
import shapely

from airspace.projection import Projector
from missions.intent_models import DeconflictionOptions, IntentOptions, IntentVolume
from missions.models import MissionPlan, Scenario, Sortie

logger = logging.getLogger(__name__)

_EPS_S = 1e-6  # piece boundaries closer than this are the same instant


def path_knots(sortie: Sortie) -> tuple[np.ndarray, np.ndarray]:
    """(seconds after takeoff, waypoint index) of the knots of the flown trajectory: a waypoint is reached at t_s
    and left hover_s later; between knots the drone flies straight at constant speed."""
    times = np.array([w.t_s for w in sortie.waypoints], dtype=float)
    hovers = np.array([max(w.hover_s, 0.0) for w in sortie.waypoints], dtype=float)
    repeats = 1 + (hovers > 0)
    index = np.repeat(np.arange(len(times)), repeats)
    knot_times = times[index]
    leave = np.cumsum(repeats)[repeats == 2] - 1  # the second knot of a hovering waypoint: when it leaves
    knot_times[leave] += hovers[repeats == 2]
    # A malformed plan may step back in time (the verifier reports it); keep the knots in flight order.
    return np.maximum.accumulate(knot_times), index


def piece_bounds(knot_times: np.ndarray, volume_max_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(from, to) times of the pieces a flight is cut into: at most `volume_max_s` each, ending on a knot where
    one can (long legs are split evenly), so a volume covers one stretch of flight."""
    start, end = float(knot_times[0]), float(knot_times[-1])
    if end - start <= _EPS_S:
        return np.array([start]), np.array([end])
    cuts = [knot_times[:1]]
    for a, b in zip(knot_times[:-1], knot_times[1:]):
        if b - a > _EPS_S:
            parts = max(1, math.ceil((b - a) / volume_max_s - 1e-9))
            cuts.append(a + (b - a) * np.arange(1, parts + 1) / parts)
    candidates = np.concatenate(cuts)
    froms, tos = [], []
    i = 0
    while i < len(candidates) - 1:
        j = int(np.searchsorted(candidates, candidates[i] + volume_max_s + _EPS_S, side="right")) - 1
        j = max(j, i + 1)
        froms.append(candidates[i])
        tos.append(candidates[j])
        i = j
    return np.array(froms), np.array(tos)


def assemble(knot_times: np.ndarray, columns: list[np.ndarray], froms: np.ndarray, tos: np.ndarray
             ) -> tuple[list[np.ndarray], np.ndarray]:
    """The trajectory between each (from, to): per column, the values at `from`, at every knot strictly inside
    and at `to`, concatenated; and the start offset of each piece in them."""
    first = np.searchsorted(knot_times, froms, side="right")
    last = np.searchsorted(knot_times, tos, side="left")
    inside = np.maximum(last - first, 0)
    counts = inside + 2
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    total = int(counts.sum())
    piece = np.repeat(np.arange(len(froms)), counts)
    rank = np.arange(total) - starts[piece]
    knot = first[piece] + rank - 1  # rank 1.. are inner knots
    is_from, is_to = rank == 0, rank == counts[piece] - 1
    out = []
    for column in columns:
        values = column[np.clip(knot, 0, len(column) - 1)].astype(float)
        values[is_from] = np.interp(froms, knot_times, column)
        values[is_to] = np.interp(tos, knot_times, column)
        out.append(values)
    return out, starts


def sortie_intent(sortie: Sortie, options: IntentOptions) -> list[IntentVolume]:
    """The volumes `sortie` occupies, in flight order, covering it from takeoff to landing."""
    if not sortie.waypoints:
        return []
    knot_times, index = path_knots(sortie)
    heights = np.array([w.alt_m for w in sortie.waypoints], dtype=float)[index]
    # Boundaries are stored in ms; the bands are taken over the stored stretches, so the two agree.
    froms, tos = (np.round(b, 3) for b in piece_bounds(knot_times, options.volume_max_s))
    (z,), starts = assemble(knot_times, [heights], froms, tos)
    # Nothing flies below the ground: a band reaching under it is cut there.
    low = np.maximum(np.minimum.reduceat(z, starts) - options.vertical_accuracy_m, 0.0)
    high = np.maximum.reduceat(z, starts) + options.vertical_accuracy_m
    # Times are relative to the first waypoint, which the plan says is the takeoff.
    first = sortie.waypoints[0].t_s
    early = options.uncertainty_s(froms - first)
    late = options.uncertainty_s(tos - first)
    # Rounded outwards (cm, ms): a volume must hold all of its stretch of flight.
    return [
        IntentVolume(t_from_s=float(a), t_to_s=float(b), buffer_m=options.horizontal_accuracy_m,
                     altitude_lower_m=math.floor(lo * 100) / 100, altitude_upper_m=math.ceil(hi * 100) / 100,
                     time_start=later(sortie.takeoff, math.floor((a - e - first) * 1000) / 1000),
                     time_end=later(sortie.takeoff, math.ceil((b + la - first) * 1000) / 1000))
        for a, b, lo, hi, e, la in zip(froms, tos, low, high, early, late)
    ]


def later(moment: dt.datetime, seconds: float) -> dt.datetime:
    """`moment` plus `seconds` of elapsed time, shown in the same zone (aware datetimes add wall-clock time in
    Python, which is an hour off across a daylight-saving change)."""
    if moment.tzinfo is None:
        return moment + dt.timedelta(seconds=seconds)
    return (moment.astimezone(dt.timezone.utc) + dt.timedelta(seconds=seconds)).astimezone(moment.tzinfo)


def with_intents(plan: MissionPlan, options: DeconflictionOptions | None = None) -> MissionPlan:
    """`plan` with every sortie's operational intent drawn and the options recorded (plan.deconfliction)."""
    options = options or DeconflictionOptions()
    sorties = [s.model_copy(update={"intent": sortie_intent(s, options.intent)}) for s in plan.sorties]
    volumes = sum(len(s.intent or ()) for s in sorties)
    logger.info("operational intents: %d volumes for %d sorties", volumes, len(sorties))
    return plan.model_copy(update={"sorties": sorties, "deconfliction": options})


def intent_of(sortie: Sortie, options: IntentOptions) -> list[IntentVolume]:
    """The sortie's stored intent, or one drawn with `options` for a plan written before intents existed."""
    return list(sortie.intent) if sortie.intent is not None else sortie_intent(sortie, options)


def volume_paths(sortie: Sortie, volumes: list[IntentVolume], projector: Projector) -> np.ndarray:
    """Metric footprints' centre lines: the path flown between each volume's t_from_s and t_to_s (a LineString,
    degenerate where the drone climbs or hovers in place); widen by the volume's buffer_m for its outline."""
    if not volumes or not sortie.waypoints:
        return np.array([], dtype=object)
    knot_times, index = path_knots(sortie)
    lons = np.array([w.lon for w in sortie.waypoints], dtype=float)
    lats = np.array([w.lat for w in sortie.waypoints], dtype=float)
    x, y = projector.forward(lons, lats)
    froms = np.array([v.t_from_s for v in volumes], dtype=float)
    tos = np.array([v.t_to_s for v in volumes], dtype=float)
    (xs, ys), starts = assemble(knot_times, [np.asarray(x)[index], np.asarray(y)[index]], froms, tos)
    piece = np.repeat(np.arange(len(volumes)), np.diff(np.append(starts, len(xs))))
    return shapely.linestrings(np.column_stack([xs, ys]), indices=piece)


def plan_projector(plan: MissionPlan, scenario: Scenario | None = None) -> Projector:
    """The metric CRS intents are measured in: the UTM zone of the hangars (else of the sorties' first points)."""
    points = [(h.lon, h.lat) for h in scenario.hangars] if scenario is not None else []
    points = points or [(s.waypoints[0].lon, s.waypoints[0].lat) for s in plan.sorties if s.waypoints]
    return Projector.for_geometry(shapely.MultiPoint(points or [(0.0, 0.0)]))
