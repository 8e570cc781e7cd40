// The alarm banner of the admin pages: the open quality alerts (GET /api/v1/quality/alerts), each with what was
// breached, the value against the limit, and whether the fallback sent the type to review. The list sits in a
// role="alert" region so a screen reader announces it when it appears.
import { $, el, clear, time } from "./dom.js";
import { api } from "./api.js";
import { share, num, count } from "./figures.js";

const METRICS = {
  "auto-accuracy": { what: "accuracy of what is routed without a human", below: true, format: share },
  "override-rate": { what: "share of human decisions that changed the label", below: false, format: share },
  "psi": { what: "drift of the confidence distribution (PSI)", below: false, format: (v) => num(v, 2) },
  "label-psi": { what: "drift of the predicted labels (PSI)", below: false, format: (v) => num(v, 2) },
};

export function alertText(a) {
  const m = METRICS[a.metric] || { what: a.metric, below: false, format: (v) => num(v, 3) };
  const where = `${a.documentType || "all types"}${a.modelVersion ? ", model " + a.modelVersion : ""}`;
  const breach = `${m.what} is ${m.format(a.value)}, ${m.below ? "below" : "above"} the limit of ${m.format(a.limit)}`;
  const evidence = typeof a.samples === "number" ? ` (from ${count(a.samples)} decisions)` : "";
  const fallback = a.fallbackPolicyVersion
    ? ` The fallback sent every ${a.documentType || "such"} document to review (routing policy version ${a.fallbackPolicyVersion}).`
    : " No fallback: these documents are still routed without a human.";
  return `${where}: ${breach}${evidence}, since ${time(a.raisedAt)}.${fallback}`;
}

// Fills the section with this id; hidden when nothing is open. Returns the open alerts ([] when the server has none
// or does not offer alerts yet: 404).
export async function showAlerts(id) {
  const section = $(id);
  clear(section);
  const r = await api("/api/v1/quality/alerts");
  const alerts = r.ok && Array.isArray(r.body) ? r.body.filter((a) => !a.clearedAt) : [];
  section.hidden = alerts.length === 0;
  if (!alerts.length) return alerts;
  const box = section.appendChild(el("div", null, "alarm"));
  box.setAttribute("role", "alert");
  box.appendChild(el("h2", alerts.length === 1 ? "Quality alarm" : `${alerts.length} quality alarms`));
  const list = box.appendChild(el("ul"));
  for (const a of alerts) {
    const li = list.appendChild(el("li", alertText(a)));
    li.dataset.metric = a.metric;
    if (a.message) li.appendChild(el("span", " " + a.message, "muted"));
  }
  return alerts;
}
