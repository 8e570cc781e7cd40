// The drift reference window of one document type (admins): the pinned referenceFrom/referenceTo of the type's alarms,
// set or cleared on the quality page as a routing policy change with a reason (policy-change.js: If-Match, 409 in words).
import { $ } from "./dom.js";
import { day, lastDay, periodQuery } from "./figures.js";
import { readPolicy, adoptPolicy } from "./policy-change.js";

let current = { type: null, reload: () => {} };

function say(text, kind) { const m = $("pin-message"); m.textContent = text || ""; m.dataset.kind = kind || "info"; }

// Shown to admins once a known document type is chosen; reload() refreshes the page's figures after a change.
export async function showReference(user, type, reload) {
  const section = $("pin-section");
  current = { type, reload };
  section.hidden = true;
  if (!user.roles.includes("Admin") || !type) return;
  const r = await readPolicy();
  const t = r.ok && r.policy.documentTypes && r.policy.documentTypes[type];
  if (!t) return;
  const a = t.alarms || {};
  const pinned = a.referenceFrom && a.referenceTo;
  $("pin-now").textContent = pinned
    ? `Drift of ${type} is measured against the pinned days ${day(a.referenceFrom)} to ${lastDay(a.referenceTo)} (policy version ${r.version}).`
    : `Drift of ${type} is measured against each model version's first 7 days; pin a window to compare against days you trust instead.`;
  if (pinned) { $("pin-from").value = day(a.referenceFrom); $("pin-to").value = lastDay(a.referenceTo); }
  $("unpin").hidden = !pinned;
  section.hidden = false;
}

// from/to as days (to included), or nulls to clear; the policy is read afresh and only the type's two fields change.
async function change(fromDay, toDay) {
  const reason = $("pin-reason").value.trim();
  if (!reason) { $("pin-reason").focus(); say("Not changed: say why (it is kept in the policy history).", "error"); return; }
  const r = await readPolicy();
  if (!r.ok) { say("Not changed: " + r.text, "error"); return; }
  const policy = structuredClone(r.policy);
  const t = policy.documentTypes[current.type];
  const q = fromDay ? periodQuery(new URLSearchParams(), fromDay, toDay) : null;
  t.alarms = Object.assign({}, t.alarms, { referenceFrom: q ? q.get("from") : null, referenceTo: q ? q.get("to") : null });
  const adopted = await adoptPolicy(policy, r.version, reason);
  if (!adopted.ok) { say(`Not changed: ${adopted.text}.${adopted.conflict ? " Nothing was saved; try again." : ""}`, "error"); return; }
  $("pin-reason").value = "";
  say(fromDay ? `Pinned: ${current.type} drift compares against ${fromDay} to ${toDay} from policy version ${adopted.version}.`
    : `Cleared: ${current.type} drift compares against each model version's first 7 days again (policy version ${adopted.version}).`, "ok");
  await current.reload();
}

$("pin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const from = $("pin-from").value, to = $("pin-to").value;
  if (!from || !to || from > to) { $("pin-from").focus(); say("Not pinned: give a first and a last day, the first not after the last.", "error"); return; }
  change(from, to).catch((err) => say(err.message, "error"));
});
$("unpin").addEventListener("click", () => change(null, null).catch((err) => say(err.message, "error")));
