/* Draws every <canvas data-chart="NAME" data-series="a,b"> as a bar chart. The numbers come
   from the JSON in #NAME-data ({labels: [...], a: [...], b: [...]}) and the series names from
   #NAME-titles ({a: "...", b: "..."}): the first series muted, the second in the accent colour.
   The page keeps the same numbers in a table, which is the chart's text alternative. */
(function () {
  if (typeof Chart === "undefined") { return; }
  var styles = getComputedStyle(document.documentElement);
  var accent = styles.getPropertyValue("--ic-accent").trim() || "#1d5fa8";
  var colours = ["#90a4ae", accent];
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.color = styles.getPropertyValue("--pico-color").trim() || "#333";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var name = canvas.dataset.chart;
    var data = JSON.parse(document.getElementById(name + "-data").textContent);
    var titles = JSON.parse(document.getElementById(name + "-titles").textContent);
    var datasets = canvas.dataset.series.split(",").map(function (key, i) {
      return { label: titles[key], data: data[key], backgroundColor: colours[i % colours.length] };
    });
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        locale: document.documentElement.lang,
        animation: reduceMotion ? false : {},
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  });
})();
