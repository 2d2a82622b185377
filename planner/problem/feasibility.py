"""Which sortie slot could ever fly a task, and, when none can, the one true reason with its numbers.

Reasons are typed (UnservedReason + detail text); the most telling one is chosen by a fixed order of kinds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from airspace.projection import Projector
from missions.models import DroneModel, Hangar, InspectionTask, Scenario, UnservedReason, UnservedTask
from planner.flight.costs import ServiceCost, inspect_track
from planner.flight.energy import FlightEnergy
from planner.problem.context import ProblemContext
from planner.problem.epochs import clock
from planner.problem.task_airspace import TaskWithEpochs


@dataclass(frozen=True)
class Reason:
    """Why one slot (or every slot) cannot fly a task; `beyond_radius`: only the hangar's radius stops it."""

    kind: UnservedReason
    detail: str
    beyond_radius: bool = False


def grounded(model: DroneModel, scenario: Scenario) -> bool:
    """The day's wind keeps this model on the dock (DESIGN.md: the launch limit applies to the surface wind)."""
    return scenario.wind.wind_speed_ms > model.max_wind_ms


def slot_reason(task: InspectionTask, item: TaskWithEpochs, epoch_index: int, epoch_start_s: float,
                epoch_end_s: float, hangar: Hangar, farthest_m: float) -> Reason | None:
    """Why a slot of `hangar` in this epoch can never fly this task (None: it might). `farthest_m`: the task's
    farthest point from the hangar (the whole line, not just its ends, since a leg can bulge out of the radius)."""
    slot = f"{clock(epoch_start_s)}-{clock(epoch_end_s)}"
    if epoch_index in item.blocked_epochs:
        return Reason(UnservedReason.BLOCKED_BY_AIRSPACE, f"a temporary closure is over it {slot}")
    if farthest_m > hangar.operating_radius_m:
        return Reason(UnservedReason.OUT_OF_REACH,
                      f"{farthest_m / 1000:.1f} km from {hangar.id}, beyond its "
                      f"{hangar.operating_radius_m / 1000:.1f} km operating radius", beyond_radius=True)
    if task.window is not None and (task.window.end_s <= epoch_start_s or task.window.start_s >= epoch_end_s):
        return Reason(UnservedReason.WINDOW_IMPOSSIBLE,
                      f"its window {task.window.start}-{task.window.end} does not meet {hangar.id}'s flying time {slot}")
    return None


def farthest_from_hangars(task: InspectionTask, projector: Projector, hangar_ids: list[str],
                          hangar_xy: dict[str, np.ndarray]) -> dict[str, float]:
    if not hangar_ids:
        return {}
    arr = np.asarray(task.coordinates, dtype=float)[:, :2]
    xs, ys = projector.forward(arr[:, 0], arr[:, 1])
    centres = np.array([hangar_xy[h] for h in hangar_ids])
    far = np.max(np.hypot(np.asarray(xs)[:, None] - centres[None, :, 0],
                          np.asarray(ys)[:, None] - centres[None, :, 1]), axis=0)
    return dict(zip(hangar_ids, far.tolist()))


def round_trip_reason(ctx: ProblemContext, task: InspectionTask, hangar_id: str, flight: FlightEnergy, epoch,
                      reverse: bool, service: ServiceCost) -> Reason | None:
    """Why a drone from `hangar_id` cannot fly there, inspect and come back on one battery within the epoch
    (None: it can, alone)."""
    site, costs, transit_m = ctx.site, ctx.costs, ctx.transit_m
    model = flight.model
    arcs = costs.transit(flight, epoch)
    h = site.hangar_index[hangar_id]
    start = site.task_end[task.task_id] if reverse else site.task_start[task.task_id]
    end = site.task_start[task.task_id] if reverse else site.task_end[task.task_id]
    legs = (("out", h, start), ("back", end, h))
    for way, i, j in legs:
        if not np.isfinite(arcs.seconds[i, j]):
            if not np.isfinite(costs.legal[epoch.index][i, j]):
                return Reason(UnservedReason.BLOCKED_BY_AIRSPACE, f"no legal transit path between {hangar_id} and "
                                                                  f"the task at {transit_m:.0f} m")
            why = (flight.refusal(costs.dx[i, j], costs.dy[i, j], transit_m, model.cruise_speed_ms)
                   or _bent_refusal(flight, transit_m))
            return Reason(UnservedReason.WIND, f"transit {way} from {hangar_id}: {why}")
    guard = ctx.radius_guard
    if guard.leaves(h, start, epoch, hangar_id) or guard.leaves(end, h, epoch, hangar_id):
        radius = ctx.scenario.hangar(hangar_id).operating_radius_m
        return Reason(UnservedReason.OUT_OF_REACH, f"the legal path between {hangar_id} and the task bends round "
                                                   f"keep-out zones out of its {radius / 1000:.1f} km operating radius")
    if not np.isfinite(service.total_s):
        return Reason(UnservedReason.WIND, f"inspecting it: {_inspection_refusal(ctx, task, flight, reverse)}")
    climb, land = flight.vertical(0.0, transit_m), flight.vertical(transit_m, 0.0)
    energy = climb[1] + arcs.energy[h, start] + service.total_e + arcs.energy[end, h] + land[1]
    if energy > flight.usable:
        return Reason(UnservedReason.OUT_OF_REACH,
                      f"round trip from {hangar_id} needs {energy:.1%} of a battery ({_wind_on_the_way(ctx, flight, legs)}"
                      f"), usable {flight.usable:.0%}")
    seconds = climb[0] + arcs.seconds[h, start] + service.total_s + arcs.seconds[end, h] + land[0]
    slot = f"{clock(epoch.start_s)}-{clock(epoch.end_s)}"
    if seconds > epoch.length_s:
        return Reason(UnservedReason.WINDOW_IMPOSSIBLE, f"round trip from {hangar_id} takes {seconds / 60:.1f} min, "
                                                        f"longer than its flying time {slot}")
    if task.window is not None:
        earliest_start = epoch.start_s + climb[0] + arcs.seconds[h, start] + service.descend_s
        if max(earliest_start, task.window.start_s) + service.inspect_s > min(task.window.end_s, epoch.end_s):
            return Reason(UnservedReason.WINDOW_IMPOSSIBLE,
                          f"from {hangar_id} (flying time {slot}) the inspection reaches the task at "
                          f"{clock(max(earliest_start, task.window.start_s))} at the earliest and takes "
                          f"{service.inspect_s / 60:.1f} min, past the end of its window {task.window.start}-"
                          f"{task.window.end}" + (" or the slot" if epoch.end_s < task.window.end_s else ""))
        # Inspected in its window is not enough: the drone must also be home before its flying time ends.
        landing = (max(earliest_start, task.window.start_s) + service.inspect_s + service.climb_s
                   + arcs.seconds[end, h] + land[0])
        if landing > epoch.end_s:
            return Reason(UnservedReason.WINDOW_IMPOSSIBLE,
                          f"from {hangar_id} (flying time {slot}) the inspection in its window {task.window.start}-"
                          f"{task.window.end} starts at {clock(max(earliest_start, task.window.start_s))} at the "
                          f"earliest and the drone is back at {clock(landing)}, after its flying time ends")
    return None


def _wind_on_the_way(ctx: ProblemContext, flight: FlightEnergy, legs) -> str:
    """'12.5 m/s wind at 100 m, 11.9 m/s of it head-on on the way out' (the worse of out and back), or 'calm'."""
    alt = ctx.transit_m
    wind = float(flight.wind.speed_at(alt))
    if wind < 0.05:
        return f"calm at {alt:.0f} m"
    head = {way: flight.headwind(ctx.costs.dx[i, j], ctx.costs.dy[i, j], alt) for way, i, j in legs}
    way = max(head, key=lambda k: head[k])
    if head[way] < 0.05:
        return f"{wind:.1f} m/s wind at {alt:.0f} m, none of it head-on"
    return f"{wind:.1f} m/s wind at {alt:.0f} m, {head[way]:.1f} m/s of it head-on on the way {way}"


def _bent_refusal(flight: FlightEnergy, alt_m: float) -> str:
    """A legal path bent around zones is priced at its worst heading, so it is refused when that one is: say so."""
    east, north = flight.wind_at(alt_m)
    why = flight.refusal(-east, -north, alt_m, flight.model.cruise_speed_ms)
    return f"its legal path bends around zones and is priced at its worst heading: {why}"


def _inspection_refusal(ctx: ProblemContext, task: InspectionTask, flight: FlightEnergy, reverse: bool) -> str:
    alt = task.altitude_m
    station = flight.refusal(0.0, 0.0, alt, flight.model.inspection_speed_ms)
    if station is not None:
        return station
    coords = task.coordinates[::-1] if reverse else task.coordinates
    arr = np.asarray(coords, dtype=float)[:, :2]
    xs, ys = ctx.projector.forward(arr[:, 0], arr[:, 1])
    seconds, _ = inspect_track(task, coords, flight, ctx.projector)
    k = int(np.argmax(~np.isfinite(seconds)))
    why = flight.refusal(float(xs[k + 1] - xs[k]), float(ys[k + 1] - ys[k]), alt, flight.model.inspection_speed_ms)
    return f"along the line {why}"


def explain(ctx: ProblemContext, task: InspectionTask, reasons: list[Reason],
            blocked_hangars: dict[str, str]) -> UnservedTask:
    """The most telling reason among the per-slot ones. They come nearest hangar first, so the first of a kind
    is the telling one; a hangar whose radius covers the task says more (wind, energy, airspace) than a farther
    hangar's radius does."""
    scenario, site = ctx.scenario, ctx.site
    first: dict[UnservedReason, str] = {}
    radius: str | None = None
    for reason in reasons:
        if reason.beyond_radius:
            radius = radius or reason.detail
        else:
            first.setdefault(reason.kind, reason.detail)
    for kind in (UnservedReason.WINDOW_IMPOSSIBLE, UnservedReason.WIND, UnservedReason.OUT_OF_REACH,
                 UnservedReason.BLOCKED_BY_AIRSPACE):
        if kind in first:
            return unserved(task, kind, first[kind])
    wind = scenario.wind.wind_speed_ms
    start = site.xy[site.task_start[task.task_id]]
    for hangar in scenario.hangars:
        model = scenario.drone_model(hangar.drone_model)
        near = float(np.hypot(*(start - site.xy[site.hangar_index[hangar.id]]))) <= hangar.operating_radius_m
        if near and hangar.drones > 0 and grounded(model, scenario):
            return unserved(task, UnservedReason.WIND, f"{hangar.id}'s {model.id} is grounded: wind {wind:.1f} m/s "
                                                       f"over its {model.max_wind_ms:.1f} m/s limit")
    for hangar_id, zone_id in blocked_hangars.items():
        hangar = scenario.hangar(hangar_id)
        if float(np.hypot(*(start - site.xy[site.hangar_index[hangar_id]]))) <= hangar.operating_radius_m:
            return unserved(task, UnservedReason.BLOCKED_BY_AIRSPACE,
                            f"hangar {hangar_id} lies inside keep-out zone {zone_id} and cannot launch")
    idle = _idle_drones(ctx, task)
    if idle:
        return unserved(task, UnservedReason.NO_CAPACITY, f"no drone within reach can fly: {'; '.join(idle)}")
    if radius is not None:
        return unserved(task, UnservedReason.OUT_OF_REACH, radius)
    return unserved(task, UnservedReason.OUT_OF_REACH, "no hangar has a drone and an operating window that reach it")


def _idle_drones(ctx: ProblemContext, task: InspectionTask) -> list[str]:
    """Why each drone of a hangar whose radius covers the whole task has no slot at all: out of service (the hangar's
    outages) or, in a repair pass, no free time or sorties left. Empty when any such drone is not explained so."""
    scenario, window = ctx.scenario, ctx.window
    hangars = [h for h in scenario.hangars
               if h.drones > 0 and not grounded(scenario.drone_model(h.drone_model), scenario)]
    farthest = farthest_from_hangars(task, ctx.projector, [h.id for h in hangars], ctx.hangar_xy)
    found: list[str] = []
    for hangar in hangars:
        if farthest[hangar.id] > hangar.operating_radius_m:
            continue
        for drone in hangar.drone_ids():
            out = [o for o in hangar.outages if o.covers(drone) and o.start_s <= window[0] and o.end_s >= window[1]]
            spare = None if ctx.availability is None else ctx.availability.get(drone)
            if out:
                who = drone if out[0].drone else f"{drone} (hangar {hangar.id})"
                found.append(f"{who} is out of service {out[0].start}-{out[0].end}"
                             + (f" ({out[0].reason})" if out[0].reason else ""))
            elif spare is not None and spare.sorties_left <= 0:
                most = ctx.options.max_sorties_per_drone
                found.append(f"{drone} has flown its {most} sortie{'s' if most != 1 else ''}, the most a drone may fly")
            elif ctx.availability is not None and (spare is None or not spare.free):
                found.append(f"{drone} has no free time {clock(window[0])}-{clock(window[1])}")
            else:
                return []
    return found


def unserved(task: InspectionTask, reason: UnservedReason, detail: str) -> UnservedTask:
    return UnservedTask(task_id=task.task_id, target_id=task.target_id, reason=reason, detail=detail,
                        coordinates=task.coordinates)
