"""The map's deconfliction layers: each sortie's intent (hidden until toggled), other operators' filed intents,
and a marker per conflict whose popup names both parties, the place and the time."""
from __future__ import annotations

import datetime as dt

import folium
import pytest
import shapely

from airspace.geometry import Geometry
from maps import render_map, save_map
from maps.elements import BindPopup, HtmlControl
from missions.intent_models import ExternalVolume
from tests.helpers.plan_factory import CROSSING, crossing_day, crossing_scenario


def walk(element):
    yield element
    for child in element._children.values():
        yield from walk(child)


def groups(fmap) -> dict[str, folium.FeatureGroup]:
    return {e.layer_name: e for e in walk(fmap) if isinstance(e, folium.FeatureGroup)}


def with_class(element, kind, css: str):
    return [e for e in walk(element)
            if isinstance(e, kind) and css in str(getattr(e, "options", {}).get("className", "")).split()]


def popup_of(layer) -> str:
    (popup,) = [c for c in layer._children.values() if isinstance(c, BindPopup)]
    return popup.html


def test_a_conflict_is_marked_where_it_happens_with_both_sorties_in_its_popup(tmp_path):
    scenario, plan = crossing_day(0.0)
    fmap = render_map(plan, scenario, tiles="none")
    layer = groups(fmap)["Conflicts (1)"]
    assert layer.show
    (marker,) = with_class(layer, folium.CircleMarker, "lowalt-conflict")
    assert marker.location == pytest.approx([CROSSING[1], CROSSING[0]], abs=1e-6)
    popup = popup_of(marker)
    assert "sortie A (drone HW-1)<br>sortie B (drone HS-1)" in popup
    assert "114.42000, 30.50000" in popup and "09:02:24-09:03:56" in popup
    assert "footprints overlap (minimum 30 m apart)" in popup and "height bands overlap" in popup
    page = save_map(fmap, tmp_path / "map.html").read_text()
    assert "lowalt-conflict" in page
    (panel,) = [e for e in walk(fmap) if isinstance(e, HtmlControl) and e.css_class == "lowalt-panel"]
    assert "<th>Conflicts</th><td>1</td>" in panel.html


def test_each_sortie_has_one_intent_outline_in_a_layer_that_starts_hidden():
    scenario, plan = crossing_day(600.0)
    fmap = render_map(plan, scenario, tiles="none")
    layer = groups(fmap)["Operational intents (4D volumes)"]
    assert layer.show is False
    outlines = with_class(layer, folium.Polygon, "lowalt-intent")
    assert len(outlines) == 2
    popup = popup_of(outlines[0])
    assert "Intent of sortie A" in popup and "<th>Heights</th><td>0-105 m above ground</td>" in popup
    assert "10 m around the path, 5 m above and below, 30 s + 1 % of flight time" in popup
    assert groups(fmap)["Conflicts (0)"] is not None
    assert not with_class(fmap, folium.CircleMarker, "lowalt-conflict")


def test_other_operators_intents_are_drawn_and_a_sortie_through_them_is_marked():
    box = shapely.box(114.4195, 30.4995, 114.4205, 30.5005)
    volume = ExternalVolume(intent_id="OP-7", operator="city-survey", geometry=Geometry.from_shape(box),
                            lower_m=40, upper_m=120, start=dt.datetime(2026, 11, 21, 0, 30, tzinfo=dt.timezone.utc),
                            end=dt.datetime(2026, 11, 21, 1, 30, tzinfo=dt.timezone.utc))
    scenario, plan = crossing_day(600.0, scenario=crossing_scenario(airspace={"intents": [volume]}))
    fmap = render_map(plan, scenario, tiles="none")
    (filed,) = with_class(groups(fmap)["Other operators' intents"], folium.Polygon, "lowalt-external-intent")
    assert "Filed intent OP-7" in popup_of(filed) and "city-survey" in popup_of(filed)
    assert "08:30-09:30" in popup_of(filed)
    markers = with_class(groups(fmap)["Conflicts (2)"], folium.CircleMarker, "lowalt-conflict")
    assert sorted("intent OP-7 of city-survey" in popup_of(m) for m in markers) == [True, True]
