/* Staff map of requests: the points of the page (json_script) on the local Leaflet, over the
 * boundaries of the user's areas — no remote tiles. The list under the map has every point. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var COLOURS = { overdue: "#b42318", soon: "#b54708", ok: "#1747b8", done: "#667085", none: "#667085" };

  function readJson(id) {
    var node = document.getElementById(id);
    try {
      return node ? JSON.parse(node.textContent) : null;
    } catch (e) {
      return null;
    }
  }

  function draw() {
    var holder = document.querySelector("[data-orders-map]");
    if (!holder || typeof window.L === "undefined") {
      return;
    }
    var points = readJson("wo-map-points") || [];
    var boundaries = readJson("wo-map-boundaries") || [];
    var map = window.L.map(holder, { attributionControl: false }).setView([22.5405, 113.9345], 14);
    var bounds = null;
    boundaries.forEach(function (geometry) {
      var layer = window.L.geoJSON(geometry, { style: { color: "#1747b8", weight: 1.5, fillOpacity: 0.03 } }).addTo(map);
      try {
        bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
      } catch (e) {
        /* an empty geometry */
      }
    });
    points.forEach(function (p) {
      var marker = window.L.circleMarker([p.lat, p.lng], {
        radius: p.urgent ? 9 : 7,
        color: COLOURS[p.state] || COLOURS.none,
        weight: p.urgent ? 3 : 2,
        fillOpacity: 0.6,
      }).addTo(map);
      var box = document.createElement("div");
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.number;
      box.appendChild(link);
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(p.title + " · " + p.status));
      marker.bindPopup(box);
      var here = window.L.latLng(p.lat, p.lng);
      bounds = bounds ? bounds.extend(here) : window.L.latLngBounds(here, here);
    });
    if (bounds) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
