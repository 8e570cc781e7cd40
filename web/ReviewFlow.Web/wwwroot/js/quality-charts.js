// The quality page's charts and their data tables: reliability diagram (from the summary), figures over time per model
// version (GET /api/v1/quality/series) and the confusion heatmap (GET /api/v1/quality/confusion).
// Each chart is drawn by a function of the theme (t: the page's colours, charts.js), so it follows the light or dark scheme.
import { draw, noChart, dataTable, percentAxis, readableOn, mix } from "./charts.js";
import { share, count, num, day } from "./figures.js";

const grid = { left: 56, right: 18, top: 36, bottom: 56, containLabel: false };
const none = "-"; // ECharts' "no value here": a gap in a line, nothing stacked

// ---------- reliability ----------

export function showReliability(s) {
  const bins = s.calibration.filter((b) => b.count > 0);
  const ece = s.ece == null ? "" : ` Expected calibration error ${num(s.ece, 3)}: on average the confidence is off by ${share(s.ece)}.`;
  dataTable("table-reliability", "reliability by confidence bin", ["Confidence", "Decided by a human", "Agreed", "Mean confidence", "Share agreed", "Note"],
    s.calibration.map((b) => [`${share(b.from, 0)} – ${share(b.to, 0)}`, count(b.count), count(b.agreed), share(b.meanConfidence), share(b.accuracy),
      b.onlyEscalated ? "biased: only documents sent to review, no QA sample" : b.count ? "" : "no human decisions"]));
  if (!bins.length) { noChart("chart-reliability", "No human decisions in this period: nothing to compare the confidence with."); return; }
  const point = (b) => ({ value: [b.meanConfidence, b.accuracy, b.count] });
  const onLine = (b) => Object.assign(point(b), b.onlyEscalated ? { symbol: "none" } : {}); // the triangle shows it
  const biased = bins.filter((b) => b.onlyEscalated);
  draw("chart-reliability", (t) => ({
    grid,
    legend: { top: 0, type: "scroll" },
    tooltip: { trigger: "item", formatter: (p) => p.seriesIndex === 0 ? "" : `confidence ${share(p.value[0])}: humans agreed ${share(p.value[1])} of ${count(p.value[2])}` },
    xAxis: percentAxis("Model confidence (mean of the bin)"),
    yAxis: percentAxis("Humans agreed"),
    series: [
      { name: "Exactly right", type: "line", data: [[0, 0], [1, 1]], symbol: "none", silent: true, lineStyle: { type: "dashed", color: t.muted, width: 1 }, itemStyle: { color: t.muted } },
      { name: "Humans agreed", type: "line", data: bins.map(onLine), symbol: "circle", symbolSize: 9, lineStyle: { width: 2 } },
      { name: "Biased (no QA sample)", type: "scatter", data: biased.map(point), symbol: "triangle", symbolSize: 14, itemStyle: { color: t.warn } },
    ],
  }), `Reliability diagram: ${bins.length} confidence bins with human decisions.` +
     bins.map((b) => ` Confidence ${share(b.meanConfidence, 0)}: humans agreed ${share(b.accuracy, 0)} of ${b.count}${b.onlyEscalated ? " (biased)" : ""}.`).join("") + ece);
  $note("chart-reliability", ece.trim());
}

function $note(id, text) { const n = document.getElementById(id + "-note"); if (n) n.textContent = text; }

// ---------- over time ----------

function byVersion(points) {
  const days = [...new Set(points.map((p) => day(p.day)))].sort();
  const versions = new Map();
  for (const p of points) {
    const v = p.modelVersion || "(unknown)";
    if (!versions.has(v)) versions.set(v, new Map());
    versions.get(v).set(day(p.day), p);
  }
  return { days, versions: [...versions.entries()].sort((a, b) => a[0].localeCompare(b[0])) };
}

const timeAxis = (days) => ({ type: "category", data: days, axisLabel: { hideOverlap: true }, axisTick: { alignWithLabel: true } });

export function noSeries(text) {
  for (const id of ["chart-overrides", "chart-accuracy", "chart-psi"]) { noChart(id, ""); dataTable(id.replace("chart", "table"), "", [], []); }
  document.getElementById("series-note").textContent = text;
}

// psiLimit: the limit line, { value, source } (the policy's alarm for the type, an open alert's, or the product default).
export function showSeries(body, psiLimit = { value: 0.25, source: "the product's default alarm limit" }) {
  const points = body.points || [];
  document.getElementById("series-note").textContent = points.length
    ? `${points.length} day${points.length === 1 ? "" : "s"} × model version with decisions, by UTC day.`
    : "No decided documents in this period.";
  if (!points.length) { noSeries(document.getElementById("series-note").textContent); return; }
  const { days, versions } = byVersion(points);
  const legend = { top: 0, type: "scroll", data: versions.map(([v]) => v) };
  const values = (m, f) => days.map((d) => (m.has(d) && f(m.get(d)) != null ? f(m.get(d)) : none));
  const per = (f) => versions.map(([v, m]) => `model ${v}: ` + days.filter((d) => m.has(d)).map((d) => `${d} ${f(m.get(d))}`).join(", ")).join("; ");

  // Override rate
  draw("chart-overrides", {
    grid, legend, tooltip: { trigger: "axis", valueFormatter: (v) => share(v) },
    xAxis: timeAxis(days), yAxis: percentAxis("Changed by humans", { max: null }),
    series: versions.map(([v, m]) => ({ name: v, type: "line", data: values(m, (p) => p.overrideRate), symbol: "circle", symbolSize: 7 })),
  }, "Share of human decisions that changed the model's label, per day and model version: " + per((p) => share(p.overrideRate)) + ".");
  dataTable("table-overrides", "humans changed the label, per day", ["Day", "Model", "Decided", "By a human", "Changed"],
    points.map((p) => [day(p.day), p.modelVersion, count(p.decided), count(p.humanDecided), share(p.overrideRate)]));

  // Auto accuracy with its interval: the band is the low bound plus the (high − low) stacked on it.
  const sampled = points.filter((p) => p.autoAccuracy && p.autoAccuracy.samples > 0);
  if (!sampled.length) noChart("chart-accuracy", "No QA samples checked by a person in this period: no evidence of the accuracy without a human yet.");
  else {
    const acc = (f) => (p) => (p.autoAccuracy && p.autoAccuracy.samples > 0 ? f(p.autoAccuracy) : null);
    const lowest = Math.min(...sampled.map((p) => p.autoAccuracy.low));
    const tick = 0.006; // the estimate's mark: a dark band this tall inside the interval's pale bar
    // Per version one bar a day, stacked: up to the interval's low end (invisible), pale to the estimate, the estimate's
    // mark, pale to the high end. Bars of several versions stand side by side, each with its own estimate.
    const segment = (i, key, f, style) => ({ id: key + i, name: versions[i][0], type: "bar", stack: "v" + i, barMaxWidth: 18,
      data: values(versions[i][1], acc(f)), itemStyle: style, silent: true });
    draw("chart-accuracy", (t) => {
      const color = (i) => t.colors[i % t.colors.length];
      const pale = (i) => ({ color: color(i), opacity: 0.3 });
      return {
        grid,
        legend: { top: 0, type: "scroll", data: versions.map(([v], i) => ({ name: v, itemStyle: { color: color(i) } })) },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: (items) => {
          const d = items[0].axisValue;
          return versions.filter(([, m]) => m.has(d) && m.get(d).autoAccuracy.samples > 0).map(([v, m]) => {
            const a = m.get(d).autoAccuracy;
            return `${v}: ${share(a.estimate)} (${share(a.low)} – ${share(a.high)}, ${a.samples} QA samples)`;
          }).join("\n") || "no QA samples";
        } },
        xAxis: timeAxis(days), yAxis: percentAxis("Right without a human", { min: Math.max(0, Math.floor(lowest * 10) / 10) }),
        series: versions.flatMap((_, i) => [
          segment(i, "low-", (a) => a.low, { color: "transparent" }),
          segment(i, "below-", (a) => Math.max(0, a.estimate - a.low - tick / 2), pale(i)),
          segment(i, "estimate-", () => tick, { color: color(i) }),
          segment(i, "above-", (a) => Math.max(0, a.high - a.estimate - tick / 2), pale(i)),
        ]),
    }; }, "Accuracy of what was routed without a human, per day and model version, as the estimate inside its 95 % interval: " +
       per((p) => p.autoAccuracy && p.autoAccuracy.samples ? `${share(p.autoAccuracy.estimate)} (${share(p.autoAccuracy.low)}–${share(p.autoAccuracy.high)}, ${p.autoAccuracy.samples} samples)` : "no samples") + ".");
    $note("chart-accuracy", "Each pale bar is a day's 95 % interval, the dark mark in it the estimate: the fewer QA samples, the taller the bar. Rely on its lower end.");
  }
  dataTable("table-accuracy", "accuracy without a human, per day", ["Day", "Model", "Estimate", "Low (95 %)", "High (95 %)", "QA samples"],
    points.map((p) => { const a = p.autoAccuracy || {}; return [day(p.day), p.modelVersion, share(a.estimate), share(a.low), share(a.high), count(a.samples || 0)]; }));

  // PSI against the limit
  const withPsi = points.filter((p) => typeof p.psi === "number");
  if (!withPsi.length) noChart("chart-psi", "No drift figure yet: a model version needs its reference days before drift can be measured.");
  else {
    const top = Math.max(psiLimit.value * 1.25, ...withPsi.map((p) => p.psi));
    draw("chart-psi", (t) => ({
      grid, legend, tooltip: { trigger: "axis", valueFormatter: (v) => num(v, 2) },
      xAxis: timeAxis(days),
      yAxis: { type: "value", min: 0, max: Math.ceil(top * 20) / 20, name: "PSI", nameLocation: "middle", nameGap: 40 },
      series: versions.map(([v, m], i) => ({
        name: v, type: "line", data: values(m, (p) => (typeof p.psi === "number" ? p.psi : null)), symbol: "circle", symbolSize: 7,
        markLine: i > 0 ? undefined : { silent: true, symbol: "none", lineStyle: { color: t.bad, type: "dashed", width: 2 },
          label: { formatter: "limit " + num(psiLimit.value, 2), color: t.bad, position: "insideEndTop" }, data: [{ yAxis: psiLimit.value }] },
      })),
    }), `Drift of the confidence distribution (PSI) per day and model version, against the limit ${num(psiLimit.value, 2)}: ` + per((p) => num(p.psi, 2)) + ".");
    $note("chart-psi", `The dashed red line is the limit, ${num(psiLimit.value, 2)} (${psiLimit.source}). Under 0.1 is stable; over 0.25 the documents differ a lot from the model's first days.`);
  }
  dataTable("table-psi", "confidence drift per day", ["Day", "Model", "PSI", "Over the limit"],
    points.map((p) => [day(p.day), p.modelVersion, num(p.psi, 2), typeof p.psi === "number" ? (p.psi > psiLimit.value ? "yes" : "no") : "—"]));
}

// ---------- confusion ----------

export function noConfusion(text) { noChart("chart-confusion", text); dataTable("table-confusion", "", [], []); }

export function showConfusion(body) {
  const cells = (body.cells || []).filter((c) => c.count > 0);
  if (!cells.length) { noConfusion("No human decisions match these filters in this period."); return; }
  const predicted = [...new Set(cells.map((c) => c.predicted))].sort();
  const final = [...new Set(cells.map((c) => c.final))].sort();
  const max = Math.max(...cells.map((c) => c.count));
  draw("chart-confusion", (t) => ({
    grid: { left: 96, right: 18, top: 10, bottom: 72 },
    tooltip: { formatter: (p) => `${predicted[p.value[1]]} → ${final[p.value[0]]}: ${count(p.value[2])}` },
    xAxis: { type: "category", data: final, name: "Human decided", nameLocation: "middle", nameGap: 56, axisLabel: { rotate: 30, interval: 0 }, splitArea: { show: true } },
    yAxis: { type: "category", data: predicted, name: "Model said", nameLocation: "middle", nameGap: 80, axisLabel: { interval: 0 }, splitArea: { show: true } },
    // The counts are written in the cells, so the colour scale itself is not drawn.
    visualMap: { show: false, min: 0, max, inRange: { color: [t.heatLow, t.accent] } },
    series: [{ type: "heatmap", label: { show: true, fontSize: 15, fontWeight: "bold" },
      data: cells.map((c) => ({ value: [final.indexOf(c.final), predicted.indexOf(c.predicted), c.count], label: { color: readableOn(mix(t.heatLow, t.accent, c.count / max), t.ink, t.onStrong) } })) }],
  }), "Confusion matrix of human decisions: " + cells.map((c) => `model said ${c.predicted}, human decided ${c.final}: ${c.count}`).join("; ") + ".",
  Math.min(560, 120 + 48 * predicted.length));
  $note("chart-confusion", "");
  dataTable("table-confusion", "predicted label to final label", ["Model said", "Human decided", "Documents", "Agreed or changed"],
    cells.map((c) => [c.predicted, c.final, count(c.count), c.predicted === c.final ? "agreed" : "changed"]));
}
