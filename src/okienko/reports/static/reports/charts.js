/* Bar charts of the desk's report pages (issue 20): every canvas with data-chart="<id>" is drawn
   with the vendored Chart.js from the JSON in the <script type="application/json" id="<id>">
   beside it. The table next to each chart holds the same numbers for screen readers and keyboard
   users; the canvas is an image that says so. Without JavaScript the tables are all there is. */
(function () {
  "use strict";
  var COLOURS = ["#1f5fa8", "#b45309", "#047857", "#7c3aed", "#be123c", "#374151"];

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, i) {
          return { label: set.label, data: set.data, backgroundColor: COLOURS[i % COLOURS.length] };
        }),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: data.datasets.length > 1 } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function drawAll() {
    if (typeof window.Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
