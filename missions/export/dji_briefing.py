"""What a DJI dock will do with lowalt's WPML files, per drone profile: speeds, heights, camera, return home.

Text for `lowalt export --format wpml` and the user guide, computed from the same pieces the writer uses.
"""
from __future__ import annotations

from collections import defaultdict

from missions.export.common import sortie_speeds
from missions.export.dji_actions import GIMBAL_PITCH_DEG, action_groups
from missions.export.dji_wpml import (
    HEIGHT_MODE, WPML_VERSION, clamp_speed, rth_height_m, security_height_m, settings_for,
)
from missions.models import MissionPlan, Scenario


def _span(values: list[float], unit: str, digits: int = 1) -> str:
    low, high = min(values), max(values)
    return f"{low:.{digits}f} {unit}" if round(low, digits) == round(high, digits) else \
        f"{low:.{digits}f}-{high:.{digits}f} {unit}"


def _pitch_words(pitch: float) -> str:
    return f"{pitch:g} deg ({'nadir' if pitch == -90 else 'oblique'})"


def dock_briefing(plan: MissionPlan, scenario: Scenario | None) -> list[str]:
    """Lines telling an operator what the dock flies for each drone profile of the plan's sorties."""
    kinds = {task.task_id: task.kind for task in plan.tasks}
    by_model = defaultdict(list)
    for sortie in plan.sorties:
        by_model[sortie.drone_model].append(sortie)
    lines = [f"DJI WPML {WPML_VERSION}: what the dock flies, per drone profile"]
    for model_id, sorties in sorted(by_model.items()):
        settings = settings_for(model_id, scenario)
        product = settings.product
        aircraft, payload = product.aircraft, product.payload
        chosen = {"profile": "its dji block", "profile id": "its id", "default": "the default: no dji block"}
        lines.append(f"- {model_id}: {aircraft.name} (droneEnumValue {aircraft.enum}/{aircraft.sub_enum}) with the "
                     f"{payload.name} (payloadEnumValue {payload.enum}), for {aircraft.gateway}; "
                     f"chosen by {chosen[product.source]}; {len(sorties)} sorties")
        cruise, inspect = [], []
        for sortie in sorties:
            speeds = sortie_speeds(sortie, scenario)
            cruise.append(clamp_speed(speeds.cruise_ms, "cruise speed", sortie.sortie_id, warn=False))
            inspect.append(clamp_speed(speeds.inspection_ms, "inspection speed", sortie.sortie_id, warn=False))
        heights = [w.alt_m for s in sorties for w in s.waypoints[1:-1]]
        lines.append(f"  speeds over the ground, as planned: transit {_span(cruise, 'm/s')}, "
                     f"inspection stretches {_span(inspect, 'm/s')}")
        lines.append(f"  heights above the dock ({HEIGHT_MODE}): {_span(heights, 'm', 0)}; climbs to "
                     f"{_span([security_height_m(s) for s in sorties], 'm', 0)} over the dock before the first leg; "
                     "straight legs, stopping at every vertex")
        groups = [g for s in sorties for g in action_groups(s, kinds, settings)]
        intervals = [g.interval_m for g in groups if g.interval_m is not None]
        pitches = sorted({a.pitch_deg for g in groups for a in g.actions if a.pitch_deg is not None})
        hovers = [a.hover_s for g in groups for a in g.actions if a.func == "hover"]
        if settings.capture == "photo":
            record = (f"a photo every {_span(intervals, 'm')} along each stretch ({settings.forward_overlap:.0%} "
                      "forward overlap), one photo on arrival at a point") if intervals else "one photo per point"
        else:
            record = "video from the start to the end of each stretch and while on station at a point"
        gimbal = ", ".join(_pitch_words(p) for p in pitches) or "no stretch"
        lines.append(f"  camera ({payload.lenses}): gimbal {gimbal}; {record}"
                     + (f"; hovers {_span(hovers, 's', 0)} (on points, and where the plan waits for a window)"
                        if hovers else ""))
        lines.append(f"  after the last vertex: goHome at {_span([rth_height_m(s) for s in sorties], 'm', 0)} "
                     "(globalRTHHeight); link lost: keeps flying the route. A return-to-home flies straight to the "
                     "dock at that height, not along the planned detours around zones")
    kinds_line = ", ".join(f"{kind} {pitch:g}" for kind, pitch in GIMBAL_PITCH_DEG.items())
    lines.append(f"gimbal pitch by target kind (deg): {kinds_line}; wpml:ellipsoidHeight equals wpml:height, as DJI "
                 "specifies for heights relative to the take-off point")
    return lines
