/* lowalt day slider: moves one marker per airborne drone along its sortie using the waypoint times.
 * data.sorties[i] = {id, label (escaped HTML), color, t0 (s after local midnight at takeoff), ts: [s after takeoff], pts: [[lat, lon]]}
 * Exposes the control as window.lowaltTimeline so tests and operators' scripts can set the time. */
(function () {
  "use strict";

  function clock(t) {
    var s = Math.max(0, Math.round(t));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  // Position of a sortie at `t` seconds after its takeoff (linear between waypoints), or null if on the dock.
  function positionAt(sortie, t) {
    var ts = sortie.ts, pts = sortie.pts, n = ts.length;
    if (n === 0 || t < ts[0] || t > ts[n - 1]) return null;
    for (var i = 1; i < n; i++) {
      if (t <= ts[i]) {
        var span = ts[i] - ts[i - 1];
        var f = span > 0 ? (t - ts[i - 1]) / span : 1;
        return [pts[i - 1][0] + f * (pts[i][0] - pts[i - 1][0]), pts[i - 1][1] + f * (pts[i][1] - pts[i - 1][1])];
      }
    }
    return pts[n - 1];
  }

  function create(map, data) {
    var layer = L.layerGroup().addTo(map);
    var markers = data.sorties.map(function (s) {
      return L.circleMarker(s.pts[0] || [0, 0], {
        radius: 7, color: "#fff", weight: 2, fillColor: s.color, fillOpacity: 1, className: "lowalt-drone"
      }).bindTooltip(s.label);  // label is HTML-escaped by the page builder
    });
    var state = { t: data.start, playing: false, timer: null, speed: data.speed };
    var control = L.control({ position: "bottomleft" });
    var ui = {};

    control.onAdd = function () {
      var div = L.DomUtil.create("div", "lowalt-timeline");
      ui.play = L.DomUtil.create("button", "play", div);
      ui.play.type = "button";
      ui.play.textContent = "Play";
      ui.range = L.DomUtil.create("input", "range", div);
      ui.range.type = "range";
      ui.range.min = data.start; ui.range.max = data.end; ui.range.step = 10; ui.range.value = data.start;
      ui.clock = L.DomUtil.create("span", "clock", div);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      L.DomEvent.on(ui.range, "input", function () { api.setTime(+ui.range.value); });
      L.DomEvent.on(ui.play, "click", function () { state.playing ? api.pause() : api.play(); });
      return div;
    };
    control.addTo(map);

    var api = {
      sorties: data.sorties,
      setTime: function (t) {
        state.t = Math.min(data.end, Math.max(data.start, t));
        var airborne = 0;
        data.sorties.forEach(function (s, i) {
          var p = positionAt(s, state.t - s.t0);
          if (p) {
            airborne++;
            markers[i].setLatLng(p);
            if (!layer.hasLayer(markers[i])) layer.addLayer(markers[i]);
          } else if (layer.hasLayer(markers[i])) {
            layer.removeLayer(markers[i]);
          }
        });
        ui.range.value = state.t;
        ui.clock.textContent = clock(state.t) + " · " + airborne + " airborne";
        return airborne;
      },
      time: function () { return state.t; },
      play: function () {
        if (state.t >= data.end) api.setTime(data.start);
        state.playing = true;
        ui.play.textContent = "Pause";
        var last = Date.now();
        state.timer = setInterval(function () {
          var now = Date.now();
          api.setTime(state.t + (now - last) / 1000 * state.speed);
          last = now;
          if (state.t >= data.end) api.pause();
        }, 100);
      },
      pause: function () {
        state.playing = false;
        ui.play.textContent = "Play";
        clearInterval(state.timer);
      }
    };
    api.setTime(data.start);
    window.lowaltTimeline = api;
    return api;
  }

  window.lowaltCreateTimeline = create;
})();
