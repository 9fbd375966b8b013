/* Maps of the forms (configured tiles over the shipped boundaries, address search, naming of a pinned point)
   and standard-reply insertion. */
(function () {
  "use strict";
  function setupMap() {
    var el = document.getElementById("case-map");
    if (!el || typeof L === "undefined") { return; }
    var d = el.dataset;
    var lat = document.getElementById("f-latitude");
    var lon = document.getElementById("f-longitude");
    var address = d.address ? document.getElementById(d.address) : null;
    var territory = d.territory ? document.getElementById(d.territory) : null;
    var map = L.map(el, { keyboard: true });
    var box = (d.bbox || "").split(",").map(parseFloat);
    if (box.length === 4 && !box.some(isNaN)) { map.fitBounds([[box[0], box[1]], [box[2], box[3]]]); }
    else { map.setView([52.0, 19.4], 6); }
    /* Base map: configured tiles (ADR 0051) over the shipped boundaries, the offline fallback. */
    if (d.tiles) { L.tileLayer(d.tiles, { attribution: d.attribution || "", maxZoom: 19 }).addTo(map); }
    var marker = null;
    var autoAddress = "";
    function query(params) {
      var url = d.places + (d.places.indexOf("?") < 0 ? "?" : "&") + new URLSearchParams(params).toString();
      if (d.service) { url += "&service=" + encodeURIComponent(d.service); }
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); });
    }
    function name(point) {
      if (!d.places) { return; }
      query({ lat: point.lat.toFixed(6), lon: point.lng.toFixed(6) }).then(function (res) {
        var found = res.ok && res.body.place;
        if (territory) { territory.value = found ? found.territory : ""; territory.dispatchEvent(new Event("change", { bubbles: true })); }
        if (found && address && (!address.value || address.value === autoAddress)) { address.value = autoAddress = found.label; }
      }).catch(function () { /* the pin stays; the place is named on the server */ });
    }
    function place(latlng, fromMap) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng, { keyboard: true }).addTo(map); }
      if (fromMap) {
        lat.value = latlng.lat.toFixed(6);
        lon.value = latlng.lng.toFixed(6);
        lat.dispatchEvent(new Event("change", { bubbles: true }));
        name(latlng);
      }
    }
    fetch(d.geo + (d.prefix ? "?prefix=" + d.prefix : ""), { credentials: "same-origin" })
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
    setupSearch(map, d, query, function (p) {
      if (p.bbox) { map.fitBounds([[p.bbox[0], p.bbox[1]], [p.bbox[2], p.bbox[3]]]); }
      if (p.approximate) { return d.msgApproximate; }
      var point = L.latLng(p.latitude, p.longitude);
      map.setView(point, Math.max(map.getZoom(), 17));
      place(point, false);
      lat.value = p.latitude.toFixed(6);
      lon.value = p.longitude.toFixed(6);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
      if (address) { address.value = autoAddress = p.label; }
      if (territory) { territory.value = p.territory || ""; }
      return d.msgPinned;
    });
  }
  /* The address search box above the map (hidden without script: the address field and the map work alone). */
  function setupSearch(map, d, query, choose) {
    var box = document.querySelector("[data-map-search]");
    if (!box || !d.places) { return; }
    box.hidden = false;
    var input = box.querySelector("input");
    var status = box.querySelector("[role=status]");
    var list = box.querySelector("ul");
    function find() {
      var text = input.value.trim();
      list.innerHTML = "";
      if (text.length < 2) { return; }
      status.textContent = d.msgSearching;
      query({ q: text }).then(function (res) {
        var places = (res.body && res.body.places) || [];
        if (!res.ok || (res.body && res.body.error)) { status.textContent = (res.body && res.body.error) || d.msgDown; return; }
        status.textContent = places.length ? d.msgFound : d.msgNone;
        places.forEach(function (p) {
          var li = document.createElement("li");
          var btn = document.createElement("button");
          btn.type = "button";
          btn.className = "map-result";
          btn.textContent = p.label;
          btn.addEventListener("click", function () { list.innerHTML = ""; status.textContent = choose(p); });
          li.appendChild(btn);
          list.appendChild(li);
        });
      }).catch(function () { status.textContent = d.msgDown; });
    }
    box.querySelector("[data-map-find]").addEventListener("click", find);
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); find(); } });
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
    /* The same configured base map as the forms' maps (ADR 0051); without it the boundaries only. */
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map); }
    var area = (el.dataset.bbox || "").split(",").map(parseFloat);
    var onArea = area.length === 4 && !area.some(isNaN);
    if (onArea) { map.fitBounds([[area[0], area[1]], [area[2], area[3]]]); }
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
        if (!bounds.length && !onArea) { map.fitBounds(layer.getBounds()); }
      })
      .catch(function () { /* the markers and the list work without the boundaries */ });
  }
  document.addEventListener("DOMContentLoaded", function () { setupMap(); setupReplies(); setupQueueMap(); });
})();
