"""QGroundControl `.plan` (JSON, file version 1) per sortie: mission items, keep-out geofence, no rally points.

The only place in this package that writes `[lat, lon]`: see `_lat_lon`. Fences come from missions.export.fences.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from missions.export.common import active_keep_out_zones, sortie_speeds, write_per_sortie
from missions.export.fences import FENCE_CLEARANCE_M, Fence, Unfenced, sortie_fences
from missions.export.mavlink_items import FRAME_MISSION, EndCommand, MissionItem, mission_items
from missions.models import MissionPlan, Scenario, Sortie


GROUND_STATION = "lowalt"
FIRMWARE_PX4 = 12  # MAV_AUTOPILOT_PX4; ArduPilot is 3
VEHICLE_QUADROTOR = 2  # MAV_TYPE_QUADROTOR
ALTITUDE_MODE_RELATIVE = 1  # QGC AltitudeMode: relative to launch, matches MAV_FRAME_GLOBAL_RELATIVE_ALT
SUFFIX = ".plan"
METADATA_KEY = "lowalt"  # foreign member: QGC and MAVSDK read the keys they know and ignore the rest


def _lat_lon(lon: float, lat: float) -> list[float]:
    """(lon, lat) -> QGC's [lat, lon]; every coordinate this module writes passes through here."""
    return [lat, lon]


def _item_json(item: MissionItem, jump_id: int) -> dict[str, Any]:
    lat, lon = _lat_lon(item.lon, item.lat)
    has_position = item.frame != FRAME_MISSION
    params = list(item.params) + ([lat, lon, item.alt_m] if has_position else [0.0, 0.0, 0.0])
    data: dict[str, Any] = {
        "autoContinue": True,
        "command": item.command,
        "doJumpId": jump_id,
        "frame": item.frame,
        "params": params,
        "type": "SimpleItem",
    }
    if has_position:
        data.update({"AMSLAltAboveTerrain": None, "Altitude": item.alt_m, "AltitudeMode": ALTITUDE_MODE_RELATIVE})
    return data


def _fence_polygons(fences: list[Fence]) -> list[dict[str, Any]]:
    return [{"inclusion": False, "polygon": [_lat_lon(lon, lat) for lon, lat in ring], "version": 1}
            for fence in fences for ring in fence.rings]


def _fence_metadata(fences: list[Fence], unfenced: list[Unfenced]) -> dict[str, Any]:
    """What the fence polygons mean, in the file: QGC's format has no place for a clearance."""
    return {
        "clearance_m": FENCE_CLEARANCE_M,
        "rule": "each exclusion polygon lies clearance_m outside its zone's true outline (arcs included); "
                "offset_m is from the zone polygon as listed; closer paths narrow the clearance",
        "zones": [{"zone": f.zone_id, "polygons": len(f.rings), "clearance_m": f.clearance_m,
                   "arc_bulge_m": f.arc_bulge_m, "offset_m": f.offset_m} for f in fences],
        "not_fenced": [{"zone": u.zone_id, "reason": u.reason} for u in unfenced],
    }


def plan_json(sortie: Sortie, scenario: Scenario | None, *, end: EndCommand = "land",
              firmware_type: int = FIRMWARE_PX4) -> dict[str, Any]:
    """The `.plan` document of one sortie as a JSON-ready dict."""
    speeds = sortie_speeds(sortie, scenario)
    items = mission_items(sortie, speeds, end)
    home = sortie.waypoints[0]
    fences, unfenced = sortie_fences(sortie, active_keep_out_zones(sortie, scenario))
    return {
        "fileType": "Plan",
        "version": 1,
        "groundStation": GROUND_STATION,
        "mission": {
            "version": 2,
            "firmwareType": firmware_type,
            "vehicleType": VEHICLE_QUADROTOR,
            "cruiseSpeed": speeds.cruise_ms,
            "hoverSpeed": speeds.cruise_ms,  # a multirotor's mission speed in QGC
            "globalPlanAltitudeMode": ALTITUDE_MODE_RELATIVE,
            # The hangar's AMSL height is not in the plan; 0 keeps relative altitudes exact.
            "plannedHomePosition": _lat_lon(home.lon, home.lat) + [0.0],
            "items": [_item_json(item, n) for n, item in enumerate(items, start=1)],
        },
        "geoFence": {"version": 2, "circles": [], "polygons": _fence_polygons(fences)},
        "rallyPoints": {"version": 2, "points": []},
        METADATA_KEY: {"geofence": _fence_metadata(fences, unfenced)},
    }


def write_qgc_plans(plan: MissionPlan, scenario: Scenario | None, out_dir: Path, *,
                    end: EndCommand = "land") -> list[Path]:
    """One `<sortie_id>.plan` per sortie in `out_dir`; returns the paths written."""
    # allow_nan=False: a NaN would make a file QGC refuses; fail here instead.
    return write_per_sortie(plan, scenario, out_dir, "QGC .plan", SUFFIX, lambda sortie: json.dumps(
        plan_json(sortie, scenario, end=end), indent=2, allow_nan=False) + "\n")
