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
  document.addEventListener("DOMContentLoaded", function () { setupMap(); setupReplies(); });
})();
