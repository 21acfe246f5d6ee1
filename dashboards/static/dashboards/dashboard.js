/* Draws the dashboard's charts from the JSON the page embeds (no further request). */
(function () {
  "use strict";

  var PALETTE = ["#7f9bbd", "#c3cfdd", "#3d4b5c", "#b4232a"];
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  function togglePeriodFields() {
    var kind = document.getElementById("period-kind") || document.getElementById("id_period");
    if (!kind) { return; }
    var update = function () {
      document.querySelectorAll("#period-form [data-for]").forEach(function (label) {
        var wanted = label.getAttribute("data-for").split(" ");
        var shown = wanted.indexOf(kind.value) !== -1;
        label.classList.toggle("is-hidden", !shown);
        label.querySelectorAll("select, input").forEach(function (field) { field.disabled = !shown; });
      });
    };
    kind.addEventListener("change", update);
    update();
  }

  function allZero(values) {
    return values.every(function (v) { return !v; });
  }

  function emptyGraphic(text) {
    return {
      type: "text", left: "center", top: "middle",
      style: { text: text, fill: "#5b6370", fontSize: 15, fontFamily: FONT }
    };
  }

  function trendOption(data, emptyText) {
    var series = data.series.map(function (s, i) {
      var item = {
        name: s.name, type: s.type, data: s.data,
        itemStyle: { color: PALETTE[i % PALETTE.length] },
        emphasis: { focus: "series" }
      };
      if (s.type === "bar") { item.barMaxWidth = 18; item.barGap = "10%"; }
      else { item.smooth = false; item.symbolSize = 6; item.lineStyle = { width: 2.5 }; }
      return item;
    });
    var empty = data.series.every(function (s) { return allZero(s.data); });
    return {
      textStyle: { fontFamily: FONT },
      grid: { left: 48, right: 16, top: 48, bottom: 32, containLabel: false },
      legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 10, textStyle: { color: "#3d4b5c", fontSize: 13 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: {
        type: "category", data: data.months,
        axisTick: { show: false }, axisLine: { lineStyle: { color: "#c9ced6" } },
        axisLabel: { color: "#5b6370", formatter: function (v) { return v.slice(2).replace("-", "/"); } }
      },
      yAxis: {
        type: "value", minInterval: 1,
        splitLine: { lineStyle: { color: "#eef0f3" } }, axisLabel: { color: "#5b6370" }
      },
      series: series,
      graphic: empty ? [emptyGraphic(emptyText)] : []
    };
  }

  function categoryOption(data, emptyText) {
    var names = data.names.slice().reverse();
    var values = data.values.slice().reverse();
    return {
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "item" },
      xAxis: { type: "value", show: false },
      yAxis: {
        type: "category", data: names,
        axisTick: { show: false }, axisLine: { show: false },
        axisLabel: { color: "#3d4b5c", fontSize: 13 }
      },
      series: [{
        name: data.name, type: "bar", data: values, barMaxWidth: 16,
        itemStyle: { color: "#7f9bbd", borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: "right", color: "#3d4b5c" }
      }],
      graphic: names.length ? [] : [emptyGraphic(emptyText)]
    };
  }

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    var trend = document.getElementById("chart-trend");
    if (trend) {
      var t = echarts.init(trend, null, { renderer: "canvas" });
      t.setOption(trendOption(data.trend, data.empty));
      charts.push(t);
    }
    var cats = document.getElementById("chart-categories");
    if (cats) {
      var count = Math.max(data.categories.names.length, 4);
      cats.style.height = Math.min(40 + count * 30, 420) + "px";
      var c = echarts.init(cats, null, { renderer: "canvas" });
      c.setOption(categoryOption(data.categories, data.empty));
      charts.push(c);
    }
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 120);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    togglePeriodFields();
    draw();
  });
}());
