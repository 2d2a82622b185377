"""DJI WPML route files (`.kmz` holding wpmz/template.kml and wpmz/waylines.wpml) for DJI Dock 2/3 and Pilot 2.

Built with ElementTree only, so every piece of text is escaped by the XML writer.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.etree import ElementTree as ET

from missions.export.common import (
    check_sortie_shape, inspection_legs, leg_lengths_m, sortie_speeds, write_per_sortie,
)
from missions.models import MissionPlan, Scenario, Sortie

logger = logging.getLogger(__name__)

KML_NS = "http://www.opengis.net/kml/2.2"
# 1.0.2 is the version in DJI's published samples; DJI Pilot 2 and FlightHub 2 now write 1.0.6 and read both.
WPML_NS = "http://www.dji.com/wpmz/1.0.6"
TEMPLATE_ENTRY = "wpmz/template.kml"
WAYLINES_ENTRY = "wpmz/waylines.wpml"
SUFFIX = ".kmz"

MIN_SPEED_MS, MAX_SPEED_MS = 1.0, 15.0  # WPML route speed range
MIN_SECURITY_HEIGHT_M, MAX_SECURITY_HEIGHT_M = 8.0, 1500.0  # takeOffSecurityHeight range for docks
# (droneEnumValue, droneSubEnumValue) from DJI Cloud API "product support"; keyed by lower-case model id.
DJI_DRONES = {"m3d": (91, 0), "m3td": (91, 1), "m4d": (100, 0), "m4td": (100, 1)}
DEFAULT_DRONE = "m3d"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

RcLost = Literal["goContinue", "executeLostAction"]
ET.register_namespace("wpml", WPML_NS)


def _k(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _w(tag: str) -> str:
    return f"{{{WPML_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = _text(text)
    return element


def _text(value: object) -> str:
    if isinstance(value, float):
        return repr(round(value, 9)) if value != int(value) else str(int(value))
    return str(value)


def clamp_speed(speed_ms: float, what: str, sortie_id: str) -> float:
    """Clamp to the WPML speed range, saying so: a silently slower leg breaks the plan's timing."""
    clamped = min(max(speed_ms, MIN_SPEED_MS), MAX_SPEED_MS)
    if clamped != speed_ms:
        logger.warning("sortie %s: %s %.2f m/s clamped to %.1f m/s (WPML allows %g-%g)",
                       sortie_id, what, speed_ms, clamped, MIN_SPEED_MS, MAX_SPEED_MS)
    return clamped


@dataclass(frozen=True)
class _Route:
    """What both WPML files say about one sortie, computed once."""

    sortie: Sortie
    indices: list[int]  # sortie vertex of each placemark, in order
    speeds: list[float]  # leg speed leaving each placemark (clamped)
    cruise_ms: float
    drone: tuple[int, int]
    distance_m: float


def _route(sortie: Sortie, scenario: Scenario | None) -> _Route:
    check_sortie_shape(sortie)
    raw = sortie_speeds(sortie, scenario)
    cruise = clamp_speed(raw.cruise_ms, "cruise speed", sortie.sortie_id)
    inspect = clamp_speed(raw.inspection_ms, "inspection speed", sortie.sortie_id)
    slow = inspection_legs(sortie)
    # Placemarks are the airborne vertices: the dock takes off and lands by itself (finishAction goHome).
    indices = list(range(1, len(sortie.waypoints) - 1))
    key = sortie.drone_model.lower()
    if key not in DJI_DRONES:
        logger.warning("sortie %s: drone model %r has no DJI enum; declaring %s", sortie.sortie_id,
                       sortie.drone_model, DEFAULT_DRONE)
    legs = leg_lengths_m(sortie)
    return _Route(sortie, indices, [inspect if i in slow else cruise for i in indices], cruise,
                  DJI_DRONES.get(key, DJI_DRONES[DEFAULT_DRONE]), sum(legs[i] for i in indices[:-1]))


def _mission_config(parent: ET.Element, route: _Route, rc_lost: RcLost) -> None:
    wps = route.sortie.waypoints
    config = _sub(parent, _w("missionConfig"))
    _sub(config, _w("flyToWaylineMode"), "safely")
    _sub(config, _w("finishAction"), "goHome")
    _sub(config, _w("exitOnRCLost"), rc_lost)
    _sub(config, _w("executeRCLostAction"), "goBack")
    security = min(max(wps[1].alt_m, MIN_SECURITY_HEIGHT_M), MAX_SECURITY_HEIGHT_M)
    _sub(config, _w("takeOffSecurityHeight"), float(security))
    _sub(config, _w("globalTransitionalSpeed"), route.cruise_ms)
    # Return-to-home at the sortie's own top height: never above what the plan was verified for.
    _sub(config, _w("globalRTHHeight"), float(max(w.alt_m for w in wps)))
    drone = _sub(config, _w("droneInfo"))
    _sub(drone, _w("droneEnumValue"), route.drone[0])
    _sub(drone, _w("droneSubEnumValue"), route.drone[1])


def _placemark_common(folder: ET.Element, route: _Route, n: int) -> ET.Element:
    wp = route.sortie.waypoints[route.indices[n]]
    placemark = _sub(folder, _k("Placemark"))
    point = _sub(placemark, _k("Point"))
    _sub(point, _k("coordinates"), f"{wp.lon!r},{wp.lat!r}")
    _sub(placemark, _w("index"), n)
    return placemark


def _hover_action(placemark: ET.Element, route: _Route, n: int, group_id: int) -> bool:
    wp = route.sortie.waypoints[route.indices[n]]
    if wp.hover_s <= 0:
        return False
    group = _sub(placemark, _w("actionGroup"))
    _sub(group, _w("actionGroupId"), group_id)
    _sub(group, _w("actionGroupStartIndex"), n)
    _sub(group, _w("actionGroupEndIndex"), n)
    _sub(group, _w("actionGroupMode"), "sequence")
    _sub(_sub(group, _w("actionTrigger")), _w("actionTriggerType"), "reachPoint")
    action = _sub(group, _w("action"))
    _sub(action, _w("actionId"), 0)
    _sub(action, _w("actionActuatorFunc"), "hover")
    _sub(_sub(action, _w("actionActuatorFuncParam")), _w("hoverTime"), float(wp.hover_s))
    return True


def _turn_and_heading(placemark: ET.Element) -> None:
    heading = _sub(placemark, _w("waypointHeadingParam"))
    _sub(heading, _w("waypointHeadingMode"), "followWayline")
    _sub(heading, _w("waypointHeadingAngle"), 0)
    _sub(heading, _w("waypointPoiPoint"), "0.000000,0.000000,0.000000")
    _sub(heading, _w("waypointHeadingAngleEnable"), 0)
    _sub(heading, _w("waypointHeadingPathMode"), "followBadArc")
    turn = _sub(placemark, _w("waypointTurnParam"))
    # Stop on each vertex and fly straight: a rounded corner could clip a zone the verified path avoids.
    _sub(turn, _w("waypointTurnMode"), "toPointAndStopWithDiscontinuityCurvature")
    _sub(turn, _w("waypointTurnDampingDist"), 0)
    _sub(placemark, _w("useStraightLine"), 1)


def template_kml(route: _Route, *, created: dt.datetime, rc_lost: RcLost = "goContinue") -> ET.Element:
    """template.kml: the editable waypoint template DJI Pilot 2 / FlightHub 2 open."""
    root = ET.Element(_k("kml"))
    document = _sub(root, _k("Document"))
    stamp = int(created.timestamp() * 1000)
    _sub(document, _w("author"), "lowalt")
    _sub(document, _w("createTime"), stamp)
    _sub(document, _w("updateTime"), stamp)
    _mission_config(document, route, rc_lost)
    folder = _sub(document, _k("Folder"))
    _sub(folder, _w("templateType"), "waypoint")
    _sub(folder, _w("templateId"), 0)
    coordinate_sys = _sub(folder, _w("waylineCoordinateSysParam"))
    _sub(coordinate_sys, _w("coordinateMode"), "WGS84")
    _sub(coordinate_sys, _w("heightMode"), "relativeToStartPoint")
    _sub(folder, _w("autoFlightSpeed"), route.cruise_ms)
    _sub(folder, _w("globalHeight"), float(route.sortie.waypoints[1].alt_m))
    _sub(folder, _w("caliFlightEnable"), 0)
    _sub(folder, _w("gimbalPitchMode"), "manual")
    global_heading = _sub(folder, _w("globalWaypointHeadingParam"))
    _sub(global_heading, _w("waypointHeadingMode"), "followWayline")
    _sub(folder, _w("globalWaypointTurnMode"), "toPointAndStopWithDiscontinuityCurvature")
    _sub(folder, _w("globalUseStraightLine"), 1)
    group_id = 0
    for n, index in enumerate(route.indices):
        placemark = _placemark_common(folder, route, n)
        _sub(placemark, _w("height"), float(route.sortie.waypoints[index].alt_m))
        _sub(placemark, _w("useGlobalHeight"), 0)
        _sub(placemark, _w("waypointSpeed"), route.speeds[n])
        _sub(placemark, _w("useGlobalSpeed"), 0)
        _sub(placemark, _w("useGlobalHeadingParam"), 1)
        _sub(placemark, _w("useGlobalTurnParam"), 1)
        _sub(placemark, _w("useStraightLine"), 1)
        group_id += _hover_action(placemark, route, n, group_id)
    return root


def waylines_wpml(route: _Route, *, rc_lost: RcLost = "goContinue") -> ET.Element:
    """waylines.wpml: the file the aircraft executes."""
    root = ET.Element(_k("kml"))
    document = _sub(root, _k("Document"))
    _mission_config(document, route, rc_lost)
    folder = _sub(document, _k("Folder"))
    _sub(folder, _w("templateId"), 0)
    _sub(folder, _w("executeHeightMode"), "relativeToStartPoint")
    _sub(folder, _w("waylineId"), 0)
    _sub(folder, _w("distance"), round(route.distance_m, 1))
    _sub(folder, _w("duration"), round(route.sortie.flight_time_s, 1))
    _sub(folder, _w("autoFlightSpeed"), route.cruise_ms)
    group_id = 0
    for n, index in enumerate(route.indices):
        placemark = _placemark_common(folder, route, n)
        _sub(placemark, _w("executeHeight"), float(route.sortie.waypoints[index].alt_m))
        _sub(placemark, _w("waypointSpeed"), route.speeds[n])
        _turn_and_heading(placemark)
        group_id += _hover_action(placemark, route, n, group_id)
    return root


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=False, default_namespace=KML_NS)
    return XML_DECLARATION + body + b"\n"


def kmz_bytes(sortie: Sortie, scenario: Scenario | None, *, created: dt.datetime | None = None,
              rc_lost: RcLost = "goContinue") -> bytes:
    """The `.kmz` archive of one sortie: exactly wpmz/template.kml and wpmz/waylines.wpml."""
    route = _route(sortie, scenario)
    created = created or dt.datetime.now(dt.timezone.utc)
    buffer = io.BytesIO()
    stamp = created.astimezone(dt.timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, root in ((TEMPLATE_ENTRY, template_kml(route, created=created, rc_lost=rc_lost)),
                           (WAYLINES_ENTRY, waylines_wpml(route, rc_lost=rc_lost))):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, _xml_bytes(root))
    return buffer.getvalue()


def write_wpml_kmz(plan: MissionPlan, scenario: Scenario | None, out_dir: Path, *,
                   created: dt.datetime | None = None, rc_lost: RcLost = "goContinue") -> list[Path]:
    """One `<sortie_id>.kmz` per sortie in `out_dir`; returns the paths written."""
    return write_per_sortie(plan, scenario, out_dir, "DJI WPML .kmz", SUFFIX,
                            lambda sortie: kmz_bytes(sortie, scenario, created=created, rc_lost=rc_lost))


@dataclass(frozen=True)
class WpmlWaypoint:
    index: int
    lon: float
    lat: float
    height_m: float
    speed_ms: float
    hover_s: float


def read_wpml_kmz(path: Path) -> tuple[ET.Element, ET.Element]:
    """(template.kml root, waylines.wpml root) of a `.kmz`; raises ValueError naming the file and entry."""
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        if names != sorted([TEMPLATE_ENTRY, WAYLINES_ENTRY]):
            raise ValueError(f"{path}: entries {names}: expected exactly {TEMPLATE_ENTRY} and {WAYLINES_ENTRY}")
        roots = []
        for name in (TEMPLATE_ENTRY, WAYLINES_ENTRY):
            try:
                roots.append(ET.fromstring(archive.read(name)))
            except ET.ParseError as exc:
                raise ValueError(f"{path}: {name}: not well-formed XML: {exc}") from None
    return roots[0], roots[1]


def waypoints_from_waylines(root: ET.Element) -> list[WpmlWaypoint]:
    """The executed waypoints of a waylines.wpml root, in index order."""
    ns = {"kml": KML_NS, "wpml": WPML_NS}
    out = []
    for placemark in root.iterfind("kml:Document/kml:Folder/kml:Placemark", ns):
        lon, lat = (float(v) for v in placemark.findtext("kml:Point/kml:coordinates", "", ns).split(","))
        hover = placemark.findtext(".//wpml:action[wpml:actionActuatorFunc='hover']"
                                   "/wpml:actionActuatorFuncParam/wpml:hoverTime", "0", ns)
        out.append(WpmlWaypoint(int(placemark.findtext("wpml:index", "", ns)), lon, lat,
                                float(placemark.findtext("wpml:executeHeight", "", ns)),
                                float(placemark.findtext("wpml:waypointSpeed", "", ns)), float(hover)))
    return sorted(out, key=lambda w: w.index)
