"""Offline page assets: the vendored Leaflet, its plugins and lowalt's own JS/CSS, inlined into the page.

The saved map makes no CDN request; `maps/assets/README.md` names every package, version and licence.
"""
from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

from branca.element import Element

ASSET_DIR = Path(__file__).parent / "assets"

# Load order matters: Leaflet first, then plugins that extend `L`, then our code that uses them.
SCRIPTS = [
    "leaflet/leaflet.js",
    "leaflet.featuregroup.subgroup/leaflet.featuregroup.subgroup.js",
    "leaflet-polylinedecorator/leaflet.polylineDecorator.js",
    "lowalt/lowalt-timeline.js",
]
STYLES = ["leaflet/leaflet.css", "lowalt/lowalt.css"]

_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[\w.-]+\.png)\1\)")


def _read(relative: str) -> str:
    text = (ASSET_DIR / relative).read_text(encoding="utf-8")
    # A literal closing tag would end the inline <script>/<style> early.
    if re.search(r"</(script|style)", text, re.IGNORECASE):
        raise ValueError(f"asset {relative} contains a closing </script> or </style> tag; it cannot be inlined")
    return text


def _inline_css(relative: str) -> str:
    """CSS with its `url(images/x.png)` turned into data URIs, since nothing sits beside the page."""
    folder = (ASSET_DIR / relative).parent

    def data_uri(match: re.Match) -> str:
        payload = base64.b64encode((folder / match[2]).read_bytes()).decode("ascii")
        return f'url("data:image/png;base64,{payload}")'

    return _CSS_URL.sub(data_uri, _read(relative))


@lru_cache(maxsize=1)
def inline_head() -> str:
    """`<style>` and `<script>` blocks holding every asset, in load order."""
    parts = [f"<style>/* {name} */\n{_inline_css(name)}</style>" for name in STYLES]
    parts += [f"<script>/* {name} */\n{_SOURCE_MAP.sub('', _read(name))}</script>" for name in SCRIPTS]
    return "\n".join(parts)


class OfflineAssets(Element):
    """A figure-header element that inlines the assets (replaces folium's CDN links)."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "OfflineAssets"

    def render(self, **kwargs) -> str:
        return inline_head()
