"""The whole plan as one KML 2.2 file for Google Earth: a folder per drone, sorties as 3D lines, inspected
stretches highlighted, hangars as points. Built with ElementTree so names and descriptions are escaped.
"""
from __future__ import annotations

import logging
from pathlib import Path
from xml.etree import ElementTree as ET

from missions.export.common import check_sortie_shape
from missions.models import Inspection, MissionPlan, Scenario, Sortie

logger = logging.getLogger(__name__)

KML_NS = "http://www.opengis.net/kml/2.2"
FILE_NAME = "plan.kml"
ALTITUDE_MODE = "relativeToGround"  # alt_m is height above the takeoff point / ground
# KML colours are aabbggrr.
STYLES = {
    "sortie": ("ff00a5ff", 2.0),
    "inspection": ("ff0000ff", 5.0),
}
HANGAR_STYLE = "hangar"


def _sub(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    # Tags stay unqualified and the root declares KML as the default namespace: no global prefix registry.
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def _coordinates(points: list[tuple[float, float, float]]) -> str:
    return " ".join(f"{lon!r},{lat!r},{alt!r}" for lon, lat, alt in points)


def _styles(document: ET.Element) -> None:
    for style_id, (colour, width) in STYLES.items():
        style = _sub(document, "Style")
        style.set("id", style_id)
        line = _sub(style, "LineStyle")
        _sub(line, "color", colour)
        _sub(line, "width", width)
    hangar = _sub(document, "Style")
    hangar.set("id", HANGAR_STYLE)
    _sub(_sub(hangar, "IconStyle"), "scale", 1.2)


def _line_placemark(folder: ET.Element, name: str, description: str, style: str,
                    points: list[tuple[float, float, float]]) -> None:
    placemark = _sub(folder, "Placemark")
    _sub(placemark, "name", name)
    _sub(placemark, "description", description)
    _sub(placemark, "styleUrl", f"#{style}")
    if len(points) == 1:  # a hover point target
        geometry = _sub(placemark, "Point")
    else:
        geometry = _sub(placemark, "LineString")
        _sub(geometry, "tessellate", 0)
    _sub(geometry, "altitudeMode", ALTITUDE_MODE)
    _sub(geometry, "coordinates", _coordinates(points))


def _sortie_description(sortie: Sortie) -> str:
    return (f"drone {sortie.drone_id} from hangar {sortie.hangar_id}; takeoff {sortie.takeoff.isoformat()}, "
            f"landing {sortie.landing.isoformat()}; {sortie.distance_m:.0f} m, {sortie.flight_time_s:.0f} s, "
            f"battery {sortie.battery_used:.0%}; tasks: {', '.join(sortie.tasks) or 'none'}")


def _inspection_points(sortie: Sortie, inspection: Inspection) -> list[tuple[float, float, float]]:
    wps = sortie.waypoints[inspection.first_index:inspection.last_index + 1]
    return [(w.lon, w.lat, w.alt_m) for w in wps]


def plan_kml(plan: MissionPlan, scenario: Scenario | None = None) -> ET.Element:
    """The KML document of a plan; hangar names come from the scenario when one is given."""
    root = ET.Element("kml", {"xmlns": KML_NS})
    document = _sub(root, "Document")
    _sub(document, "name", f"{plan.scenario} {plan.date.isoformat()}")
    _sub(document, "description", f"{len(plan.sorties)} sorties, coverage {plan.summary.coverage:.1%}, "
                                  f"{plan.summary.total_distance_m / 1000:.1f} km (lowalt)")
    _styles(document)
    hangars: dict[str, tuple[float, float]] = {}
    drones: dict[str, ET.Element] = {}
    for sortie in sorted(plan.sorties, key=lambda s: (s.drone_id, s.takeoff)):
        check_sortie_shape(sortie)
        hangars.setdefault(sortie.hangar_id, (sortie.waypoints[0].lon, sortie.waypoints[0].lat))
        folder = drones.get(sortie.drone_id)
        if folder is None:
            folder = drones[sortie.drone_id] = _sub(document, "Folder")
            _sub(folder, "name", f"drone {sortie.drone_id}")
        path = [(w.lon, w.lat, w.alt_m) for w in sortie.waypoints]
        _line_placemark(folder, f"sortie {sortie.sortie_id}", _sortie_description(sortie), "sortie", path)
        for inspection in sortie.inspections:
            _line_placemark(folder, f"{inspection.task_id} ({inspection.target_id})",
                            f"{inspection.start.isoformat()} - {inspection.end.isoformat()}, sortie {sortie.sortie_id}",
                            "inspection", _inspection_points(sortie, inspection))
    hangar_folder = _sub(document, "Folder")
    _sub(hangar_folder, "name", "hangars")
    for hangar_id, (lon, lat) in sorted(hangars.items()):
        placemark = _sub(hangar_folder, "Placemark")
        name = hangar_id
        if scenario is not None:
            try:
                name = f"{hangar_id} {scenario.hangar(hangar_id).name or ''}".strip()
            except KeyError:
                logger.warning("hangar %s of the plan is not in scenario %s", hangar_id, scenario.name)
        _sub(placemark, "name", name)
        _sub(placemark, "styleUrl", f"#{HANGAR_STYLE}")
        _sub(_sub(placemark, "Point"), "coordinates", f"{lon!r},{lat!r},0.0")
    return root


def write_kml(plan: MissionPlan, scenario: Scenario | None, out_dir: Path) -> list[Path]:
    """`plan.kml` in `out_dir`; returns [path]."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    root = plan_kml(plan, scenario)
    ET.indent(root)
    path = out_dir / FILE_NAME
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    logger.info("wrote KML of %d sorties to %s", len(plan.sorties), path)
    return [path]
