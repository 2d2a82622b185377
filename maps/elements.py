"""Small folium elements lowalt needs: popups and tooltips passed as JS strings, arrows, panels, day slider.

folium's own Popup needs jQuery and pastes HTML into a JS template literal; these pass escaped JSON instead.
"""
from __future__ import annotations

import json

from folium.elements import MacroElement
from folium.plugins import FeatureGroupSubGroup
from folium.template import Template


def script_json(value: object) -> str:
    """JSON that is safe inside an inline <script>: no `<`, `>`, `&` or `'` can close or confuse the tag."""
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")


class _BindText(MacroElement):
    """`layer.<method>(html, options)` with the HTML passed as a JS string; `html` must already be escaped."""

    method = ""
    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.{{ this.method }}({{ this.html|tojavascript }}, {{ this.options|tojavascript }});
        {% endmacro %}"""
    )

    def __init__(self, html: str, options: dict) -> None:
        super().__init__()
        self._name = type(self).__name__
        self.html = html
        self.options = options


class BindPopup(_BindText):
    """`layer.bindPopup(html)`; `html` must already be escaped (maps.text.esc)."""

    method = "bindPopup"

    def __init__(self, html: str, max_width: int = 360) -> None:
        super().__init__(html, {"maxWidth": max_width})


class BindTooltip(_BindText):
    """`layer.bindTooltip(html)`; `html` must already be escaped (maps.text.esc)."""

    method = "bindTooltip"

    def __init__(self, html: str, sticky: bool = True) -> None:
        super().__init__(html, {"sticky": sticky})


class DirectionArrows(MacroElement):
    """Arrow heads along a polyline (leaflet-polylinedecorator), added to the same group as the line."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        L.polylineDecorator({{ this.line.get_name() }}, {patterns: [{
            offset: {{ this.offset_px }}, repeat: {{ this.repeat_px }},
            symbol: L.Symbol.arrowHead({pixelSize: {{ this.size_px }}, polygon: true, pathOptions: {
                stroke: false, fill: true, fillOpacity: 0.95,
                fillColor: {{ this.colour|tojavascript }}, className: "lowalt-arrow"}})
        }]}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, line: MacroElement, colour: str, repeat_px: int = 110) -> None:
        super().__init__()
        self._name = "DirectionArrows"
        self.line = line
        self.colour = colour
        self.offset_px = 30
        self.repeat_px = repeat_px
        self.size_px = 11


class HtmlControl(MacroElement):
    """A Leaflet control holding a fixed HTML block (summary panel, legend); `html` must be escaped."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var control = L.control({position: {{ this.position|tojavascript }}});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojavascript }});
                div.innerHTML = {{ this.html|tojavascript }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, html: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.html = html
        self.position = position
        self.css_class = css_class


class DaySlider(MacroElement):
    """The day slider (assets/lowalt/lowalt-timeline.js) fed with every sortie's timed path."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        lowaltCreateTimeline({{ this._parent.get_name() }}, {{ this.data_json }});
        {% endmacro %}"""
    )

    def __init__(self, data: dict) -> None:
        super().__init__()
        self._name = "DaySlider"
        self.data = data
        self.data_json = script_json(data)


class OfflineSubGroup(FeatureGroupSubGroup):
    """FeatureGroupSubGroup without folium's CDN link: the plugin is inlined by maps.assets."""

    default_js: list = []
