/* Draws every <canvas data-chart="NAME" data-series="a,b"> as a bar chart (horizontal with
   data-axis="y"). The numbers come from the JSON in #NAME-data ({labels: [...], a: [...],
   b: [...]}); a series' name from #NAME-titles ({a: "..."}) when the page has it, otherwise
   from the data's "a_label" or "title". One series is drawn in the accent colour; of two, the
   first is muted and the second in the accent colour. The page keeps the same numbers in a
   table or a list, which is the chart's text alternative.
   A file, not an inline script, so that the Content-Security-Policy can forbid inline code. */
(function () {
  if (typeof Chart === "undefined") { return; }
  var styles = getComputedStyle(document.documentElement);
  var accent = styles.getPropertyValue("--ic-accent").trim() || "#1d5fa8";
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.color = styles.getPropertyValue("--pico-color").trim() || "#333";

  function json(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function titleOf(key, data, titles) {
    if (titles && titles[key]) { return titles[key]; }
    return data[key + "_label"] || data.title || key;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var name = canvas.dataset.chart;
    var data = json(name + "-data");
    if (!data) { return; }
    var titles = json(name + "-titles");
    var keys = canvas.dataset.series.split(",");
    var colours = keys.length === 1 ? [accent] : ["#90a4ae", accent];
    var horizontal = canvas.dataset.axis === "y";
    var valueAxis = { beginAtZero: true, ticks: { precision: 0 } };
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: keys.map(function (key, i) {
          return {
            label: titleOf(key, data, titles),
            data: data[key],
            backgroundColor: colours[i % colours.length]
          };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        locale: document.documentElement.lang,
        animation: reduceMotion ? false : {},
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: keys.length > 1 } },
        scales: horizontal ? { x: valueAxis } : { y: valueAxis }
      }
    });
  });
})();
