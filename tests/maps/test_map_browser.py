"""The saved map page in a real headless Chromium (Debian's /usr/bin/chromium), with the network cut off.

Every request that is not file:// is aborted; the page must still draw every route with no console error.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from maps import render_map, save_map
from tests.helpers.map_fixtures import XSS_NAME, XSS_SCENARIO
from tests.helpers import TESTS_DIR

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = TESTS_DIR / "artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (CI installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


class Offline:
    """A page whose every non-file:// request is aborted, recording console errors, page errors and dialogs."""

    def __init__(self, browser, url: str):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.console: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.blocked: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(url)
        # Wait on the page's own state (never on the clock): loaded, and on a map page its layers drawn.
        self.page.wait_for_function(
            "document.readyState === 'complete' && (typeof L === 'undefined' || window.lowaltTimeline !== undefined)")

    def wait_until(self, condition: str, what: str) -> None:
        """Wait for a page condition; on timeout say which one, with the popups the page holds then."""
        try:
            self.page.wait_for_function(condition)
        except Exception as exc:  # playwright's TimeoutError: name the state instead of a bare timeout
            popups = self.page.evaluate("document.querySelectorAll('.leaflet-popup').length")
            raise AssertionError(f"page never reached: {what} ({popups} popup(s) in the page)") from exc

    def close_popups(self) -> None:
        """Close any open popup through Leaflet and wait until none is left in the page."""
        self.page.evaluate("Object.values(window).filter(v => v instanceof L.Map).forEach(m => m.closePopup())")
        self.wait_until("document.querySelectorAll('.leaflet-popup').length === 0", "no popup after closePopup()")

    def popup_text(self, locator) -> str:
        """Click `locator` (a drawn path) and return the text of the one popup it opens."""
        self.close_popups()
        # A synthetic click carries the position it is given, and Leaflet anchors the popup there: low in the map,
        # so the popup opens inside the viewport. At (0, 0) it opened in the corner and relied on autoPan, which
        # Leaflet 1.9 skips when the same popup was closed mid-pan (seen under load: close button off-screen).
        x, y = self.page.evaluate("(() => { const r = document.querySelector('.leaflet-container')"
                                  ".getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height * 0.8]; })()")
        locator.dispatch_event("click", {"clientX": x, "clientY": y})
        self.wait_until("document.querySelectorAll('.leaflet-popup-content').length === 1", "one popup after a click")
        return self.page.locator(".leaflet-popup-content").inner_text()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()


@pytest.fixture(scope="module")
def offline_map(browser, plan, scenario, tmp_path_factory):
    path = save_map(render_map(plan, scenario, tiles="none"), tmp_path_factory.mktemp("map") / "map.html")
    page = Offline(browser, path.as_uri())
    yield page
    page.page.close()


def test_page_renders_offline_with_no_console_or_page_error(offline_map):
    assert offline_map.errors == []
    assert offline_map.console == []
    assert offline_map.blocked == []
    assert offline_map.dialogs == []


def test_one_route_path_per_sortie_with_arrows(offline_map, plan):
    page = offline_map.page
    assert page.locator("path.lowalt-sortie").count() == len(plan.sorties) == 4
    assert page.locator("path.lowalt-arrow").count() >= 4
    assert page.locator("path.lowalt-zone").count() == 4
    assert page.locator("path.lowalt-cell").count() == 3


def test_screenshot_shows_routes_over_zones(offline_map):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "map.png"
    # At 08:38 S2 (H02-1) and S3 (H01-2) are both in the air: the picture shows their markers too.
    assert offline_map.page.evaluate("window.lowaltTimeline.setTime(8 * 3600 + 38 * 60)") == 2
    offline_map.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000


def test_hostile_names_show_as_text_and_run_nothing(offline_map):
    page = offline_map.page
    assert XSS_SCENARIO in page.locator(".lowalt-panel").inner_text()
    text = offline_map.popup_text(page.locator("path.lowalt-target-unserved"))
    assert XSS_NAME in text and "blocked_by_airspace" in text
    assert page.locator("img[src='x']").count() == 0
    assert page.locator(".leaflet-popup-content img, .lowalt-panel script").count() == 0
    # Two animation frames after the popup drew: an injected handler would have run by now.
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert offline_map.dialogs == [] and offline_map.errors == []
    offline_map.close_popups()


def test_sortie_popup_opens_on_click(offline_map):
    page = offline_map.page
    text = offline_map.popup_text(page.locator("path.lowalt-sortie").first)
    assert "Battery used" in text and "Takeoff" in text
    # The close button is a real control: clicking it removes the popup.
    page.locator(".leaflet-popup-close-button").click()
    offline_map.wait_until("document.querySelectorAll('.leaflet-popup').length === 0", "no popup after its close button")


def test_day_slider_moves_one_marker_per_airborne_drone(offline_map, plan, scenario):
    page = offline_map.page
    for t in (8 * 3600 + 700, 8 * 3600 + 1900, 8 * 3600 + 2300, 9 * 3600 + 300, 10 * 3600 + 300):
        expected = sum(
            scenario.seconds_after_midnight(s.takeoff) <= t <= scenario.seconds_after_midnight(s.landing)
            for s in plan.sorties
        )
        assert page.evaluate(f"window.lowaltTimeline.setTime({t})") == expected
        assert page.locator("path.lowalt-drone").count() == expected
    assert page.locator(".lowalt-timeline .clock").inner_text() == "10:05 · 1 airborne"


def test_day_slider_plays(offline_map):
    page = offline_map.page
    page.evaluate("window.lowaltTimeline.setTime(8 * 3600)")
    page.locator(".lowalt-timeline button").click()
    # 300 plan seconds per second: wait until the clock has moved a minute of the day, however slow the machine.
    page.wait_for_function("window.lowaltTimeline.time() > 8 * 3600 + 60")
    page.locator(".lowalt-timeline button").click()
    paused = page.evaluate("window.lowaltTimeline.time()")
    page.evaluate("new Promise(r => setTimeout(r, 100))")
    assert page.evaluate("window.lowaltTimeline.time()") == paused > 8 * 3600 + 60


def test_layer_control_hides_one_drones_sorties(offline_map):
    page = offline_map.page
    label = page.locator(".leaflet-control-layers-overlays label", has_text="H02-1")
    label.locator("input").uncheck()
    assert page.locator("path.lowalt-sortie").count() == 2
    label.locator("input").check()
    hangar = page.locator(".leaflet-control-layers-overlays label", has_text="Hangar H01")
    hangar.locator("input").uncheck()  # the hangar group holds its drones' sub-layers
    assert page.locator("path.lowalt-sortie").count() == 2
    hangar.locator("input").check()
    assert page.locator("path.lowalt-sortie").count() == 4


def test_schedule_page_opens_offline(browser, offline_map, plan):
    schedule = Path(offline_map.page.url.removeprefix("file://")).parent / "schedule.html"
    page = Offline(browser, schedule.as_uri())
    try:
        assert page.page.locator(".bar.sortie").count() == len(plan.sorties)
        assert page.console == [] and page.errors == [] and page.blocked == []
    finally:
        page.page.close()


def test_osm_tiles_offline_fail_only_as_tile_loads(browser, plan, scenario, tmp_path):
    path = save_map(render_map(plan, scenario, tiles="osm"), tmp_path / "osm.html")
    page = Offline(browser, path.as_uri())
    try:
        # Chromium reports each refused tile as a console error; nothing else may fail.
        assert page.blocked and all(u.startswith("https://tile.openstreetmap.org/") for u in page.blocked)
        assert page.console and all(m.startswith("Failed to load resource") for m in page.console)
        assert page.errors == []
        assert page.page.locator("path.lowalt-sortie").count() == 4
    finally:
        page.page.close()


def test_chromium_is_debians(browser):
    assert shutil.which("chromium") or Path(CHROMIUM).exists()
    assert browser.version.split(".")[0].isdigit()
