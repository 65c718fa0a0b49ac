/* The dashboard chart: activities per quarter by type. The numbers come from the page
   (json_script), never from inline code; the same numbers are in a table beside it. */
(function () {
  "use strict";

  // Distinguishable colours, readable on white, in the order of the activity types.
  var PALETTE = {
    consultation: "#002f6c",
    exercise: "#c0392b",
    training: "#1e7b4f",
    exchange: "#8e44ad",
    research: "#d97c00",
    conference: "#0b7a93",
    visit: "#6d4c41",
    other: "#6c757d"
  };

  function draw() {
    var source = document.getElementById("quarter-chart-data");
    var canvas = document.getElementById("quarter-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.labels.length) {
      return;
    }
    document.getElementById("quarter-chart-box").hidden = false;
    // Without JavaScript the table is the chart; with the chart drawn it can fold away.
    var table = document.getElementById("quarter-table");
    if (table) {
      table.open = false;
    }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set) {
          return {
            label: set.label,
            data: set.data,
            backgroundColor: PALETTE[set.key] || "#6c757d",
            borderWidth: 0
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { mode: "index", intersect: false }
        },
        scales: {
          x: { stacked: true, grid: { display: false } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  // The filter bar swaps the results in place (htmx): draw the new numbers' chart.
  document.addEventListener("htmx:afterSettle", draw);
})();
