// ReviewFlow operations page (operations.html, roles Operator and Admin): the intake error queues (operations-queue.js),
// the Invalid documents by source system, and what operators did (replays, discards). Server text goes into the DOM
// with textContent (dom.js).
import { $, el, clear, time } from "./dom.js";
import { api, problemText } from "./api.js";
import { startSignIn } from "./signin.js";
import { showPageLinks, showForRoles, notForRole, leavePage } from "./nav.js";
import { loadQueue, wireQueue } from "./operations-queue.js";

const ROLES = ["Operator", "Admin"];
const NOT_FOR_YOU = "This page is not for your role: only operators and admins work the error queue.";

function table(out, headers, rows) {
  const t = out.appendChild(el("table", null, "stack"));
  const head = el("tr");
  for (const h of headers) { const th = el("th", h); th.scope = "col"; head.appendChild(th); }
  t.appendChild(el("thead")).appendChild(head);
  const body = t.appendChild(el("tbody"));
  for (const cells of rows) {
    const tr = body.appendChild(el("tr"));
    cells.forEach((c, i) => { tr.appendChild(c instanceof Node ? c : el("td", c)).dataset.label = headers[i]; });
  }
  return t;
}

function list(items, className) {
  const td = el("td");
  const ul = td.appendChild(el("ul", null, className || "reasons"));
  for (const i of items) ul.appendChild(el("li", i));
  return td;
}

async function showInvalid() {
  const out = $("invalid"), msg = $("invalid-message");
  const q = new URLSearchParams();
  if ($("f-source").value.trim()) q.set("sourceSystem", $("f-source").value.trim());
  if ($("f-q").value.trim()) q.set("q", $("f-q").value.trim());
  const r = await api("/api/v1/operations/invalid-documents?" + q);
  clear(out);
  if (!r.ok) { msg.textContent = "The Invalid documents could not be read: " + problemText(r); msg.dataset.kind = "error"; return; }
  msg.dataset.kind = "info";
  msg.textContent = r.body.length ? `${r.body.length} Invalid ${r.body.length === 1 ? "document" : "documents"}, newest first.` : "No Invalid document matches.";
  if (!r.body.length) return;
  table(out, ["Document", "Source system", "What was wrong", "Last update"],
    r.body.map((d) => [el("td", d.documentId, "mono"), d.sourceSystem || "unknown", list(d.reasons), time(d.updatedAt)]));
}

async function showHistory() {
  const out = $("history");
  const r = await api("/api/v1/operations/history");
  clear(out);
  if (!r.ok) { out.appendChild(el("p", "The history could not be read: " + problemText(r), "error")); return; }
  if (!r.body.length) { out.appendChild(el("p", "Nothing replayed or discarded yet.", "hint")); return; }
  table(out, ["When", "Who", "What", "Why", "Results"], r.body.slice(0, 100).map((h) => [
    time(h.at), h.actor,
    (h.action === "replayed" ? "Replayed" : "Discarded") + ` ${h.messages.length}` + (h.selection && h.selection !== "ids" ? ` (${h.selection})` : ""),
    h.why || "—",
    list(h.messages.map((m) => (m.documentId || m.id) + (m.sourceSystem ? ` from ${m.sourceSystem}` : ""))),
  ]));
}

async function refreshAll() {
  const r = await loadQueue();
  if (r.status === 403) { notForRole("operations", NOT_FOR_YOU); return; }
  await Promise.all([showInvalid(), showHistory()]);
}

function onSignedIn(user) {
  showPageLinks(user);
  if (!showForRoles(user, ROLES, "operations", NOT_FOR_YOU)) return;
  refreshAll().catch((e) => { $("queue-message").textContent = e.message; });
}

wireQueue(() => Promise.all([showInvalid(), showHistory()]));
$("invalid-filters").addEventListener("submit", (e) => { e.preventDefault(); showInvalid().catch((err) => { $("invalid-message").textContent = err.message; }); });
startSignIn({ tokenKey: "reviewflow.token", onSignedIn, onSignedOut: () => leavePage("operations") });
