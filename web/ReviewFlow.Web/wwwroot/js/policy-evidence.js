// The evidence beside the edit: the what-if of the edited policy against the active one (POST
// /api/v1/admin/routing-policy/what-if) and the thresholds the recorded decisions support (GET .../suggestion).
import { $, el, clear, row } from "./dom.js";
import { api, problemText } from "./api.js";
import { share, count, proportionShort, periodQuery, day, lastDay } from "./figures.js";

let asked = 0; // the newest what-if asked; an older answer arriving late is dropped

function period() { return periodQuery(new URLSearchParams(), $("w-from").value, $("w-to").value); }

function table(headers, rows) {
  const t = el("table");
  const head = el("tr");
  for (const h of headers) { const th = el("th", h); th.scope = "col"; head.appendChild(th); }
  t.appendChild(el("thead")).appendChild(head);
  const body = t.appendChild(el("tbody"));
  for (const r of rows) body.appendChild(r instanceof Node ? r : row(r));
  return t;
}

const hours = (documents) => {
  const minutes = $("w-minutes").valueAsNumber;
  return (documents * (isFinite(minutes) ? minutes : 0)) / 60;
};
const hoursText = (h) => (Math.abs(h) < 0.05 ? "0 h" : (h > 0 ? "" : "−") + Math.abs(h).toFixed(1) + " h");

export async function whatIf(policy) {
  const mine = ++asked;
  $("whatif-summary").textContent = "Replaying the period with your edit…";
  const p = period();
  const r = await api("/api/v1/admin/routing-policy/what-if", { method: "POST",
    json: { policy, from: p.get("from") || undefined, to: p.get("to") || undefined } });
  if (mine !== asked) return;
  const out = $("whatif");
  clear(out);
  if (!r.ok) { $("whatif-summary").textContent = "No what-if: " + problemText(r); return; }
  const rows = r.body.rows || [];
  const differs = (x) => x.autoNow !== x.autoProposed || x.newlyAuto > 0 || x.newlyReview > 0;
  const shown = $("w-changed").checked ? rows.filter(differs) : rows;
  const sum = (f) => rows.reduce((s, x) => s + f(x), 0);
  const docs = sum((x) => x.documents), now = sum((x) => x.autoNow), proposed = sum((x) => x.autoProposed);
  const newly = sum((x) => x.newlyAuto), newlyHuman = sum((x) => x.newlyAutoHumanDecided), newlyChanged = sum((x) => x.newlyAutoChanged);
  const toReview = sum((x) => x.newlyReview);
  const saved = hours(proposed - now);
  const span = `${day(r.body.from)} to ${lastDay(r.body.to)}`;
  $("whatif-summary").textContent = !docs
    ? `No decided documents from ${span}: nothing to replay.`
    : !rows.some(differs)
      ? `Your edit would have changed no routing of the ${count(docs)} documents decided from ${span} (active version ${r.body.activeVersion}).`
      : `Of ${count(docs)} documents decided from ${span}, ${count(proposed)} would have gone through without a human instead of ${count(now)}: ` +
        `${count(newly)} newly (humans had changed the label of ${count(newlyChanged)} of the ${count(newlyHuman)} of those they decided), ` +
        `${count(toReview)} newly to review. Reviewer time ${saved >= 0 ? "saved" : "added"}: about ${hoursText(Math.abs(saved))}.`;
  if (!shown.length) return;
  const lines = shown.map((x) => {
    const tr = row([x.documentType, x.label, el("td", count(x.documents), "num"), el("td", count(x.autoNow), "num"), el("td", count(x.autoProposed), "num"),
      el("td", `${count(x.newlyAuto)}${x.newlyAutoHumanDecided ? ` (humans changed ${count(x.newlyAutoChanged)} of ${count(x.newlyAutoHumanDecided)})` : ""}`, "num"),
      proportionShort(x.proposedAutoError), el("td", hoursText(hours(x.autoProposed - x.autoNow)), "num"), el("td", count(x.newlyReview), "num")]);
    tr.dataset.type = x.documentType;
    tr.dataset.label = x.label;
    if (differs(x)) tr.className = "changed";
    return tr;
  });
  out.appendChild(table(["Type", "Label", "Documents", "Without a human now", "With your edit", "Newly without a human",
    "Error without a human, edit (95 % interval, human decisions)", "Reviewer hours saved", "Newly to review"], lines));
}

// targetErrorRate from its field; onUse(type, label, threshold) puts a suggestion into the form.
export async function suggest(policy, onUse) {
  const out = $("suggestions");
  clear(out);
  const target = $("s-target").valueAsNumber;
  if (!(target > 0 && target < 1)) { $("suggest-message").textContent = "Give a target error rate between 0 and 1, e.g. 0.02 for 2 %."; return; }
  const q = period();
  q.set("targetErrorRate", String(target));
  $("suggest-message").textContent = "Looking for thresholds…";
  const r = await api("/api/v1/admin/routing-policy/suggestion?" + q);
  if (!r.ok) { $("suggest-message").textContent = problemText(r); return; }
  $("suggest-message").textContent = r.body.length ? `For an error rate under ${share(target)} with 95 % confidence:` : "No decided documents in the period.";
  const lines = r.body.map((s) => {
    const t = policy.documentTypes[s.documentType];
    const current = !t ? "—" : s.label ? (t.labelThresholds && s.label in t.labelThresholds ? t.labelThresholds[s.label] : `${t.threshold} (type)`) : t.threshold;
    const use = el("td");
    if (s.threshold != null && t) {
      const b = use.appendChild(el("button", "Use"));
      b.type = "button";
      b.setAttribute("aria-label", `Use ${s.threshold} for ${s.documentType}${s.label ? " " + s.label : ""}`);
      b.addEventListener("click", () => onUse(s.documentType, s.label, s.threshold));
    }
    return row([s.documentType, s.label || "(whole type)", el("td", s.threshold == null ? "none" : String(s.threshold), "num"), el("td", String(current), "num"),
      `${count(s.wouldGoThrough)} of ${count(s.documents)}`, s.errorRate ? proportionShort(s.errorRate) : "—", s.reason || "", use]);
  });
  if (lines.length) out.appendChild(table(["Type", "Label", "Suggested", "Now", "Would go without a human", "Error rate (95 % interval, human decisions)", "Why none", "Use it"], lines));
}
