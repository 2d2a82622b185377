"""Map layers built from a scenario and a plan: hangars, airspace zones, Beidou cells, targets, sorties.

Every user-provided string is escaped here (maps.text.esc); every coordinate goes through maps.coords.
"""
from __future__ import annotations

from typing import Iterable

import folium
import shapely

from airspace.zones import Zone
from maps.coords import line_to_latlngs, to_latlng
from maps.elements import BindPopup, BindTooltip, DirectionArrows
from maps.status import TargetStatus
from maps.style import GRID_COLOURS, HANGAR_COLOUR, TARGET_LABELS, TARGET_STYLES, ZONE_COLOURS
from maps.text import battery, clock, esc, km, table
from missions.models import DroneModel, GridCell, Hangar, Scenario, Sortie, Target, UnservedTask

SORTIE_CLASS = "lowalt-sortie"  # CSS class on every sortie path: the browser test counts them


def _bind(layer: folium.map.Layer, popup: str, tooltip: str | None = None) -> folium.map.Layer:
    layer.add_child(BindPopup(popup))
    if tooltip:
        layer.add_child(BindTooltip(tooltip))
    return layer


def _polygon_rings(geom: shapely.Geometry, datum: str) -> list:
    """Polygon / MultiPolygon -> Leaflet rings (holes kept), in [lat, lon]."""
    polygons = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    rings = [
        [line_to_latlngs(p.exterior.coords, datum)] + [line_to_latlngs(h.coords, datum) for h in p.interiors]
        for p in polygons
    ]
    return rings[0] if len(rings) == 1 else rings


# ------------------------------------------------------------------------------------------------ hangars
def add_hangar(group: folium.FeatureGroup, hangar: Hangar, scenario: Scenario, datum: str) -> None:
    centre = to_latlng(hangar.lon, hangar.lat, datum)
    model = scenario.drone_model(hangar.drone_model)
    folium.Circle(
        centre, radius=hangar.operating_radius_m, color=HANGAR_COLOUR, weight=1.5, dash_array="6 6",
        fill=True, fill_opacity=0.03, interactive=False, className="lowalt-radius",
    ).add_to(group)
    label = esc(hangar.id)
    icon = folium.DivIcon(html=label, class_name="lowalt-hangar-icon",
                          icon_size=(max(22, 8 * len(hangar.id) + 8), 18), icon_anchor=(11, 9))
    marker = folium.Marker(centre, icon=icon)
    rows = [
        ("Name", esc(hangar.name or "-")),
        ("Model", esc(model.id) + (f" ({esc(model.name)})" if model.name else "")),
        ("Drones", f"{hangar.drones}: " + esc(", ".join(hangar.drone_ids()) or "none")),
        ("Radius", km(hangar.operating_radius_m)),
        ("Recharge", f"{hangar.recharge_min:g} min"),
        ("Window", esc(f"{hangar.window.start}-{hangar.window.end}") if hangar.window else "operating window"),
    ]
    _bind(marker, table(rows, f"Hangar {label}"), f"Hangar {label}").add_to(group)


# ------------------------------------------------------------------------------------------------ airspace
def _active_text(zone: Zone) -> str:
    if zone.active is None:
        return "all day"
    return ", ".join(f"{w.start}-{w.end}" for w in zone.active)


def zone_layer(zones: Iterable[Zone], datum: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Airspace zones")
    for zone in zones:
        colour = ZONE_COLOURS[zone.restriction]
        polygon = folium.Polygon(
            _polygon_rings(zone.geometry.shape, datum), color=colour, weight=2, fill=True, fill_color=colour,
            fill_opacity=0.22, className=f"lowalt-zone lowalt-zone-{zone.restriction.value}",
        )
        rows = [
            ("Name", esc(zone.name or "-")),
            ("Restriction", esc(zone.restriction.value.replace("_", " "))),
            ("Altitude", f"{zone.lower_m:g}-{zone.upper_m:g} m above ground"),
            ("Active", esc(_active_text(zone))),
        ]
        if zone.source:
            rows.append(("Source", esc(zone.source)))
        _bind(polygon, table(rows, f"Zone {esc(zone.id)}"), esc(zone.name or zone.id)).add_to(group)
    return group


def grid_layer(cells: Iterable[GridCell], datum: str) -> folium.FeatureGroup:
    """Beidou grid cells drawn as their decoded polygons (airspace.beidou owns the code arithmetic)."""
    from airspace.beidou import decode  # imported here: only scenarios with grid cells need it

    group = folium.FeatureGroup(name="Beidou grid cells")
    for cell in cells:
        colour = GRID_COLOURS[cell.status]
        polygon = folium.Polygon(
            _polygon_rings(decode(cell.code), datum), color=colour, weight=1, fill=True, fill_color=colour,
            fill_opacity=0.15, className=f"lowalt-cell lowalt-cell-{cell.status}",
        )
        rows = [("Status", esc(cell.status)),
                ("Ceiling", f"{cell.ceiling_m:g} m" if cell.ceiling_m is not None else "scenario ceiling")]
        _bind(polygon, table(rows, f"Grid cell {esc(cell.code)}"), esc(cell.code)).add_to(group)
    return group


# ------------------------------------------------------------------------------------------------ targets
def _unserved_rows(items: list[UnservedTask]) -> str:
    return "<br>".join(f"{esc(u.task_id)}: <b>{esc(u.reason.value)}</b> {esc(u.detail)}" for u in items)


def _shapes(geom: shapely.Geometry, datum: str, style: dict, class_name: str) -> list[folium.map.Layer]:
    """One Leaflet layer per drawable part of a target geometry."""
    kind = geom.geom_type
    if kind in ("Point", "MultiPoint"):
        points = list(geom.geoms) if kind == "MultiPoint" else [geom]
        return [folium.CircleMarker(to_latlng(p.x, p.y, datum), radius=7, color=style["color"], weight=3,
                                    fill=True, fill_opacity=0.6, className=class_name) for p in points]
    if kind in ("Polygon", "MultiPolygon"):
        # A polygon target is a shoreline: drawn as its boundary, the way it is inspected.
        return [folium.Polygon(_polygon_rings(geom, datum), fill=False, className=class_name, **_line(style))]
    lines = list(geom.geoms) if kind == "MultiLineString" else [geom]
    return [folium.PolyLine(line_to_latlngs(line.coords, datum), className=class_name, **_line(style))
            for line in lines]


def _line(style: dict) -> dict:
    options = {"color": style["color"], "weight": style["weight"], "opacity": style["opacity"]}
    if style["dashArray"]:
        options["dash_array"] = style["dashArray"]
    return options


def target_layer(targets: Iterable[Target], statuses: dict[str, TargetStatus], datum: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Targets")
    for target in targets:
        status = statuses[target.id]
        rows = [
            ("Name", esc(target.name or "-")),
            ("Kind", esc(target.kind)),
            ("Status", f"{TARGET_LABELS[status.state]} ({status.served_tasks}/{status.total_tasks} tasks)"),
            ("Priority", str(target.priority)),
            ("Altitude", f"{target.altitude_m:g} m"),
        ]
        if target.window:
            rows.append(("Window", esc(f"{target.window.start}-{target.window.end}")))
        if status.unserved:
            rows.append(("Unserved", _unserved_rows(status.unserved)))
        elif status.state == "unserved":
            rows.append(("Unserved", "no task for this target in the plan"))
        popup = table(rows, f"Target {esc(target.id)}")
        tooltip = f"{esc(target.name or target.id)}: {TARGET_LABELS[status.state]}"
        for shape in _shapes(target.geometry.shape, datum, TARGET_STYLES[status.state],
                             f"lowalt-target lowalt-target-{status.state}"):
            _bind(shape, popup, tooltip).add_to(group)
    return group


def unserved_layer(items: Iterable[UnservedTask], datum: str) -> folium.FeatureGroup:
    """The exact pieces left unflown, so a partly served river shows which reach is missing."""
    group = folium.FeatureGroup(name="Unserved tasks")
    style = TARGET_STYLES["unserved"]
    for item in items:
        rows = [("Target", esc(item.target_id)), ("Reason", f"<b>{esc(item.reason.value)}</b>"),
                ("Detail", esc(item.detail))]
        popup = table(rows, f"Unserved task {esc(item.task_id)}")
        if len(item.coordinates) == 1:
            lon, lat = item.coordinates[0][:2]
            shape = folium.CircleMarker(to_latlng(lon, lat, datum), radius=9, color=style["color"], weight=2,
                                        fill=False, className="lowalt-unserved")
        elif item.coordinates:
            shape = folium.PolyLine(line_to_latlngs(item.coordinates, datum), className="lowalt-unserved",
                                    **_line(style))
        else:
            continue
        _bind(shape, popup, f"{esc(item.task_id)}: {esc(item.reason.value)}").add_to(group)
    return group


# ------------------------------------------------------------------------------------------------ sorties
def sortie_popup(sortie: Sortie, scenario: Scenario) -> str:
    rows = [
        ("Drone", esc(sortie.drone_id)),
        ("Hangar", esc(sortie.hangar_id)),
        ("Takeoff", clock(scenario.seconds_after_midnight(sortie.takeoff))),
        ("Landing", clock(scenario.seconds_after_midnight(sortie.landing))),
        ("Flight", f"{sortie.flight_time_s / 60:.1f} min"),
        ("Distance", km(sortie.distance_m)),
        ("Battery used", battery(sortie.battery_used, model_of(scenario, sortie))),
        ("Tasks", esc(", ".join(sortie.tasks)) or "none"),
    ]
    return table(rows, f"Sortie {esc(sortie.sortie_id)}")


def model_of(scenario: Scenario, sortie: Sortie) -> DroneModel | None:
    """The drone model that flies `sortie`, or None for a plan drawn against another scenario."""
    try:
        return scenario.drone_model(sortie.drone_model)
    except KeyError:
        return None


def add_sortie(group: folium.map.Layer, sortie: Sortie, colour: str, scenario: Scenario, datum: str) -> folium.PolyLine:
    """The sortie's flown path with arrows showing direction, in `group` (the drone's layer)."""
    path = folium.PolyLine(
        line_to_latlngs([[w.lon, w.lat] for w in sortie.waypoints], datum),
        color=colour, weight=3.5, opacity=0.9, className=SORTIE_CLASS,
    )
    start = clock(scenario.seconds_after_midnight(sortie.takeoff))
    end = clock(scenario.seconds_after_midnight(sortie.landing))
    _bind(path, sortie_popup(sortie, scenario), f"{esc(sortie.sortie_id)} {start}-{end}").add_to(group)
    group.add_child(DirectionArrows(path, colour))
    return path

