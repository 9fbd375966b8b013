/* The public map of recent requests (/mapa-zgloszen/): counts per area from dane.geojson,
   reloaded for the box and zoom on screen (the server refuses larger boxes and closer zooms).
   No inline scripts or styles (CSP); the table page carries the same matters. */
(function () {
  "use strict";
  function setup() {
    var el = document.getElementById("public-map");
    if (!el || typeof L === "undefined") { return; }
    var d = el.dataset;
    var status = document.getElementById("public-map-status");
    var ext = (d.extent || "").split(",").map(parseFloat);
    var maxZoom = parseInt(d.maxZoom, 10) || 16;
    var minZoom = parseInt(d.minZoom, 10) || 5;
    var bounds = L.latLngBounds([ext[0], ext[1]], [ext[2], ext[3]]);
    var map = L.map(el, { keyboard: true, maxZoom: maxZoom, minZoom: minZoom, maxBounds: bounds.pad(0.05) });
    if (d.tiles) { L.tileLayer(d.tiles, { attribution: d.attribution || "", maxZoom: maxZoom }).addTo(map); }
    map.fitBounds(bounds);
    var layer = L.layerGroup().addTo(map);
    var pending = 0;
    function size(count) { return Math.round(Math.min(56, 24 + Math.sqrt(count) * 4)); }
    function show(geo) {
      layer.clearLayers();
      var total = 0;
      (geo.features || []).forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates, s = size(p.count);
        total += p.count;
        var icon = L.divIcon({
          className: "map-cell-count" + (p.kind === "place" ? " map-place" : ""),
          html: String(p.count), iconSize: [s, s]
        });
        var marker = L.marker([c[1], c[0]], { icon: icon, keyboard: true, title: d.labelCount + ": " + p.count });
        var box = document.createElement("div");
        [p.kind === "place" ? d.labelPlace : d.labelArea, d.labelCount + ": " + p.count, d.labelOpen + ": " + p.open].forEach(function (line) {
          var row = document.createElement("div");
          row.textContent = line;
          box.appendChild(row);
        });
        marker.bindPopup(box);
        layer.addLayer(marker);
      });
      if (status) { status.textContent = d.labelCount + ": " + total; }
    }
    function load() {
      var b = map.getBounds();
      var s = Math.max(b.getSouth(), ext[0]), w = Math.max(b.getWest(), ext[1]);
      var n = Math.min(b.getNorth(), ext[2]), e = Math.min(b.getEast(), ext[3]);
      if (s >= n || w >= e) { layer.clearLayers(); return; }
      var q = (d.query ? d.query + "&" : "") + "bbox=" + [w, s, e, n].map(function (v) { return v.toFixed(4); }).join(",") + "&zoom=" + map.getZoom();
      var mine = ++pending;
      fetch(d.url + "?" + q, { credentials: "omit" })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (r) {
          if (mine !== pending) { return; }
          if (r.ok) { show(r.body); } else if (status) { status.textContent = r.body.detail || ""; }
        })
        .catch(function () { /* the table works without the map */ });
    }
    map.on("moveend", load);
    load();
  }
  document.addEventListener("DOMContentLoaded", setup);
})();
