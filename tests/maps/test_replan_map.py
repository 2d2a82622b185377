"""The map of a replanned day: the before / after layer pair on the folium objects and in a real headless browser.

Built from the replan test day (tests/helpers/replan_days.py) after H04-1 fails at 10:00, replanned from 10:30.
"""
from __future__ import annotations

from pathlib import Path

import folium
import pytest

from maps import save_map
from maps.replan import AFTER_CLASS, BEFORE_CLASS, ENDED_CLASS, changed_sorties, render_replan_map
from planner import replan
from planner.replan import Changes
from planner.replan.changes import DroneFailure
from tests.helpers.replan_days import REPLAN, day, verified
from tests.maps.test_map import layers, popup_of
from tests.maps.test_map_browser import CHROMIUM, LAUNCH_ARGS, Offline


@pytest.fixture(scope="module")
def replanned():
    scenario, original = day()
    result = replan(scenario, original, "10:30", Changes(failures=[DroneFailure(drone="H04-1", at="10:00")]), REPLAN)
    verified(result.plan, result.scenario)
    return original, result


@pytest.fixture(scope="module")
def fmap(replanned):
    original, result = replanned
    return render_replan_map(original, result.plan, result.scenario, 10.5 * 3600, result.diff.changes, tiles="none")


def test_the_pair_holds_the_old_sorties_that_changed_and_the_new_or_cut_ones(fmap, replanned):
    original, result = replanned
    old, new = changed_sorties(original, result.plan)
    # The failed sortie is on both sides: as planned (before) and cut short (after); S2 of the lost drone only before.
    assert {"H04-1-S1", "H04-1-S2"} <= {s.sortie_id for s in old}
    assert "H04-1-S1" in {s.sortie_id for s in new} and "H04-1-S2" not in {s.sortie_id for s in new}
    groups = {e.layer_name: e for e in fmap._children.values() if isinstance(e, folium.FeatureGroup)}
    before = groups[f"Before: the old plan's {len(old)} sortie(s) changed from 10:30"]
    after = groups[f"After: {len(new)} new or cut-short sortie(s) from 10:30"]
    assert before.show is False and after.show is True  # the new day first; the old one a click away
    assert len(layers(before, folium.PolyLine, BEFORE_CLASS)) == len(old)
    assert len(layers(after, folium.PolyLine, AFTER_CLASS)) == len(new)
    (marker,) = layers(after, folium.CircleMarker, ENDED_CLASS)
    text = popup_of(marker)
    assert "<b>H04-1-S1: failure at 10:00</b>" in text and "drone H04-1 failed at 10:00" in text
    cut = next(s for s in result.plan.sorties if s.sortie_id == "H04-1-S1")
    assert marker.location == [cut.waypoints[-1].lat, cut.waypoints[-1].lon]  # [lat, lon] only at folium's edge


@pytest.mark.browser
def test_the_pair_toggles_in_a_real_browser_offline(fmap, replanned, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (CI installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    original, result = replanned
    old, new = changed_sorties(original, result.plan)
    path = save_map(fmap, tmp_path / "map.html")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = Offline(browser, path.as_uri())
            assert page.errors == [] and page.console == [] and page.blocked == []
            assert page.page.locator(f"path.{BEFORE_CLASS}").count() == 0
            assert page.page.locator(f"path.{AFTER_CLASS}").count() == len(new)
            overlays = page.page.locator(".leaflet-control-layers-overlays label")
            overlays.filter(has_text="Before: the old plan").locator("input").check()
            assert page.page.locator(f"path.{BEFORE_CLASS}").count() == len(old)
            overlays.filter(has_text="After: ").locator("input").uncheck()
            assert page.page.locator(f"path.{AFTER_CLASS}").count() == 0
            assert "Replanned from 10:30" in page.page.locator(".lowalt-replan").inner_text()
        finally:
            browser.close()
