"""lowalt's own readers of the mission files it writes, for tests that look inside them.

Tests only: the files are proven right by their real consumers (tests/missions/test_export_consumers.py).
"""
from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missions.export.dji_wpml import KML_NS, TEMPLATE_ENTRY, WAYLINES_ENTRY, WPML_NS
from missions.export.mavlink_items import FRAME_MISSION
from missions.export.qgc_wpl import COLUMNS, HEADER


# --- dji_wpml
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
        hover = sum(float(h.text) for h in placemark.iterfind(
            ".//wpml:action[wpml:actionActuatorFunc='hover']/wpml:actionActuatorFuncParam/wpml:hoverTime", ns))
        out.append(WpmlWaypoint(int(placemark.findtext("wpml:index", "", ns)), lon, lat,
                                float(placemark.findtext("wpml:executeHeight", "", ns)),
                                float(placemark.findtext("wpml:waypointSpeed", "", ns)), hover))
    return sorted(out, key=lambda w: w.index)


# --- qgc_plan
def read_qgc_plan(path: Path) -> dict[str, Any]:
    """Parse a `.plan` file and check the fields lowalt relies on; raises ValueError naming file and field."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    for key, expected in (("fileType", "Plan"), ("version", 1)):
        if data.get(key) != expected:
            raise ValueError(f"{path}: field {key}: expected {expected!r}, found {data.get(key)!r}")
    items = data.get("mission", {}).get("items")
    if not isinstance(items, list) or not items:
        raise ValueError(f"{path}: field mission.items: a plan needs at least one item")
    for n, item in enumerate(items):
        if item.get("type") != "SimpleItem" or len(item.get("params", [])) != 7:
            raise ValueError(f"{path}: field mission.items[{n}]: not a SimpleItem with 7 params")
        if any(isinstance(p, float) and math.isnan(p) for p in item["params"]):
            raise ValueError(f"{path}: field mission.items[{n}].params: NaN")
    return data


def positions_from_qgc_plan(data: dict[str, Any]) -> list[tuple[int, float, float, float]]:
    """(command, lon, lat, alt) of every positioned item, back in lowalt's (lon, lat) order."""
    return [(item["command"], item["params"][5], item["params"][4], item["params"][6])
            for item in data["mission"]["items"] if item["frame"] != FRAME_MISSION]


# --- qgc_wpl
@dataclass(frozen=True)
class WplLine:
    index: int
    current: int
    frame: int
    command: int
    params: tuple[float, float, float, float]
    lon: float
    lat: float
    alt_m: float
    autocontinue: int


def read_wpl(path: Path) -> list[WplLine]:
    """Parse a QGC WPL 110 file; raises ValueError naming the file, line and column at fault."""
    text = Path(path).read_text(encoding="utf-8").splitlines()
    if not text or text[0].strip() != HEADER:
        raise ValueError(f"{path}: line 1: expected header {HEADER!r}")
    lines = []
    for number, raw in enumerate(text[1:], start=2):
        if not raw.strip():
            continue
        cells = raw.split("\t")
        if len(cells) != COLUMNS:
            raise ValueError(f"{path}: line {number}: {len(cells)} tab-separated columns, expected {COLUMNS}")
        try:
            index, current, frame, command = (int(c) for c in cells[:4])
            p1, p2, p3, p4, lat, lon, alt = (float(c) for c in cells[4:11])
            autocontinue = int(cells[11])
        except ValueError as exc:
            raise ValueError(f"{path}: line {number}: {exc}") from None
        lines.append(WplLine(index, current, frame, command, (p1, p2, p3, p4), lon, lat, alt, autocontinue))
    return lines


# --- kml
@dataclass(frozen=True)
class KmlPlacemark:
    folder: str | None
    name: str
    description: str | None
    style: str | None
    geometry: str  # "LineString" or "Point"
    altitude_mode: str | None
    coordinates: list[tuple[float, ...]]


def read_kml(path: Path) -> list[KmlPlacemark]:
    """Every Placemark of a KML file with its folder name; raises ValueError if the XML is not well-formed."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ValueError(f"{path}: not well-formed XML: {exc}") from None
    ns = {"kml": KML_NS}
    out = []
    for folder in root.iterfind("kml:Document/kml:Folder", ns):
        for placemark in folder.iterfind("kml:Placemark", ns):
            geometry = placemark.find("kml:LineString", ns)
            if geometry is None:
                geometry = placemark.find("kml:Point", ns)
            text = geometry.findtext("kml:coordinates", "", ns)
            out.append(KmlPlacemark(
                folder.findtext("kml:name", None, ns), placemark.findtext("kml:name", "", ns),
                placemark.findtext("kml:description", None, ns), placemark.findtext("kml:styleUrl", None, ns),
                geometry.tag.split("}")[1], geometry.findtext("kml:altitudeMode", None, ns),
                [tuple(float(v) for v in chunk.split(",")) for chunk in text.split()],
            ))
    return out
