// govshare: chart rendering (ECharts) and small HTMX helpers. No inline scripts (CSP).
(function () {
  "use strict";
  function renderCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll(".gs-chart[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      try {
        var option = JSON.parse(el.dataset.chart);
        var chart = window.echarts.init(el, null, { renderer: "svg" });
        option.tooltip = option.tooltip || { trigger: "axis" };
        option.color = option.color || ["#0b4f8a", "#d9534f", "#f0ad4e", "#5cb85c", "#5bc0de", "#6f42c1"];
        chart.setOption(option);
        el.dataset.rendered = "1";
        window.addEventListener("resize", function () { chart.resize(); });
      } catch (e) {
        el.textContent = "图表数据无效";
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSettle", function (evt) { renderCharts(evt.target); });
  // Confirm buttons: <button data-confirm="…">
  document.addEventListener("click", function (evt) {
    var el = evt.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) { evt.preventDefault(); evt.stopPropagation(); }
  }, true);
  // Copy buttons: <button data-copy="#id">
  document.addEventListener("click", function (evt) {
    var el = evt.target.closest("[data-copy]");
    if (!el) return;
    var src = document.querySelector(el.dataset.copy);
    if (src && navigator.clipboard) { navigator.clipboard.writeText(src.textContent.trim()); el.textContent = el.dataset.copied || "OK"; }
  });
})();
