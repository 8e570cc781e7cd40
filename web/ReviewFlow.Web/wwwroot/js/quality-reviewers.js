// How reviewers work, for supervisors (GET /api/v1/quality/reviewers, the caller's groups): per group and reviewer the
// decisions, confirm rate, median handling time, four-eyes agreement, agreement against QA re-checks, and the
// rubber-stamp signal in words.
import { $, el, clear, row } from "./dom.js";
import { api, problemText } from "./api.js";
import { share, count, num } from "./figures.js";

function seconds(s) {
  if (typeof s !== "number") return "—";
  return s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

const qa = (x) => (x.qaChecks ? `${x.qaAgreement == null ? "" : share(x.qaAgreement) + ", "}kappa ${num(x.qaKappa, 2)} (${count(x.qaChecks)} checks)` : "—");

const agreement = (x) => (x.fourEyesPairs ? `${x.agreement == null ? "" : share(x.agreement) + ", "}kappa ${num(x.kappa, 2)} (${count(x.fourEyesPairs)} pairs)` : "—");

// query: the page's period (from, to). Hidden for anyone but a supervisor (the API answers them only).
export async function showReviewers(user, query) {
  const section = $("reviewers-section"), out = $("reviewers");
  section.hidden = !user.roles.includes("Supervisor");
  clear(out);
  if (section.hidden) return;
  const r = await api("/api/v1/quality/reviewers?" + query);
  if (!r.ok) { $("reviewers-note").textContent = r.status === 404 ? "The server does not offer reviewer figures yet." : problemText(r); return; }
  const groups = r.body || [];
  $("reviewers-note").textContent = groups.length ? "" : "No decisions in your groups in this period.";
  if (!groups.length) return;
  const t = out.appendChild(el("table"));
  const head = el("tr");
  for (const h of ["Group", "Reviewer", "Decisions", "Confirmed", "Median handling", "Four-eyes agreement", "Against QA re-checks", "Signal"]) {
    const th = el("th", h); th.scope = "col"; head.appendChild(th);
  }
  t.appendChild(el("thead")).appendChild(head);
  const body = t.appendChild(el("tbody"));
  for (const g of groups) {
    const total = body.appendChild(row([g.reviewerGroup, "(whole group)", count(g.decisions), share(g.confirmRate), seconds(g.medianHandlingSeconds),
      g.fourEyesPairs ? `kappa ${num(g.kappa, 2)} (${count(g.fourEyesPairs)} pairs)` : "—",
      g.qaChecks ? `kappa ${num(g.qaKappa, 2)} (${count(g.qaChecks)} checks)` : "—", ""]));
    total.className = "total";
    for (const x of g.reviewers) {
      const tr = body.appendChild(row([g.reviewerGroup, x.reviewerId, count(x.decisions), share(x.confirmRate), seconds(x.medianHandlingSeconds), agreement(x), qa(x), x.signal || ""]));
      tr.dataset.reviewer = x.reviewerId;
      if (x.rubberStamp) tr.className = "flag";
    }
  }
}
