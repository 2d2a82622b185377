"""The operations-centre map: features checked on the folium objects and on the saved page.

Built from a hand-made two-hangar day (tests/conftest_map.py) whose plan the verifier accepts.
"""
from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import folium
from branca.element import MacroElement
import pytest
import yaml

from airspace.beidou import cell_bounds
from airspace.chinese_coords import wgs84_to_gcj02
from maps import SCHEDULE_FILENAME, TILE_CHOICES, render_map, save_map, schedule_html, target_statuses
from maps.elements import BindPopup, DaySlider, OfflineSubGroup
from maps.style import ZONE_COLOURS
from planner.cli.main import main


@pytest.fixture(scope="module")
def fmap(plan, scenario):
    return render_map(plan, scenario, tiles="osm")


@pytest.fixture(scope="module")
def page(fmap, tmp_path_factory):
    path = save_map(fmap, tmp_path_factory.mktemp("map") / "map.html")
    return path.read_text(encoding="utf-8")


def walk(element):
    yield element
    for child in element._children.values():
        yield from walk(child)


def layers(fmap, kind, css: str):
    return [e for e in walk(fmap)
            if isinstance(e, kind) and css in str(getattr(e, "options", {}).get("className", "")).split()]


def popup_of(layer) -> str:
    (popup,) = [c for c in layer._children.values() if isinstance(c, BindPopup)]
    return popup.html


def sortie_lines(fmap) -> dict[str, folium.PolyLine]:
    lines = layers(fmap, folium.PolyLine, "lowalt-sortie")
    return {re.search(r"Sortie (\w+)", popup_of(line))[1]: line for line in lines}


# ------------------------------------------------------------------------------------------------ sorties
def test_every_sortie_is_one_polyline_through_its_waypoints(fmap, plan):
    assert len(layers(fmap, folium.PolyLine, "lowalt-sortie")) == len(plan.sorties) == 4
    lines = sortie_lines(fmap)
    for sortie in plan.sorties:
        line = lines[sortie.sortie_id]
        assert line.locations == [[w.lat, w.lon] for w in sortie.waypoints]
        # Closed loops: hangar to hangar.
        assert line.locations[0] == line.locations[-1]


def test_sortie_popup_names_drone_hangar_times_distance_battery_and_tasks(fmap, plan, scenario):
    sortie = plan.sorties[1]
    html = popup_of(sortie_lines(fmap)["S2"])
    takeoff = sortie.takeoff.astimezone(scenario.tz).strftime("%H:%M")
    landing = sortie.landing.astimezone(scenario.tz).strftime("%H:%M")
    assert takeoff == "08:30"
    for text in ("Sortie S2", "H02-1", "H02", takeoff, landing, f"{sortie.distance_m / 1000:.1f} km",
                 f"{sortie.battery_used * 100:.1f} % ({sortie.battery_used * 115.2:.1f} Wh) of 80 % usable",
                 ", ".join(sortie.tasks)):  # the m3d profile flies a Matrice 3D: its 115.2 Wh battery
        assert text in html


def test_sortie_popup_gives_the_share_alone_when_the_battery_is_unknown(plan, scenario):
    from maps.layers import sortie_popup

    (model,) = scenario.drone_models
    sortie = plan.sorties[1]
    unknown = scenario.model_copy(update={"drone_models": [model.model_copy(update={"id": "custom"})]})
    sortie = sortie.model_copy(update={"drone_model": "custom"})
    assert f"{sortie.battery_used * 100:.1f} % of 80 % usable" in sortie_popup(sortie, unknown)


def test_sorties_have_distinct_colours_and_direction_arrows(fmap, page):
    colours = [line.options["color"] for line in layers(fmap, folium.PolyLine, "lowalt-sortie")]
    assert len(set(colours)) == 4
    assert page.count("L.polylineDecorator(") == 4


def test_layers_are_grouped_per_hangar_with_one_sublayer_per_drone(fmap):
    groups = {e.layer_name: e for e in walk(fmap) if type(e) is folium.FeatureGroup}
    assert {"Hangar H01", "Hangar H02", "Airspace zones", "Targets", "Unserved tasks",
            "Beidou grid cells"} <= set(groups)
    subs = [e for e in walk(fmap) if isinstance(e, OfflineSubGroup)]
    by_parent = {}
    for sub in subs:
        by_parent.setdefault(sub._group.layer_name, []).append(sub.layer_name)
    assert by_parent == {"Hangar H01": ["&nbsp;&nbsp;H01-1 (1 sortie)", "&nbsp;&nbsp;H01-2 (1 sortie)"],
                         "Hangar H02": ["&nbsp;&nbsp;H02-1 (2 sorties)"]}
    assert any(isinstance(e, folium.LayerControl) for e in walk(fmap))


def test_hangar_has_operating_radius_and_popup(fmap, scenario):
    circles = layers(fmap, folium.Circle, "lowalt-radius")
    assert sorted(c.options["radius"] for c in circles) == [5000, 5000]
    markers = [e for e in walk(fmap) if type(e) is folium.Marker]
    html = popup_of(markers[0])
    for text in ("Hangar H01", "Optics Valley &lt;1&gt;", "m3d", "2: H01-1, H01-2"):
        assert text in html


# ------------------------------------------------------------------------------------------------ airspace
def test_zones_are_coloured_by_restriction_with_band_and_hours(fmap, scenario):
    zones = layers(fmap, folium.Polygon, "lowalt-zone")
    assert len(zones) == 4
    colours = {z.options["className"].split()[-1].removeprefix("lowalt-zone-"): z.options["color"] for z in zones}
    assert colours == {r.value: c for r, c in ZONE_COLOURS.items()}
    assert colours["prohibited"] == "#d7191c"
    hospital = next(z for z in zones if "authorisation_required" in z.options["className"])
    html = popup_of(hospital)
    assert "0-90 m" in html and "09:00-12:00, 14:00-16:00" in html
    assert "all day" in popup_of(next(z for z in zones if "advisory" in z.options["className"]))


def test_grid_cells_are_drawn_as_their_decoded_cells(fmap, scenario):
    cells = layers(fmap, folium.Polygon, "lowalt-cell")
    assert len(cells) == 3
    for polygon, cell in zip(cells, scenario.airspace.grid.cells):
        west, south, east, north = cell_bounds(cell.code)
        lats = [p[0] for p in polygon.locations[0]] if isinstance(polygon.locations[0][0], list) else \
            [p[0] for p in polygon.locations]
        lons = [p[1] for p in polygon.locations[0]] if isinstance(polygon.locations[0][0], list) else \
            [p[1] for p in polygon.locations]
        assert (min(lons), min(lats), max(lons), max(lats)) == pytest.approx((west, south, east, north), abs=1e-12)
        assert cell.status in polygon.options["className"]


# ------------------------------------------------------------------------------------------------ targets
def test_target_status_is_counted_by_task(plan, scenario):
    statuses = target_statuses(plan, scenario.resolved_targets())
    assert {k: (v.state, v.served_tasks, v.total_tasks) for k, v in statuses.items()} == {
        "R1": ("served", 2, 2), "L1": ("served", 2, 2), "RD1": ("partly", 1, 2), "P1": ("unserved", 0, 1)}
    assert [u.reason.value for u in statuses["P1"].unserved] == ["blocked_by_airspace"]


def test_targets_are_styled_by_service_and_unserved_show_their_reason(fmap):
    served = layers(fmap, MacroElement, "lowalt-target-served")
    partly = layers(fmap, MacroElement, "lowalt-target-partly")
    unserved = layers(fmap, MacroElement, "lowalt-target-unserved")
    assert (len(served), len(partly), len(unserved)) == (2, 1, 1)
    assert partly[0].options["dashArray"] == "12 8"
    html = popup_of(unserved[0])
    assert "blocked_by_airspace" in html and "0/1 tasks" in html
    assert "no_capacity" in popup_of(partly[0]) and "1/2 tasks" in popup_of(partly[0])
    # The unflown reach of the road is drawn on its own with its reason.
    pieces = layers(fmap, MacroElement, "lowalt-unserved")
    assert len(pieces) == 2 and "RD1#2" in popup_of(pieces[0])


# ------------------------------------------------------------------------------------------------ escaping
def test_user_text_is_escaped_in_popups_and_panels(fmap):
    popups = [e.html for e in walk(fmap) if isinstance(e, BindPopup)]
    target = next(h for h in popups if "Target P1" in h)
    assert "&lt;img src=x onerror=alert(1)&gt; &#96;&#36;{alert(2)}&#96; &#92;u0041" in target
    assert "<img" not in target and "`" not in target
    assert all("<script" not in h and "<img" not in h for h in popups)


def test_saved_page_holds_no_raw_user_markup(page):
    assert "<img src=x" not in page and "alert(3)</script>" not in page
    assert "${alert(2)}" not in page
    # The escaped name is in the page as a JSON string (with & escaped again for the <script> context).
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page


# ------------------------------------------------------------------------------------------------ offline
class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def test_saved_page_loads_no_asset_from_the_network(page):
    parser = _Assets()
    parser.feed(page)
    assert parser.urls == []
    # Every absolute URL left in the page: tile template, attribution links, comments and XML namespaces.
    hosts = {urlsplit(u).hostname for u in re.findall(r"https?://[^\"' )\\<>]+", page)}
    assert hosts <= {"tile.openstreetmap.org", "www.openstreetmap.org", "leafletjs.com", "www.w3.org",
                     "bugs.chromium.org", "bugzilla.mozilla.org"}
    # CSS images are inlined as data URIs; the only remote URL templates are the basemap tiles.
    # (Leaflet's old-IE `url(#default#VML)` behaviour is a fragment, not a request.)
    assert re.findall(r"url\((?![\"']?(?:data:|#default#VML))", page) == []
    # The plugins are in the page itself.
    assert "L$1.polylineDecorator = function" in page and "e.featureGroup.subGroup=function" in page
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in page


def test_no_tiles_option_draws_no_basemap(plan, scenario, tmp_path):
    page = save_map(render_map(plan, scenario, tiles="none"), tmp_path / "m.html").read_text()
    assert "L.tileLayer(" not in page
    assert page.count("lowalt-sortie") >= 4


def test_tile_choices_build_the_documented_templates(plan, scenario, tmp_path):
    from planner.cli.commands.map import TILE_CHOICES as CLI_CHOICES

    assert CLI_CHOICES == TILE_CHOICES
    page = save_map(render_map(plan, scenario, tiles="tianditu", tianditu_key="a b&c"), tmp_path / "t.html").read_text()
    assert "tianditu.gov.cn/vec_w/wmts" in page and "tianditu.gov.cn/cva_w/wmts" in page
    assert page.count("tk=a%20b%26c") == 2
    page = save_map(render_map(plan, scenario, tiles="custom", tile_url="http://tiles.lan/{z}/{x}/{y}.png"),
                    tmp_path / "c.html").read_text()
    assert "http://tiles.lan/{z}/{x}/{y}.png" in page and "openstreetmap" not in page
    with pytest.raises(ValueError, match="tianditu_key"):
        render_map(plan, scenario, tiles="tianditu")
    with pytest.raises(ValueError, match="tile_url"):
        render_map(plan, scenario, tiles="custom", tile_url="http://tiles.lan/tile.png")
    with pytest.raises(ValueError, match="tiles must be one of"):
        render_map(plan, scenario, tiles="google")


def test_amap_shifts_every_overlay_to_gcj02(plan, scenario):
    amap = render_map(plan, scenario, tiles="amap")
    line = sortie_lines(amap)["S1"]
    expected = [list(reversed(wgs84_to_gcj02(w.lon, w.lat))) for w in plan.sorties[0].waypoints]
    assert [p for ll in line.locations for p in ll] == pytest.approx([p for ll in expected for p in ll], abs=1e-12)
    hangar = scenario.hangars[0]
    circle = layers(amap, folium.Circle, "lowalt-radius")[0]
    lon, lat = wgs84_to_gcj02(hangar.lon, hangar.lat)
    assert circle.location == pytest.approx([lat, lon], abs=1e-12)
    # In Wuhan the GCJ-02 offset is hundreds of metres: large enough to put a route on the wrong street.
    shift_m = math.hypot((lon - hangar.lon) * 111_320 * math.cos(math.radians(hangar.lat)),
                         (lat - hangar.lat) * 110_540)
    assert 200 < shift_m < 1000
    zone = layers(amap, folium.Polygon, "lowalt-zone")[0]
    west, south = scenario.zones()[0].geometry.shape.exterior.coords[0]
    glon, glat = wgs84_to_gcj02(west, south)
    ring = zone.locations[0] if isinstance(zone.locations[0][0], list) else zone.locations
    assert ring[0] == pytest.approx([glat, glon], abs=1e-12)


# ------------------------------------------------------------------------------------------------ slider
def test_day_slider_carries_every_sortie_with_its_clock_times(fmap, plan, scenario):
    (slider,) = [e for e in walk(fmap) if isinstance(e, DaySlider)]
    data = slider.data
    assert [s["id"] for s in data["sorties"]] == ["S1", "S2", "S3", "S4"]
    first = data["sorties"][0]
    assert first["t0"] == 8 * 3600 + 600
    assert first["ts"] == [w.t_s for w in plan.sorties[0].waypoints]
    assert len(first["pts"]) == len(first["ts"])
    last_landing = max(scenario.seconds_after_midnight(s.landing) for s in plan.sorties)
    assert data["start"] <= 8 * 3600 + 600 and data["end"] >= last_landing
    assert json.loads(slider.data_json) == data


# ------------------------------------------------------------------------------------------------ schedule
def test_schedule_has_a_bar_per_sortie_and_recharge_and_a_row_per_drone(plan, scenario):
    html = schedule_html(plan, scenario)
    assert html.count('class="bar sortie"') == 4
    assert html.count('class="bar recharge"') == 4
    assert html.count('<div class="label">H0') == 3  # every drone of the fleet has a row
    assert "<script" not in html.replace("&lt;script", "") and "http" not in html
    assert "ops day &lt;script&gt;alert(3)&lt;/script&gt;" in html


def test_schedule_recharge_starts_at_landing_and_lasts_the_hangar_recharge(plan, scenario):
    html = schedule_html(plan, scenario)
    # Axis 08:00-18:00 (whole hours around the operating window): 36,000 s.
    bars = re.findall(r'class="bar (sortie|recharge)" style="left:([\d.]+)%;width:([\d.]+)%', html)
    sortie_left, sortie_width = float(bars[0][1]), float(bars[0][2])
    recharge_left, recharge_width = float(bars[1][1]), float(bars[1][2])
    assert bars[1][0] == "recharge"
    assert recharge_left == pytest.approx(sortie_left + sortie_width, abs=0.002)
    assert recharge_width == pytest.approx(32 * 60 / 36000 * 100, abs=0.001)


def test_save_map_writes_the_schedule_beside_the_map_and_links_it(fmap, tmp_path):
    path = save_map(fmap, tmp_path / "out" / "ops.html")
    assert (tmp_path / "out" / SCHEDULE_FILENAME).is_file()
    assert f'href=\\"{SCHEDULE_FILENAME}\\"' in path.read_text()


# ------------------------------------------------------------------------------------------------ CLI
@pytest.fixture()
def files(plan, scenario, tmp_path):
    scenario_path = tmp_path / "scenario.yaml"
    scenario_path.write_text(yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True), allow_unicode=True))
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(plan.model_dump_json())
    return scenario_path, plan_path


def test_lowalt_map_writes_map_and_schedule(files, tmp_path, capsys):
    scenario_path, plan_path = files
    out = tmp_path / "site" / "map.html"
    assert main(["map", str(scenario_path), str(plan_path), "--out", str(out), "--tiles", "none"]) == 0
    assert out.is_file() and (out.parent / "schedule.html").is_file()
    assert out.read_text().count('"className": "lowalt-sortie"') == 4
    assert "4 sorties" in capsys.readouterr().out


def test_lowalt_map_rejects_tianditu_without_key_and_unreadable_plan(files, tmp_path, capsys):
    scenario_path, plan_path = files
    assert main(["map", str(scenario_path), str(plan_path), "--out", str(tmp_path / "m.html"),
                 "--tiles", "tianditu"]) == 2
    assert "tianditu_key" in capsys.readouterr().err
    assert main(["map", str(scenario_path), str(tmp_path / "missing.json"), "--out", str(tmp_path / "m.html")]) == 3
    assert "missing.json" in capsys.readouterr().err


def test_fixture_plan_passes_the_independent_verifier(plan, scenario):
    from missions.verify import verify_plan

    assert verify_plan(plan, scenario).ok


# ------------------------------------------------------------------------------------------------ warnings
def test_the_panel_lists_the_plan_warnings_escaped_and_its_deadhead(plan, scenario):
    warned = plan.model_copy(update={"warnings": ["group-01 (2 hangars, 5 tasks): the solver found no plan <b>now</b>",
                                                  "1 task left undone when the 30 s time limit ran out"]})
    (panel,) = [e for e in walk(render_map(warned, scenario, tiles="none"))
                if getattr(e, "css_class", None) == "lowalt-panel"]
    html = panel.html
    assert ('<ul class="lowalt-warnings"><li>group-01 (2 hangars, 5 tasks): the solver found no plan '
            '&lt;b&gt;now&lt;/b&gt;</li><li>1 task left undone when the 30 s time limit ran out</li></ul>') in html
    assert f"<th>Deadhead</th><td>{plan.summary.deadhead_share * 100:.1f} %" in html
    (plain,) = [e for e in walk(render_map(plan, scenario, tiles="none"))
                if getattr(e, "css_class", None) == "lowalt-panel"]
    assert "lowalt-warnings" not in plain.html
