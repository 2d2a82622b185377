"""A sortie as MAVLink mission items (MAV_CMD), shared by the QGC .plan and QGC WPL writers.

Items keep (lon, lat); each writer puts them in its file's order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from missions.export.common import SortieSpeeds, check_sortie_shape, leg_speeds
from missions.models import Sortie

# MAV_CMD values (mavlink common.xml)
NAV_WAYPOINT = 16
NAV_RETURN_TO_LAUNCH = 20
NAV_LAND = 21
NAV_TAKEOFF = 22
DO_CHANGE_SPEED = 178

# MAV_FRAME values
FRAME_GLOBAL = 0  # absolute (AMSL) altitude; QGC WPL writes the home line in it
FRAME_MISSION = 2  # command without a position (DO_* items)
FRAME_GLOBAL_RELATIVE_ALT = 3  # altitude above the home (takeoff) point: our alt_m

SPEED_TYPE_GROUND = 1  # DO_CHANGE_SPEED param1: the plan's times are ground times
THROTTLE_UNCHANGED = -1.0

EndCommand = Literal["land", "rtl"]


@dataclass(frozen=True)
class MissionItem:
    command: int
    frame: int
    params: tuple[float | None, float | None, float | None, float | None]  # param1..param4; None: "unset"
    lon: float
    lat: float
    alt_m: float
    waypoint_index: int | None = None  # the sortie vertex this item flies to, if any


def _speed(speed_ms: float) -> MissionItem:
    return MissionItem(DO_CHANGE_SPEED, FRAME_MISSION, (SPEED_TYPE_GROUND, speed_ms, THROTTLE_UNCHANGED, 0.0),
                       0.0, 0.0, 0.0)


def mission_items(sortie: Sortie, speeds: SortieSpeeds, end: EndCommand = "land") -> list[MissionItem]:
    """Takeoff to the climb vertex, every airborne vertex, a speed change wherever the next leg's planned ground
    speed differs (inspected stretches, legs the wind slowed), then land/RTL."""
    check_sortie_shape(sortie)
    wps = sortie.waypoints
    per_leg = leg_speeds(sortie, speeds)
    climb = wps[1]
    items = [
        # Yaw (param4) unset: the autopilot keeps its heading policy.
        MissionItem(NAV_TAKEOFF, FRAME_GLOBAL_RELATIVE_ALT, (0.0, 0.0, 0.0, None), climb.lon, climb.lat, climb.alt_m, 1),
        _speed(per_leg[1]),
    ]
    asked = per_leg[1]
    for index in range(2, len(wps) - 1):
        wp = wps[index]
        # param1 hold time: a point target's time on station; param2 acceptance radius 0 = autopilot default.
        items.append(MissionItem(NAV_WAYPOINT, FRAME_GLOBAL_RELATIVE_ALT, (float(wp.hover_s), 0.0, 0.0, None),
                                 wp.lon, wp.lat, wp.alt_m, index))
        if index < len(wps) - 2 and per_leg[index] != asked:
            asked = per_leg[index]
            items.append(_speed(asked))
    last = len(wps) - 1
    if end == "rtl":
        items.append(MissionItem(NAV_RETURN_TO_LAUNCH, FRAME_MISSION, (0.0, 0.0, 0.0, 0.0), 0.0, 0.0, 0.0, last))
    else:
        home = wps[-1]
        items.append(MissionItem(NAV_LAND, FRAME_GLOBAL_RELATIVE_ALT, (0.0, 0.0, 0.0, None), home.lon, home.lat,
                                 0.0, last))
    return items
