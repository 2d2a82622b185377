"""Epochs: slices of the operating window in which the set of active keep-out zones is constant.

Each sortie is confined to one epoch, so its transit costs and legality are exact for the zones of that epoch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from airspace.rules import active_during, is_keep_out
from airspace.windows import clock_from_seconds
from airspace.zones import Zone

BOUNDARY_MARGIN_S = 60  # stay clear of the exact minute a closure starts or ends


@dataclass(frozen=True)
class Epoch:
    index: int
    start_s: int
    end_s: int

    @property
    def length_s(self) -> int:
        return self.end_s - self.start_s


def epochs_for(window: tuple[int, int], zones: Iterable[Zone], authorised: Iterable[str], min_length_s: int,
               blackouts: Iterable[tuple[float, float]] = ()) -> list[Epoch]:
    """Cut `window` at every start/end of a time-limited keep-out zone; drop slices too short to fly.

    `blackouts` are clock spans no sortie may touch (a daylight-saving change: DayClock.unflyable_spans).
    """
    allowed = set(authorised)
    start, end = window
    blackouts = [(math.floor(lo) - 1, math.ceil(hi)) for lo, hi in blackouts]  # - 1: landing on lo touches it
    cuts = {start, end} | {moment for span in blackouts for moment in span if start < moment < end}
    for zone in zones:
        if zone.active is None or not is_keep_out(zone, allowed):
            continue
        for active in zone.active:
            for moment in (active.start_s, active.end_s):
                if start < moment < end:
                    cuts.add(moment)
    bounds = sorted(cuts)
    epochs: list[Epoch] = []
    for lo, hi in zip(bounds, bounds[1:]):
        if any(lo < b_hi and hi > b_lo for b_lo, b_hi in blackouts):
            continue
        lo_s = lo + (BOUNDARY_MARGIN_S if lo != start else 0)
        hi_s = hi - (BOUNDARY_MARGIN_S if hi != end else 0)
        if hi_s - lo_s >= min_length_s:
            epochs.append(Epoch(len(epochs), lo_s, hi_s))
    return epochs


def zone_active_in(zone: Zone, epoch: Epoch) -> bool:
    return active_during(zone, epoch.start_s, epoch.end_s)


def clock(seconds: float) -> str:
    """Clock seconds -> 'HH:MM' for reasons and warnings."""
    return clock_from_seconds(seconds)[:5]
