/* A small canvas heat layer for Leaflet (Okienko, EUPL-1.2; issue 20, item 4).
   L.okienkoHeat(points, {radius, blur}) with points [[lat, lng, weight], ...]: each point is drawn
   as a blurred grey disc whose opacity is its weight over the largest weight, then the grey levels
   are coloured through a palette (blue → green → yellow → red). Redrawn after every move or zoom;
   the canvas ignores the pointer, so the map below keeps working. No dependency beyond Leaflet. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var STOPS = [[0.25, [49, 54, 149]], [0.45, [69, 117, 180]], [0.6, [26, 152, 80]], [0.75, [254, 224, 139]], [0.9, [244, 109, 67]], [1.0, [165, 0, 38]]];
  function palette() {
    var out = new Uint8ClampedArray(256 * 3);
    for (var i = 0; i < 256; i++) {
      var t = i / 255, lo = [0, STOPS[0][1]], hi = STOPS[0];
      for (var s = 0; s < STOPS.length; s++) {
        if (t <= STOPS[s][0]) { hi = STOPS[s]; lo = s ? STOPS[s - 1] : [0, STOPS[0][1]]; break; }
      }
      var span = hi[0] - lo[0] || 1, f = Math.min(1, Math.max(0, (t - lo[0]) / span));
      for (var c = 0; c < 3; c++) { out[i * 3 + c] = lo[1][c] + (hi[1][c] - lo[1][c]) * f; }
    }
    return out;
  }
  var COLOURS = palette();
  L.OkienkoHeat = L.Layer.extend({
    options: { radius: 28, blur: 18, maxOpacity: 0.75 },
    initialize: function (points, options) { this._points = points || []; L.setOptions(this, options); },
    setPoints: function (points) { this._points = points || []; if (this._map) { this._redraw(); } return this; },
    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "okienko-heat leaflet-zoom-hide");
      this._canvas.style.pointerEvents = "none";
      this._canvas.setAttribute("aria-hidden", "true");
      map.getPanes().overlayPane.appendChild(this._canvas);
      map.on("moveend zoomend resize", this._redraw, this);
      this._redraw();
    },
    onRemove: function (map) {
      map.off("moveend zoomend resize", this._redraw, this);
      L.DomUtil.remove(this._canvas);
      this._canvas = null;
    },
    _redraw: function () {
      var map = this._map, canvas = this._canvas;
      if (!map || !canvas) { return; }
      var size = map.getSize();
      canvas.width = size.x; canvas.height = size.y;
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      var ctx = canvas.getContext("2d");
      ctx.clearRect(0, 0, size.x, size.y);
      var top = 0, i;
      for (i = 0; i < this._points.length; i++) { top = Math.max(top, this._points[i][2]); }
      if (!top) { return; }
      var r = this.options.radius, blur = this.options.blur;
      for (i = 0; i < this._points.length; i++) {
        var p = this._points[i], at = map.latLngToContainerPoint([p[0], p[1]]);
        if (at.x < -r || at.y < -r || at.x > size.x + r || at.y > size.y + r) { continue; }
        var g = ctx.createRadialGradient(at.x, at.y, Math.max(0, r - blur), at.x, at.y, r);
        g.addColorStop(0, "rgba(0,0,0," + Math.max(0.08, p[2] / top) + ")");
        g.addColorStop(1, "rgba(0,0,0,0)");
        ctx.fillStyle = g;
        ctx.beginPath(); ctx.arc(at.x, at.y, r, 0, Math.PI * 2); ctx.fill();
      }
      var image = ctx.getImageData(0, 0, size.x, size.y), px = image.data, max = this.options.maxOpacity * 255;
      for (i = 0; i < px.length; i += 4) {
        var a = px[i + 3];
        if (!a) { continue; }
        var k = a * 3;
        px[i] = COLOURS[k]; px[i + 1] = COLOURS[k + 1]; px[i + 2] = COLOURS[k + 2];
        px[i + 3] = Math.min(max, a * 1.4);
      }
      ctx.putImageData(image, 0, 0);
    }
  });
  L.okienkoHeat = function (points, options) { return new L.OkienkoHeat(points, options); };
})();
