/* The desk's map of cases (/desk/reports/map/, issue 20 item 4). Four ways to show the same
   filtered cases: areas with counts and a heat map (cells.json for the box and zoom on screen),
   shades per powiat or voivodeship (regions.json over the shipped boundaries) or per area the
   offices imported (city districts, osiedla: obszary.geojson, ADR 0071). No inline scripts
   or styles (CSP); the tables of the page carry the same numbers. */
(function () {
  "use strict";
  var SHADES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  function setup() {
    var el = document.getElementById("desk-map");
    if (!el || typeof L === "undefined") { return; }
    var d = el.dataset;
    var status = document.getElementById("desk-map-status");
    var ext = (d.extent || "").split(",").map(parseFloat);
    var bounds = L.latLngBounds([ext[0], ext[1]], [ext[2], ext[3]]);
    var maxZoom = parseInt(d.maxZoom, 10) || 18, minZoom = parseInt(d.minZoom, 10) || 5;
    var map = L.map(el, { keyboard: true, maxZoom: maxZoom, minZoom: minZoom, maxBounds: bounds.pad(0.05) });
    if (d.tiles) { L.tileLayer(d.tiles, { attribution: d.attribution || "", maxZoom: maxZoom }).addTo(map); }
    // "#map=zoom/lat/lon" (the hot-spot e-mail's link) opens the map there, else the offices' extent
    var at = /^#map=(\d{1,2})\/(-?\d{1,3}(?:\.\d+)?)\/(-?\d{1,3}(?:\.\d+)?)$/.exec(window.location.hash);
    var spot = at ? L.latLng(parseFloat(at[2]), parseFloat(at[3])) : null;
    if (spot && bounds.contains(spot)) {
      map.setView(spot, Math.min(maxZoom, Math.max(minZoom, parseInt(at[1], 10))));
    } else {
      map.fitBounds(bounds);
    }
    var counts = L.layerGroup(), heat = L.okienkoHeat ? L.okienkoHeat([]) : null, shapes = null, legend = null;
    var boundaries = {}, mode = "cells", pending = 0;
    function say(text) { if (status) { status.textContent = text; } }
    function query(extra) { return "?" + (d.query ? d.query + "&" : "") + extra; }
    function get(url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); });
    }
    function tabulate(features) {
      // the same numbers as the areas on screen, for screen readers and keyboards (at most 100 rows)
      var section = document.getElementById("desk-map-areas");
      if (!section) { return; }
      var body = section.querySelector("tbody");
      body.textContent = "";
      features.slice(0, 100).forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates, row = document.createElement("tr");
        var head = document.createElement("th");
        head.scope = "row";
        head.textContent = p.label || (c[1].toFixed(3) + ", " + c[0].toFixed(3));
        row.appendChild(head);
        [p.count, p.open].forEach(function (v) { var td = document.createElement("td"); td.textContent = String(v); row.appendChild(td); });
        body.appendChild(row);
      });
      section.hidden = features.length === 0;
    }
    function size(n) { return Math.round(Math.min(56, 24 + Math.sqrt(n) * 4)); }
    function clear() {
      counts.clearLayers(); map.removeLayer(counts);
      if (heat) { map.removeLayer(heat); }
      if (shapes) { map.removeLayer(shapes); shapes = null; }
      if (legend) { map.removeControl(legend); legend = null; }
    }
    function showCells(geo) {
      var total = 0, points = [];
      counts.clearLayers();
      (geo.features || []).forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        total += p.count;
        points.push([c[1], c[0], p.count]);
        if (mode !== "cells") { return; }
        var s = size(p.count), title = (p.label ? p.label + " — " : "") + d.labelCount + ": " + p.count;
        var marker = L.marker([c[1], c[0]], {
          icon: L.divIcon({ className: "desk-map-count", html: String(p.count), iconSize: [s, s] }),
          keyboard: true, title: title
        });
        var box = document.createElement("div");
        [title, d.labelOpen + ": " + p.open].forEach(function (line) {
          var row = document.createElement("div"); row.textContent = line; box.appendChild(row);
        });
        marker.bindPopup(box);
        counts.addLayer(marker);
      });
      if (mode === "cells") { counts.addTo(map); } else if (heat) { heat.setPoints(points); heat.addTo(map); }
      tabulate(geo.features || []);
      say(d.labelCount + ": " + total);
    }
    function loadCells() {
      var b = map.getBounds();
      var s = Math.max(b.getSouth(), ext[0]), w = Math.max(b.getWest(), ext[1]);
      var n = Math.min(b.getNorth(), ext[2]), e = Math.min(b.getEast(), ext[3]);
      if (s >= n || w >= e) { clear(); return; }
      var mine = ++pending, box = [w, s, e, n].map(function (v) { return v.toFixed(4); }).join(",");
      get(d.cells + query("bbox=" + box + "&zoom=" + map.getZoom())).then(function (r) {
        if (mine !== pending) { return; }
        if (r.ok) { clear(); showCells(r.body); } else { say(r.body.detail || ""); }
      }).catch(function () { /* the tables work without the map */ });
    }
    function shade(n, breaks) {
      if (!n) { return "#ffffff"; }
      for (var i = 0; i < breaks.length; i++) { if (n <= breaks[i]) { return SHADES[i]; } }
      return SHADES[SHADES.length - 1];
    }
    function showRegions(level, geo, data) {
      var areas = document.getElementById("desk-map-areas");
      if (areas) { areas.hidden = true; }
      var byCode = {}, values = [];
      (data.regions || []).forEach(function (r) { byCode[r.code] = r; values.push(r.count); });
      values.sort(function (a, b) { return a - b; });
      var breaks = [];
      for (var i = 1; i <= SHADES.length; i++) { breaks.push(values.length ? values[Math.min(values.length - 1, Math.ceil(values.length * i / SHADES.length) - 1)] : 0); }
      shapes = L.geoJSON(geo, {
        style: function (f) {
          var r = byCode[f.properties.code];
          return { color: "#5b6770", weight: 1, fillOpacity: r ? 0.75 : 0.1, fillColor: shade(r ? r.count : 0, breaks) };
        },
        onEachFeature: function (f, layer) {
          var r = byCode[f.properties.code];
          layer.bindTooltip(f.properties.name + ": " + (r ? d.labelCount + " " + r.count + ", " + d.labelOpen + " " + r.open : d.labelNone));
        }
      }).addTo(map);
      legend = L.control({ position: "bottomright" });
      legend.onAdd = function () {
        var div = L.DomUtil.create("div", "desk-map-legend"), low = 1;
        div.setAttribute("aria-hidden", "true");
        breaks.forEach(function (top, k) {
          if (top < low) { return; }
          var row = document.createElement("div"), swatch = document.createElement("span");
          swatch.style.background = SHADES[k];
          row.appendChild(swatch);
          row.appendChild(document.createTextNode(low === top ? String(top) : low + "–" + top));
          div.appendChild(row);
          low = top + 1;
        });
        return div;
      };
      legend.addTo(map);
      say(d.labelCount + ": " + data.total);
    }
    function loadRegions(key) {
      // key: "powiat", "voivodeship" or "area:<kind>" (the areas the offices imported)
      var level = key, kind = "";
      if (key.indexOf("area:") === 0) { level = "area"; kind = key.slice(5); }
      var url = level === "powiat" ? d.powiaty : (level === "voivodeship" ? d.wojewodztwa : d.areas + "?kind=" + encodeURIComponent(kind));
      var mine = ++pending;
      var shapesReady = boundaries[key] ? Promise.resolve({ ok: true, body: boundaries[key] }) : get(url);
      var extra = "level=" + level + (kind ? "&kind=" + encodeURIComponent(kind) : "");
      Promise.all([shapesReady, get(d.regions + query(extra))]).then(function (both) {
        if (mine !== pending || mode !== key) { return; }
        if (!both[0].ok) { say(both[0].body.detail || ""); return; }
        if (!both[1].ok) { say(both[1].body.detail || ""); return; }
        var first = !boundaries[key];
        boundaries[key] = both[0].body;
        clear(); showRegions(level, both[0].body, both[1].body);
        if (kind && first && shapes && shapes.getBounds().isValid()) { map.fitBounds(shapes.getBounds()); }
      }).catch(function () { /* the tables work without the map */ });
    }
    function load() { if (mode === "cells" || mode === "heat") { loadCells(); } else { loadRegions(mode); } }
    Array.prototype.forEach.call(document.querySelectorAll("input[name='desk-map-mode']"), function (radio) {
      radio.addEventListener("change", function () { if (radio.checked) { mode = radio.value; clear(); load(); } });
    });
    map.on("moveend", function () { if (mode === "cells" || mode === "heat") { loadCells(); } });
    load();
  }
  document.addEventListener("DOMContentLoaded", setup);
})();
