"""A drone's time still free after earlier sorties: the spans a repair pass may fly it in, and its sorties left.

Computed from flown sorties (busy from takeoff minus recharge to landing plus recharge) and the hangar's outages
(Hangar.outages: no launch while its hangar or the drone is out of service), read by sortie slots.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from missions.models import Hangar, Scenario, Sortie
from planner.problem.epochs import Epoch


@dataclass(frozen=True)
class DroneTime:
    free: tuple[tuple[int, int], ...]  # free spans, clock seconds, in time order
    sorties_left: int  # under PlanOptions.max_sorties_per_drone


def free_spans(day: tuple[int, int], busy: Iterable[tuple[float, float]]) -> tuple[tuple[int, int], ...]:
    """`day` minus the busy spans, in whole seconds that never touch a busy one (ends rounded inwards)."""
    spans: list[tuple[int, int]] = []
    cursor = float(day[0])
    for lo, hi in sorted(busy):
        if lo > cursor:
            spans.append((int(-(-cursor // 1)), int(min(lo, day[1]) // 1)))
        cursor = max(cursor, hi)
    if cursor < day[1]:
        spans.append((int(-(-cursor // 1)), int(day[1])))
    return tuple((lo, hi) for lo, hi in spans if hi > lo)


def busy_spans(scenario: Scenario, sorties: Iterable[Sortie]) -> dict[str, list[tuple[float, float]]]:
    """Per drone, clock seconds it is flying or recharging: takeoff minus its hangar's recharge (the battery must
    be full by then) to landing plus the recharge."""
    recharge = {h.id: h.recharge_min * 60.0 for h in scenario.hangars}
    spans: dict[str, list[tuple[float, float]]] = {}
    for sortie in sorties:
        r = recharge[sortie.hangar_id]
        spans.setdefault(sortie.drone_id, []).append(
            (scenario.seconds_after_midnight(sortie.takeoff) - r, scenario.seconds_after_midnight(sortie.landing) + r))
    return spans


def in_service(pieces: Iterable[Epoch], out: list[tuple[int, int]]) -> list[Epoch]:
    """Epoch pieces minus the spans a drone is out of service (each piece keeps its epoch index)."""
    if not out:
        return list(pieces)
    return [Epoch(p.index, lo, hi) for p in pieces for lo, hi in free_spans((p.start_s, p.end_s), out)]


def drone_times(scenario: Scenario, sorties: Iterable[Sortie], window: tuple[int, int], max_sorties: int,
                hangars: Iterable[Hangar] | None = None) -> dict[str, DroneTime]:
    """Free spans and sorties left of every drone of `hangars` (default: all), given the sorties flown so far."""
    sorties = list(sorties)
    busy = busy_spans(scenario, sorties)
    flown: dict[str, int] = {}
    for sortie in sorties:
        flown[sortie.drone_id] = flown.get(sortie.drone_id, 0) + 1
    result = {}
    for hangar in scenario.hangars if hangars is None else hangars:
        lo = max(window[0], hangar.window.start_s if hangar.window else window[0])
        hi = min(window[1], hangar.window.end_s if hangar.window else window[1])
        for drone_id in hangar.drone_ids():
            taken = busy.get(drone_id, []) + hangar.out_of_service(drone_id)
            result[drone_id] = DroneTime(free_spans((lo, hi), taken) if hi > lo else (),
                                         max_sorties - flown.get(drone_id, 0))
    return result
