"""Turn tasks, hangars and costs into a RoutingProblem: sortie slots, visits, windows, penalties.

Also decides, before solving, which tasks no drone could fly at all and why (reach, airspace, wind, window).
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
from shapely.geometry import Point

from airspace.projection import Projector
from airspace.zones import keep_out_zones
from missions.models import DroneModel, Hangar, InspectionTask, Scenario, UnservedReason, UnservedTask
from planner.flight.costs import ADJACENT_M, ServiceTime, Site, TransitCosts, service_time, vertical_s
from planner.problem.epochs import Epoch
from planner.options import PlanOptions
from planner.routing.problem import TIME_UNITS_PER_S, RoutingProblem, Vehicle, Visit
from planner.problem.task_airspace import TaskWithEpochs

logger = logging.getLogger(__name__)

UNREACHABLE = 10**9
# Penalty per second of work left undone, by priority: a priority-5 task is worth 50x a priority-1 one,
# so when the day is full the solver drops low priorities first.
PRIORITY_WEIGHT = {1: 2, 2: 5, 3: 12, 4: 30, 5: 100}
SORTIE_FIXED_COST_S = 120  # discourages splitting work into more sorties than needed


def units_up(seconds: float) -> int:
    """Seconds -> solver units, rounded up so the solver never under-estimates a duration."""
    return int(math.ceil(seconds * TIME_UNITS_PER_S - 1e-9))


def units_down(seconds: float) -> int:
    return int(math.floor(seconds * TIME_UNITS_PER_S + 1e-9))


@dataclass(frozen=True)
class VisitInfo:
    task_id: str
    reverse: bool


@dataclass(frozen=True)
class SlotInfo:
    hangar_id: str
    drone_id: str
    model_id: str
    epoch: Epoch


@dataclass
class BuiltProblem:
    problem: RoutingProblem
    tasks: list[InspectionTask]  # index = RoutingProblem task index
    visits: list[VisitInfo]
    slots: list[SlotInfo]
    depot_hangars: list[str]
    unserved: list[UnservedTask] = field(default_factory=list)


def grounded(model: DroneModel, scenario: Scenario) -> bool:
    wind = scenario.weather.wind_speed_ms if scenario.weather else 0.0
    return wind > model.max_wind_ms


def build_problem(
    scenario: Scenario,
    tasks: list[TaskWithEpochs],
    epochs: list[Epoch],
    window: tuple[int, int],
    site: Site,
    costs: TransitCosts,
    projector: Projector,
    options: PlanOptions,
    transit_m: float,
) -> BuiltProblem:
    hangars = [h for h in scenario.hangars if h.drones > 0]
    blocked_hangars: dict[str, str] = {}  # hangar id -> zone over it, for hangars that cannot launch at all
    candidate_slots = []
    zone_over_hangar: dict[tuple[str, Epoch], str | None] = {}  # all slots of a hangar in an epoch share it
    for slot in _slots(scenario, hangars, epochs, window, options):
        key = (slot.hangar_id, slot.epoch)
        if key not in zone_over_hangar:
            zone_over_hangar[key] = _zone_over_hangar(scenario.hangar(slot.hangar_id), slot.epoch, scenario, transit_m)
        zone_over = zone_over_hangar[key]
        if zone_over is None:
            candidate_slots.append(slot)
        else:
            blocked_hangars.setdefault(slot.hangar_id, zone_over)
    for hangar_id in set(blocked_hangars) & {slot.hangar_id for slot in candidate_slots}:
        del blocked_hangars[hangar_id]  # it can launch at other times
    for hangar_id, zone_id in blocked_hangars.items():
        logger.warning("hangar %s lies inside keep-out zone %s: it cannot launch today", hangar_id, zone_id)
    models = {m.id: m for m in scenario.drone_models}
    hangar_xy = {h.id: site.xy[site.hangar_index[h.id]] for h in scenario.hangars}

    group_hangars = sorted({slot.hangar_id for slot in candidate_slots})
    slot_groups: dict[tuple, list[int]] = {}
    for s, slot in enumerate(candidate_slots):
        slot_groups.setdefault((slot.hangar_id, slot.epoch), []).append(s)

    # Per task: which slots can fly it (and in which direction), or why none can.
    feasible: dict[tuple[int, bool], set[int]] = {}
    services: dict[tuple[str, str, bool], ServiceTime] = {}
    unserved: list[UnservedTask] = []
    kept: list[TaskWithEpochs] = []
    for item in tasks:
        task = item.task
        directions = [False, True] if task.reversible and len(task.coordinates) > 1 else [False]
        for model in models.values():
            for reverse in directions:
                services[(task.task_id, model.id, reverse)] = service_time(task, model, reverse, transit_m, projector, scenario.weather)
        slot_sets = {rev: set() for rev in directions}
        reasons: list[str] = []
        # Slots of one hangar in one epoch are interchangeable: judge each group once, nearest hangar first.
        start_xy = site.xy[site.task_start[task.task_id]]
        farthest = _farthest_from_hangars(task, projector, group_hangars, hangar_xy)
        for _key, members in sorted(slot_groups.items(),
                                   key=lambda kv: float(np.hypot(*(hangar_xy[kv[0][0]] - start_xy)))):
            slot = candidate_slots[members[0]]
            reason = _slot_reason(task, item, slot, scenario.hangar(slot.hangar_id), farthest[slot.hangar_id])
            for reverse in directions:
                if reason is None:
                    reason_dir = _round_trip_reason(task, slot, reverse, site, costs, services, models, scenario, transit_m)
                    if reason_dir is None:
                        slot_sets[reverse].update(members)
                    else:
                        reasons.append(reason_dir)
                else:
                    reasons.append(reason)
        if any(slot_sets.values()):
            kept.append(item)
            for reverse, slot_set in slot_sets.items():
                feasible[(len(kept) - 1, reverse)] = slot_set
        else:
            unserved.append(_explain(task, reasons, scenario, site, blocked_hangars))

    # Keep only slots that can serve something; renumber.
    used_slots = sorted({s for slots in feasible.values() for s in slots})
    renumber = {old: new for new, old in enumerate(used_slots)}
    slots = [candidate_slots[s] for s in used_slots]
    depot_hangars = sorted({slot.hangar_id for slot in slots}, key=[h.id for h in scenario.hangars].index)
    depot_of = {h: i for i, h in enumerate(depot_hangars)}

    visits: list[Visit] = []
    visit_info: list[VisitInfo] = []
    task_list = [item.task for item in kept]
    for t, item in enumerate(kept):
        for reverse in ([False, True] if (t, True) in feasible else [False]):
            allowed = tuple(sorted(renumber[s] for s in feasible[(t, reverse)]))
            if not allowed:
                continue
            flying_models = {slots[renumber[s]].model_id for s in feasible[(t, reverse)]}
            window = _visit_window(item.task, flying_models, services, reverse)
            if window is not None and window[0] > window[1]:
                continue
            visits.append(Visit(task=t, window=window, allowed_vehicles=allowed))
            visit_info.append(VisitInfo(item.task.task_id, reverse))

    served_tasks = {visit.task for visit in visits}
    if len(served_tasks) < len(task_list):
        # A window too short for the inspection itself: drop the task with its reason and renumber the rest.
        for t, task in enumerate(task_list):
            if t not in served_tasks:
                unserved.append(_unserved(task, UnservedReason.WINDOW_IMPOSSIBLE,
                                          "its window is shorter than the inspection takes"))
        new_index = {old: new for new, old in enumerate(sorted(served_tasks))}
        task_list = [task_list[t] for t in sorted(served_tasks)]
        visits = [Visit(task=new_index[v.task], window=v.window, demand=v.demand, allowed_vehicles=v.allowed_vehicles)
                  for v in visits]

    profiles: dict[tuple[str, int], int] = {}
    for slot in slots:
        profiles.setdefault((slot.model_id, slot.epoch.index), len(profiles))
    matrices = [None] * len(profiles)
    for (model_id, epoch_index), p in profiles.items():
        epoch = next(e for e in epochs if e.index == epoch_index)
        matrices[p] = _time_matrix(models[model_id], epoch, depot_hangars, visit_info, task_list, site, costs, services, transit_m)

    chains = {drone: i for i, drone in enumerate(dict.fromkeys(slot.drone_id for slot in slots))}
    vehicles = []
    for slot in slots:
        model = models[slot.model_id]
        hangar = scenario.hangar(slot.hangar_id)
        usable_s = model.endurance_min * 60.0 * (1.0 - model.reserve_fraction)
        vehicles.append(Vehicle(
            depot=depot_of[slot.hangar_id],
            profile=profiles[(slot.model_id, slot.epoch.index)],
            window=(units_up(slot.epoch.start_s), units_down(slot.epoch.end_s)),
            max_span=units_down(usable_s),
            chain=chains[slot.drone_id],
            recharge=units_up(hangar.recharge_min * 60.0),
            fixed_cost=units_up(SORTIE_FIXED_COST_S),
        ))

    penalties = []
    for t, task in enumerate(task_list):
        task_visits = [v for v in range(len(visits)) if visits[v].task == t]
        work_units = min(
            int(matrices[vehicles[veh].profile][depot_of[slots[veh].hangar_id], len(depot_hangars) + v])
            + int(matrices[vehicles[veh].profile][len(depot_hangars) + v, depot_of[slots[veh].hangar_id]])
            for v in task_visits for veh in visits[v].allowed_vehicles
        )
        penalties.append(max(1, work_units) * PRIORITY_WEIGHT[task.priority])

    problem = RoutingProblem(
        num_depots=len(depot_hangars),
        visits=visits,
        time_matrices=matrices,
        vehicles=vehicles,
        task_penalties=penalties,
        unreachable=UNREACHABLE,
    )
    logger.info("routing problem: %d depots, %d tasks, %d visits, %d sortie slots, %d profiles",
                len(depot_hangars), len(task_list), len(visits), len(vehicles), len(matrices))
    return BuiltProblem(problem, task_list, visit_info, slots, depot_hangars, unserved)


def _slots(scenario: Scenario, hangars: list[Hangar], epochs: list[Epoch], window: tuple[int, int],
           options: PlanOptions) -> list[SlotInfo]:
    """Sortie slots per drone, in time order, spread over the epochs in proportion to their length."""
    slots: list[SlotInfo] = []
    min_sortie_s = options.min_sortie_min * 60.0
    for hangar in hangars:
        model = scenario.drone_model(hangar.drone_model)
        if grounded(model, scenario):
            continue
        lo = max(window[0], hangar.window.start_s if hangar.window else window[0])
        hi = min(window[1], hangar.window.end_s if hangar.window else window[1])
        pieces = [Epoch(e.index, max(e.start_s, lo), min(e.end_s, hi)) for e in epochs]
        pieces = [p for p in pieces if p.length_s >= min_sortie_s]
        total = sum(p.length_s for p in pieces)
        if not total:
            continue
        recharge_s = hangar.recharge_min * 60.0
        counts = _slots_per_epoch(pieces, options.max_sorties_per_drone, min_sortie_s, recharge_s)
        for drone_id in hangar.drone_ids():
            for piece, count in zip(pieces, counts):
                slots.extend(SlotInfo(hangar.id, drone_id, model.id, piece) for _ in range(count))
    return slots


def _zone_over_hangar(hangar: Hangar, epoch: Epoch, scenario: Scenario, transit_m: float) -> str | None:
    """The keep-out zone over the hangar covering any height of the climb to transit altitude, if any."""
    here = Point(hangar.lon, hangar.lat)
    for zone in keep_out_zones(scenario.zones(), epoch.start_s, epoch.end_s, 0.0, transit_m,
                               scenario.airspace.authorised):
        if zone.geometry.shape.intersects(here):
            return zone.id
    return None


def _slots_per_epoch(pieces: list[Epoch], budget: int, min_sortie_s: float, recharge_s: float) -> list[int]:
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


def _slot_reason(task: InspectionTask, item: TaskWithEpochs, slot: SlotInfo, hangar: Hangar,
                 farthest_m: float) -> str | None:
    """Why this slot can never fly this task (None: it might). `farthest_m`: the task's farthest point
    from the slot's hangar (the whole line, not just its ends, since a leg can bulge out of the radius)."""
    if slot.epoch.index in item.blocked_epochs:
        return "airspace:closed by a temporary closure during this slot"
    if farthest_m > hangar.operating_radius_m:
        return f"reach:{farthest_m:.0f} m from {hangar.id}, radius {hangar.operating_radius_m:.0f} m"
    if task.window is not None:
        if task.window.end_s <= slot.epoch.start_s or task.window.start_s >= slot.epoch.end_s:
            return "window:target window outside the slot"
    return None


def _farthest_from_hangars(task: InspectionTask, projector: Projector, hangar_ids: list[str],
                           hangar_xy: dict[str, np.ndarray]) -> dict[str, float]:
    if not hangar_ids:
        return {}
    arr = np.asarray(task.coordinates, dtype=float)[:, :2]
    xs, ys = projector.forward(arr[:, 0], arr[:, 1])
    centres = np.array([hangar_xy[h] for h in hangar_ids])
    far = np.max(np.hypot(np.asarray(xs)[:, None] - centres[None, :, 0], np.asarray(ys)[:, None] - centres[None, :, 1]), axis=0)
    return dict(zip(hangar_ids, far.tolist()))


def _round_trip_reason(task, slot: SlotInfo, reverse: bool, site: Site, costs: TransitCosts, services, models,
                       scenario: Scenario, transit_m: float) -> str | None:
    model = models[slot.model_id]
    transit = costs.transit_s(model, slot.epoch)
    h = site.hangar_index[slot.hangar_id]
    start = site.task_end[task.task_id] if reverse else site.task_start[task.task_id]
    end = site.task_start[task.task_id] if reverse else site.task_end[task.task_id]
    if not (np.isfinite(transit[h, start]) and np.isfinite(transit[end, h])):
        legal = costs.legal[slot.epoch.index]
        if np.isfinite(legal[h, start]) and np.isfinite(legal[end, h]):
            wind = scenario.weather.wind_speed_ms if scenario.weather else 0.0
            return f"wind:{model.id} cannot hold its track against {wind:g} m/s wind at {model.cruise_speed_ms:g} m/s"
        return f"airspace:no legal transit path between {slot.hangar_id} and the task"
    service = services[(task.task_id, model.id, reverse)]
    if not np.isfinite(service.total_s):
        wind = scenario.weather.wind_speed_ms if scenario.weather else 0.0
        return f"wind:{model.id} cannot inspect along the task against {wind:g} m/s wind"
    round_trip = (vertical_s(0, transit_m, model) + transit[h, start] + service.total_s + transit[end, h]
                  + vertical_s(transit_m, 0, model))
    usable = model.endurance_min * 60.0 * (1.0 - model.reserve_fraction)
    if round_trip > usable:
        return f"reach:round trip from {slot.hangar_id} takes {round_trip / 60:.1f} min, usable battery {usable / 60:.1f} min"
    if round_trip > slot.epoch.length_s:
        return "window:round trip longer than the slot"
    if task.window is not None:
        earliest_start = slot.epoch.start_s + vertical_s(0, transit_m, model) + transit[h, start] + service.descend_s
        latest_end = task.window.end_s
        if max(earliest_start, task.window.start_s) + service.inspect_s > min(latest_end, slot.epoch.end_s):
            return "window:target window cannot be met from this slot"
    return None


def _explain(task: InspectionTask, reasons: list[str], scenario: Scenario, site: Site,
             blocked_hangars: dict[str, str]) -> UnservedTask:
    """The most telling reason among the per-slot ones: the furthest any slot got before failing."""
    details = {}
    for reason in reasons:  # reasons come nearest hangar first, so the first of a kind is the telling one
        kind, detail = reason.split(":", 1)
        details.setdefault(kind, detail)
    if "window" in details:
        return _unserved(task, UnservedReason.WINDOW_IMPOSSIBLE, details["window"])
    if "wind" in details and "reach" not in details:
        return _unserved(task, UnservedReason.WIND, details["wind"])
    if "airspace" in details:
        return _unserved(task, UnservedReason.BLOCKED_BY_AIRSPACE, details["airspace"])
    wind = scenario.weather.wind_speed_ms if scenario.weather else 0.0
    start = site.xy[site.task_start[task.task_id]]
    for hangar in scenario.hangars:
        model = scenario.drone_model(hangar.drone_model)
        near = float(np.hypot(*(start - site.xy[site.hangar_index[hangar.id]]))) <= hangar.operating_radius_m
        if near and hangar.drones > 0 and grounded(model, scenario):
            return _unserved(task, UnservedReason.WIND,
                             f"{hangar.id}'s {model.id} is grounded: wind {wind:.1f} m/s over its {model.max_wind_ms:.1f} m/s limit")
    for hangar_id, zone_id in blocked_hangars.items():
        hangar = scenario.hangar(hangar_id)
        if float(np.hypot(*(start - site.xy[site.hangar_index[hangar_id]]))) <= hangar.operating_radius_m:
            return _unserved(task, UnservedReason.BLOCKED_BY_AIRSPACE,
                             f"hangar {hangar_id} lies inside keep-out zone {zone_id} and cannot launch")
    if "reach" in details:
        return _unserved(task, UnservedReason.OUT_OF_REACH, details["reach"])
    return _unserved(task, UnservedReason.OUT_OF_REACH, "no hangar has a drone and an operating window that reach it")


def _unserved(task: InspectionTask, reason: UnservedReason, detail: str) -> UnservedTask:
    return UnservedTask(task_id=task.task_id, target_id=task.target_id, reason=reason, detail=detail,
                        coordinates=task.coordinates)


def _visit_window(task: InspectionTask, models, services, reverse: bool) -> tuple[int, int] | None:
    """Bounds on the solver's arrival (at transit height over the start) that keep the inspection in its window."""
    if task.window is None:
        return None
    relevant = [services[(task.task_id, m, reverse)] for m in models if (task.task_id, m, reverse) in services]
    earliest = task.window.start_s - min(s.descend_s for s in relevant)
    latest = task.window.end_s - max(s.descend_s + s.inspect_s for s in relevant)
    return units_up(max(0.0, earliest)), units_down(max(0.0, latest))


def _time_matrix(model: DroneModel, epoch: Epoch, depot_hangars: list[str], visits: list[VisitInfo],
                 tasks: list[InspectionTask], site: Site, costs: TransitCosts, services, transit_m: float) -> np.ndarray:
    """time[i, j] = service at i + travel from the end of i to the start of j (solver units, ceil)."""
    transit = costs.transit_s(model, epoch)
    by_id = {t.task_id: t for t in tasks}
    starts = np.array([site.task_end[v.task_id] if v.reverse else site.task_start[v.task_id] for v in visits], dtype=int)
    ends = np.array([site.task_start[v.task_id] if v.reverse else site.task_end[v.task_id] for v in visits], dtype=int)
    service = [services[(v.task_id, model.id, v.reverse)] for v in visits]
    total = np.array([s.total_s for s in service])
    inspect = np.array([s.inspect_s for s in service])
    descend = np.array([s.descend_s for s in service])
    altitude = np.array([by_id[v.task_id].altitude_m for v in visits])
    hangar_sites = np.array([site.hangar_index[h] for h in depot_hangars], dtype=int)
    take_off = vertical_s(0, transit_m, model)
    land = vertical_s(transit_m, 0, model)

    n_d, n_v = len(depot_hangars), len(visits)
    seconds = np.full((n_d + n_v, n_d + n_v), np.inf)
    np.fill_diagonal(seconds[:n_d, :n_d], 0.0)
    seconds[:n_d, n_d:] = take_off + transit[np.ix_(hangar_sites, starts)]
    seconds[n_d:, :n_d] = total[:, None] + transit[np.ix_(ends, hangar_sites)] + land
    hop = transit[np.ix_(ends, starts)]
    between = total[:, None] + hop
    # Consecutive legs of one line at one height: fly straight on, no climb to transit height and back.
    adjacent = (costs.straight[np.ix_(ends, starts)] < ADJACENT_M) & (altitude[:, None] == altitude[None, :])
    on_line = descend[:, None] + inspect[:, None] + hop - descend[None, :]
    between = np.where(adjacent, np.maximum(on_line, 0.0), between)
    seconds[n_d:, n_d:] = between
    units = np.where(np.isfinite(seconds), np.ceil(seconds * TIME_UNITS_PER_S - 1e-9), UNREACHABLE)
    return np.minimum(units, UNREACHABLE).astype(np.int64)
