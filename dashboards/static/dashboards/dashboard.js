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

  // The map: outlines fetched from the pinned GeoJSON served as static, each feature
  // named by our region's name so the series data (figures, links) match it.
  function drawMap(charts) {
    var source = document.getElementById("dashboard-map");
    var el = document.getElementById("chart-map");
    if (!source || !el || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    charts.push(chart);
    Promise.all(data.areas.map(function (area) {
      return fetch(area.file).then(function (r) { return r.json(); }).then(function (geo) {
        return geo.features.map(function (f) {
          f.properties = Object.assign({}, f.properties, { name: area.name });
          return f;
        });
      });
    })).then(function (lists) {
      var features = [].concat.apply([], lists);
      echarts.registerMap("lianxin-slice", { type: "FeatureCollection", features: features });
      var select = document.getElementById("map-figure");
      var render = function () { chart.setOption(mapOption(data, select ? select.value : null), true); };
      if (select) { select.addEventListener("change", render); }
      render();
      // A county is clicked through the geo component or the series, depending on
      // where ECharts routes it: look the link up by name, the one key both carry.
      var urls = {};
      data.areas.concat(data.points).forEach(function (item) { if (item.url) { urls[item.name] = item.url; } });
      chart.on("click", function (params) {
        var url = (params.data && params.data.url) || urls[params.name];
        if (url) { window.location.href = url; }
      });
      el.setAttribute("data-ready", "true");
    }).catch(function () { el.closest(".map-panel").hidden = true; });
  }

  function mapOption(data, key) {
    var figure = data.figures.filter(function (f) { return f.key === key; })[0];
    var geo = {
      map: "lianxin-slice", roam: false, top: 16, bottom: 16,
      // A county's own name is the page's title: leave its map to the stations' labels.
      label: { show: data.kind === "areas", color: "#3d4b5c", fontSize: 12, fontFamily: FONT },
      itemStyle: { areaColor: "#eef0f3", borderColor: "#7f9bbd" },
      emphasis: { label: { color: "#1d2733" }, itemStyle: { areaColor: "#f3d9a4" } },
      select: { disabled: true }
    };
    // richText: the tooltip is drawn on the canvas; ECharts' HTML tooltip carries
    // inline style attributes, which the CSP (style-src 'self') blocks.
    var option = {
      textStyle: { fontFamily: FONT }, tooltip: { trigger: "item", renderMode: "richText" },
      geo: geo, series: []
    };
    if (data.kind === "areas" && figure) {
      var values = data.areas.map(function (a) { return a[figure.key]; });
      var known = values.filter(function (v) { return v !== null; });
      option.visualMap = {
        type: "continuous", min: 0, max: Math.max.apply(null, known.concat([1])),
        left: 8, bottom: 8, text: [figure.label, ""], calculable: false,
        inRange: { color: ["#e3e9f1", "#3d4b5c"] }, textStyle: { color: "#3d4b5c" }
      };
      option.series.push({
        type: "map", geoIndex: 0, name: figure.label,
        data: data.areas.map(function (a) {
          return { name: a.name, value: a[figure.key] === null ? "-" : a[figure.key], url: a.url };
        })
      });
    } else {
      option.series.push({
        type: "scatter", coordinateSystem: "geo", name: data.points_name,
        symbolSize: 12, itemStyle: { color: "#b4232a", borderColor: "#fff", borderWidth: 1 },
        label: { show: true, position: "right", formatter: "{b}", color: "#3d4b5c", fontSize: 12 },
        tooltip: { formatter: "{b}" },
        data: data.points.map(function (p) { return { name: p.name, value: [p.lng, p.lat], url: p.url }; })
      });
    }
    return option;
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
    drawMap(charts);
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
