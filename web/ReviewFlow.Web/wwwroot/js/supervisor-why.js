// Why an escalated task is with the supervisor, from its history (GET /api/v1/documents/{id}/history): the
// escalation's reason and comment, or a four-eyes disagreement's two reviews side by side. Read once per task.
import { el } from "./dom.js";
import { api } from "./api.js";

const why = new Map(); // document id -> the last ReviewEscalated or ReviewDisagreed event's data and actor

const decision = (outcome, label) => outcome + (label ? " as " + label : "");
const reasonAndComment = (d) => [d.reasonCode && "reason " + d.reasonCode, d.comment && "\u201C" + d.comment + "\u201D"].filter(Boolean).join(", ");

// Fetches what is not known yet; true when something new arrived.
export async function whyOf(tasks) {
  const missing = tasks.map((t) => t.documentId).filter((id) => !why.has(id)).slice(0, 50);
  const answers = await Promise.all(missing.map(async (id) => {
    try {
      const r = await api("/api/v1/documents/" + encodeURIComponent(id) + "/history");
      const e = r.ok ? r.body.filter((x) => x.type === "ReviewEscalated" || x.type === "ReviewDisagreed").pop() : null;
      if (e) why.set(id, e);
      return !!e;
    } catch { return false; }
  }));
  return answers.some(Boolean);
}

export function whyElement(id) {
  const e = why.get(id);
  if (!e) return null;
  const d = e.data || {};
  if (e.type === "ReviewEscalated") return el("p", "Escalated by " + e.actor + (reasonAndComment(d) ? ": " + reasonAndComment(d) : ", no reason given") + ".", "why");
  // Both decisions side by side: the first reviewer's on the left, the second's on the right.
  const box = el("dl", null, "four-eyes");
  box.setAttribute("aria-label", "The two reviews disagree");
  for (const [who, what] of [
    ["First review, " + d.firstReviewerId, decision(d.firstOutcome, d.firstFinalLabel)],
    ["Second review, " + d.reviewerId, [decision(d.outcome, d.finalLabel), reasonAndComment(d)].filter(Boolean).join("; ")],
  ]) {
    const div = el("div");
    div.append(el("dt", who), el("dd", what));
    box.appendChild(div);
  }
  return box;
}
