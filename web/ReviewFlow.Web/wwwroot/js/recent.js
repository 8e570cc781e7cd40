// "Recently decided by me" (the queue column's foot): my last decisions of the day as GET /api/v1/me/today recorded
// them — outcome, label, reason code, time — each a deep link (/?document=id) that a plain click or Enter opens in the
// pane; key d moves the focus to the list.
import { $, el, clear, clock } from "./dom.js";
import { DecisionOutcome } from "./status.js";
import { select } from "./item.js";

export const RECENT_SHOWN = 20;

function recorded(d) {
  const what = d.outcome === DecisionOutcome.Corrected ? "Corrected " + d.predictedLabel + " \u2192 " + d.finalLabel
    : d.outcome === DecisionOutcome.Rejected ? "Rejected (" + d.finalLabel + ")"
    : d.outcome === DecisionOutcome.Confirmed ? "Confirmed " + d.finalLabel
    : d.outcome + " " + d.finalLabel;
  return what + (d.reasonCode ? ", reason " + d.reasonCode : "");
}

export function showRecent(items) {
  const list = $("recent-list");
  clear(list);
  for (const d of items.slice(0, RECENT_SHOWN)) {
    const li = el("li");
    li.dataset.id = d.documentId;
    const a = el("a", d.documentId, "recent-id");
    a.href = "/?document=" + encodeURIComponent(d.documentId);
    const t = el("time", clock(d.decidedAt), "recent-time");
    t.dateTime = d.decidedAt;
    li.append(a, el("span", recorded(d), "recent-what"), t);
    list.appendChild(li);
  }
  $("recent-count").textContent = String(items.length);
  $("recent-empty").hidden = items.length > 0;
  $("recent").hidden = false;
}

export function focusRecent() {
  const first = $("recent-list").querySelector("a");
  if (first) { first.scrollIntoView({ block: "nearest" }); first.focus(); }
  else $("recent-empty").scrollIntoView({ block: "nearest" });
}

// A plain click (or Enter) shows the document here; a modified click opens the link as a link (a new tab).
export function bindRecent() {
  $("recent-list").addEventListener("click", (e) => {
    const a = e.target.closest("a");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    a.blur(); // the page's keys work again (Enter confirms, not this link)
    select(a.closest("li").dataset.id);
  });
}
