// Opinion map: each dot is one participant (anonymous), coloured by group.
(function () {
  "use strict";
  var holder = document.querySelector("[data-opinion-map]");
  var source = document.getElementById("opinion-map-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#b3261e", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a"];
  var series = data.groups.map(function (letter, index) {
    return {
      name: data.labels.group + " " + letter,
      type: "scatter",
      symbolSize: 7,
      itemStyle: { color: colours[index % colours.length], opacity: 0.75 },
      data: data.points.filter(function (p) { return p[2] === index; }).map(function (p) { return [p[0], p[1]]; })
    };
  });
  var unclustered = data.points.filter(function (p) { return p[2] < 0; });
  if (unclustered.length) {
    series.push({ name: data.labels.unclustered, type: "scatter", symbolSize: 5, itemStyle: { color: "#9aa5b1" },
      data: unclustered.map(function (p) { return [p[0], p[1]]; }) });
  }
  var chart = echarts.init(holder, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    legend: { bottom: 0 },
    grid: { left: 8, right: 8, top: 8, bottom: 40, containLabel: false },
    xAxis: { type: "value", show: false, scale: true },
    yAxis: { type: "value", show: false, scale: true },
    tooltip: { trigger: "item", formatter: function (p) { return p.seriesName; } },
    series: series
  });
  holder.setAttribute("data-ready", String(data.points.length));
  window.addEventListener("resize", function () { chart.resize(); });
})();
