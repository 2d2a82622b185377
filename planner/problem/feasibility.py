"""Which sortie slot could ever fly a task, and, when none can, the one true reason with its numbers.

Reasons are typed (UnservedReason + detail text); the most telling one is chosen by a fixed order of kinds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from airspace.projection import Projector
from missions.models import DroneModel, Hangar, InspectionTask, Scenario, UnservedReason, UnservedTask
from planner.flight.costs import ServiceTime, vertical_s
from planner.problem.context import ProblemContext
from planner.problem.task_airspace import TaskWithEpochs


@dataclass(frozen=True)
class Reason:
    """Why one slot (or every slot) cannot fly a task."""

    kind: UnservedReason
    detail: str


def grounded(model: DroneModel, scenario: Scenario) -> bool:
    """The day's wind keeps this model on the dock."""
    return scenario.wind.wind_speed_ms > model.max_wind_ms


def usable_endurance_s(model: DroneModel) -> float:
    """Seconds of flight a full battery gives above the reserve."""
    return model.endurance_min * 60.0 * (1.0 - model.reserve_fraction)


def slot_reason(task: InspectionTask, item: TaskWithEpochs, epoch_index: int, epoch_start_s: float,
                epoch_end_s: float, hangar: Hangar, farthest_m: float) -> Reason | None:
    """Why a slot of `hangar` in this epoch can never fly this task (None: it might). `farthest_m`: the task's
    farthest point from the hangar (the whole line, not just its ends, since a leg can bulge out of the radius)."""
    if epoch_index in item.blocked_epochs:
        return Reason(UnservedReason.BLOCKED_BY_AIRSPACE, "closed by a temporary closure during this slot")
    if farthest_m > hangar.operating_radius_m:
        return Reason(UnservedReason.OUT_OF_REACH,
                      f"{farthest_m:.0f} m from {hangar.id}, radius {hangar.operating_radius_m:.0f} m")
    if task.window is not None and (task.window.end_s <= epoch_start_s or task.window.start_s >= epoch_end_s):
        return Reason(UnservedReason.WINDOW_IMPOSSIBLE, "target window outside the slot")
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


def round_trip_reason(ctx: ProblemContext, task: InspectionTask, hangar_id: str, model: DroneModel, epoch,
                      reverse: bool, service: ServiceTime) -> Reason | None:
    """Why a drone of `model` from `hangar_id` cannot fly there, inspect and come back within one battery and
    the epoch (None: it can, alone)."""
    site, costs, transit_m = ctx.site, ctx.costs, ctx.transit_m
    transit = costs.transit_s(model, epoch)
    h = site.hangar_index[hangar_id]
    start = site.task_end[task.task_id] if reverse else site.task_start[task.task_id]
    end = site.task_start[task.task_id] if reverse else site.task_end[task.task_id]
    wind = ctx.scenario.wind.wind_speed_ms
    if not (np.isfinite(transit[h, start]) and np.isfinite(transit[end, h])):
        legal = costs.legal[epoch.index]
        if np.isfinite(legal[h, start]) and np.isfinite(legal[end, h]):
            return Reason(UnservedReason.WIND,
                          f"{model.id} cannot hold its track against {wind:g} m/s wind at {model.cruise_speed_ms:g} m/s")
        return Reason(UnservedReason.BLOCKED_BY_AIRSPACE, f"no legal transit path between {hangar_id} and the task")
    if not np.isfinite(service.total_s):
        return Reason(UnservedReason.WIND, f"{model.id} cannot inspect along the task against {wind:g} m/s wind")
    round_trip = (vertical_s(0, transit_m, model) + transit[h, start] + service.total_s + transit[end, h]
                  + vertical_s(transit_m, 0, model))
    usable = usable_endurance_s(model)
    if round_trip > usable:
        return Reason(UnservedReason.OUT_OF_REACH, f"round trip from {hangar_id} takes {round_trip / 60:.1f} min, "
                                                   f"usable battery {usable / 60:.1f} min")
    if round_trip > epoch.length_s:
        return Reason(UnservedReason.WINDOW_IMPOSSIBLE, "round trip longer than the slot")
    if task.window is not None:
        earliest_start = epoch.start_s + vertical_s(0, transit_m, model) + transit[h, start] + service.descend_s
        if max(earliest_start, task.window.start_s) + service.inspect_s > min(task.window.end_s, epoch.end_s):
            return Reason(UnservedReason.WINDOW_IMPOSSIBLE, "target window cannot be met from this slot")
    return None


def explain(ctx: ProblemContext, task: InspectionTask, reasons: list[Reason],
            blocked_hangars: dict[str, str]) -> UnservedTask:
    """The most telling reason among the per-slot ones (they come nearest hangar first, so the first of a
    kind is the telling one)."""
    scenario, site = ctx.scenario, ctx.site
    first: dict[UnservedReason, str] = {}
    for reason in reasons:
        first.setdefault(reason.kind, reason.detail)
    if UnservedReason.WINDOW_IMPOSSIBLE in first:
        return unserved(task, UnservedReason.WINDOW_IMPOSSIBLE, first[UnservedReason.WINDOW_IMPOSSIBLE])
    if UnservedReason.WIND in first and UnservedReason.OUT_OF_REACH not in first:
        return unserved(task, UnservedReason.WIND, first[UnservedReason.WIND])
    if UnservedReason.BLOCKED_BY_AIRSPACE in first:
        return unserved(task, UnservedReason.BLOCKED_BY_AIRSPACE, first[UnservedReason.BLOCKED_BY_AIRSPACE])
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
    if UnservedReason.OUT_OF_REACH in first:
        return unserved(task, UnservedReason.OUT_OF_REACH, first[UnservedReason.OUT_OF_REACH])
    return unserved(task, UnservedReason.OUT_OF_REACH, "no hangar has a drone and an operating window that reach it")


def unserved(task: InspectionTask, reason: UnservedReason, detail: str) -> UnservedTask:
    return UnservedTask(task_id=task.task_id, target_id=task.target_id, reason=reason, detail=detail,
                        coordinates=task.coordinates)
