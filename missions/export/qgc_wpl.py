"""QGC WPL 110 plain-text missions (QGroundControl, Mission Planner, MAVProxy), one file per sortie.

Tab-separated: INDEX CURRENT_WP COORD_FRAME COMMAND P1 P2 P3 P4 LAT LON ALT AUTOCONTINUE; line 0 is home.
"""
from __future__ import annotations

import logging
from pathlib import Path

from missions.export.common import sortie_speeds, write_per_sortie
from missions.export.mavlink_items import FRAME_GLOBAL, NAV_WAYPOINT, EndCommand, MissionItem, mission_items
from missions.models import MissionPlan, Scenario, Sortie

logger = logging.getLogger(__name__)

HEADER = "QGC WPL 110"
SUFFIX = ".waypoints"
COLUMNS = 12


def _number(value: float | None) -> str:
    # repr round-trips a float exactly; an unset parameter is 0 in this format.
    return repr(float(value)) if value is not None else "0.0"


def _row(index: int, current: int, item: MissionItem) -> str:
    """One mission line; the file's LAT-before-LON column order is decided here only."""
    fields = [str(index), str(current), str(item.frame), str(item.command), *map(_number, item.params),
              _number(item.lat), _number(item.lon), _number(item.alt_m), "1"]
    return "\t".join(fields)


def wpl_text(sortie: Sortie, scenario: Scenario | None, *, end: EndCommand = "land") -> str:
    items = mission_items(sortie, sortie_speeds(sortie, scenario), end)
    hangar = sortie.waypoints[0]
    # Line 0 is the home position in the absolute frame (altitude unknown here: 0); it is the current item.
    home = MissionItem(NAV_WAYPOINT, FRAME_GLOBAL, (0.0, 0.0, 0.0, 0.0), hangar.lon, hangar.lat, 0.0, 0)
    lines = [HEADER, _row(0, 1, home)]
    lines += [_row(n, 0, item) for n, item in enumerate(items, start=1)]
    return "\n".join(lines) + "\n"


def write_wpl_files(plan: MissionPlan, scenario: Scenario | None, out_dir: Path, *,
                    end: EndCommand = "land") -> list[Path]:
    """One `<sortie_id>.waypoints` per sortie in `out_dir`; returns the paths written."""
    return write_per_sortie(plan, scenario, out_dir, "QGC WPL", SUFFIX, lambda sortie: wpl_text(sortie, scenario, end=end))
