"""Sortie slots: each drone's possible flights of the day in every epoch it can launch in, and its sortie budget.

A slot is one sortie a drone may fly in one epoch; the routing core chains a drone's slots with recharge and lets
at most its budget of them fly (RoutingProblem.chain_route_limits), so the budget is never pinned to an epoch.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from shapely.geometry import Point

from airspace.rules import keep_out_zones
from missions.models import Hangar, Scenario
from planner.problem.availability import in_service
from planner.problem.context import ProblemContext
from planner.problem.epochs import Epoch
from planner.problem.feasibility import grounded

logger = logging.getLogger(__name__)

# A repair pass fills gaps between flown sorties: a gap this short can still take a nearby point.
REPAIR_MIN_SORTIE_S = 120.0


@dataclass(frozen=True)
class SlotInfo:
    hangar_id: str
    drone_id: str
    model_id: str
    epoch: Epoch


@dataclass(frozen=True)
class LaunchableSlots:
    slots: list[SlotInfo]
    blocked_hangars: dict[str, str]  # hangar id -> keep-out zone over it, for hangars that cannot launch at all
    budgets: dict[str, int]  # drone id -> most of its slots that may fly (its sorties for the day, or left)


def launchable_slots(ctx: ProblemContext) -> LaunchableSlots:
    """Every drone's slots in the epochs its hangar can launch in: not under an active keep-out zone reaching
    its climb band. The sortie budget holds over those epochs only, so a closure over the hangar all morning
    leaves its drones their sorties for the afternoon."""
    scenario = ctx.scenario
    hangars = [h for h in scenario.hangars if h.drones > 0]
    zone_over = {(h.id, e.index): zone_over_hangar(h, e, scenario, ctx.transit_m) for h in hangars for e in ctx.epochs}
    shut = {key for key, zone in zone_over.items() if zone is not None}
    slots, budgets = sortie_slots(ctx, hangars, shut)
    flying = {slot.hangar_id for slot in slots}
    blocked: dict[str, str] = {}
    for (hangar_id, _), zone in sorted(zone_over.items()):
        if zone is not None and hangar_id not in flying:
            blocked.setdefault(hangar_id, zone)
    if ctx.availability is None:  # in a repair pass only the drones' free time is blocked, not their day
        for hangar_id, zone_id in blocked.items():
            logger.warning("hangar %s lies inside keep-out zone %s: it cannot launch today", hangar_id, zone_id)
    return LaunchableSlots(slots, blocked, budgets)


def sortie_slots(ctx: ProblemContext, hangars: list[Hangar], shut: set[tuple[str, int]] | frozenset = frozenset()
                 ) -> tuple[list[SlotInfo], dict[str, int]]:
    """Sortie slots per drone, in time order, as many in each epoch as fit there up to the drone's budget, leaving
    out epochs in which the hangar cannot launch (`shut`: hangar id, epoch index); in a repair pass
    (ctx.availability) only over each offered drone's free spans, with the sorties it has left as its budget.
    Returns the slots and each drone's budget (drone id -> sorties), which the routing problem enforces."""
    scenario, options, window = ctx.scenario, ctx.options, ctx.window
    slots: list[SlotInfo] = []
    budgets: dict[str, int] = {}
    min_sortie_s = options.min_sortie_min * 60.0
    for hangar in hangars:
        model = scenario.drone_model(hangar.drone_model)
        if grounded(model, scenario):
            continue
        lo = max(window[0], hangar.window.start_s if hangar.window else window[0])
        hi = min(window[1], hangar.window.end_s if hangar.window else window[1])
        pieces = [Epoch(e.index, max(e.start_s, lo), min(e.end_s, hi)) for e in ctx.epochs
                  if (hangar.id, e.index) not in shut]
        recharge_s = hangar.recharge_min * 60.0
        drone_ids = hangar.drone_ids()
        for k, drone_id in enumerate(drone_ids):
            if ctx.availability is None:
                pieces_k = _staggered(pieces, k, len(drone_ids), ctx)
                drone_pieces = [p for p in in_service(pieces_k, hangar.out_of_service(drone_id))
                                if p.length_s >= min_sortie_s]
                budget, shortest = options.max_sorties_per_drone, min_sortie_s
            elif drone_id in ctx.availability:
                spare = ctx.availability[drone_id]
                drone_pieces = [Epoch(p.index, max(p.start_s, a), min(p.end_s, b)) for p in pieces for a, b in spare.free
                                if min(p.end_s, b) - max(p.start_s, a) >= REPAIR_MIN_SORTIE_S]
                budget, shortest = spare.sorties_left, REPAIR_MIN_SORTIE_S
            else:
                continue
            if not drone_pieces or budget <= 0:
                continue
            counts = slots_per_epoch(drone_pieces, budget, shortest, recharge_s)
            for piece, count in zip(drone_pieces, counts):
                slots.extend(SlotInfo(hangar.id, drone_id, model.id, piece) for _ in range(count))
            if any(counts):
                budgets[drone_id] = budget
    return slots, budgets


def dock_interval_s(options) -> int:
    """Seconds between launches of two drones of one dock that keeps their climbs and first legs apart in time:
    the separation time minimum, both launches' timing uncertainty and three intent volumes of flight (the climb
    and the first leg out of the pad's neighbourhood: on 28 packed days of tests/helpers/fleet_days.packed_dock,
    unserved as `conflict`: 58 tasks without a stagger, 46 with one volume, 23 with three)."""
    d = options.deconfliction
    return math.ceil(d.separation.time_s + 2 * d.intent.timing_uncertainty_s + 3 * d.intent.volume_max_s)


def _staggered(pieces: list[Epoch], k: int, drones: int, ctx: ProblemContext) -> list[Epoch]:
    """The epochs of a dock's k-th of `drones` drones: starting k intervals later and ending drones-1-k intervals
    earlier. Two drones of one dock launching together meet over the pad whatever their paths, and a packed day
    leaves the deconfliction pass no slack to part them (planner.deconflict); staggered, each has an interval of
    the day its schedule does not use, so the pass can move it."""
    if drones < 2 or not ctx.options.deconfliction.resolve:
        return pieces
    step = dock_interval_s(ctx.options)
    return [Epoch(p.index, p.start_s + (k * step if p.start_s == pieces[0].start_s else 0),
                  p.end_s - ((drones - 1 - k) * step if p.end_s == pieces[-1].end_s else 0)) for p in pieces]


def zone_over_hangar(hangar: Hangar, epoch: Epoch, scenario: Scenario, transit_m: float) -> str | None:
    """The keep-out zone over the hangar covering any height of the climb to transit altitude, if any."""
    here = Point(hangar.lon, hangar.lat)
    for zone in keep_out_zones(scenario.zones(), epoch.start_s, epoch.end_s, 0.0, transit_m,
                               scenario.airspace.authorised):
        if zone.geometry.shape.intersects(here):
            return zone.id
    return None


def slots_per_epoch(pieces: list[Epoch], budget: int, min_sortie_s: float, recharge_s: float) -> list[int]:
    """Slots of a drone in each epoch piece: as many sorties as fit there, never more than its whole budget. The
    budget is not shared out here: the routing problem lets at most `budget` of all the slots fly, whichever epochs
    the tasks need (sharing it by length left a later epoch no slot when fewer sorties than epochs were left)."""
    return [min(budget, int((p.length_s + recharge_s) // (min_sortie_s + recharge_s))) for p in pieces]
