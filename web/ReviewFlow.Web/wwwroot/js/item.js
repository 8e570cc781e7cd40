// The review pane (right): the selected document, its model output, alternatives, metadata and history, whether the
// signed-in user may act on it, and the pane's message line. The document link accepts only http(s) URLs and is
// never fetched by the page (the server fetches the content for the viewer, viewer.js); every server value goes in as
// text (dom.js).
import { $, el, clear, pct, time, safeHttpUrl } from "./dom.js";
import { holderName, workingOn } from "./holder.js";
import { api, problemText } from "./api.js";
import { session } from "./signin.js";
import { state, isReviewer, isSupervisor, isMine, visibleStates } from "./state.js";
import { DocumentStatus, OpenStates } from "./status.js";
import { setSla } from "./sla.js";
import { showChoices } from "./choices.js";
import { showContent } from "./viewer.js";
import { historyDetails } from "./history.js";
import { tabStorage } from "./storage.js";
import { showItem } from "./layout.js";

// A deep link (/?document=ID, what Teams cards and mails point to) waits here through the sign-in.
const LINK_KEY = "reviewflow.open";

// The document a link asks for: ?document= on the web, or the Teams deep link's subEntityId in the tab (teams.js).
export function rememberLink(linked = new URLSearchParams(location.search).get("document")) {
  if (linked) tabStorage.setItem(LINK_KEY, linked);
}

export function hasLink() { return !!tabStorage.getItem(LINK_KEY); }

// A deep link only shows the document: opening a link (or a link preview, or a mail scanner fetching it) never
// claims or decides; only a key or a click does.
export function openLinked() {
  const id = tabStorage.getItem(LINK_KEY);
  if (!id) return;
  tabStorage.removeItem(LINK_KEY);
  select(id);
}

let said = 0; // counts messages, so that a late answer does not hide a newer prompt
export function say(text, kind) {
  const m = $("message");
  m.textContent = text || "";
  m.dataset.kind = kind || "info";
  said++;
}
export function saidCount() { return said; }

// Why the signed-in user cannot act on this document, or null when they can (the server checks it again).
function readOnlyReason(doc) {
  const u = session.user;
  if (!isReviewer()) return "you have no review role";
  if (!OpenStates.includes(doc.status)) return "not open for review (" + doc.status + ")";
  if (!doc.reviewerGroup || !u.groups.includes(doc.reviewerGroup)) return "in the queue of " + (doc.reviewerGroup || "no group");
  if (!visibleStates().includes(doc.status)) return doc.status + ": for supervisors";
  if (doc.status !== DocumentStatus.AwaitingReview && doc.status !== DocumentStatus.Claimed
    && (doc.firstReviewerId === u.id || doc.secondReviewerId === u.id))
    return "you reviewed it already";
  return null;
}

// Someone else holds the task and their lease still runs: the sentence that says who and until when (the viewer's
// zone), or null. Claiming and deciding would only be refused (409) until they release it or the lease ends.
export function heldByOther(doc) {
  if (!doc || !doc.claimedBy || isMine(doc.claimedBy)) return null;
  if (doc.leaseExpiresAt && Date.parse(doc.leaseExpiresAt) <= Date.now()) return null;
  return workingOn(doc.claimedBy, doc.claimedByName, doc.leaseExpiresAt);
}

// The buttons that would fail while someone else holds the task: marked aria-disabled (still focusable, so a screen
// reader finds them and the reason they name), never sent (actions.js checks state.detail.heldBy).
const HELD_BUTTONS = ["btn-claim", "btn-confirm", "btn-reject", "btn-escalate", "btn-correct"];
let leaseTimer = null;

function showHeld(doc, held) {
  state.detail.heldBy = held;
  const note = $("held-by");
  note.hidden = !held;
  note.textContent = held ? held + (isSupervisor() ? " Claim and decide once it is released; x releases it." : " Claim and decide once it is released or the lease ends.") : "";
  const buttons = HELD_BUTTONS.map($).concat(Array.from($("alternatives").querySelectorAll("button")));
  for (const b of buttons) {
    if (held) { b.setAttribute("aria-disabled", "true"); b.setAttribute("aria-describedby", "held-by"); }
    else { b.removeAttribute("aria-disabled"); b.removeAttribute("aria-describedby"); }
  }
  // The lease may end without a word from the server (the holder's page renews it while open): look again then.
  clearTimeout(leaseTimer);
  if (held && doc.leaseExpiresAt) {
    const id = doc.documentId;
    leaseTimer = setTimeout(() => { if (state.selectedId === id) loadDetail(id, true); }, Math.max(0, Date.parse(doc.leaseExpiresAt) - Date.now()) + 1000);
  }
}

// keepMessage: the caller says what happened (e.g. "Claimed … next in your groups"); the pane's load keeps it.
export function select(id, keepMessage) {
  state.selectedId = id;
  state.pending = null;
  markSelectedRow(id);
  const row = id && document.querySelector("#queue-rows tr.selected");
  if (row) row.scrollIntoView({ block: "nearest" });
  $("reason").value = "";
  $("comment").value = "";
  say("");
  if (!id) { $("pane-body").hidden = true; $("pane-empty").hidden = false; $("pane-error").hidden = true; state.detail = null; return; }
  showItem();
  loadDetail(id, !!keepMessage);
}

// The selected row is the queue's one Tab stop (a roving tabindex: j/k and the arrows move within it), marked current.
export function markSelectedRow(id) {
  const rows = Array.from(document.querySelectorAll("#queue-rows tr"));
  const stop = rows.find((tr) => tr.dataset.id === id) || rows[0];
  for (const tr of rows) {
    const selected = tr.dataset.id === id;
    tr.classList.toggle("selected", selected);
    if (selected) tr.setAttribute("aria-current", "true"); else tr.removeAttribute("aria-current");
    tr.tabIndex = tr === stop ? 0 : -1;
  }
}

let loads = 0; // the latest load of the pane wins: answers can arrive out of order

export async function loadDetail(id, keepMessage) {
  const load = ++loads;
  const [doc, history] = await Promise.all([
    api("/api/v1/documents/" + encodeURIComponent(id)),
    api("/api/v1/documents/" + encodeURIComponent(id) + "/history"),
  ]);
  if (state.selectedId !== id || load !== loads) return; // the user moved on, or a newer load is coming
  if (!doc.ok) {
    state.detail = null;
    $("pane-body").hidden = true;
    $("pane-empty").hidden = true;
    $("pane-error").hidden = false;
    $("pane-error").textContent = problemText(doc);
    return;
  }
  const events = history.ok ? history.body : [];
  const received = events.find((e) => e.type === "ClassificationReceived");
  state.detail = { doc: doc.body, classification: (received && received.data && received.data.classification) || {}, history: events };
  renderDetail(keepMessage);
}

// The selected document left the queue (decided, taken, escalated): say what it is now.
export function showDetailStatus(t) {
  if (!state.detail) return;
  say("This document is now " + t.status + (t.claimedBy ? " (" + t.claimedBy + ")" : "") + ".", "info");
  loadDetail(t.documentId, true);
}

function renderDetail(keepMessage) {
  const { doc, classification: c, history } = state.detail;
  $("pane-empty").hidden = true;
  $("pane-error").hidden = true;
  $("pane-body").hidden = false;
  $("doc-id").textContent = doc.documentId;
  $("doc-status").textContent = doc.status;
  $("doc-status").dataset.status = doc.status;
  $("doc-type").textContent = doc.documentType || "—";
  $("doc-label").textContent = doc.predictedLabel || "—";
  $("doc-confidence").textContent = pct(doc.confidence);
  const queued = state.items.get(doc.documentId);
  setSla($("doc-sla"), doc.dueAt && {
    dueAt: doc.dueAt, remindAt: doc.remindAt, requestedAt: queued && queued.requestedAt,
    breached: !!doc.breachedAt || !!(queued && queued.breached),
  });
  for (const e of document.querySelectorAll(".sla-row")) e.hidden = !doc.dueAt;
  $("doc-priority").textContent = doc.priority ? "priority " + doc.priority : "";
  $("doc-why").textContent = doc.why || "";
  for (const e of document.querySelectorAll(".why-row")) e.hidden = !doc.why;
  $("doc-claimed").textContent = doc.claimedBy
    ? holderName(doc.claimedBy, doc.claimedByName) + (doc.leaseExpiresAt ? " (lease until " + time(doc.leaseExpiresAt) + ")" : "")
    : "—";
  const invalid = doc.invalidReasons || [];
  $("doc-invalid").textContent = invalid.join("; ");
  for (const e of document.querySelectorAll(".invalid-row")) e.hidden = invalid.length === 0;

  const link = $("content-link");
  const href = safeHttpUrl(c.contentUri);
  link.hidden = !href;
  $("content-none").hidden = !!href;
  if (href) { link.href = href; link.textContent = c.contentUri; } else { link.removeAttribute("href"); link.textContent = ""; }
  showContent(doc.documentId, href);

  $("excerpt").textContent = c.excerpt || "(no excerpt)";
  renderAlternatives(c.alternatives || []);
  showChoices(c);
  renderMetadata(Object.entries(c.metadata || {}));
  renderHistory(history);

  $("doc-decision").textContent = doc.finalLabel
    ? doc.finalLabel + " (" + doc.outcome + (doc.decidedBy ? " by " + doc.decidedBy : "") + (doc.decidedAt ? ", " + time(doc.decidedAt) : "") + ")"
    : "";
  for (const e of document.querySelectorAll(".decision-row")) e.hidden = !doc.finalLabel;

  const mine = isMine(doc.claimedBy);
  const readOnly = readOnlyReason(doc);
  state.detail.readOnly = readOnly;
  $("actions").hidden = !!readOnly;
  $("alternatives-hint").hidden = !!readOnly;
  $("read-only").hidden = !readOnly;
  $("read-only").textContent = readOnly ? "Read only: " + readOnly + "." : "";
  for (const b of $("alternatives").querySelectorAll("button")) b.disabled = !!readOnly;
  $("btn-correct").disabled = !!readOnly;
  $("btn-claim").disabled = mine;
  const held = readOnly ? null : heldByOther(doc);
  $("btn-release").disabled = !mine && !(held && isSupervisor());
  showHeld(doc, held);
  if (!keepMessage) say(mine ? "Claimed by you." : held ? "" : "Press c to claim.");
}

// Up to nine, numbered as their keys; a click on one corrects to it (keyboard.js).
function renderAlternatives(alternatives) {
  const alts = $("alternatives");
  clear(alts);
  alternatives.slice(0, 9).forEach((a, i) => {
    const li = el("li");
    const b = el("button", null, "alt");
    b.type = "button";
    b.dataset.label = a.label;
    b.dataset.index = String(i);
    b.appendChild(el("kbd", String(i + 1)));
    b.appendChild(el("span", a.label, "alt-label"));
    b.appendChild(el("span", pct(a.confidence), "confidence"));
    b.title = "Correct to this label (needs a reason code)";
    li.appendChild(b);
    alts.appendChild(li);
  });
  if (alternatives.length === 0) alts.appendChild(el("li", "none", "muted"));
}

function renderMetadata(entries) {
  const meta = $("metadata").tBodies[0];
  clear(meta);
  for (const [k, v] of entries) {
    const tr = el("tr");
    tr.appendChild(el("th", k));
    tr.appendChild(el("td", typeof v === "string" ? v : JSON.stringify(v)));
    meta.appendChild(tr);
  }
  if (entries.length === 0) { const tr = el("tr"); tr.appendChild(el("td", "none", "muted")); meta.appendChild(tr); }
}

function renderHistory(history) {
  const hist = $("history").tBodies[0];
  clear(hist);
  for (const e of history) {
    const tr = el("tr");
    tr.dataset.type = e.type;
    tr.appendChild(el("td", e.version, "num"));
    tr.appendChild(el("td", e.type));
    tr.appendChild(el("td", historyDetails(e), "details-cell"));
    tr.appendChild(el("td", time(e.at)));
    tr.appendChild(el("td", e.actor));
    hist.appendChild(tr);
  }
}
