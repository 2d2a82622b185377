"""The map of a replanned day: the merged plan, plus a "before / after" layer pair from the replan time on.

"Before" draws the old plan's sorties that no longer fly as they were (dashed), "After" the ones that replace them
and those cut short, with a marker where a failure brought a drone down or a recall turned it home.
"""
from __future__ import annotations

import folium

from maps.basemap import basemap_for
from maps.coords import line_to_latlngs, to_latlng
from maps.elements import BindPopup, BindTooltip, HtmlControl
from maps.layers import sortie_popup
from maps.render import OpsMap, render_map
from maps.style import BEFORE_COLOUR, CONFLICT_COLOUR, SORTIE_PALETTE
from maps.text import clock, esc
from missions.models import MissionPlan, Scenario, Sortie

BEFORE_CLASS = "lowalt-before"  # CSS classes the tests count
AFTER_CLASS = "lowalt-after"
ENDED_CLASS = "lowalt-ended"


def render_replan_map(before: MissionPlan, after: MissionPlan, scenario: Scenario, at_s: float,
                      notes: list[str] | None = None, *, tiles: str = "osm", tile_url: str | None = None,
                      tianditu_key: str | None = None) -> OpsMap:
    """The ops map of the merged day `after` over the changed `scenario`, with the layer pair comparing it with
    `before` from clock `at_s` on; `notes` (the changes, in words) fill a panel. Tiles as render_map takes them."""
    fmap = render_map(after, scenario, tiles=tiles, tile_url=tile_url, tianditu_key=tianditu_key)
    datum = basemap_for(tiles, tile_url, tianditu_key).datum
    old, new = changed_sorties(before, after)
    at = clock(at_s)
    gone = folium.FeatureGroup(name=f"Before: the old plan's {len(old)} sortie(s) changed from {at}", show=False)
    came = folium.FeatureGroup(name=f"After: {len(new)} new or cut-short sortie(s) from {at}")
    for sortie in old:
        _path(gone, sortie, scenario, datum, BEFORE_COLOUR, "6 8", BEFORE_CLASS)
    for k, sortie in enumerate(new):
        _path(came, sortie, scenario, datum, SORTIE_PALETTE[k % len(SORTIE_PALETTE)], None, AFTER_CLASS)
        if sortie.ended is not None:
            _ended_marker(came, sortie, scenario, datum)
    fmap.add_child(gone)
    fmap.add_child(came)
    _layer_control_last(fmap)
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        fmap.add_child(HtmlControl(f"<h4>Replanned from {at}</h4><ul>{items}</ul>", "bottomleft",
                                   "lowalt-panel lowalt-replan"))
    return fmap


def _layer_control_last(fmap: folium.Map) -> None:
    """The layer list names every layer when the page is rendered, but its script refers to their variables where it
    stands in the page: moved after the pair, it finds them defined (before them, Leaflet fails on an undefined one)."""
    for key, child in list(fmap._children.items()):
        if isinstance(child, folium.LayerControl):
            del fmap._children[key]
            fmap._children[key] = child


def changed_sorties(before: MissionPlan, after: MissionPlan) -> tuple[list[Sortie], list[Sortie]]:
    """(the old plan's sorties not in the new one as they were, the new one's sorties not in the old one)."""
    def key(s: Sortie) -> tuple:
        return s.sortie_id, s.takeoff, s.landing, tuple(s.tasks)

    old_keys = {key(s) for s in before.sorties}
    new_keys = {key(s) for s in after.sorties}
    return ([s for s in before.sorties if key(s) not in new_keys], [s for s in after.sorties if key(s) not in old_keys])


def _path(group: folium.FeatureGroup, sortie: Sortie, scenario: Scenario, datum: str, colour: str,
          dash: str | None, css: str) -> None:
    line = folium.PolyLine(line_to_latlngs([[w.lon, w.lat] for w in sortie.waypoints], datum), color=colour,
                           weight=4 if dash is None else 3, opacity=0.9, dash_array=dash, className=css)
    start = clock(scenario.seconds_after_midnight(sortie.takeoff))
    end = clock(scenario.seconds_after_midnight(sortie.landing))
    line.add_child(BindPopup(sortie_popup(sortie, scenario)))
    line.add_child(BindTooltip(f"{esc(sortie.sortie_id)} {start}-{end}"))
    line.add_to(group)


def _ended_marker(group: folium.FeatureGroup, sortie: Sortie, scenario: Scenario, datum: str) -> None:
    """Where it stopped flying its plan: the forced landing of a failure, or the point a recall turned it home."""
    assert sortie.ended is not None
    since = scenario.clock.elapsed_s(sortie.takeoff, sortie.ended.at)
    where = min(sortie.waypoints, key=lambda w: abs(w.t_s + w.hover_s - since))
    if sortie.ended.kind == "failure":
        where = sortie.waypoints[-1]
    label = "failure" if sortie.ended.kind == "failure" else "recalled"
    marker = folium.CircleMarker(to_latlng(where.lon, where.lat, datum), radius=8, color=CONFLICT_COLOUR, weight=3,
                                 fill=True, fill_opacity=0.8 if label == "failure" else 0.2, className=ENDED_CLASS)
    text = (f"<b>{esc(sortie.sortie_id)}: {label} at {clock(scenario.seconds_after_midnight(sortie.ended.at))}</b>"
            f"<br>{esc(sortie.ended.reason)}")
    marker.add_child(BindPopup(text))
    marker.add_child(BindTooltip(f"{esc(sortie.sortie_id)} {label}"))
    marker.add_to(group)
