// ReviewFlow audit page (audit.html, role Auditor): decision search, a document's timeline, export with its manifest,
// reports and whole-store verification. ES modules, no build step; sign-in as on every page (signin.js).
// Security: every value from the server goes into the DOM through textContent, never innerHTML (dom.js).
// Times: the API speaks UTC (ISO 8601); inputs and displays use the viewer's zone.
import { $, el, clear, row, time, pct, safeHttpUrl } from "./dom.js";
import { api, download, problemText as problemDetails } from "./api.js";
import { startSignIn } from "./signin.js";
import { DecisionOutcome } from "./status.js";
import { showPageLinks, hidePageLinks } from "./nav.js";
import { bindVerify } from "./audit-verify.js";

const state = { next: null, query: null, selectedId: null, manifest: null };

function say(text, kind) { const m = $("message"); m.textContent = text || ""; m.dataset.kind = kind || "info"; }

function problemText(r) {
  return r.status === 403 ? "Forbidden: the audit is for auditors." : problemDetails(r);
}

// datetime-local values are in the viewer's zone; the API wants UTC.
function toUtc(local) { const d = new Date(local); return isNaN(d) ? null : d.toISOString(); }
function toLocalInput(d) {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

// ---------- search ----------

function period() {
  const from = toUtc($("f-from").value), to = toUtc($("f-to").value);
  if (!from || !to) throw new Error("Choose a period (from and to).");
  return { from, to };
}

function searchQuery() {
  const q = new URLSearchParams(period());
  const add = (name, id) => { const v = $(id).value.trim(); if (v) q.set(name, v); };
  add("reviewer", "f-reviewer"); add("documentType", "f-type"); add("predictedLabel", "f-predicted");
  add("finalLabel", "f-final"); add("outcome", "f-outcome"); add("policyVersion", "f-policy"); add("modelVersion", "f-model");
  if ($("f-sla").checked) q.set("slaBreached", "true");
  return q;
}

async function search(more) {
  try {
    if (!more) { state.query = searchQuery(); state.next = null; clear($("results").tBodies[0]); }
    const q = new URLSearchParams(state.query);
    q.set("pageSize", "50");
    if (more && state.next) q.set("after", state.next);
    const r = await api("/api/v1/audit/decisions?" + q);
    if (!r.ok) { say(problemText(r), "error"); return; }
    const body = $("results").tBodies[0];
    for (const d of r.body.items) {
      const tr = row([time(d.decidedAt), d.id, d.documentType, d.predictedLabel, d.finalLabel, d.outcome, d.decidedBy,
        el("td", d.policyVersion, "num"), d.modelVersion]);
      tr.dataset.id = d.id;
      tr.addEventListener("click", () => openTimeline(d.id));
      body.appendChild(tr);
    }
    state.next = r.body.next;
    $("btn-more").hidden = !state.next;
    $("result-count").textContent = body.rows.length + (state.next ? "+" : "");
    $("results-empty").textContent = "No decisions match this period and these filters.";
    $("results-empty").hidden = body.rows.length > 0;
    say("");
  } catch (e) { say(e.message, "error"); }
}

// ---------- timeline ----------

// A document id in the search opens its timeline; the address keeps it (audit.html?document=ID), so a link or a
// reload opens it again once signed in.
function openDocument() {
  const id = $("f-document").value.trim();
  if (!id) return false;
  const u = new URL(location.href);
  u.searchParams.set("document", id);
  history.replaceState(null, "", u);
  openTimeline(id);
  return true;
}

async function openTimeline(id) {
  state.selectedId = id;
  for (const tr of $("results").tBodies[0].rows) tr.classList.toggle("selected", tr.dataset.id === id);
  const [r, h] = await Promise.all([api("/api/v1/audit/documents/" + encodeURIComponent(id) + "/timeline"),
    api("/api/v1/documents/" + encodeURIComponent(id) + "/history")]);
  if (state.selectedId !== id) return;
  if (!r.ok) { $("timeline").hidden = true; say(r.status === 404 ? "No document " + id + " in the audit." : problemText(r), "error"); return; }
  say("");
  showSeen(h.ok ? h.body : []);
  const t = r.body, s = t.summary;
  $("timeline").hidden = false;
  $("t-id").textContent = s.documentId;
  const chain = $("t-chain");
  chain.dataset.kind = t.chain.intact ? "intact" : "mismatch";
  chain.textContent = t.chain.intact ? "chain intact" : "chain broken: " + (t.chain.firstMismatch ? t.chain.firstMismatch.problem : "unknown");
  $("t-type").textContent = s.documentType || "—";
  $("t-predicted").textContent = s.predictedLabel || "—";
  $("t-confidence").textContent = typeof s.confidence === "number" ? pct(s.confidence) : "";
  $("t-model").textContent = s.modelVersion ? "model " + s.modelVersion : "";
  $("t-final").textContent = s.finalLabel || "(not decided)";
  $("t-outcome").textContent = s.outcome || "";
  $("t-decided").textContent = s.decidedBy ? s.decidedBy + ", " + time(s.decidedAt) : "—";
  $("t-policy").textContent = s.policyVersion ? "version " + s.policyVersion : "—";
  const body = $("t-events").tBodies[0];
  clear(body);
  for (const e of t.events) {
    const hash = el("td", e.hash ? e.hash.slice(0, 12) + "…" : "not chained", "mono");
    if (e.hash) hash.title = e.hash;
    body.appendChild(row([e.version, time(e.at), e.type, e.actor, e.role, e.reason || "", e.policyVersion ?? "", e.modelVersion || "", hash]));
  }
}

// What the reviewer saw: the classification as received (excerpt, the model's alternatives, the content link).
function showSeen(history) {
  const received = history.find((e) => e.type === "ClassificationReceived");
  const c = (received && received.data && received.data.classification) || {};
  $("t-excerpt").textContent = c.excerpt || "(no excerpt)";
  $("t-alternatives").textContent = (c.alternatives || []).map((a) => a.label + " " + pct(a.confidence)).join(", ") || "none";
  const href = safeHttpUrl(c.contentUri), link = $("t-content");
  link.hidden = !href;
  $("t-content-none").hidden = !!href;
  if (href) { link.href = href; link.textContent = c.contentUri; } else { link.removeAttribute("href"); link.textContent = ""; }
}

// ---------- export ----------

// Saves a blob as a file through a link clicked once; the link stays in the page for a second, hidden (out of the tab
// order and the accessibility tree).
function saveAs(blob, name) {
  const a = el("a");
  a.hidden = true;
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// The manifest as the server stored it, saved beside the export (JSON, named after it).
function downloadManifest() {
  const m = state.manifest;
  if (!m) return;
  saveAs(new Blob([JSON.stringify(m, null, 2) + "\n"], { type: "application/json" }), "reviewflow-audit-" + m.exportId + ".manifest.json");
}

async function downloadExport() {
  try {
    const format = $("export-format").value;
    const q = new URLSearchParams(period()); q.set("format", format);
    say("Exporting…");
    const response = await download("/api/v1/audit/export?" + q);
    if (!response.ok) { say("Export refused: HTTP " + response.status, "error"); return; }
    const id = response.headers.get("X-Export-Id");
    saveAs(await response.blob(), "reviewflow-audit-" + id + "." + format);
    const m = await api("/api/v1/audit/exports/" + encodeURIComponent(id) + "/manifest");
    if (!m.ok) { say("Downloaded; the manifest is not available: " + problemText(m), "error"); return; }
    $("export-manifest").hidden = false;
    state.manifest = m.body;
    $("verify-id").value = m.body.exportId;
    $("m-id").textContent = m.body.exportId;
    $("m-rows").textContent = m.body.rows + " rows, " + m.body.bytes + " bytes, " + time(m.body.from) + " – " + time(m.body.to);
    $("m-sha").textContent = m.body.sha256;
    $("m-heads").textContent = m.body.headCount + " streams, digest " + m.body.headsDigest;
    say("Export downloaded; keep the manifest with it to verify it later.");
  } catch (e) { say(e.message, "error"); }
}

// ---------- reports and verification ----------

// A report's table in a box that scrolls sideways on its own (a phone), a named Tab stop for the keyboard.
function table(label, headers, rows) {
  const box = el("div", null, "table-scroll");
  box.tabIndex = 0;
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", label);
  const t = box.appendChild(el("table")), head = el("tr");
  for (const h of headers) head.appendChild(el("th", h));
  t.appendChild(el("thead")).appendChild(head);
  const body = t.appendChild(el("tbody"));
  for (const r of rows) body.appendChild(row(r));
  return box;
}

async function report(name) {
  const out = $("report");
  clear(out);
  try {
    const r = await api("/api/v1/audit/reports/" + name + (name === "policy-history" ? "" : "?" + new URLSearchParams(period())));
    if (!r.ok) { say(problemText(r), "error"); return; }
    const b = r.body;
    if (name === "overrides") {
      // An override is a correction or a rejection. Totals per predicted label, then what each label became: two
      // tables, not one mixed list.
      const overridden = (x) => x.corrected + (x.rejected || 0);
      out.appendChild(el("h3", "By predicted label"));
      out.appendChild(table("Overrides by predicted label", ["Predicted", "Human decisions", "Overridden", "Corrected", "Rejected", "Rate"],
        b.byLabel.filter((x) => !x.finalLabel).map((x) => [x.key, x.decided, overridden(x), x.corrected, x.rejected || 0, pct(x.rate)])));
      out.appendChild(el("h3", "What the model's label became"));
      out.appendChild(table("What the model's label became", ["Predicted", "Became", "Times"],
        b.byLabel.filter((x) => x.finalLabel).map((x) => [x.key, x.finalLabel === "(rejected)" ? "rejected (no label)" : x.finalLabel, x.decided])));
      out.appendChild(el("h3", "By reviewer"));
      out.appendChild(table("Overrides by reviewer", ["Reviewer", "Decisions", "Overridden", "Corrected", "Rejected", "Rate"],
        b.byReviewer.map((x) => [x.key, x.decided, overridden(x), x.corrected, x.rejected || 0, pct(x.rate)])));
    } else if (name === "segregation") {
      out.appendChild(el("p", `${b.fourEyesDecisions} four-eyes decisions, ${b.fourEyesWithTwoPeople} by two different people; ${b.violations.length} violation(s).`));
      out.appendChild(table("Segregation of duties violations", ["Document", "Rule", "User", "Decided"], b.violations.map((v) => [v.documentId, v.rule, v.user, time(v.decidedAt)])));
    } else if (name === "sla-breaches") {
      out.appendChild(table("SLA breaches", ["Document", "Type", "Queue", "Due", "Breached", "Outcome", "By"],
        b.map((x) => [x.documentId, x.documentType, x.reviewerGroup, time(x.dueAt), time(x.breachedAt), x.outcome || "open", x.decidedBy || ""])));
    } else {
      out.appendChild(table("Policy history", ["Version", "By", "When", "Why", "Changes", "Auto", "Review"],
        b.map((v) => [v.version, v.changedBy, time(v.at), v.reason,
          v.changes.map((c) => `${c.path}: ${c.before ?? "—"} → ${c.after ?? "—"}`).join("; "), v.routedAuto, v.routedReview])));
    }
  } catch (e) { say(e.message, "error"); }
}

async function verifyAll() {
  const r = await api("/api/v1/audit/verifications", { method: "POST" });
  if (!r.ok) { say(problemText(r), "error"); return; }
  const poll = async () => {
    const p = await api("/api/v1/audit/verifications/" + r.body.id);
    if (!p.ok) { say(problemText(p), "error"); return; }
    const v = p.body;
    const progress = `${v.streamsChecked} / ${v.streamsTotal} streams, ${v.eventsChecked} events`;
    if (v.status === "queued" || v.status === "running") { say("Verifying the whole store: " + progress); setTimeout(poll, 1000); return; }
    say(v.status === "intact" ? "Whole store intact: " + progress
      : v.status === "mismatch" ? `Mismatch in ${v.firstMismatch.streamId} at version ${v.firstMismatch.version}: ${v.firstMismatch.problem}`
      : "Verification failed: " + (v.error || "unknown"), v.status === "intact" ? "info" : "error");
  };
  poll();
}

// ---------- start ----------

function onSignedIn(user) {
  showPageLinks(user);
  const now = new Date();
  if (!$("f-from").value) $("f-from").value = toLocalInput(new Date(now.getTime() - 7 * 24 * 3600 * 1000));
  if (!$("f-to").value) $("f-to").value = toLocalInput(new Date(now.getTime() + 3600 * 1000));
  const linked = new URLSearchParams(location.search).get("document");
  if (linked) { $("f-document").value = linked; openDocument(); }
}

for (const outcome of Object.values(DecisionOutcome)) $("f-outcome").appendChild(el("option", outcome));
$("zone").textContent = "times in " + Intl.DateTimeFormat().resolvedOptions().timeZone;
$("search").addEventListener("submit", (e) => { e.preventDefault(); if (!openDocument()) search(false); });
$("btn-manifest").addEventListener("click", downloadManifest);
bindVerify();
$("btn-more").addEventListener("click", () => search(true));
$("btn-export").addEventListener("click", downloadExport);
$("btn-verify-all").addEventListener("click", verifyAll);
for (const b of document.querySelectorAll("[data-report]")) b.addEventListener("click", () => report(b.dataset.report));
startSignIn({ tokenKey: "reviewflow.audit.token", onSignedIn, onSignedOut: hidePageLinks });
