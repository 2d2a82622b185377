"""Sortie slots: each drone's possible flights of the day, spread over the epochs, that can launch at all.

A slot is one sortie a drone may fly in one epoch; the routing core chains a drone's slots with recharge.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from shapely.geometry import Point

from airspace.rules import keep_out_zones
from missions.models import Hangar, Scenario
from planner.problem.context import ProblemContext
from planner.problem.epochs import Epoch
from planner.problem.feasibility import grounded

logger = logging.getLogger(__name__)


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


def launchable_slots(ctx: ProblemContext) -> LaunchableSlots:
    """Every drone's slots, minus those of a hangar under an active keep-out zone reaching its climb band."""
    scenario = ctx.scenario
    hangars = [h for h in scenario.hangars if h.drones > 0]
    blocked: dict[str, str] = {}
    slots: list[SlotInfo] = []
    zone_over: dict[tuple[str, Epoch], str | None] = {}  # all slots of a hangar in an epoch share the answer
    for slot in sortie_slots(ctx, hangars):
        key = (slot.hangar_id, slot.epoch)
        if key not in zone_over:
            zone_over[key] = zone_over_hangar(scenario.hangar(slot.hangar_id), slot.epoch, scenario, ctx.transit_m)
        if zone_over[key] is None:
            slots.append(slot)
        else:
            blocked.setdefault(slot.hangar_id, zone_over[key])
    for hangar_id in set(blocked) & {slot.hangar_id for slot in slots}:
        del blocked[hangar_id]  # it can launch at other times
    for hangar_id, zone_id in blocked.items():
        logger.warning("hangar %s lies inside keep-out zone %s: it cannot launch today", hangar_id, zone_id)
    return LaunchableSlots(slots, blocked)


def sortie_slots(ctx: ProblemContext, hangars: list[Hangar]) -> list[SlotInfo]:
    """Sortie slots per drone, in time order, spread over the epochs in proportion to their length."""
    scenario, options, window = ctx.scenario, ctx.options, ctx.window
    slots: list[SlotInfo] = []
    min_sortie_s = options.min_sortie_min * 60.0
    for hangar in hangars:
        model = scenario.drone_model(hangar.drone_model)
        if grounded(model, scenario):
            continue
        lo = max(window[0], hangar.window.start_s if hangar.window else window[0])
        hi = min(window[1], hangar.window.end_s if hangar.window else window[1])
        pieces = [Epoch(e.index, max(e.start_s, lo), min(e.end_s, hi)) for e in ctx.epochs]
        pieces = [p for p in pieces if p.length_s >= min_sortie_s]
        if not sum(p.length_s for p in pieces):
            continue
        counts = slots_per_epoch(pieces, options.max_sorties_per_drone, min_sortie_s, hangar.recharge_min * 60.0)
        for drone_id in hangar.drone_ids():
            for piece, count in zip(pieces, counts):
                slots.extend(SlotInfo(hangar.id, drone_id, model.id, piece) for _ in range(count))
    return slots


def zone_over_hangar(hangar: Hangar, epoch: Epoch, scenario: Scenario, transit_m: float) -> str | None:
    """The keep-out zone over the hangar covering any height of the climb to transit altitude, if any."""
    here = Point(hangar.lon, hangar.lat)
    for zone in keep_out_zones(scenario.zones(), epoch.start_s, epoch.end_s, 0.0, transit_m,
                               scenario.airspace.authorised):
        if zone.geometry.shape.intersects(here):
            return zone.id
    return None


def slots_per_epoch(pieces: list[Epoch], budget: int, min_sortie_s: float, recharge_s: float) -> list[int]:
    """Share a drone's sortie budget over the epochs by length (largest remainder), never more than fits."""
    fits = [int((p.length_s + recharge_s) // (min_sortie_s + recharge_s)) for p in pieces]
    total = sum(p.length_s for p in pieces)
    exact = [budget * p.length_s / total for p in pieces]
    counts = [min(int(e), f) for e, f in zip(exact, fits)]
    by_remainder = sorted(range(len(pieces)), key=lambda k: (-(exact[k] - int(exact[k])), k))
    for k in by_remainder * 2:  # second pass hands leftovers to epochs with room
        if sum(counts) >= budget:
            break
        if counts[k] < fits[k]:
            counts[k] += 1
    return counts
