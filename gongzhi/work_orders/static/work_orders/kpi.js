/* KPI dashboard: draw the trend and the ranking with the local ECharts. The tables under
 * each chart carry the same figures, so the page works without this file. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function draw() {
    var node = document.getElementById("kpi-charts");
    if (!node || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(node.textContent);
    var labels = data.labels || {};
    var trendBox = document.querySelector("[data-kpi-chart=trend]");
    if (trendBox && data.trend && data.trend.xAxis.length) {
      var rates = data.trend.series.filter(function (s) {
        return s.name !== "cases" && s.name !== "score";
      });
      var chart = window.echarts.init(trendBox, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : (v * 100).toFixed(1) + "%"; } },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 44, right: 12, top: 16, bottom: 56 },
        xAxis: { type: "category", data: data.trend.xAxis },
        yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } } },
        series: rates.map(function (s) {
          return { name: labels[s.name] || s.name, type: "line", data: s.data, connectNulls: true, showSymbol: false };
        }),
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    var rankBox = document.querySelector("[data-kpi-chart=ranking]");
    if (rankBox && data.ranking && data.ranking.yAxis.length) {
      rankBox.style.height = Math.max(160, 28 * data.ranking.yAxis.length + 40) + "px";
      var bars = window.echarts.init(rankBox, null, { renderer: "svg" });
      bars.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
        xAxis: { type: "value", min: 0, max: 100 },
        yAxis: { type: "category", inverse: true, data: data.ranking.yAxis },
        series: [{ name: labels.score || "score", type: "bar", data: data.ranking.series[0].data, label: { show: true, position: "right" } }],
      });
      window.addEventListener("resize", function () { bars.resize(); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
