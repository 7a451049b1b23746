/* Cuntong page helpers: charts (ECharts) and maps (Leaflet) fed by json_script data, refreshed after htmx swaps.
 *
 *   {{ option|json_script:"my-chart" }}<div class="chart" data-chart="my-chart"></div>
 *   {{ data|json_script:"my-map" }}<div class="map" data-map="my-map"></div>
 *
 * A chart's data is either a full ECharts option, or {categories, series, unit} with data-chart-kind="stacked-bar".
 * A map's data is {center: [lat, lng], zoom, markers: [{lat, lng, color, label, url, radius}]}, in WGS-84;
 * when the tile layer uses GCJ-02 (AMap), points are shifted before drawing.
 */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // --- WGS-84 → GCJ-02 (the published "Mars coordinates" transform) -------------------------------------------
  var A = 6378245.0, EE = 0.00669342162296594323;
  function outOfChina(lat, lng) { return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    return r;
  }
  function tLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    return r;
  }
  function wgsToGcj(lat, lng) {
    if (outOfChina(lat, lng)) { return [lat, lng]; }
    var dLat = tLat(lng - 105, lat - 35), dLng = tLng(lng - 105, lat - 35);
    var rad = lat / 180 * Math.PI, magic = Math.sin(rad);
    magic = 1 - EE * magic * magic;
    var sq = Math.sqrt(magic);
    dLat = (dLat * 180) / ((A * (1 - EE)) / (magic * sq) * Math.PI);
    dLng = (dLng * 180) / (A / sq * Math.cos(rad) * Math.PI);
    return [lat + dLat, lng + dLng];
  }

  // --- charts ------------------------------------------------------------------------------------------------
  function chartOption(data, kind) {
    if (kind === "stacked-bar") {
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
        xAxis: { type: "value", name: data.unit || "" },
        yAxis: { type: "category", data: data.categories, inverse: true, axisLabel: { width: 140, overflow: "truncate" } },
        series: data.series.map(function (s) { return { name: s.name, type: "bar", stack: "total", data: s.data }; })
      };
    }
    return data;
  }

  var charts = new Map();
  function renderCharts(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var data = readJson(el.dataset.chart);
      if (!data) { return; }
      var chart = charts.get(el) || window.echarts.init(el, el.closest(".wall") ? "dark" : null);
      charts.set(el, chart);
      chart.setOption(chartOption(data, el.dataset.chartKind), true);
      el.dataset.rendered = "true";
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // --- maps --------------------------------------------------------------------------------------------------
  var maps = new Map();
  function renderMaps(root) {
    if (!window.L) { return; }
    var tiles = readJson("map-tiles") || {};
    var shift = tiles.crs === "gcj02" ? wgsToGcj : function (lat, lng) { return [lat, lng]; };
    root.querySelectorAll("[data-map]").forEach(function (el) {
      var data = readJson(el.dataset.map);
      if (!data) { return; }
      var entry = maps.get(el);
      if (!entry) {
        var map = window.L.map(el, { preferCanvas: true }).setView(shift(data.center[0], data.center[1]), data.zoom || 11);
        if (tiles.url) {
          window.L.tileLayer(tiles.url, { subdomains: tiles.subdomains || "abc", attribution: tiles.attribution || "", maxZoom: 18 }).addTo(map);
        }
        entry = { map: map, layer: window.L.layerGroup().addTo(map) };
        maps.set(el, entry);
      }
      entry.layer.clearLayers();
      (data.markers || []).forEach(function (m) {
        var marker = window.L.circleMarker(shift(m.lat, m.lng), {
          radius: m.radius || 7, color: m.color || "#0d6efd", fillColor: m.color || "#0d6efd", fillOpacity: 0.8, weight: 1
        });
        if (m.label) {
          var html = m.url ? '<a href="' + encodeURI(m.url) + '">' + escapeHtml(m.label) + "</a>" : escapeHtml(m.label);
          marker.bindPopup(html + (m.detail ? "<br>" + escapeHtml(m.detail) : ""));
        }
        marker.addTo(entry.layer);
      });
      el.dataset.markers = String((data.markers || []).length);
      el.dataset.rendered = "true";
    });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }

  function render(root) { renderCharts(root); renderMaps(root); }

  window.Cuntong = { render: render, wgsToGcj: wgsToGcj, readJson: readJson };
  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSettle", function (event) { render(event.target); });
})();
