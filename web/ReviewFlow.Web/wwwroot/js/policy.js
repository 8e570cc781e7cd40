// ReviewFlow routing policy page (policy.html, role Admin): edit a copy of the active policy, see beside it what the
// edit would have done (what-if) and which thresholds the evidence supports, adopt it with a reason (optimistic
// concurrency: If-Match with the version read; a 409 is said in plain words with a reload), and read the history with
// what changed in each version. Server text goes into the DOM with textContent (dom.js).
import { $, el, clear } from "./dom.js";
import { startSignIn } from "./signin.js";
import { showPageLinks, showForRoles, notForRole, leavePage } from "./nav.js";
import { showAlerts } from "./alerts.js";
import { utcDay } from "./figures.js";
import { renderForm, applyThreshold } from "./policy-form.js";
import { whatIf, suggest } from "./policy-evidence.js";
import { diff, diffList, showHistory } from "./policy-history.js";
import { readPolicy, adoptPolicy } from "./policy-change.js";

const NOT_FOR_YOU = "This page is not for your role: only admins change the routing policy.";
const state = { original: null, edited: null, version: null, timer: 0 };

function say(text, kind) { const m = $("message"); m.textContent = text || ""; m.dataset.kind = kind || "info"; }
function sayAdopt(text, kind) { const m = $("adopt-message"); m.textContent = text || ""; m.dataset.kind = kind || "info"; }

async function load() {
  say("Loading the policy…");
  const r = await readPolicy();
  if (r.status === 403) { notForRole("policy", NOT_FOR_YOU); return false; }
  if (!r.ok) { say("The policy could not be read: " + r.text, "error"); return false; }
  state.original = r.policy;
  state.edited = structuredClone(r.policy); // unknown fields ride along untouched
  state.version = r.version;
  $("policy-title").textContent = `Routing policy, version ${state.version}`;
  $("reload").hidden = true;
  renderForm($("fields"), state.edited, edited);
  showChanges();
  say("");
  runWhatIf();
  showHistory().catch((e) => say(e.message, "error"));
  showAlerts("alerts", state.original).catch(() => {}); // the banner is extra: the policy page works without it
  return true;
}

function showChanges() {
  const list = $("changes");
  clear(list);
  const changes = diff(state.original, state.edited);
  if (!changes.length) { list.appendChild(el("li", "None yet.", "muted")); return; }
  for (const li of [...diffList(changes).children]) list.appendChild(li);
}

// After every edit: the list of changes at once, the what-if when the admin pauses.
function edited() {
  showChanges();
  sayAdopt("");
  clearTimeout(state.timer);
  state.timer = setTimeout(runWhatIf, 600);
}

function runWhatIf() { clearTimeout(state.timer); whatIf(state.edited).catch((e) => { $("whatif-summary").textContent = e.message; }); }

async function adopt(e) {
  e.preventDefault();
  const invalid = $("policy-form").querySelector("#fields input:invalid"); // a fieldset around one matches :invalid too
  if (invalid) { invalid.setAttribute("aria-invalid", "true"); invalid.focus(); sayAdopt("Not adopted: " + invalid.validationMessage, "error"); return; }
  if (!diff(state.original, state.edited).length) { sayAdopt("Nothing to adopt: the edit changes no rule.", "error"); return; }
  const reason = $("reason").value.trim();
  if (!reason) { $("reason").focus(); sayAdopt("Not adopted: say why you change the policy (it is kept in the audit trail).", "error"); return; }
  $("adopt").disabled = true;
  try {
    const r = await adoptPolicy(state.edited, state.version, reason);
    if (r.ok) {
      $("reason").value = "";
      await load();
      sayAdopt(`Adopted: version ${r.version} routes every new document from now on.`, "ok");
      return;
    }
    if (r.conflict) {
      // Another change came first: the edit stays on screen, a reload is offered.
      sayAdopt(`Not adopted: ${r.text}. Your edit is still on screen but was not saved. Reload the current policy, then make your change again.`, "error");
      $("reload").hidden = false;
      $("reload").focus();
      return;
    }
    sayAdopt("Not adopted: " + r.text, "error");
  } catch (err) {
    sayAdopt("Not adopted: " + err.message, "error");
  } finally {
    $("adopt").disabled = false;
  }
}

function onSignedIn(user) {
  showPageLinks(user);
  if (!showForRoles(user, ["Admin"], "policy", NOT_FOR_YOU)) return;
  if (!$("w-from").value) $("w-from").value = utcDay(29);
  if (!$("w-to").value) $("w-to").value = utcDay(0);
  load().catch((e) => say(e.message, "error"));
}

function onSignedOut() { leavePage("policy"); }

$("policy-form").addEventListener("submit", (e) => e.preventDefault()); // Enter in a field is no adoption
$("adopt").addEventListener("click", adopt);
$("discard").addEventListener("click", () => { if (state.original) { state.edited = structuredClone(state.original); renderForm($("fields"), state.edited, edited); edited(); sayAdopt("Your changes were discarded."); } });
$("reload").addEventListener("click", () => load()
  .then((ok) => { if (ok) sayAdopt(`Reloaded: version ${state.version}. Make your change again.`); })
  .catch((e) => say(e.message, "error")));
for (const id of ["w-from", "w-to", "w-minutes", "w-changed"]) $(id).addEventListener("change", runWhatIf);
$("w-run").addEventListener("click", runWhatIf);
$("s-run").addEventListener("click", () => suggest(state.edited, (type, label, t) => applyThreshold($("fields"), type, label, t))
  .catch((e) => { $("suggest-message").textContent = e.message; }));
startSignIn({ tokenKey: "reviewflow.token", onSignedIn, onSignedOut });
