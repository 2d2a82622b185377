"""Why an urgent task no drone flies could not be flown by its deadline: each drone within reach, when it is free
(its landing and recharge, or its outage) and the earliest it could be over the task, against the deadline.

The earliest is a true lower bound: climb, a straight line at cruise speed (route speeds are held over the ground,
so no wind makes a drone faster), the descent, and the inspection itself.
"""
from __future__ import annotations

import numpy as np

from missions.models import InspectionTask, Sortie, UnservedReason, UnservedTask
from planner.fleet.city import City
from planner.problem.availability import DroneTime
from planner.replan.changes import clock


def explain_urgent(item: UnservedTask, city: City, free: dict[str, DroneTime], kept: list[Sortie]) -> UnservedTask:
    """`item` (an urgent task left unserved) with a reason naming, per drone within reach, why it cannot be over the
    task before its deadline; unchanged when some drone could be (the planner's own reason then says more)."""
    if item.task_id not in city.tasks or item.reason == UnservedReason.CANCELLED:
        return item
    task = city.tasks[item.task_id].task
    if task.window is None:
        return item
    deadline = task.window.end_s
    scenario = city.scenario
    xy = city.projector.forward(np.array([c[0] for c in task.coordinates]), np.array([c[1] for c in task.coordinates]))
    ends = np.column_stack(xy)[[0, -1]]
    landed: dict[str, float] = {}
    for sortie in kept:
        landed[sortie.drone_id] = max(landed.get(sortie.drone_id, 0.0), scenario.seconds_after_midnight(sortie.landing))
    parts: list[str] = []
    for index in city.reach[task.task_id].hangars:
        hangar = scenario.hangars[index]
        model = scenario.drone_model(hangar.drone_model)
        hx, hy = city.projector.forward(hangar.lon, hangar.lat)
        far = float(np.min(np.hypot(ends[:, 0] - hx, ends[:, 1] - hy)))
        reach_s = (city.transit_m / model.climb_speed_ms + far / model.cruise_speed_ms
                   + abs(city.transit_m - task.altitude_m) / model.descent_rate_ms + _inspection_s(task, model))
        for drone in hangar.drone_ids():
            out = [o for o in hangar.outages if o.covers(drone) and o.start_s <= city.window[0] < o.end_s]
            spans = [(a, b) for a, b in free[drone].free if b > a] if drone in free else []
            if out:
                parts.append(f"{drone} is out of service from {out[0].start}"
                             + (f" ({out[0].reason})" if out[0].reason else ""))
                continue
            if not spans or free[drone].sorties_left <= 0:
                parts.append(f"{drone} has no free time left" if spans == [] else f"{drone} has flown its sorties")
                continue
            start = spans[0][0]
            done = start + reach_s
            if done <= deadline:
                return item  # this drone could make it: the planner's reason is the telling one
            why = (f"lands at {clock(landed[drone])}, {hangar.recharge_min:g} min recharge"
                   if drone in landed and landed[drone] + hangar.recharge_min * 60.0 >= start - 1 else "")
            parts.append(f"{drone} is free at {clock(start)}" + (f" ({why})" if why else "")
                         + f" and done with it at {clock(done)} at the earliest")
    if not parts:
        return item
    detail = f"no drone within reach can inspect it by its {clock(deadline)} deadline: " + "; ".join(parts)
    return item.model_copy(update={"reason": UnservedReason.WINDOW_IMPOSSIBLE, "detail": detail})


def _inspection_s(task: InspectionTask, model) -> float:
    return task.length_m / model.inspection_speed_ms + task.hover_s
