"""Map layers of strategic deconfliction: each sortie's operational intent, other operators' filed volumes, and
every conflict found (missions.conflicts), marked where it happens with both parties named.

The intent layers start hidden (toggle them in the layer list); conflicts are shown.
"""
from __future__ import annotations

from collections import defaultdict

import folium
import numpy as np
import shapely

from airspace.windows import clock_from_seconds
from maps.coords import line_to_latlngs, to_latlng
from maps.elements import BindPopup, BindTooltip
from maps.style import CONFLICT_COLOUR, EXTERNAL_INTENT_COLOUR
from maps.text import clock, esc, table
from missions.conflicts import ConflictReport
from missions.intent_models import DeconflictionOptions
from missions.intents import intent_of, plan_projector, volume_paths
from missions.intents_io import outlines
from missions.models import MissionPlan, Scenario

INTENT_CLASS = "lowalt-intent"
EXTERNAL_CLASS = "lowalt-external-intent"
CONFLICT_CLASS = "lowalt-conflict"


def _rings(geom: shapely.Geometry, datum: str) -> list:
    polygons = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    rings = [[line_to_latlngs(p.exterior.coords, datum)] + [line_to_latlngs(h.coords, datum) for h in p.interiors]
             for p in polygons]
    return rings[0] if len(rings) == 1 else rings


def _bind(layer: folium.map.Layer, popup: str, tooltip: str) -> folium.map.Layer:
    layer.add_child(BindPopup(popup))
    layer.add_child(BindTooltip(tooltip))
    return layer


def intent_layer(plan: MissionPlan, scenario: Scenario, colours: dict[str, str], datum: str) -> folium.FeatureGroup:
    """One outline per sortie: the union of its intent volumes' footprints, with heights and times in the popup."""
    options = plan.deconfliction or DeconflictionOptions()
    projector = plan_projector(plan, scenario)
    group = folium.FeatureGroup(name="Operational intents (4D volumes)", show=False)
    for sortie in plan.sorties:
        volumes = intent_of(sortie, options.intent)
        if not volumes:
            continue
        # The volumes' stretches chain along the whole path: their union is the path widened by the buffer.
        path = shapely.line_merge(shapely.union_all(volume_paths(sortie, volumes, projector)))
        (footprint,) = outlines(np.array([path]), np.array([max(v.buffer_m for v in volumes)]), projector)
        if footprint.is_empty or footprint.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        starts = [v.time_start for v in volumes]
        ends = [v.time_end for v in volumes]
        rows = [
            ("Drone", esc(sortie.drone_id)),
            ("Volumes", f"{len(volumes)} of at most {options.intent.volume_max_s:g} s of flight each"),
            ("Heights", f"{min(v.altitude_lower_m for v in volumes):g}-{max(v.altitude_upper_m for v in volumes):g}"
                        f" m above ground"),
            ("Occupied", f"{clock(scenario.seconds_after_midnight(min(starts)))}-"
                         f"{clock(scenario.seconds_after_midnight(max(ends)))}"),
            ("Buffers", f"{options.intent.horizontal_accuracy_m:g} m around the path, "
                        f"{options.intent.vertical_accuracy_m:g} m above and below, "
                        f"{options.intent.timing_uncertainty_s:g} s + {100 * options.intent.timing_drift:g} % "
                        f"of flight time"),
        ]
        colour = colours.get(sortie.sortie_id, "#555555")
        polygon = folium.Polygon(_rings(footprint, datum), color=colour, weight=1, dash_array="4 4", fill=True,
                                 fill_color=colour, fill_opacity=0.12, className=INTENT_CLASS)
        _bind(polygon, table(rows, f"Intent of sortie {esc(sortie.sortie_id)}"),
              f"intent {esc(sortie.sortie_id)}").add_to(group)
    return group


def external_layer(scenario: Scenario, datum: str) -> folium.FeatureGroup:
    """Other operators' filed volumes, one outline per operational intent."""
    group = folium.FeatureGroup(name="Other operators' intents", show=False)
    by_intent = defaultdict(list)
    for volume in scenario.airspace.external_volumes():
        by_intent[(volume.intent_id, volume.operator)].append(volume)
    for (intent_id, operator), volumes in by_intent.items():
        footprint = shapely.union_all([v.geometry.shape for v in volumes])
        rows = [
            ("Operator", esc(operator or "-")),
            ("Volumes", str(len(volumes))),
            ("Heights", f"{min(v.lower_m for v in volumes):g}-{max(v.upper_m for v in volumes):g} m above ground"),
            ("Filed for", f"{clock(scenario.seconds_after_midnight(min(v.start for v in volumes)))}-"
                          f"{clock(scenario.seconds_after_midnight(max(v.end for v in volumes)))}"),
        ]
        polygon = folium.Polygon(_rings(footprint, datum), color=EXTERNAL_INTENT_COLOUR, weight=2, fill=True,
                                 fill_color=EXTERNAL_INTENT_COLOUR, fill_opacity=0.18, className=EXTERNAL_CLASS)
        _bind(polygon, table(rows, f"Filed intent {esc(intent_id)}"), f"intent {esc(intent_id)}").add_to(group)
    return group


def conflict_layer(report: ConflictReport, datum: str) -> folium.FeatureGroup:
    """A marker where each conflict happens; its popup names both parties, the place, the time and the gaps."""
    group = folium.FeatureGroup(name=f"Conflicts ({len(report.conflicts)})")
    minima = report.minima
    for conflict in report.conflicts:
        when = clock_from_seconds(conflict.start_s)
        rows = [
            ("Between", f"{esc(conflict.first.label())}<br>{esc(conflict.second.label())}"),
            ("Where", f"{conflict.lon:.5f}, {conflict.lat:.5f}"),
            ("When", f"{when}-{clock_from_seconds(conflict.end_s)}" if conflict.end_s > conflict.start_s else when),
            ("Horizontal", _gap(conflict.horizontal_gap_m, "m", minima.horizontal_m, "footprints overlap")),
            ("Vertical", _gap(conflict.vertical_gap_m, "m", minima.vertical_m, "height bands overlap")),
            ("Time", _gap(conflict.time_gap_s, "s", minima.time_s, "occupied times overlap")),
        ]
        if conflict.volume_pairs > 1:
            rows.append(("Volumes", f"{conflict.volume_pairs} pairs of volumes in conflict; the first is shown"))
        marker = folium.CircleMarker(to_latlng(conflict.lon, conflict.lat, datum), radius=10, color=CONFLICT_COLOUR,
                                     weight=3, fill=True, fill_color=CONFLICT_COLOUR, fill_opacity=0.35,
                                     className=CONFLICT_CLASS)
        _bind(marker, table(rows, "Conflict"),
              f"conflict {esc(conflict.first.id)} / {esc(conflict.second.id)} at {when}").add_to(group)
    return group


def _gap(value: float, unit: str, minimum: float, overlap: str) -> str:
    if value <= 0:
        return f"{overlap} (minimum {minimum:g} {unit} apart)"
    return f"{value:.0f} {unit} apart (minimum {minimum:g} {unit})"
