// Draws the ECharts charts of the 首页 and 产业链 pages from the JSON blocks beside them. The same figures are in the
// tables under each chart, so the pages work without this script. No inline script or style: the site's CSP
// allows scripts and styles from this origin only, so tooltips render as rich text in the canvas, not HTML.
(function () {
  "use strict";
  var PRESENCE_COLOURS = { both: "#2e7d32", park: "#1565c0", partner: "#ef6c00", none: "#9e9e9e" };

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function bar(el) {
    var labels = read(el.dataset.source), values = read(el.dataset.source + "-values");
    return {
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: labels, inverse: true, axisLabel: { width: 160, overflow: "truncate" } },
      series: [{ type: "bar", name: el.dataset.unit, data: values, itemStyle: { color: "#12355b" } }]
    };
  }

  function graph(el) {
    var data = read(el.dataset.source), names = Object.keys(data.legend);
    return {
      tooltip: { renderMode: "richText", formatter: function (p) {
        if (p.dataType !== "node") { return ""; }
        var n = p.data.raw;
        return n.name + "\n" + n.presence_label + "\n" + data.legend.park + " " + n.park_orgs + " / " +
          data.legend.partner + " " + n.partner_orgs;
      } },
      legend: [{ data: names.map(function (k) { return data.legend[k]; }) }],
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, force: { repulsion: 220, edgeLength: 90 },
        label: { show: true, position: "right" }, edgeSymbol: ["none", "arrow"],
        categories: names.map(function (k) { return { name: data.legend[k], itemStyle: { color: PRESENCE_COLOURS[k] } }; }),
        data: data.nodes.map(function (n) {
          return { id: String(n.id), name: n.name, category: names.indexOf(n.presence), raw: n,
                   symbolSize: n.direction === "root" ? 34 : 18 + Math.min(12, 3 * (n.park_orgs + n.partner_orgs)) };
        }),
        links: data.links.map(function (l) { return { source: String(l.source), target: String(l.target) }; })
      }]
    };
  }

  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var option = el.dataset.chart === "graph" ? graph(el) : bar(el);
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
}());
