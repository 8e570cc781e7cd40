// Charts on the quality page, drawn by Apache ECharts (lib/echarts, vendored: docs/adr/0012-charts-echarts.md).
// Every chart is an image with a description in words (role="img", aria-label) and its data as a table one click away
// (<details>): what a screen reader or a keyboard user needs, and what anyone who wants the exact numbers reads.
import * as echarts from "../lib/echarts/echarts.esm.min.js";
import { $, el, clear, row } from "./dom.js";

export const colors = ["#2457d6", "#b3261e", "#1b7f3b", "#8a4fbf", "#a86300", "#0f7c86"];
export const ink = "#1d2330", muted = "#6b7385", line = "#dde1e8", warn = "#a86300", bad = "#b3261e";

// What each chart was drawn with: a resize draws them again, so the legend's layout follows the width.
const drawn = new Map();
let resizing = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => { for (const [id, args] of drawn) draw(id, ...args); }, 150);
});

// Draws (or redraws) the chart in the element with this id; description: what it shows, in one or two sentences.
// height (px): for a chart whose rows vary (the heatmap); otherwise the stylesheet's.
export function draw(id, option, description, height) {
  const box = $(id);
  box.hidden = false;
  drawn.set(id, [option, description, height]);
  if (height) box.style.height = height + "px";
  box.setAttribute("role", "img");
  const chart = echarts.getInstanceByDom(box) || echarts.init(box, null, { renderer: "svg" });
  chart.resize();
  // Narrow (a phone): the legend wraps onto a second line instead of paging, and the plot starts below it.
  if (option.legend && box.clientWidth < 560) {
    option = Object.assign({}, option, { legend: Object.assign({}, option.legend, { type: "plain" }),
      grid: Object.assign({}, option.grid, { top: ((option.grid && option.grid.top) || 36) + 26 }) });
  }
  // Tooltips as chart text, never HTML: formatters carry labels and model versions from upstream systems.
  if (option.tooltip) option.tooltip = Object.assign({}, option.tooltip, { renderMode: "richText" });
  chart.setOption(Object.assign({
    animation: false,
    color: colors,
    textStyle: { color: ink, fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" },
    aria: { enabled: true, label: { description } },
  }, option), true);
  box.setAttribute("aria-label", description); // ECharts sets it too; the page's words win
}

// Empties the chart's element and says why (no data yet, an endpoint the server does not offer yet).
export function noChart(id, text) {
  const box = $(id);
  const chart = echarts.getInstanceByDom(box);
  if (chart) chart.dispose();
  drawn.delete(id);
  box.removeAttribute("role");
  box.removeAttribute("aria-label");
  box.hidden = true;
  const note = $(id + "-note");
  if (note) note.textContent = text;
}

// The chart's data as a table inside the <details> with this id.
export function dataTable(id, caption, headers, rows) {
  const details = $(id);
  clear(details);
  details.hidden = rows.length === 0;
  details.appendChild(el("summary", "Data table: " + caption));
  const wrap = details.appendChild(el("div", null, "table-wrap"));
  wrap.tabIndex = 0; // it may scroll sideways on a phone: reachable by keyboard
  wrap.setAttribute("role", "region");
  wrap.setAttribute("aria-label", caption);
  const t = wrap.appendChild(el("table"));
  t.appendChild(el("caption", caption, "visually-hidden"));
  const head = el("tr");
  for (const h of headers) { const th = el("th", h); th.scope = "col"; head.appendChild(th); }
  t.appendChild(el("thead")).appendChild(head);
  const body = t.appendChild(el("tbody"));
  for (const r of rows) body.appendChild(row(r));
}

export const percentAxis = (name, extra) => Object.assign({
  type: "value", min: 0, max: 1, name, nameLocation: "middle", nameGap: 40,
  axisLabel: { formatter: (v) => Math.round(v * 100) + " %" }, splitLine: { lineStyle: { color: line } },
}, extra || {});
