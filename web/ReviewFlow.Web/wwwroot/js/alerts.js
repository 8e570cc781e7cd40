// The alarm banner of the admin pages: the open quality alerts (GET /api/v1/quality/alerts), each with what was
// breached, the value against the limit, and whether the fallback sent the type to review. The list sits in a
// role="alert" region so a screen reader announces it when it appears.
import { $, el, clear, time } from "./dom.js";
import { api } from "./api.js";
import { share, num, count } from "./figures.js";

// What each metric's value is (as the alarm job judges it: docs/operations.md, "Quality alarms").
const METRICS = {
  "auto-accuracy": { what: "the accuracy of what is routed without a human could be as low as", after: "(95 % lower bound)", below: true, format: share, evidence: "QA samples" },
  "override-rate": { what: "humans changed the label of", after: "of the confident documents they decided", below: false, format: share, evidence: "decisions" },
  "psi": { what: "the confidence distribution drifted: PSI", after: "", below: false, format: (v) => num(v, 2), evidence: "decisions" },
  "label-psi": { what: "the predicted labels drifted: PSI", after: "", below: false, format: (v) => num(v, 2), evidence: "decisions" },
};

// policy (admins: the active routing policy) tells whether the fallback is still in force.
export function alertText(a, policy) {
  const m = METRICS[a.metric] || { what: a.metric, after: "", below: false, format: (v) => num(v, 3), evidence: "decisions" };
  const where = `${a.documentType}${a.modelVersion ? ", model " + a.modelVersion : ""}`;
  const breach = typeof a.value === "number"
    ? `${m.what} ${m.format(a.value)}${m.after ? " " + m.after : ""}, ${m.below ? "under" : "over"} the limit of ${m.format(a.limit)}`
    : `${m.what.replace(/ could be as low as$| of$|: PSI$/, "")} could not be measured, so the limit of ${m.format(a.limit)} is not shown to hold`;
  const evidence = typeof a.samples === "number" ? ` (${count(a.samples)} ${m.evidence})` : "";
  const type = policy && policy.documentTypes ? policy.documentTypes[a.documentType] : null;
  const fallback = !a.fallbackPolicyVersion ? " No fallback: these documents are still routed without a human."
    : ` The fallback sent every ${a.documentType} document to review (routing policy version ${a.fallbackPolicyVersion})` +
      (type && !type.killSwitch ? `; an admin has switched the ${a.documentType} kill switch off again since.` : " until an admin switches it back.");
  return `${where}: ${breach}${evidence}; raised ${time(a.raisedAt)}.${fallback}`;
}

// Fills the section with this id; hidden when nothing is open. Returns the open alerts ([] when the server has none
// or does not offer alerts yet: 404).
export async function showAlerts(id, policy) {
  const section = $(id);
  clear(section);
  const r = await api("/api/v1/quality/alerts");
  const alerts = r.ok && Array.isArray(r.body) ? r.body.filter((a) => !a.clearedAt) : []; // 404: no alerts served yet
  section.hidden = alerts.length === 0;
  if (!alerts.length) return alerts;
  const box = section.appendChild(el("div", null, "alarm"));
  box.setAttribute("role", "alert");
  box.appendChild(el("h2", alerts.length === 1 ? "Quality alarm" : `${alerts.length} quality alarms`));
  const list = box.appendChild(el("ul"));
  for (const a of alerts) {
    const li = list.appendChild(el("li", alertText(a, policy)));
    li.dataset.metric = a.metric; // the server's own wording (a.message) says the same; one sentence is enough
  }
  return alerts;
}
