"""`render_map`: the operations-centre map of one plan, and `save_map`, which writes it with its schedule.

Layers per hangar and per drone, legend, summary panel and day slider; every asset is inlined (no CDN).
"""
from __future__ import annotations

import logging
from typing import Any
from pathlib import Path

import folium

from maps.assets import OfflineAssets
from maps.basemap import basemap_for
from maps.coords import line_to_latlngs, to_latlng
from maps.elements import DaySlider, HtmlControl, OfflineSubGroup
from maps.intent_layers import conflict_layer, external_layer, intent_layer
from maps.layers import add_hangar, add_sortie, grid_layer, target_layer, unserved_layer, zone_layer
from maps.schedule import SCHEDULE_FILENAME, schedule_html
from maps.status import target_statuses
from maps.style import (
    CONFLICT_COLOUR, EXTERNAL_INTENT_COLOUR, GRID_COLOURS, HANGAR_COLOUR, SORTIE_PALETTE, TARGET_LABELS, TARGET_STYLES,
    ZONE_COLOURS, sortie_colour,
)
from maps.text import esc, percent
from missions.conflicts import find_conflicts
from missions.models import MissionPlan, Scenario

logger = logging.getLogger(__name__)

SLIDER_SPEED = 300  # plan seconds per real second when playing: a 10-hour day plays in two minutes


class OpsMap(folium.Map):
    """A folium Map that links no CDN asset and writes its schedule page beside itself when saved."""

    # folium's defaults point at CDNs (Leaflet, jQuery, Bootstrap, Font Awesome...); maps.assets inlines ours.
    default_js: list = []
    default_css: list = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        root: Any = self.get_root()  # a folium Figure, whose header the Element type does not declare
        root.header.add_child(OfflineAssets(), name="lowalt_offline_assets", index=0)
        self.schedule_html: str | None = None

    def save(self, outfile, close_file: bool = True, **kwargs) -> None:
        super().save(outfile, close_file=close_file, **kwargs)
        if self.schedule_html is not None and isinstance(outfile, (str, Path)):
            (Path(outfile).parent / SCHEDULE_FILENAME).write_text(self.schedule_html, encoding="utf-8")


def render_map(
    plan: MissionPlan,
    scenario: Scenario,
    *,
    tiles: str = "osm",
    tile_url: str | None = None,
    tianditu_key: str | None = None,
) -> OpsMap:
    """The operations-centre map of `plan` over `scenario` (a resolved scenario, as load_scenario returns)."""
    basemap = basemap_for(tiles, tile_url, tianditu_key)
    datum = basemap.datum
    fmap = OpsMap(location=_centre(scenario, datum), zoom_start=12, tiles=None, control_scale=True,
                  prefer_canvas=False, zoom_snap=0.25)
    basemap.add_to(fmap)

    zone_layer(scenario.zones(), datum).add_to(fmap)
    grid = scenario.airspace.grid
    if grid is not None and grid.cells:
        grid_layer(grid.cells, datum).add_to(fmap)
    targets = scenario.resolved_targets()
    statuses = target_statuses(plan, targets)
    target_layer(targets, statuses, datum).add_to(fmap)
    if plan.unserved:
        unserved_layer(plan.unserved, datum).add_to(fmap)

    colours = {s.sortie_id: sortie_colour(i) for i, s in enumerate(plan.sorties)}
    _add_fleet(fmap, plan, scenario, colours, datum)
    conflicts = find_conflicts(plan, scenario)
    intent_layer(plan, scenario, colours, datum).add_to(fmap)
    if scenario.airspace.external_volumes():
        external_layer(scenario, datum).add_to(fmap)
    conflict_layer(conflicts, datum).add_to(fmap)

    fmap.add_child(HtmlControl(_summary_html(plan, scenario, statuses, len(conflicts.conflicts)), "topleft",
                               "lowalt-panel"))
    fmap.add_child(HtmlControl(_legend_html(grid is not None and bool(grid.cells)), "bottomright", "lowalt-legend"))
    fmap.add_child(DaySlider(_slider_data(plan, scenario, colours, datum)))
    folium.LayerControl(position="topright", collapsed=False).add_to(fmap)
    bounds = _bounds(plan, scenario)
    if bounds:
        # Keep the routes clear of the summary panel (top left) and the layer list and legend (right).
        fmap.fit_bounds([to_latlng(*bounds[:2], datum), to_latlng(*bounds[2:], datum)],
                        padding_top_left=(340, 40), padding_bottom_right=(250, 70))
    fmap.schedule_html = schedule_html(plan, scenario)
    logger.info("map: %d sorties, %d targets, %d zones, tiles=%s", len(plan.sorties), len(targets),
                len(scenario.zones()), basemap.name)
    return fmap


def save_map(fmap: folium.Map, path: str | Path) -> Path:
    """Write the map page to `path` (and, for a rendered plan, `schedule.html` beside it); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmap.save(str(path))
    return path


def _add_fleet(fmap: folium.Map, plan: MissionPlan, scenario: Scenario, colours: dict[str, str], datum: str) -> None:
    """One layer per hangar (dock, radius) with one sub-layer per drone holding its sorties."""
    by_drone: dict[str, list] = {}
    for sortie in plan.sorties:
        by_drone.setdefault(sortie.drone_id, []).append(sortie)
    hangar_ids = [h.id for h in scenario.hangars]
    orphans = sorted({s.hangar_id for s in plan.sorties} - set(hangar_ids))
    for hangar_id in hangar_ids + orphans:
        group = folium.FeatureGroup(name=f"Hangar {esc(hangar_id)}")
        fmap.add_child(group)
        drones: list[str] = []
        if hangar_id in orphans:
            logger.warning("plan has sorties from hangar %s, which the scenario does not list", hangar_id)
        else:
            hangar = scenario.hangar(hangar_id)
            add_hangar(group, hangar, scenario, datum)
            drones = hangar.drone_ids()
        drones += sorted({s.drone_id for s in plan.sorties if s.hangar_id == hangar_id} - set(drones))
        for drone in drones:
            sorties = sorted(by_drone.get(drone, []), key=lambda s: s.takeoff)
            count = f"{len(sorties)} sortie{'' if len(sorties) == 1 else 's'}"
            sub = OfflineSubGroup(group, name=f"&nbsp;&nbsp;{esc(drone)} ({count})")
            fmap.add_child(sub)
            for sortie in sorties:
                add_sortie(sub, sortie, colours[sortie.sortie_id], scenario, datum)


def _centre(scenario: Scenario, datum: str) -> list[float]:
    if not scenario.hangars:
        return [0.0, 0.0]
    lon = sum(h.lon for h in scenario.hangars) / len(scenario.hangars)
    lat = sum(h.lat for h in scenario.hangars) / len(scenario.hangars)
    return to_latlng(lon, lat, datum)


def _bounds(plan: MissionPlan, scenario: Scenario) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of hangars, targets and flown paths."""
    lons: list[float] = [h.lon for h in scenario.hangars]
    lats: list[float] = [h.lat for h in scenario.hangars]
    for target in scenario.resolved_targets():
        x0, y0, x1, y1 = target.geometry.shape.bounds
        lons += [x0, x1]
        lats += [y0, y1]
    for sortie in plan.sorties:
        lons += [w.lon for w in sortie.waypoints]
        lats += [w.lat for w in sortie.waypoints]
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def _summary_html(plan: MissionPlan, scenario: Scenario, statuses: dict, conflicts: int = 0) -> str:
    fleet = sum(h.drones for h in scenario.hangars)
    used = len({s.drone_id for s in plan.sorties})
    flight_km = sum(s.distance_m for s in plan.sorties) / 1000
    states = [s.state for s in statuses.values()]
    rows = [
        ("Coverage", percent(plan.summary.coverage)),
        ("Sorties", str(len(plan.sorties))),
        ("Drones used", f"{used} of {fleet}"),
        ("Flight", f"{flight_km:.1f} km"),
        ("Deadhead", f"{percent(plan.summary.deadhead_share)} (transit {plan.summary.transit_distance_m / 1000:.1f} km)"),
        ("Unserved tasks", str(len(plan.unserved))),
        ("Targets", f"{states.count('served')} served, {states.count('partly')} partly, "
                    f"{states.count('unserved')} unserved"),
    ]
    rows.append(("Conflicts", str(conflicts)))  # pairs closer than the separation minima (missions.conflicts)
    if plan.warnings:
        rows.append(("Warnings", str(len(plan.warnings))))
    body = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    # The warnings themselves (solver statuses, work the time limit cost), not just their count.
    warnings = "".join(f"<li>{esc(w)}</li>" for w in plan.warnings)
    return (f"<h3>{esc(plan.scenario)}</h3><div>{esc(plan.date.isoformat())} · {esc(scenario.timezone)}</div>"
            f'<table>{body}</table>' + (f'<ul class="lowalt-warnings">{warnings}</ul>' if warnings else "")
            + f'<a href="{SCHEDULE_FILENAME}" target="_blank">Schedule (Gantt)</a>')


def _legend_html(with_grid: bool) -> str:
    def box(colour: str, label: str) -> str:
        return (f'<div class="row"><span class="box" style="border-color:{colour};background:{colour}55"></span>'
                f"{label}</div>")

    def line(colour: str, label: str, css: str = "") -> str:
        return f'<div class="row"><span class="line {css}" style="border-color:{colour}"></span>{label}</div>'

    parts = ["<h4>Airspace</h4>"]
    parts += [box(colour, restriction.value.replace("_", " ")) for restriction, colour in ZONE_COLOURS.items()]
    if with_grid:
        parts.append("<h4>Beidou grid cells</h4>")
        parts += [box(colour, status) for status, colour in GRID_COLOURS.items()]
    parts.append("<h4>Targets</h4>")
    dash = {"served": "", "partly": "dash", "unserved": "dot"}
    parts += [line(TARGET_STYLES[state]["color"], TARGET_LABELS[state], dash[state]) for state in TARGET_STYLES]
    parts.append("<h4>Fleet</h4>")
    parts.append(line(SORTIE_PALETTE[0], "sortie path (one colour each, arrows show direction)"))
    parts.append(f'<div class="row"><span class="box" style="border-color:{HANGAR_COLOUR};border-style:dashed;'
                 f'border-radius:50%"></span>hangar operating radius</div>')
    parts.append("<h4>Deconfliction</h4>")
    parts.append(f'<div class="row"><span class="box" style="border-color:{SORTIE_PALETTE[0]};border-style:dashed;'
                 f'background:{SORTIE_PALETTE[0]}22"></span>operational intent (layer off by default)</div>')
    parts.append(box(EXTERNAL_INTENT_COLOUR, "another operator's filed intent"))
    parts.append(f'<div class="row"><span class="box" style="border-color:{CONFLICT_COLOUR};border-radius:50%">'
                 f'</span>conflict (closer than the separation minima)</div>')
    return "".join(parts)


def _slider_data(plan: MissionPlan, scenario: Scenario, colours: dict[str, str], datum: str) -> dict:
    sorties: list[dict[str, Any]] = []
    for sortie in plan.sorties:
        if not sortie.waypoints:
            continue
        sorties.append({
            "id": sortie.sortie_id,
            "label": f"{esc(sortie.drone_id)} · {esc(sortie.sortie_id)}",
            "color": colours[sortie.sortie_id],
            "t0": scenario.seconds_after_midnight(sortie.takeoff),
            "ts": [w.t_s for w in sortie.waypoints],
            "pts": line_to_latlngs([[w.lon, w.lat] for w in sortie.waypoints], datum),
        })
    if sorties:
        start = min(s["t0"] for s in sorties)
        end = max(s["t0"] + s["ts"][-1] for s in sorties)
    elif scenario.operating_window:
        start, end = scenario.operating_window.start_s, scenario.operating_window.end_s
    else:
        start, end = 8 * 3600, 18 * 3600
    # Start and end on the dock, ten minutes either side of the day's flying.
    return {"sorties": sorties, "start": max(0, (start // 600) * 600 - 600), "end": -(-end // 600) * 600 + 600,
            "speed": SLIDER_SPEED}
