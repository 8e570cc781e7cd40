// What a reviewer does to the selected document: claim, release, confirm, correct, reject, escalate (the last three
// need a reason code), the lease renewal of held claims, and "my work today" that decisions update.
import { $ } from "./dom.js";
import { api, problemText } from "./api.js";
import { session } from "./signin.js";
import { state, visibleStates, noteHolder } from "./state.js";
import { DecisionCommand } from "./status.js";
import { sortedItems, renderQueue } from "./queue.js";
import { say, saidCount, select, loadDetail } from "./item.js";
import { showRecent } from "./recent.js";
import { autoAdvance } from "./layout.js";

// Someone else holds the task (item.js shows who, until when): say so instead of sending what would be refused.
function heldElsewhere() {
  const held = state.detail && state.detail.heldBy;
  if (held) say(held, "warn");
  return !!held;
}

async function command(path, body, doneText) {
  const id = state.selectedId;
  if (!id || state.busy || !state.detail || state.detail.readOnly) return null;
  if (path !== "release" && heldElsewhere()) return null;
  state.busy = path;
  const before = saidCount();
  try {
    const r = await api("/api/v1/reviews/" + encodeURIComponent(id) + "/" + path, { method: "POST", json: body || {} });
    if (r.status === 409 && r.body && r.body.heldBy) { state.nextAsked = false; await sayWhoHolds(id, r); return null; }
    if (!r.ok) { state.nextAsked = false; say(problemText(r), "error"); return null; } // n asked meanwhile waits for a new key
    // The live update can beat the HTTP answer, and the reviewer may already have pressed the next key (a prompt
    // for a reason code): keep that prompt rather than repeat "Claimed".
    if (saidCount() === before) say(doneText || r.body.message || r.body.status, "ok");
    return r.body;
  } catch (e) {
    state.nextAsked = false;
    say(e.message, "error");
    return null;
  } finally {
    state.busy = false;
  }
}

// A race (someone claimed it a moment before): the same sentence the page shows for a claim it knew of.
async function sayWhoHolds(id, r) {
  await loadDetail(id, true);
  const held = state.selectedId === id && state.detail && state.detail.heldBy;
  say(held || problemText(r), "error");
}

// The claim is a lease: while this page shows a task I hold, claiming again every minute renews it (the server's
// lease is 5 minutes), so a closed or crashed page lets the task go back to the queue on its own.
export async function renewMyClaims() {
  if (!session.user) return;
  for (const id of Array.from(state.held)) {
    try {
      const r = await api("/api/v1/reviews/" + encodeURIComponent(id) + "/claim", { method: "POST", json: {} });
      if (r.status === 409 || r.status === 404 || r.status === 403) state.held.delete(id); // not mine any more
    } catch (e) { /* the next tick tries again; the queue shows what happened */ }
  }
}

export async function claim() {
  const r = await command("claim", {}, "Claimed. Enter confirms, 1–9 or l corrects, r rejects, e escalates, x releases.");
  if (r) { noteHolder(state.selectedId, session.user.id); await loadDetail(state.selectedId, true); }
  await nextIfAsked();
}

// n pressed while another action was still on its way (a reviewer typing Enter, n): it runs once that action is done.
async function nextIfAsked(after) {
  if (!state.nextAsked) return false;
  state.nextAsked = false;
  await claimNext(after);
  return true;
}

// n: the server claims what I should do next in my groups (breached first, then due time, then oldest) and the
// pane shows it, ready for a decision.
// after: what the page just did ("Decided X: Routed."), said before the claim's own words (auto-advance).
export async function claimNext(after) {
  if (state.busy) { if (state.busy !== "next") state.nextAsked = true; return; } // n twice claims once
  const before = typeof after === "string" ? after + " " : "";
  state.busy = "next";
  let r;
  try {
    r = await api("/api/v1/reviews/next", { method: "POST", json: {} });
  } catch (e) {
    say(e.message, "error");
    return;
  } finally {
    state.busy = false; // the claim is done: the next key (Enter) acts on what the pane shows
  }
  if (!r.ok) { say(before + problemText(r), r.status === 404 ? "warn" : "error"); return; }
  noteHolder(r.body.documentId, session.user.id);
  select(r.body.documentId, true);
  say(before + "Claimed " + r.body.documentId + (r.body.breached ? ", past its SLA" : "") + ": next in your groups. Enter confirms, 1–9 or l corrects.", "ok");
}

export async function release() {
  const r = await command("release", {}, "Released.");
  if (r) await loadDetail(state.selectedId, true);
  await nextIfAsked();
}

async function decide(body) {
  const id = state.selectedId;
  const comment = $("comment").value.trim();
  if (comment) body.comment = comment;
  const r = await command("decision", body);
  if (!r) return;
  state.pending = null;
  loadMyDay();
  // The live update removes the row too; do it now so the next item is one keystroke away.
  const items = sortedItems();
  const i = items.findIndex((x) => x.documentId === id);
  if (!visibleStates().includes(r.status)) state.items.delete(id);
  renderQueue();
  const decided = "Decided " + id + ": " + (r.status || "ok") + ".";
  state.nextAsked = state.nextAsked || autoAdvance();
  if (await nextIfAsked(decided)) return;
  const next = sortedItems();
  const nextId = next.length ? next[Math.min(Math.max(i, 0), next.length - 1)].documentId : null;
  select(nextId === id ? id : nextId);
  say(decided, "ok");
}

export function confirm() { return decide({ outcome: DecisionCommand.Confirm }); }

function needReason(pending) {
  const reason = $("reason").value.trim();
  if (reason) return reason;
  state.pending = pending;
  say(pending.kind === DecisionCommand.Correct
    ? "Type a reason code, then Enter to correct to \u201C" + pending.label + "\u201D."
    : "Type a reason code, then Enter to " + pending.kind + ".", "warn");
  $("reason").focus();
  return null;
}

export function correct(index) {
  if (!state.detail || state.detail.readOnly || heldElsewhere()) return;
  const alts = (state.detail && state.detail.classification.alternatives) || [];
  if (index >= alts.length) { say("No alternative " + (index + 1) + ".", "warn"); return; }
  correctTo(alts[index].label);
}

// Any label: an alternative, or one of the type's catalogue chosen in the picker (the server checks the catalogue).
export function correctTo(label) {
  if (!state.detail || state.detail.readOnly || heldElsewhere()) return;
  if (label === state.detail.classification.label) { say("\u201C" + label + "\u201D is the predicted label: press Enter to confirm it.", "warn"); return; }
  const reason = needReason({ kind: DecisionCommand.Correct, label });
  if (reason) decide({ outcome: DecisionCommand.Correct, label, reasonCode: reason });
}

function decideWithReason(kind) {
  if (!state.detail || state.detail.readOnly || heldElsewhere()) return;
  const reason = needReason({ kind });
  if (reason) decide({ outcome: kind, reasonCode: reason });
}

export function reject() { decideWithReason(DecisionCommand.Reject); }

export function escalate() { decideWithReason(DecisionCommand.Escalate); }

// Enter in the reason field: the action that asked for it.
export function runPending() {
  const p = state.pending;
  const reason = $("reason").value.trim();
  if (!p) return;
  if (!reason) { say("The reason code is required.", "warn"); return; }
  $("reason").blur();
  if (p.kind === DecisionCommand.Correct) decide({ outcome: DecisionCommand.Correct, label: p.label, reasonCode: reason });
  else decide({ outcome: p.kind, reasonCode: reason });
}

export function cancelPending() {
  state.pending = null;
  say("");
}

// "My work today" from the server (UTC day): decided, with the breakdown and what I hold in the tooltip, and the list
// of what I decided (recent.js).
export async function loadMyDay() {
  try {
    const r = await api("/api/v1/me/today");
    if (!r.ok) return;
    const d = r.body;
    $("decided-count").textContent = String(d.decided);
    $("my-work").title = d.confirmed + " confirmed, " + d.corrected + " corrected, " + d.rejected + " rejected; holding "
      + d.holding + "; first reviews waiting for a second reviewer: " + d.awaitingSecondReview;
    showRecent(d.items || []);
  } catch (e) { /* shown again on the next decision */ }
}
