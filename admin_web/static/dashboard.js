// Dashboard charts with ECharts (served from node_modules); data comes from data-chart.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof echarts === "undefined") return;
  const gmvEl = document.getElementById("chart-gmv");
  const statusEl = document.getElementById("chart-status");
  if (!gmvEl) return;
  const data = JSON.parse(gmvEl.dataset.chart);
  const gmv = echarts.init(gmvEl);
  gmv.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [data.labels.gmv, data.labels.orders] },
    xAxis: { type: "category", data: data.days },
    yAxis: [{ type: "value" }, { type: "value", minInterval: 1 }],
    series: [
      { name: data.labels.gmv, type: "bar", data: data.gmv.map(Number) },
      { name: data.labels.orders, type: "line", yAxisIndex: 1, data: data.orders },
    ],
  });
  const status = echarts.init(statusEl);
  status.setOption({ tooltip: { trigger: "item" }, series: [{ type: "pie", radius: ["40%", "70%"], data: data.statuses }] });
  window.addEventListener("resize", () => { gmv.resize(); status.resize(); });
});
