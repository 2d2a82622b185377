"""The programs that read lowalt's mission files, driven offline: MAVSDK, pymavlink, fastkml + the OGC XSD, GDAL,
geojson-pydantic, and DJI's rules (its Cloud API demo's KMZ import check and its published WPML tables) re-stated.

Each reader raises (or returns problems) on a file it would refuse; tests/missions/test_export_consumers.py
feeds it good and broken files.
"""
from __future__ import annotations

import contextlib
import json
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from lxml import etree

DATA = Path(__file__).parent.parent / "data"
KML_XSD = DATA / "ogc_kml22" / "ogckml22.xsd"


# ------------------------------------------------------------------------------------------------ MAVLink
MAV_AUTOPILOT_PX4, MAV_AUTOPILOT_ARDUPILOTMEGA = 12, 3
FIRST_AUTOPILOT_TIMEOUT_S = 5.0


@contextlib.contextmanager
def fake_vehicle(autopilot: int) -> Iterator[object]:
    """MAVSDK's MissionRaw plugin bound to a fake quadrotor of the given autopilot type.

    MissionRaw only exists for a discovered system, and its QGC importer converts items for that system's
    autopilot (ArduPilot gets a home item 0). The vehicle is one pymavlink HEARTBEAT fed through MAVSDK's
    `raw://` connection: no socket, no process, nothing left running after the block.
    """
    from mavsdk import ComponentType, Configuration, Mavsdk, log_subscribe
    from mavsdk.plugins.mission_raw import MissionRaw
    from pymavlink.dialects.v20 import common as mavlink2

    log_subscribe(lambda level, message, file, line: True)  # keep MAVSDK's console quiet; errors still raise
    mavsdk = Mavsdk(Configuration.create_with_component_type(ComponentType.GROUND_STATION))
    try:
        mavsdk.add_any_connection("raw://")
        mavsdk.subscribe_raw_bytes_to_be_sent(lambda data: None)  # the fake vehicle does not answer
        link = mavlink2.MAVLink(None, srcSystem=1, srcComponent=1)
        heartbeat = link.heartbeat_encode(mavlink2.MAV_TYPE_QUADROTOR, autopilot, 0, 0, mavlink2.MAV_STATE_STANDBY)
        mavsdk.pass_received_raw_bytes(heartbeat.pack(link))
        system = mavsdk.first_autopilot(FIRST_AUTOPILOT_TIMEOUT_S)
        if system is None:
            raise TimeoutError(f"MAVSDK saw no autopilot within {FIRST_AUTOPILOT_TIMEOUT_S} s")
        yield MissionRaw(system)
    finally:
        mavsdk.destroy()


def mavsdk_import_plan(path: Path, autopilot: int):
    """MAVSDK's C++ QGroundControl importer; raises MissionRawError (FAILED_TO_PARSE_QGC_PLAN) on a bad file."""
    with fake_vehicle(autopilot) as mission_raw:
        return mission_raw.import_qgroundcontrol_mission(str(path))


def mavsdk_import_wpl(path: Path, autopilot: int):
    """MAVSDK's Mission Planner (QGC WPL 110) importer."""
    with fake_vehicle(autopilot) as mission_raw:
        return mission_raw.import_mission_planner_mission(str(path))


def pymavlink_load_wpl(path: Path) -> list:
    """pymavlink's mavwp loader (MAVProxy's wp load): every line as a MISSION_ITEM; raises on a bad line."""
    from pymavlink import mavwp

    loader = mavwp.MAVWPLoader()
    count = loader.load(str(path))
    return [loader.wp(i) for i in range(count)]


# ------------------------------------------------------------------------------------------------ KML, GeoJSON
@lru_cache(maxsize=1)
def _kml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(KML_XSD)))


def validate_kml(path: Path) -> None:
    """OGC KML 2.2 XSD (packaged in tests/data) via libxml2; raises DocumentInvalid naming the line and element."""
    _kml_schema().assertValid(etree.parse(str(path)))


def fastkml_features(path: Path) -> list:
    """fastkml's strict reader: the Placemarks of every Folder of the Document."""
    from fastkml import kml

    document = kml.KML.parse(path, strict=True, validate=False).features[0]
    return [placemark for folder in document.features for placemark in folder.features]


def gdal_layers(path: Path) -> dict[str, int]:
    """Layers GDAL's OGR reads from a file, with their feature counts (through pyogrio)."""
    import pyogrio

    return {str(name): int(pyogrio.read_info(path, layer=str(name))["features"])
            for name, _ in pyogrio.list_layers(path)}


def validate_geojson(path: Path):
    """geojson-pydantic's RFC 7946 FeatureCollection (positions, rings, bboxes), plus RFC 7946 3.1.1 ranges."""
    from geojson_pydantic import FeatureCollection

    collection = FeatureCollection.model_validate_json(Path(path).read_text(encoding="utf-8"))
    for k, feature in enumerate(collection.features):
        for lon, lat, *_ in _positions(feature.geometry.model_dump()["coordinates"]):
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(f"features[{k}]: position ({lon}, {lat}) outside longitude/latitude range")
    return collection


def _positions(coords) -> Iterator[list[float]]:
    if coords and isinstance(coords[0], (int, float)):
        yield coords
    else:
        for part in coords:
            yield from _positions(part)


# ------------------------------------------------------------------------------------------------ DJI
# DJI Cloud API, "Product Support": Enumeration Values of Aircraft (type, sub_type) and of Camera (type).
# developer.dji.com/doc/cloud-api-tutorial/en/overview/product-support.html; the Dock 3 rows (Matrice 4D/4TD:
# 100/0, 100/1; cameras 98, 99) were added after the Cloud-API-Doc v1.11.3 snapshot (2024-11).
DJI_AIRCRAFT = {(60, 0): "Matrice 300 RTK", (89, 0): "Matrice 350 RTK", (67, 0): "Matrice 30", (67, 1): "Matrice 30T",
                (77, 0): "Mavic 3E", (77, 1): "Mavic 3T", (77, 2): "Mavic 3M", (91, 0): "Matrice 3D",
                (91, 1): "Matrice 3TD", (100, 0): "Matrice 4D", (100, 1): "Matrice 4TD"}
DJI_CAMERAS = {42: "H20", 43: "H20T", 61: "H20N", 82: "H30", 83: "H30T", 52: "Matrice 30 Camera",
               53: "Matrice 30T Camera", 66: "Mavic 3E Camera", 67: "Mavic 3T Camera", 68: "Mavic 3M Camera",
               80: "Matrice 3D Camera", 81: "Matrice 3TD Camera", 98: "Matrice 4D Camera", 99: "Matrice 4TD Camera"}
# "Supported Model": the payloads each aircraft carries (its own camera, or the Zenmuse list for M300/M350).
_ZENMUSE = {42, 43, 61, 82, 83}
DJI_AIRCRAFT_PAYLOADS = {(60, 0): _ZENMUSE, (89, 0): _ZENMUSE, (67, 0): {52}, (67, 1): {53}, (77, 0): {66},
                         (77, 1): {67}, (77, 2): {68}, (91, 0): {80}, (91, 1): {81}, (100, 0): {98}, (100, 1): {99}}

# The device list of DJI's Cloud API demo (DJI-Cloud-API-Demo, cloud-sdk DeviceEnum: domain-type-subtype);
# DJI stopped maintaining the demo in April 2025, before Dock 3: no Matrice 4D/4TD, no H30.
DEMO_DEVICES = {(0, 89, 0), (0, 60, 0), (0, 67, 0), (0, 67, 1), (0, 77, 0), (0, 77, 1), (0, 77, 2), (0, 91, 0),
                (0, 91, 1), (1, 20, 0), (1, 26, 0), (1, 39, 0), (1, 41, 0), (1, 42, 0), (1, 43, 0), (1, 50, 65535),
                (1, 52, 0), (1, 53, 0), (1, 61, 0), (1, 165, 0), (1, 90742, 0), (1, 66, 0), (1, 67, 0), (1, 68, 0),
                (1, 80, 0), (1, 81, 0)}
DOCK3_DEVICES = {(0, 100, 0), (0, 100, 1), (1, 98, 0), (1, 99, 0), (1, 82, 0), (1, 83, 0)}  # from Product Support
DEMO_TEMPLATE_TYPES = {"waypoint", "mapping2d", "mapping3d", "mappingStrip"}


class DjiImportRefused(ValueError):
    """What DJI's demo answers ("The file format is incorrect.") with the rule that refused the file."""


def dji_demo_import_check(path: Path, devices: set[tuple[int, int, int]] = DEMO_DEVICES) -> str:
    """The KMZ import check of DJI's Cloud API demo (WaylineFileServiceImpl.validKmzFile), rule by rule.

    Returns the drone model key it would store ("0-91-0"); raises DjiImportRefused where the demo refuses.
    """
    path = Path(path)
    if not path.name.endswith(".kmz"):
        raise DjiImportRefused(f"{path.name}: file name does not end in .kmz")
    with zipfile.ZipFile(path) as archive:
        if "wpmz/template.kml" not in archive.namelist():
            raise DjiImportRefused(f"{path.name}: no wpmz/template.kml entry")
        raw = archive.read("wpmz/template.kml")
    declared = re.match(rb'<\?xml[^>]*encoding="([^"]+)"', raw)
    if declared is None or declared.group(1) != b"UTF-8":
        raise DjiImportRefused(f"{path.name}: XML encoding is not declared UTF-8")
    root = etree.fromstring(raw)
    ns = {"wpml": root.nsmap.get("wpml", "")}  # dom4j resolves the prefix from the document's own declaration
    if not ns["wpml"]:
        raise DjiImportRefused(f"{path.name}: no wpml prefix declared")
    drone, payload = root.find(".//wpml:droneInfo", ns), root.find(".//wpml:payloadInfo", ns)
    if drone is None or payload is None:
        raise DjiImportRefused(f"{path.name}: template.kml lacks wpml:{'droneInfo' if drone is None else 'payloadInfo'}")
    values = {}
    for element, tag in ((drone, "droneEnumValue"), (drone, "droneSubEnumValue"), (payload, "payloadEnumValue"),
                         (payload, "payloadSubEnumValue")):
        text = element.findtext(f"wpml:{tag}", None, ns)
        try:
            values[tag] = int(text)
        except (TypeError, ValueError):
            raise DjiImportRefused(f"{path.name}: wpml:{tag} {text!r} is not an integer") from None
    drone_key = (0, values["droneEnumValue"], values["droneSubEnumValue"])
    payload_key = (1, values["payloadEnumValue"], values["payloadSubEnumValue"])
    for key in (drone_key, payload_key):
        if key not in devices:
            raise DjiImportRefused(f"{path.name}: device {'-'.join(map(str, key))} is not in the device list")
    template_type = root.findtext(".//wpml:templateType", "", ns)
    if template_type not in DEMO_TEMPLATE_TYPES:
        raise DjiImportRefused(f"{path.name}: template type {template_type!r} unknown")
    return "-".join(map(str, drone_key))


# DJI Cloud API, "DJI WPML": template.kml, waylines.wpml and Common Elements tables
# (developer.dji.com/doc/cloud-api-tutorial/en/api-reference/dji-wpml/{template-kml,waylines-wpml,common-element}.html;
# en tables as of Cloud-API-Doc v1.11.3, cn pages of 2025-02-25 for the [1, 15] m/s speeds, globalRTHHeight in
# template.kml and "with heights relative to the take-off point, ellipsoidHeight equals height").
TURN_MODES = {"coordinateTurn", "toPointAndStopWithDiscontinuityCurvature", "toPointAndStopWithContinuityCurvature",
              "toPointAndPassWithContinuityCurvature"}
CURVED_TURNS = {"toPointAndStopWithContinuityCurvature", "toPointAndPassWithContinuityCurvature"}
HEADING_MODES = {"followWayline", "manually", "fixed", "smoothTransition", "towardPOI"}
HEADING_PATH_MODES = {"clockwise", "counterClockwise", "followBadArc"}
TRIGGERS = {"reachPoint", "betweenAdjacentPoints", "multipleTiming", "multipleDistance"}
LENSES = {"wide", "zoom", "ir", "narrow_band", "visable"}
GIMBAL_ROTATE_PARAMS = ("payloadPositionIndex", "gimbalHeadingYawBase", "gimbalRotateMode", "gimbalPitchRotateEnable",
                        "gimbalPitchRotateAngle", "gimbalRollRotateEnable", "gimbalRollRotateAngle",
                        "gimbalYawRotateEnable", "gimbalYawRotateAngle", "gimbalRotateTimeEnable", "gimbalRotateTime")
ACTION_PARAMS = {  # required params of each action (common elements, actionActuatorFuncParam)
    "takePhoto": ("payloadPositionIndex", "fileSuffix", "payloadLensIndex", "useGlobalPayloadLensIndex"),
    "startRecord": ("payloadPositionIndex", "fileSuffix", "payloadLensIndex", "useGlobalPayloadLensIndex"),
    "stopRecord": ("payloadPositionIndex",),
    "gimbalRotate": GIMBAL_ROTATE_PARAMS,
    "hover": ("hoverTime",),
}
SPEED_RANGE = (1.0, 15.0)


class _Checker:
    def __init__(self, name: str, root: etree._Element, problems: list[str]):
        self.name, self.root, self.problems = name, root, problems
        self.ns = {"kml": "http://www.opengis.net/kml/2.2", "wpml": root.nsmap.get("wpml", "")}

    def need(self, parent, tag: str, where: str, allowed=None, number: tuple[float, float] | None = None,
             integer: bool = False) -> str | None:
        text = parent.findtext(f"wpml:{tag}", None, self.ns) if parent is not None else None
        if text is None or not text.strip():
            self.problems.append(f"{self.name}: {where}: wpml:{tag} missing")
            return None
        text = text.strip()
        if allowed is not None and text not in allowed:
            self.problems.append(f"{self.name}: {where}: wpml:{tag} {text!r} not one of {sorted(allowed)}")
        if number is not None or integer:
            try:
                value = int(text) if integer else float(text)
            except ValueError:
                self.problems.append(f"{self.name}: {where}: wpml:{tag} {text!r} is not a number")
                return text
            if number is not None and not number[0] <= value <= number[1]:
                self.problems.append(f"{self.name}: {where}: wpml:{tag} {value} outside [{number[0]}, {number[1]}]")
        return text

    def mission_config(self) -> tuple[int, int, int] | None:
        config = self.root.find("kml:Document/wpml:missionConfig", self.ns)
        if config is None:
            self.problems.append(f"{self.name}: Document: wpml:missionConfig missing")
            return None
        w = "missionConfig"
        self.need(config, "flyToWaylineMode", w, {"safely", "pointToPoint"})
        self.need(config, "finishAction", w, {"goHome", "noAction", "autoLand", "gotoFirstWaypoint"})
        if self.need(config, "exitOnRCLost", w, {"goContinue", "executeLostAction"}) == "executeLostAction":
            self.need(config, "executeRCLostAction", w, {"goBack", "landing", "hover"})
        self.need(config, "takeOffSecurityHeight", w, number=(8, 1500))  # the dock range
        self.need(config, "globalTransitionalSpeed", w, number=SPEED_RANGE)
        self.need(config, "globalRTHHeight", w, number=(2, 1500))
        drone, payload = config.find("wpml:droneInfo", self.ns), config.find("wpml:payloadInfo", self.ns)
        enum = self.need(drone, "droneEnumValue", f"{w}.droneInfo", integer=True)
        sub = self.need(drone, "droneSubEnumValue", f"{w}.droneInfo", integer=True)
        camera = self.need(payload, "payloadEnumValue", f"{w}.payloadInfo", integer=True)
        self.need(payload, "payloadPositionIndex", f"{w}.payloadInfo", {"0", "1", "2"})
        try:
            key, camera_type = (int(enum), int(sub)), int(camera)
        except (TypeError, ValueError):
            return None
        if key not in DJI_AIRCRAFT:
            self.problems.append(f"{self.name}: droneInfo {key[0]}/{key[1]} is no aircraft of DJI's enumeration")
        elif camera_type not in DJI_AIRCRAFT_PAYLOADS[key]:
            self.problems.append(f"{self.name}: payload {camera_type} ({DJI_CAMERAS.get(camera_type, 'unknown')}) "
                                 f"does not fit {DJI_AIRCRAFT[key]}")
        return (*key, camera_type)

    def actions(self, placemark, where: str, count: int, group_ids: set[int]) -> None:
        for group in placemark.iterfind("wpml:actionGroup", self.ns):
            gid = self.need(group, "actionGroupId", where, integer=True, number=(0, 65535))
            if gid is not None and gid.isdigit():
                if int(gid) in group_ids:
                    self.problems.append(f"{self.name}: {where}: actionGroupId {gid} repeated in the file")
                group_ids.add(int(gid))
            start = self.need(group, "actionGroupStartIndex", where, integer=True, number=(0, count - 1))
            end = self.need(group, "actionGroupEndIndex", where, integer=True, number=(0, count - 1))
            if start and end and start.isdigit() and end.isdigit() and int(end) < int(start):
                self.problems.append(f"{self.name}: {where}: actionGroupEndIndex {end} < start {start}")
            self.need(group, "actionGroupMode", where, {"sequence"})
            trigger = group.find("wpml:actionTrigger", self.ns)
            kind = self.need(trigger, "actionTriggerType", where, TRIGGERS)
            if kind in ("multipleTiming", "multipleDistance"):
                self.need(trigger, "actionTriggerParam", where, number=(1e-9, float("inf")))
            actions = group.findall("wpml:action", self.ns)
            if not actions:
                self.problems.append(f"{self.name}: {where}: action group {gid} has no action")
            for k, action in enumerate(actions):
                self.need(action, "actionId", where, {str(k)})  # unique in the group, from 0
                func = self.need(action, "actionActuatorFunc", where, set(ACTION_PARAMS) | {
                    "focus", "zoom", "customDirName", "rotateYaw", "gimbalEvenlyRotate", "orientedShoot", "panoShot"})
                if kind == "betweenAdjacentPoints" and func != "gimbalEvenlyRotate":
                    self.problems.append(f"{self.name}: {where}: betweenAdjacentPoints needs gimbalEvenlyRotate")
                params = action.find("wpml:actionActuatorFuncParam", self.ns)
                for param in ACTION_PARAMS.get(func, ()):
                    value = self.need(params, param, f"{where} {func}")
                    if param == "payloadLensIndex" and value and not set(value.split(",")) <= LENSES:
                        self.problems.append(f"{self.name}: {where}: lenses {value!r} not in {sorted(LENSES)}")
                    if param == "hoverTime" and value:
                        self.need(params, param, f"{where} {func}", number=(1e-9, float("inf")))


def _placemark_core(c: _Checker, placemark, n: int) -> tuple[float, float] | None:
    where = f"Placemark {n}"
    c.need(placemark, "index", where, {str(n)})  # from 0, monotonically and continuously increasing
    text = placemark.findtext("kml:Point/kml:coordinates", "", c.ns).strip()
    try:
        lon, lat = (float(v) for v in text.split(",")[:2])
    except ValueError:
        c.problems.append(f"{c.name}: {where}: Point coordinates {text!r} are not lon,lat")
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        c.problems.append(f"{c.name}: {where}: Point ({lon}, {lat}) out of range")
    return lon, lat


def _check_template(c: _Checker) -> list[tuple]:
    folder = c.root.find("kml:Document/kml:Folder", c.ns)
    if folder is None:
        c.problems.append(f"{c.name}: Document: Folder missing")
        return []
    c.need(folder, "templateType", "Folder", DEMO_TEMPLATE_TYPES)
    c.need(folder, "templateId", "Folder", integer=True, number=(0, 65535))
    c.need(folder, "autoFlightSpeed", "Folder", number=SPEED_RANGE)
    system = folder.find("wpml:waylineCoordinateSysParam", c.ns)
    c.need(system, "coordinateMode", "waylineCoordinateSysParam", {"WGS84"})
    height_mode = c.need(system, "heightMode", "waylineCoordinateSysParam",
                         {"EGM96", "relativeToStartPoint", "aboveGroundLevel", "realTimeFollowSurface"})
    payload = folder.find("wpml:payloadParam", c.ns)
    c.need(payload, "payloadPositionIndex", "payloadParam", {"0", "1", "2"})
    formats = c.need(payload, "imageFormat", "payloadParam")
    if formats and not set(formats.split(",")) <= LENSES:
        c.problems.append(f"{c.name}: payloadParam: imageFormat {formats!r} not in {sorted(LENSES)}")
    turn = c.need(folder, "globalWaypointTurnMode", "Folder", TURN_MODES)
    if turn in CURVED_TURNS:
        c.need(folder, "globalUseStraightLine", "Folder", {"0", "1"})
    pitch_mode = c.need(folder, "gimbalPitchMode", "Folder", {"manual", "usePointSetting"})
    c.need(folder, "globalHeight", "Folder", number=(-1e6, 1e6))
    heading = folder.find("wpml:globalWaypointHeadingParam", c.ns)
    mode = c.need(heading, "waypointHeadingMode", "globalWaypointHeadingParam", HEADING_MODES)
    c.need(heading, "waypointHeadingPathMode", "globalWaypointHeadingParam", HEADING_PATH_MODES)
    if mode == "smoothTransition":
        c.need(heading, "waypointHeadingAngle", "globalWaypointHeadingParam", number=(-180, 180))
    placemarks = folder.findall("kml:Placemark", c.ns)
    out, group_ids = [], set()
    for n, placemark in enumerate(placemarks):
        where = f"Placemark {n}"
        position = _placemark_core(c, placemark, n)
        height = ellipsoid = None
        if c.need(placemark, "useGlobalHeight", where, {"0", "1"}) == "0":
            ellipsoid = c.need(placemark, "ellipsoidHeight", where, number=(-1e6, 1e6))
            height = c.need(placemark, "height", where, number=(-1e6, 1e6))
            if height_mode == "relativeToStartPoint" and height and ellipsoid and float(height) != float(ellipsoid):
                c.problems.append(f"{c.name}: {where}: ellipsoidHeight {ellipsoid} != height {height} although "
                                  "heights are relative to the take-off point")
        speed = None
        if c.need(placemark, "useGlobalSpeed", where, {"0", "1"}) == "0":
            speed = c.need(placemark, "waypointSpeed", where, number=SPEED_RANGE)
        if c.need(placemark, "useGlobalHeadingParam", where, {"0", "1"}) == "0":
            c.need(placemark.find("wpml:waypointHeadingParam", c.ns), "waypointHeadingMode", where, HEADING_MODES)
        if c.need(placemark, "useGlobalTurnParam", where, {"0", "1"}) == "0":
            c.need(placemark.find("wpml:waypointTurnParam", c.ns), "waypointTurnMode", where, TURN_MODES)
        if pitch_mode == "usePointSetting":
            c.need(placemark, "gimbalPitchAngle", where, number=(-120, 45))
        c.actions(placemark, where, len(placemarks), group_ids)
        out.append((position, height, speed))
    return out


def _check_waylines(c: _Checker) -> list[tuple]:
    folder = c.root.find("kml:Document/kml:Folder", c.ns)
    if folder is None:
        c.problems.append(f"{c.name}: Document: Folder missing")
        return []
    c.need(folder, "templateId", "Folder", integer=True, number=(0, 65535))
    c.need(folder, "waylineId", "Folder", integer=True, number=(0, 65535))
    c.need(folder, "autoFlightSpeed", "Folder", number=SPEED_RANGE)
    c.need(folder, "executeHeightMode", "Folder", {"WGS84", "relativeToStartPoint", "realTimeFollowSurface"})
    placemarks = folder.findall("kml:Placemark", c.ns)
    out, group_ids = [], set()
    for n, placemark in enumerate(placemarks):
        where = f"Placemark {n}"
        position = _placemark_core(c, placemark, n)
        height = c.need(placemark, "executeHeight", where, number=(-1e6, 1e6))
        speed = c.need(placemark, "waypointSpeed", where, number=SPEED_RANGE)
        heading = placemark.find("wpml:waypointHeadingParam", c.ns)
        mode = c.need(heading, "waypointHeadingMode", where, HEADING_MODES)
        c.need(heading, "waypointHeadingPathMode", where, HEADING_PATH_MODES)
        if mode == "smoothTransition":
            c.need(heading, "waypointHeadingAngle", where, number=(-180, 180))
        turn_param = placemark.find("wpml:waypointTurnParam", c.ns)
        turn = c.need(turn_param, "waypointTurnMode", where, TURN_MODES)
        if turn in CURVED_TURNS:
            c.need(placemark, "useStraightLine", where, {"0", "1"})
        if turn == "coordinateTurn" or (turn == "toPointAndPassWithContinuityCurvature"
                                        and placemark.findtext("wpml:useStraightLine", "", c.ns) == "1"):
            c.need(turn_param, "waypointTurnDampingDist", where, number=(1e-9, float("inf")))
        c.actions(placemark, where, len(placemarks), group_ids)
        out.append((position, height, speed))
    return out


def wpml_table_problems(path: Path) -> list[str]:
    """Every way a `.kmz` departs from DJI's WPML tables; [] for a file the tables accept."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for entry in ("wpmz/template.kml", "wpmz/waylines.wpml"):
            if entry not in names:
                problems.append(f"{path.name}: archive lacks {entry}")
        extra = {n for n in names if not n.startswith("wpmz/res/")} - {"wpmz/template.kml", "wpmz/waylines.wpml"}
        if extra:
            problems.append(f"{path.name}: entries {sorted(extra)} outside wpmz/template.kml, waylines.wpml, res/")
        if problems:
            return problems
        raws = {entry: archive.read(entry) for entry in ("wpmz/template.kml", "wpmz/waylines.wpml")}
    checked = {}
    for entry, raw in raws.items():
        if not raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'):
            problems.append(f"{entry}: no UTF-8 XML declaration")
        try:
            root = etree.fromstring(raw)
        except etree.XMLSyntaxError as exc:
            problems.append(f"{entry}: not well-formed: {exc}")
            continue
        if root.tag != "{http://www.opengis.net/kml/2.2}kml":
            problems.append(f"{entry}: root is {root.tag}, not KML 2.2 kml")
        if not re.fullmatch(r"http://www\.dji\.com/wpmz/1\.0\.\d+", root.nsmap.get("wpml", "")):
            problems.append(f"{entry}: wpml prefix bound to {root.nsmap.get('wpml')!r}, not a DJI wpmz namespace")
            continue
        c = _Checker(entry, root, problems)
        product = c.mission_config()
        points = _check_template(c) if entry.endswith(".kml") else _check_waylines(c)
        checked[entry] = (product, points)
    if len(checked) == 2:
        (t_product, t_points), (w_product, w_points) = checked["wpmz/template.kml"], checked["wpmz/waylines.wpml"]
        if t_product != w_product:
            problems.append(f"drone/payload differ: template {t_product}, waylines {w_product}")
        if len(t_points) != len(w_points):
            problems.append(f"{len(t_points)} template placemarks, {len(w_points)} waylines placemarks")
        for n, (t, w) in enumerate(zip(t_points, w_points)):
            if t[0] != w[0] or (t[1] is not None and w[1] is not None and float(t[1]) != float(w[1])):
                problems.append(f"Placemark {n}: template {t[:2]} differs from waylines {w[:2]}")
    return problems


def geojson_text(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
