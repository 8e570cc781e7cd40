// Charts on the quality page, drawn by Apache ECharts (lib/echarts, vendored: docs/adr/0012-charts-echarts.md).
// Every chart is an image with a description in words (role="img", aria-label) and its data as a table one click away
// (<details>): what a screen reader or a keyboard user needs, and what anyone who wants the exact numbers reads.
import * as echarts from "../lib/echarts/echarts.esm.min.js";
import { $, el, clear, row } from "./dom.js";

// The charts take their colours from the page (app.css's custom properties, which the dark theme swaps): an ECharts theme
// made from them, made again and every chart drawn again when the system's colour scheme changes.
export function theme() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return {
    ink: v("--ink"), muted: v("--muted"), line: v("--line"), warn: v("--warn"), bad: v("--bad"), panel: v("--panel"),
    accent: v("--accent"), onStrong: v("--on-strong"), heatLow: v("--chart-heat-low"),
    colors: [1, 2, 3, 4, 5, 6].map((i) => v("--chart-" + i)),
  };
}

const THEME = "reviewflow";
const font = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

function registerTheme(t) {
  const axis = {
    axisLine: { lineStyle: { color: t.muted } }, axisTick: { lineStyle: { color: t.muted } },
    axisLabel: { color: t.ink }, nameTextStyle: { color: t.ink },
    splitLine: { lineStyle: { color: t.line } }, splitArea: { areaStyle: { color: ["transparent", t.line + "40"] } },
  };
  echarts.registerTheme(THEME, {
    color: t.colors, backgroundColor: "transparent",
    textStyle: { color: t.ink, fontFamily: font },
    legend: { textStyle: { color: t.ink }, pageTextStyle: { color: t.ink }, pageIconColor: t.accent, pageIconInactiveColor: t.muted },
    tooltip: { backgroundColor: t.panel, borderColor: t.line, textStyle: { color: t.ink } },
    categoryAxis: axis, valueAxis: axis,
  });
}
registerTheme(theme());

// What each chart was drawn with: a resize or a new colour scheme draws them again (the legend's layout follows the width).
const drawn = new Map();
let resizing = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => { for (const [id, args] of drawn) draw(id, ...args); }, 150);
});
window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
  registerTheme(theme());
  // A theme is given at init: each chart starts again with the new one.
  for (const [id, args] of drawn) { const c = echarts.getInstanceByDom($(id)); if (c) c.dispose(); draw(id, ...args); }
});

// Draws (or redraws) the chart in the element with this id. option: the ECharts option, or a function of the theme's
// colours (theme()) that makes it; description: what it shows, in one or two sentences. height (px): for a chart
// whose rows vary (the heatmap); otherwise the stylesheet's.
export function draw(id, option, description, height) {
  const box = $(id);
  box.hidden = false;
  drawn.set(id, [option, description, height]);
  if (height) box.style.height = height + "px";
  box.setAttribute("role", "img");
  const chart = echarts.getInstanceByDom(box) || echarts.init(box, THEME, { renderer: "svg" });
  chart.resize();
  let o = typeof option === "function" ? option(theme()) : option;
  // Narrow (a phone): the legend wraps onto a second line instead of paging, and the plot starts below it.
  if (o.legend && box.clientWidth < 560) {
    o = Object.assign({}, o, { legend: Object.assign({}, o.legend, { type: "plain" }),
      grid: Object.assign({}, o.grid, { top: ((o.grid && o.grid.top) || 36) + 26 }) });
  }
  // Tooltips as chart text, never HTML: formatters carry labels and model versions from upstream systems.
  if (o.tooltip) o.tooltip = Object.assign({}, o.tooltip, { renderMode: "richText" });
  chart.setOption(Object.assign({
    animation: false,
    aria: { enabled: true, label: { description } },
  }, o), true);
  box.setAttribute("aria-label", description); // ECharts sets it too; the page's words win
}

// Of two text colours, the one that reads better on background bg (hex colours, as app.css defines them).
export function readableOn(bg, a, b) {
  const lum = (hex) => {
    const n = hex.replace("#", "");
    const c = [0, 2, 4].map((i) => parseInt(n.length === 3 ? n[i / 2] + n[i / 2] : n.slice(i, i + 2), 16) / 255)
      .map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const ratio = (x, y) => (Math.max(lum(x), lum(y)) + 0.05) / (Math.min(lum(x), lum(y)) + 0.05);
  return ratio(bg, a) >= ratio(bg, b) ? a : b;
}

// The colour a fraction f (0–1) of the way from hex colour a to hex colour b (as a heatmap's scale draws it).
export function mix(a, b, f) {
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const [x, y] = [rgb(a), rgb(b)];
  return "#" + x.map((v, i) => Math.round(v + (y[i] - v) * f).toString(16).padStart(2, "0")).join("");
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
  axisLabel: { formatter: (v) => Math.round(v * 100) + " %" },
}, extra || {});
