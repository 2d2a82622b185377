"""What a DJI drone's gimbal and camera do along a sortie: gimbal pitch per target kind, photo interval, action groups.

Plain data for missions.export.dji_wpml to write; placemark n is sortie vertex n + 1 (the airborne vertices).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Literal, Mapping

from missions.export.dji_products import DjiProduct, product_for
from missions.models import DroneModel, Sortie, TargetKind

logger = logging.getLogger(__name__)

# Every kind lowalt plans is seen from straight above: corridors and shorelines are imaged nadir, and a point
# target is hovered directly over, so an oblique camera would look 50-80 m past it (oblique needs a stand-off
# vertex, which the planner does not make). One table, so a kind flown oblique is one entry.
GIMBAL_PITCH_DEG: dict[str, float] = {"river": -90.0, "road": -90.0, "pipeline": -90.0, "shoreline": -90.0,
                                      "point": -90.0}
DEFAULT_PITCH_DEG = -90.0  # an inspection whose task is not in the plan
PHOTO_ASPECT = 0.75  # along-track over across-track footprint: DJI's 4:3 sensors, long side across the track
Capture = Literal["photo", "video"]
_SUFFIX_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class ProfileSettings:
    """One drone profile as a DJI dock flies it: the product it declares and how its camera records."""

    model_id: str
    product: DjiProduct
    capture: Capture
    forward_overlap: float
    footprint_per_m: float | None  # across-track ground width per metre of height (None: no camera in the profile)

    def photo_interval_m(self, height_m: float) -> float:
        """Distance between photos along a stretch: the along-track footprint less the forward overlap."""
        assert self.footprint_per_m is not None
        return round(height_m * self.footprint_per_m * PHOTO_ASPECT * (1 - self.forward_overlap), 1)


def profile_settings(model: DroneModel | None, model_id: str) -> ProfileSettings:
    """Settings from the profile's `dji` block, defaults where it says nothing (see DjiProduct and DjiProfile)."""
    dji = model.dji if model is not None else None
    product = product_for(model_id, dji.aircraft if dji else None, dji.payload if dji else None)
    if product.source == "default":
        logger.warning("drone model %r names no DJI aircraft and has no dji block: WPML declares %s (%s)",
                       model_id, product.aircraft.name, product.aircraft_key)
    capture: Capture = dji.capture if dji else "photo"
    camera = model.camera if model is not None else None
    if capture == "photo" and camera is None:
        logger.warning("drone model %r has no camera to size a photo interval: its WPML records video instead",
                       model_id)
        capture = "video"
    footprint = camera.sensor_width_mm / camera.focal_length_mm if camera is not None else None
    return ProfileSettings(model_id, product, capture, dji.forward_overlap if dji else 0.6, footprint)


@dataclass(frozen=True)
class Action:
    func: str  # WPML actionActuatorFunc: gimbalRotate | takePhoto | startRecord | stopRecord | hover
    pitch_deg: float | None = None  # gimbalRotate
    hover_s: float | None = None  # hover
    file_suffix: str | None = None  # takePhoto / startRecord: names the media after the task


@dataclass(frozen=True)
class ActionGroup:
    start: int  # placemark index where the group takes effect
    end: int
    trigger: str  # reachPoint | multipleDistance
    actions: tuple[Action, ...]
    interval_m: float | None = None  # multipleDistance: one photo every interval_m


def _suffix(task_id: str) -> str:
    return _SUFFIX_UNSAFE.sub("_", task_id).strip("_") or "task"


def action_groups(sortie: Sortie, kinds: Mapping[str, TargetKind], settings: ProfileSettings) -> list[ActionGroup]:
    """Gimbal, camera and hover actions of one sortie, in placemark order."""
    groups: list[ActionGroup] = []
    on_station: set[int] = set()
    for inspection in sortie.inspections:
        first, last = inspection.first_index - 1, inspection.last_index - 1
        pitch = GIMBAL_PITCH_DEG.get(kinds.get(inspection.task_id, ""), DEFAULT_PITCH_DEG)
        aim = Action("gimbalRotate", pitch_deg=pitch)
        suffix = _suffix(inspection.task_id)
        if first == last:  # a point: on station for its hover time
            hover_s = sortie.waypoints[inspection.first_index].hover_s
            hold = (Action("hover", hover_s=hover_s),) if hover_s > 0 else ()
            record = ((Action("takePhoto", file_suffix=suffix), *hold) if settings.capture == "photo"
                      else (Action("startRecord", file_suffix=suffix), *hold, Action("stopRecord")))
            groups.append(ActionGroup(first, first, "reachPoint", (aim, *record)))
            on_station.add(first)
            continue
        if settings.capture == "photo":
            interval = settings.photo_interval_m(sortie.waypoints[inspection.first_index].alt_m)
            groups.append(ActionGroup(first, first, "reachPoint", (aim,)))
            groups.append(ActionGroup(first, last, "multipleDistance", (Action("takePhoto", file_suffix=suffix),),
                                      interval_m=interval))
        else:
            groups.append(ActionGroup(first, first, "reachPoint", (aim, Action("startRecord", file_suffix=suffix))))
            groups.append(ActionGroup(last, last, "reachPoint", (Action("stopRecord"),)))
    for n, wp in enumerate(sortie.waypoints[1:-1]):
        if wp.hover_s > 0 and n not in on_station:  # waiting for a window, or time on station after a stretch
            groups.append(ActionGroup(n, n, "reachPoint", (Action("hover", hover_s=wp.hover_s),)))
    # Stable order: by placemark, a stretch's stop before the next one's start.
    return sorted(groups, key=lambda g: (g.start, g.trigger != "reachPoint" or g.actions[0].func != "stopRecord"))
