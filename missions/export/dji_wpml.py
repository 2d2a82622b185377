"""DJI WPML route files (`.kmz` holding wpmz/template.kml and wpmz/waylines.wpml) for DJI Docks and DJI Pilot 2.

Follows DJI Cloud API "DJI WPML" (template.kml, waylines.wpml, common elements); ElementTree escapes every text.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping
from xml.etree import ElementTree as ET

from missions.export.common import check_sortie_shape, leg_lengths_m, leg_speeds, sortie_speeds, write_per_sortie
from missions.export.dji_actions import Action, ActionGroup, ProfileSettings, action_groups, profile_settings
from missions.export.dji_products import WAYLINE_MAX_SPEED_MS
from missions.models import MissionPlan, Scenario, Sortie, TargetKind

logger = logging.getLogger(__name__)

KML_NS = "http://www.opengis.net/kml/2.2"
WPML_VERSION = "1.0.2"  # the version of DJI's published samples, and the one docks report (wpmz_version)
WPML_NS = f"http://www.dji.com/wpmz/{WPML_VERSION}"
TEMPLATE_ENTRY = "wpmz/template.kml"
WAYLINES_ENTRY = "wpmz/waylines.wpml"
SUFFIX = ".kmz"

MIN_SPEED_MS, MAX_SPEED_MS = 1.0, WAYLINE_MAX_SPEED_MS  # wayline speeds: [1, 15] m/s
MIN_SECURITY_HEIGHT_M, MAX_SECURITY_HEIGHT_M = 8.0, 1500.0  # takeOffSecurityHeight range for docks
MIN_RTH_HEIGHT_M, MAX_RTH_HEIGHT_M = 2.0, 1500.0  # globalRTHHeight range
HEIGHT_MODE = "relativeToStartPoint"  # lowalt heights are above the dock; the drone flies them so
TURN_MODE = "toPointAndStopWithDiscontinuityCurvature"  # straight legs, stop at each vertex: the verified path
HEADING_MODE = "followWayline"
PAYLOAD_POSITION = 0  # the main gimbal
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


def clamp_speed(speed_ms: float, what: str, sortie_id: str, *, warn: bool = True) -> float:
    """Clamp to the WPML speed range, saying so: a silently slower leg breaks the plan's timing."""
    clamped = min(max(speed_ms, MIN_SPEED_MS), MAX_SPEED_MS)
    if clamped != speed_ms and warn:
        logger.warning("sortie %s: %s %.2f m/s clamped to %.1f m/s (WPML allows %g-%g)",
                       sortie_id, what, speed_ms, clamped, MIN_SPEED_MS, MAX_SPEED_MS)
    return clamped


def security_height_m(sortie: Sortie) -> float:
    """takeOffSecurityHeight: the climb vertex's height, within what a dock accepts."""
    return min(max(sortie.waypoints[1].alt_m, MIN_SECURITY_HEIGHT_M), MAX_SECURITY_HEIGHT_M)


def rth_height_m(sortie: Sortie) -> float:
    """globalRTHHeight: the sortie's top height, never above what the plan was verified for."""
    return min(max(max(w.alt_m for w in sortie.waypoints), MIN_RTH_HEIGHT_M), MAX_RTH_HEIGHT_M)


@dataclass(frozen=True)
class _Route:
    """What both WPML files say about one sortie, computed once."""

    sortie: Sortie
    indices: list[int]  # sortie vertex of each placemark, in order
    speeds: list[float]  # ground speed leaving each placemark (clamped)
    cruise_ms: float
    settings: ProfileSettings
    groups: list[ActionGroup]
    distance_m: float


def _route(sortie: Sortie, scenario: Scenario | None, kinds: Mapping[str, TargetKind],
           settings: ProfileSettings) -> _Route:
    check_sortie_shape(sortie)
    raw = sortie_speeds(sortie, scenario)
    cruise = clamp_speed(raw.cruise_ms, "cruise speed", sortie.sortie_id)
    per_leg = leg_speeds(sortie, raw)
    # Placemarks are the airborne vertices: the dock takes off and lands by itself (finishAction goHome).
    indices = list(range(1, len(sortie.waypoints) - 1))
    legs = leg_lengths_m(sortie)
    speeds = [clamp_speed(per_leg[i], f"leg {i} speed", sortie.sortie_id) for i in indices]
    return _Route(sortie, indices, speeds, cruise, settings, action_groups(sortie, kinds, settings),
                  sum(legs[i] for i in indices[:-1]))


def _mission_config(parent: ET.Element, route: _Route, rc_lost: RcLost) -> None:
    config = _sub(parent, _w("missionConfig"))
    _sub(config, _w("flyToWaylineMode"), "safely")
    _sub(config, _w("finishAction"), "goHome")
    _sub(config, _w("exitOnRCLost"), rc_lost)
    _sub(config, _w("executeRCLostAction"), "goBack")
    _sub(config, _w("takeOffSecurityHeight"), float(security_height_m(route.sortie)))
    _sub(config, _w("globalTransitionalSpeed"), route.cruise_ms)
    _sub(config, _w("globalRTHHeight"), float(rth_height_m(route.sortie)))
    product = route.settings.product
    drone = _sub(config, _w("droneInfo"))
    _sub(drone, _w("droneEnumValue"), product.aircraft.enum)
    _sub(drone, _w("droneSubEnumValue"), product.aircraft.sub_enum)
    payload = _sub(config, _w("payloadInfo"))
    _sub(payload, _w("payloadEnumValue"), product.payload.enum)
    _sub(payload, _w("payloadSubEnumValue"), product.payload.sub_enum)
    _sub(payload, _w("payloadPositionIndex"), PAYLOAD_POSITION)


def _placemark(folder: ET.Element, route: _Route, n: int) -> ET.Element:
    wp = route.sortie.waypoints[route.indices[n]]
    placemark = _sub(folder, _k("Placemark"))
    point = _sub(placemark, _k("Point"))
    _sub(point, _k("coordinates"), f"{wp.lon!r},{wp.lat!r}")
    _sub(placemark, _w("index"), n)
    return placemark


def _heading(parent: ET.Element, tag: str) -> None:
    heading = _sub(parent, _w(tag))
    _sub(heading, _w("waypointHeadingMode"), HEADING_MODE)
    _sub(heading, _w("waypointHeadingPathMode"), "followBadArc")


def _action(parent: ET.Element, action_id: int, action: Action, lenses: str) -> None:
    element = _sub(parent, _w("action"))
    _sub(element, _w("actionId"), action_id)
    _sub(element, _w("actionActuatorFunc"), action.func)
    params = _sub(element, _w("actionActuatorFuncParam"))
    if action.func == "hover":
        _sub(params, _w("hoverTime"), float(action.hover_s))
        return
    _sub(params, _w("payloadPositionIndex"), PAYLOAD_POSITION)
    if action.func == "gimbalRotate":
        for tag, value in (("gimbalHeadingYawBase", "north"), ("gimbalRotateMode", "absoluteAngle"),
                           ("gimbalPitchRotateEnable", 1), ("gimbalPitchRotateAngle", float(action.pitch_deg)),
                           ("gimbalRollRotateEnable", 0), ("gimbalRollRotateAngle", 0),
                           ("gimbalYawRotateEnable", 0), ("gimbalYawRotateAngle", 0),
                           ("gimbalRotateTimeEnable", 0), ("gimbalRotateTime", 0)):
            _sub(params, _w(tag), value)
        return
    if action.file_suffix is not None:
        _sub(params, _w("fileSuffix"), action.file_suffix)
    _sub(params, _w("payloadLensIndex"), lenses)
    if action.func != "stopRecord":
        _sub(params, _w("useGlobalPayloadLensIndex"), 0)


def _action_groups(placemark: ET.Element, route: _Route, n: int, ids: dict[int, int]) -> None:
    lenses = route.settings.product.payload.lenses
    for group in route.groups:
        if group.start != n:
            continue
        element = _sub(placemark, _w("actionGroup"))
        _sub(element, _w("actionGroupId"), ids[id(group)])
        _sub(element, _w("actionGroupStartIndex"), group.start)
        _sub(element, _w("actionGroupEndIndex"), group.end)
        _sub(element, _w("actionGroupMode"), "sequence")
        trigger = _sub(element, _w("actionTrigger"))
        _sub(trigger, _w("actionTriggerType"), group.trigger)
        if group.interval_m is not None:
            _sub(trigger, _w("actionTriggerParam"), float(group.interval_m))
        for action_id, action in enumerate(group.actions):
            _action(element, action_id, action, lenses)


def _group_ids(route: _Route) -> dict[int, int]:
    # Unique within the kmz and increasing from 0, in placemark order (the same in both files).
    return {id(group): k for k, group in enumerate(route.groups)}


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
    _sub(coordinate_sys, _w("heightMode"), HEIGHT_MODE)
    _sub(folder, _w("autoFlightSpeed"), route.cruise_ms)
    _sub(folder, _w("globalHeight"), float(route.sortie.waypoints[1].alt_m))
    # The gimbal keeps the pitch its last gimbalRotate set: each stretch sets its own on arrival.
    _sub(folder, _w("gimbalPitchMode"), "manual")
    _heading(folder, "globalWaypointHeadingParam")
    _sub(folder, _w("globalWaypointTurnMode"), TURN_MODE)
    _sub(folder, _w("globalUseStraightLine"), 1)
    payload_param = _sub(folder, _w("payloadParam"))
    _sub(payload_param, _w("payloadPositionIndex"), PAYLOAD_POSITION)
    _sub(payload_param, _w("imageFormat"), route.settings.product.payload.lenses)
    ids = _group_ids(route)
    for n, index in enumerate(route.indices):
        height = float(route.sortie.waypoints[index].alt_m)
        placemark = _placemark(folder, route, n)
        # DJI: with heights relative to the take-off point, ellipsoidHeight and height are the same number.
        _sub(placemark, _w("ellipsoidHeight"), height)
        _sub(placemark, _w("height"), height)
        _sub(placemark, _w("useGlobalHeight"), 0)
        _sub(placemark, _w("waypointSpeed"), route.speeds[n])
        _sub(placemark, _w("useGlobalSpeed"), 0)
        _sub(placemark, _w("useGlobalHeadingParam"), 1)
        _sub(placemark, _w("useGlobalTurnParam"), 1)
        _sub(placemark, _w("useStraightLine"), 1)
        _action_groups(placemark, route, n, ids)
    return root


def waylines_wpml(route: _Route, *, rc_lost: RcLost = "goContinue") -> ET.Element:
    """waylines.wpml: the file the aircraft executes."""
    root = ET.Element(_k("kml"))
    document = _sub(root, _k("Document"))
    _mission_config(document, route, rc_lost)
    folder = _sub(document, _k("Folder"))
    _sub(folder, _w("templateId"), 0)
    _sub(folder, _w("executeHeightMode"), HEIGHT_MODE)
    _sub(folder, _w("waylineId"), 0)
    _sub(folder, _w("distance"), round(route.distance_m, 1))
    _sub(folder, _w("duration"), round(route.sortie.flight_time_s, 1))
    _sub(folder, _w("autoFlightSpeed"), route.cruise_ms)
    ids = _group_ids(route)
    for n, index in enumerate(route.indices):
        placemark = _placemark(folder, route, n)
        _sub(placemark, _w("executeHeight"), float(route.sortie.waypoints[index].alt_m))
        _sub(placemark, _w("waypointSpeed"), route.speeds[n])
        _heading(placemark, "waypointHeadingParam")
        turn = _sub(placemark, _w("waypointTurnParam"))
        # Stop on each vertex and fly straight: a rounded corner could clip a zone the verified path avoids.
        _sub(turn, _w("waypointTurnMode"), TURN_MODE)
        _sub(turn, _w("waypointTurnDampingDist"), 0)
        _sub(placemark, _w("useStraightLine"), 1)
        _action_groups(placemark, route, n, ids)
    return root


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=False, default_namespace=KML_NS)
    return XML_DECLARATION + body + b"\n"


def kmz_bytes(sortie: Sortie, scenario: Scenario | None, *, kinds: Mapping[str, TargetKind] | None = None,
              settings: ProfileSettings | None = None, created: dt.datetime | None = None,
              rc_lost: RcLost = "goContinue") -> bytes:
    """The `.kmz` archive of one sortie: exactly wpmz/template.kml and wpmz/waylines.wpml.

    `kinds` maps task ids to target kinds (the gimbal pitch); `settings` defaults to the sortie's drone profile.
    """
    settings = settings or settings_for(sortie.drone_model, scenario)
    route = _route(sortie, scenario, kinds or {}, settings)
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


def settings_for(model_id: str, scenario: Scenario | None) -> ProfileSettings:
    """The DJI settings of a drone profile (defaults when the scenario or the profile is missing)."""
    model = None
    if scenario is not None:
        try:
            model = scenario.drone_model(model_id)
        except KeyError:
            logger.warning("drone model %r is not in scenario %s: DJI defaults", model_id, scenario.name)
    return profile_settings(model, model_id)


def write_wpml_kmz(plan: MissionPlan, scenario: Scenario | None, out_dir: Path, *,
                   created: dt.datetime | None = None, rc_lost: RcLost = "goContinue") -> list[Path]:
    """One `<sortie_id>.kmz` per sortie in `out_dir`; returns the paths written."""
    kinds = {task.task_id: task.kind for task in plan.tasks}
    settings = {model_id: settings_for(model_id, scenario) for model_id in sorted({s.drone_model for s in plan.sorties})}
    return write_per_sortie(plan, scenario, out_dir, "DJI WPML .kmz", SUFFIX, lambda sortie: kmz_bytes(
        sortie, scenario, kinds=kinds, settings=settings[sortie.drone_model], created=created, rc_lost=rc_lost))
