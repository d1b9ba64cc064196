// Draws the performance page's outcomes per variant and day with Chart.js (installed from npm at setup).
// The same numbers are always in the table beside it: without JavaScript or Chart.js the page shows only that.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("outcome-chart-data");
  const box = document.getElementById("outcome-chart");
  if (!source || !box || typeof window.Chart !== "function") return;
  const data = JSON.parse(source.textContent);
  const select = document.getElementById("outcome-metric");
  const canvas = document.getElementById("outcome-canvas");
  // Colour-blind-safe palette (Okabe–Ito), then repeated with dashes so more variants stay apart.
  const colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
  const metric = (key) => data.metrics.find((m) => m.key === key) || data.metrics[0];
  const datasets = (key) => data.series.map((s, i) => ({
    label: s.label,
    data: s[key],
    borderColor: colours[i % colours.length],
    backgroundColor: colours[i % colours.length],
    borderDash: i >= colours.length ? [6, 4] : [],
    spanGaps: true,
    tension: 0,
  }));
  box.hidden = false;
  const chart = new window.Chart(canvas, {
    type: "line",
    data: { labels: data.days, datasets: datasets(select.value) },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "nearest", intersect: false },
      scales: { y: { beginAtZero: true, title: { display: true, text: metric(select.value).label } } },
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.parsed.y}${metric(select.value).unit ? " %" : ""}` } },
      },
    },
  });
  select.addEventListener("change", () => {
    chart.data.datasets = datasets(select.value);
    chart.options.scales.y.title.text = metric(select.value).label;
    chart.update();
  });
  // The chart shows the numbers now; the table stays one click away.
  document.getElementById("outcome-table")?.removeAttribute("open");
});
