/* The ad hoc report's chart (issue 20, item 5): a bar chart of the grouped table's page, drawn
   with the vendored Chart.js. The table below the chart holds the same figures for screen
   readers and keyboard users; the canvas is an image labelled as such. */
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("builder-chart");
    var source = document.getElementById("builder-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var colours = ["#1f5fa8", "#b45309", "#047857", "#7c3aed", "#be123c", "#374151"];
    var datasets = data.datasets.map(function (set, i) {
      return { label: set.label, data: set.data, backgroundColor: colours[i % colours.length] };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true } },
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
