/* Survey pages: hide conditional questions until their condition holds, and draw result
 * charts with the local ECharts. The pages work without this file (all questions shown,
 * results as bars). */
(function () {
  "use strict";

  function setupConditions() {
    var form = document.querySelector("[data-testid='answer-form']");
    if (!form) {
      return;
    }
    var dependents = form.querySelectorAll("[data-show-if]");
    function refresh() {
      dependents.forEach(function (node) {
        var source = node.getAttribute("data-show-if");
        var wanted = (node.getAttribute("data-show-if-options") || "").split(",");
        var chosen = Array.prototype.map.call(
          form.querySelectorAll("input[name='q" + source + "']:checked"),
          function (input) { return input.value; }
        );
        var show = chosen.some(function (value) { return wanted.indexOf(value) !== -1; });
        node.hidden = !show;
        node.querySelectorAll("input, textarea, select").forEach(function (input) { input.disabled = !show; });
      });
    }
    form.addEventListener("change", refresh);
    refresh();
  }

  function setupCharts() {
    var node = document.getElementById("survey-results");
    if (!node || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(node.textContent);
    data.questions.forEach(function (q) {
      var box = document.querySelector("[data-chart-id='chart-" + q.id + "']");
      if (!box) {
        return;
      }
      var labels = [];
      var values = [];
      (q.options || []).forEach(function (o) { labels.push(o.label); values.push(q.kind === "ranking" ? o.points : o.count); });
      (q.distribution || []).forEach(function (d) { labels.push(String(d.value)); values.push(d.count); });
      if (!labels.length) {
        return;
      }
      box.classList.add("sv-chart--on");
      var chart = window.echarts.init(box, null, { renderer: "svg" });
      chart.setOption({
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: labels, inverse: true },
        series: [{ type: "bar", data: values, label: { show: true, position: "right" } }],
        tooltip: {},
        aria: { enabled: true }
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupConditions();
    setupCharts();
  });
})();
