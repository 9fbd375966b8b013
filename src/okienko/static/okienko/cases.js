/* Case intake map (offline: administrative boundaries only) and standard-reply insertion. */
(function () {
  "use strict";
  function setupMap() {
    var el = document.getElementById("case-map");
    if (!el || typeof L === "undefined") { return; }
    var lat = document.getElementById("f-latitude");
    var lon = document.getElementById("f-longitude");
    var map = L.map(el, { center: [51.76, 19.46], zoom: 11, keyboard: true });
    var marker = null;
    function place(latlng, fromMap) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng, { keyboard: true }).addTo(map); }
      if (fromMap) {
        lat.value = latlng.lat.toFixed(6);
        lon.value = latlng.lng.toFixed(6);
        lat.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
    fetch(el.dataset.geo + "?prefix=10", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        L.geoJSON(data, { style: { color: "#1f5fa8", weight: 1, fillOpacity: 0.05 } }).addTo(map);
      });
    map.on("click", function (e) { place(e.latlng, true); });
    /* Enter on the focused map drops the pin at the centre; arrows pan (Leaflet keyboard). */
    el.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); place(map.getCenter(), true); }
    });
    function fromFields() {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (!isNaN(a) && !isNaN(b)) { place(L.latLng(a, b), false); map.panTo([a, b]); }
    }
    lat.addEventListener("change", fromFields);
    lon.addEventListener("change", fromFields);
    fromFields();
  }
  function setupReplies() {
    document.body.addEventListener("click", function (e) {
      var btn = e.target.closest("[data-use-reply]");
      if (!btn) { return; }
      var target = document.getElementById(btn.dataset.useReply);
      var tpl = btn.parentElement.querySelector("template[data-reply-text]");
      if (target && tpl) { target.value = tpl.innerHTML.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#x27;/g, "'"); target.focus(); }
    });
  }
  /* The 2nd-line queue's map view: one circle per located case, coloured by priority, over the
     shipped boundaries (offline base layer); the list under the map carries the same cases. */
  var PRIORITY_COLOURS = { low: "#5b6770", normal: "#1f5fa8", high: "#b35c00", urgent: "#b00020" };
  function setupQueueMap() {
    var el = document.getElementById("queue-map");
    var data = document.getElementById("queue-points");
    if (!el || !data || typeof L === "undefined") { return; }
    var points = JSON.parse(data.textContent || "[]");
    var map = L.map(el, { center: [51.76, 19.46], zoom: 6, keyboard: true });
    var bounds = [];
    points.forEach(function (p) {
      var colour = PRIORITY_COLOURS[p.priority] || PRIORITY_COLOURS.normal;
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: p.priority === "urgent" || p.priority === "high" ? 9 : 7,
        color: "#ffffff", weight: 2, fillColor: colour, fillOpacity: 0.95
      }).addTo(map);
      var box = document.createElement("div");
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.number;
      box.appendChild(link);
      [p.service, p.address, p.priority_label + " · " + p.status, p.due].forEach(function (line) {
        if (!line) { return; }
        var row = document.createElement("div");
        row.textContent = line;
        box.appendChild(row);
      });
      marker.bindPopup(box);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 }); }
    fetch(el.dataset.geo, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        var layer = L.geoJSON(geo, { style: { color: "#1f5fa8", weight: 1, fillOpacity: 0.03 }, interactive: false });
        layer.addTo(map);
        layer.bringToBack();
        if (!bounds.length) { map.fitBounds(layer.getBounds()); }
      })
      .catch(function () { /* the markers and the list work without the boundaries */ });
  }
  document.addEventListener("DOMContentLoaded", function () { setupMap(); setupReplies(); setupQueueMap(); });
})();
