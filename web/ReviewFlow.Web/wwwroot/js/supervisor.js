// The supervisor page (supervisor.html): the open tasks of the supervisor's groups with who holds each and since when,
// everyone's workload, reassignment to a member of the task's group and bulk confirmation — all through the existing
// commands (POST /api/v1/reviews/{id}/reassign, /api/v1/reviews/bulk-confirm), read from GET /api/v1/supervisor/overview,
// reloaded on every live change of a task (the hub's taskChanged). Every server value goes in as text (dom.js).
import { $, el, clear, time, clock } from "./dom.js";
import { api, problemText } from "./api.js";
import { startSignIn } from "./signin.js";
import { openHub } from "./hub.js";
import { showPageLinks, showForRoles, notForRole, leavePage } from "./nav.js";
import { DocumentStatus } from "./status.js";
import { holderName, workingOn, awayText } from "./holder.js";
import { bindFilters, offerFilterValues, shown } from "./supervisor-filters.js";
import { whyOf, whyElement } from "./supervisor-why.js";

const NOT_FOR_YOU = "This page is for supervisors: the open tasks of their groups and who works on what. Reviewers find their work in the review queue.";

const view = {
  tasks: [],
  members: {},            // group -> [{ id, name, supervisor, away }]
  selected: new Set(),    // document ids ticked for bulk confirmation
  choices: new Map(),     // document id -> person chosen in its picker, kept across reloads
  truncated: false,       // the overview has more tasks than it answered
  results: new Map(),     // document id -> { kind, text } of the last action on it
  current: null,          // the row the keyboard is on
  loads: 0,
  connection: null,
  reloadTimer: null,
  busy: false,
};

function say(text, kind) { const m = $("message"); m.textContent = text || ""; m.dataset.kind = kind || "info"; }

async function load() {
  const n = ++view.loads;
  let r;
  try { r = await api("/api/v1/supervisor/overview"); } catch (e) { say(e.message, "error"); return; }
  if (n !== view.loads) return; // a newer load is coming
  if (r.status === 403) { notForRole("supervisor", NOT_FOR_YOU); return; }
  if (!r.ok) { say(problemText(r), "error"); return; }
  view.tasks = r.body.tasks;
  view.members = r.body.members || {};
  const open = new Set(view.tasks.filter(shown).map((t) => t.documentId));
  for (const id of Array.from(view.selected)) if (!open.has(id)) view.selected.delete(id);
  view.truncated = r.body.truncated;
  offerFilterValues(view.tasks);
  renderTasks();
  renderWorkload(r.body.workload);
  // Why each escalation is here (its history): the rows show it when it arrives.
  whyOf(view.tasks.filter((t) => t.status === DocumentStatus.Escalated)).then((changed) => { if (changed && n === view.loads) renderTasks(); });
  $("supervisor").dataset.loaded = String(n); // tests wait for the page's own loads
}

// Live changes come in bursts (a bulk confirmation is two per task): one reload for the burst.
function reloadSoon() {
  clearTimeout(view.reloadTimer);
  view.reloadTimer = setTimeout(load, 250);
}

function holder(t) { return t.claimedBy ? holderName(t.claimedBy, t.claimedByName) : "nobody"; }

function status(t) {
  if (t.status === DocumentStatus.Escalated) return "Escalated: a supervisor decides";
  if (t.status === DocumentStatus.AwaitingSecondReview) return "Waiting for a second reviewer";
  if (t.status === DocumentStatus.Claimed) return "Being reviewed";
  return "Waiting";
}

// Who a task can go to: the members of its group; escalations only to supervisors; never to who holds it now.
function candidates(t) {
  return (view.members[t.reviewerGroup] || [])
    .filter((m) => (t.status !== DocumentStatus.Escalated || m.supervisor) && m.id !== t.claimedBy);
}

function cell(text, label, className) {
  const td = el("td", text, className);
  if (label) td.dataset.label = label;
  return td;
}

function taskRow(t) {
  const id = t.documentId;
  const tr = el("tr");
  tr.dataset.id = id;
  tr.dataset.status = t.status;
  tr.dataset.breached = t.breached ? "true" : "false";
  if (id === view.current) tr.classList.add("focused");

  const box = el("input");
  box.type = "checkbox";
  box.dataset.role = "select";
  box.checked = view.selected.has(id);
  box.setAttribute("aria-label", "Select " + id);
  tr.appendChild(el("td")).appendChild(box);

  const link = el("a", id, "doc");
  link.href = "/?document=" + encodeURIComponent(id);
  link.dataset.role = "link";
  const docCell = cell(null, "Document");
  docCell.appendChild(link);
  tr.appendChild(docCell);
  tr.appendChild(cell(t.reviewerGroup, "Group"));
  const statusCell = cell(status(t), "Status", "status-cell");
  const why = whyElement(id);
  if (why) statusCell.appendChild(why);
  tr.appendChild(statusCell);
  tr.appendChild(cell(holder(t), "Held by", "holder-cell"));
  const since = cell(t.claimedAt ? clock(t.claimedAt) : "—", "Since");
  if (t.claimedAt) since.title = time(t.claimedAt);
  tr.appendChild(since);
  const due = cell(t.dueAt ? clock(t.dueAt) + (t.breached ? ", past due" : "") : "no SLA", "Due", "due-cell");
  if (t.dueAt) due.title = time(t.dueAt);
  tr.appendChild(due);

  const pick = el("div", null, "reassign");
  const select = el("select");
  select.dataset.role = "picker";
  select.setAttribute("aria-label", "Reassign " + id + " to");
  select.appendChild(el("option", "Choose a person", null)).value = "";
  // Someone out of office stays selectable (the task waits for them), marked in words.
  for (const m of candidates(t)) {
    const away = awayText(m.away);
    const o = el("option", holderName(m.id, m.name) + (m.supervisor ? ", supervisor" : "") + (away ? " — " + away : ""));
    o.value = m.id;
    if (away) o.dataset.away = "true";
    select.appendChild(o);
  }
  select.value = view.choices.get(id) || "";
  const go = el("button", "Reassign");
  go.type = "button";
  go.dataset.role = "reassign";
  go.setAttribute("aria-label", "Reassign " + id);
  pick.append(select, go);
  const pickCell = cell(null, "Reassign to");
  pickCell.appendChild(pick);
  tr.appendChild(pickCell);

  const result = view.results.get(id);
  const res = cell(result ? result.text : "", result ? "Result" : null, "result");
  if (result) res.dataset.kind = result.kind;
  tr.appendChild(res);
  return tr;
}

function renderTasks() {
  // A reload must not take the keyboard away: focus returns to the same control of the same task.
  const active = document.activeElement;
  const activeRow = active && active.closest && active.closest("#task-rows tr");
  const focusBack = activeRow ? { id: activeRow.dataset.id, role: active.dataset.role } : null;
  const body = $("task-rows");
  clear(body);
  const tasks = visibleTasks();
  for (const t of tasks) body.appendChild(taskRow(t));
  $("task-count").textContent = String(view.tasks.length) + (view.truncated ? "+" : "");
  $("filter-count").textContent = tasks.length === view.tasks.length ? "" : "Showing " + tasks.length + " of " + view.tasks.length + ".";
  $("tasks-empty").hidden = tasks.length > 0;
  $("tasks-empty").textContent = view.tasks.length ? "No task matches the filters." : "No open tasks in your groups.";
  if (focusBack) {
    const again = rowOf(focusBack.id) || rowOf(view.current);
    const target = again && (again.querySelector(`[data-role="${focusBack.role}"]`) || again.querySelector("[data-role=select]"));
    if (target) target.focus();
  }
  showSelection();
}

function renderWorkload(workload) {
  const body = $("workload").tBodies[0];
  clear(body);
  for (const w of workload || []) {
    const tr = el("tr");
    const person = el("td", holderName(w.id, w.name));
    if (w.away) person.appendChild(el("span", " · " + awayText(w.away), "away"));
    tr.appendChild(person);
    tr.appendChild(el("td", (w.groups || []).join(", ") || "—"));
    tr.appendChild(el("td", w.openClaims, "num"));
    tr.appendChild(el("td", w.decidedToday, "num"));
    body.appendChild(tr);
  }
  if (!workload || !workload.length) { const tr = el("tr"); tr.appendChild(el("td", "nobody yet", "muted")); body.appendChild(tr); }
}

// The tasks the filters let through; selection, select-all, j/k and bulk confirmation work on these only.
function visibleTasks() { return view.tasks.filter(shown); }

function showSelection() {
  const n = view.selected.size, all = visibleTasks().length;
  $("selected-count").textContent = String(n);
  $("bulk-confirm").disabled = n === 0 || view.busy;
  $("select-all").checked = n > 0 && n === all;
  $("select-all").indeterminate = n > 0 && n < all;
}

const rowOf = (id) => id ? document.querySelector(`#task-rows tr[data-id="${CSS.escape(id)}"]`) : null;

function toggle(id, on) {
  if (on ?? !view.selected.has(id)) view.selected.add(id); else view.selected.delete(id);
  const box = rowOf(id) && rowOf(id).querySelector("[data-role=select]");
  if (box) box.checked = view.selected.has(id);
  showSelection();
}

// All shown tasks on or off: decided once (each toggle redraws the box and the count).
function selectAll(on) {
  for (const task of visibleTasks()) toggle(task.documentId, on);
}

function setCurrent(id) {
  view.current = id;
  for (const tr of document.querySelectorAll("#task-rows tr")) tr.classList.toggle("focused", tr.dataset.id === id);
}

function move(delta) {
  const ids = visibleTasks().map((t) => t.documentId);
  if (!ids.length) return;
  let i = ids.indexOf(view.current);
  i = i < 0 ? (delta > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, i + delta));
  setCurrent(ids[i]);
  const box = rowOf(ids[i]).querySelector("[data-role=select]");
  box.focus();
  box.scrollIntoView({ block: "nearest" });
}

function resultLine(id, kind, text) {
  view.results.set(id, { kind, text });
  const li = el("li", id + ": " + text);
  li.dataset.kind = kind;
  $("bulk-results").appendChild(li);
}

async function reassign(id) {
  const person = view.choices.get(id);
  if (!person) { say("Choose who " + id + " goes to first.", "warn"); const p = rowOf(id) && rowOf(id).querySelector("[data-role=picker]"); if (p) p.focus(); return; }
  if (view.busy) return;
  view.busy = true;
  clear($("bulk-results"));
  try {
    // Without a choice the saga keeps it for the new holder until it is due (8 h at most); their open page renews it.
    const hold = $("reassign-hold").value;
    const r = await api("/api/v1/reviews/" + encodeURIComponent(id) + "/reassign",
      { method: "POST", json: hold ? { reviewerId: person, leaseMinutes: Number(hold) } : { reviewerId: person } });
    const t = view.tasks.find((x) => x.documentId === id);
    const m = t && (view.members[t.reviewerGroup] || []).find((x) => x.id === person);
    const name = m ? m.name : person;
    const away = m ? awayText(m.away) : "";
    if (r.ok) {
      view.choices.delete(id);
      resultLine(id, "ok", "given to " + name + (away ? " (" + away + ")" : ""));
      say("Reassigned " + id + " to " + name + ": it is in their queue now, held by them." + (away ? " They are " + away + "." : ""), "ok");
    }
    else { resultLine(id, "error", "not reassigned: " + problemText(r)); say("Not reassigned: " + problemText(r), "error"); }
  } catch (e) { say(e.message, "error"); }
  finally { view.busy = false; }
  await load();
  const box = rowOf(id) && rowOf(id).querySelector("[data-role=select]");
  if (box) box.focus(); // j and k move on from here (in the picker they would choose people)
}

async function bulkConfirm() {
  const ids = visibleTasks().map((t) => t.documentId).filter((id) => view.selected.has(id));
  if (!ids.length || view.busy) { if (!ids.length) say("Select tasks first (x or Space on a task).", "warn"); return; }
  view.busy = true;
  showSelection();
  clear($("bulk-results"));
  say("Confirming " + ids.length + "…");
  try {
    const comment = $("bulk-comment").value.trim();
    const r = await api("/api/v1/reviews/bulk-confirm", { method: "POST", json: comment ? { documentIds: ids, comment } : { documentIds: ids } });
    if (!r.ok) { say("Not confirmed: " + problemText(r), "error"); return; }
    let done = 0;
    const byId = new Map(view.tasks.map((t) => [t.documentId, t]));
    for (const x of r.body) {
      const t = byId.get(x.documentId);
      if (x.status === 409 && t && t.claimedBy) x.reason = workingOn(t.claimedBy, t.claimedByName, t.leaseExpiresAt); // the page's words
      if (x.status === 200) { done++; resultLine(x.documentId, "ok", x.documentStatus === DocumentStatus.Routed ? "confirmed" : "confirmed, now " + x.documentStatus); view.selected.delete(x.documentId); }
      else resultLine(x.documentId, "error", "not confirmed: " + (x.reason || "HTTP " + x.status));
    }
    const refused = r.body.length - done;
    say(done + " confirmed" + (refused ? ", " + refused + " not (see each below)" : "") + ".", refused ? "warn" : "ok");
    $("bulk-comment").value = "";
  } catch (e) { say(e.message, "error"); }
  finally { view.busy = false; showSelection(); }
  await load();
}

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || $("supervisor").hidden) return;
  const t = e.target;
  const role = t && t.dataset && t.dataset.role;
  if (t && (t.tagName === "INPUT" && t.type !== "checkbox" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) {
    if (e.key === "Escape") { t.blur(); if (view.current) rowOf(view.current)?.querySelector("[data-role=select]")?.focus(); }
    else if (e.key === "Enter" && role === "picker") { e.preventDefault(); reassign(t.closest("tr").dataset.id); }
    return;
  }
  if ((e.key === "Enter" || e.key === " ") && t && (t.tagName === "BUTTON" || t.tagName === "A" || t.type === "checkbox")) return;
  switch (e.key) {
    case "j": move(1); break;
    case "k": move(-1); break;
    case "x": if (view.current) toggle(view.current); break;
    case "a": selectAll(view.selected.size !== visibleTasks().length); break;
    case "r": if (view.current) rowOf(view.current)?.querySelector("[data-role=picker]")?.focus(); break;
    case "b": bulkConfirm(); break;
    default: return;
  }
  e.preventDefault();
}

function bind() {
  document.addEventListener("keydown", onKey);
  $("reload").addEventListener("click", load);
  $("bulk").addEventListener("submit", (e) => { e.preventDefault(); bulkConfirm(); });
  $("select-all").addEventListener("change", (e) => selectAll(e.target.checked));
  // A changed filter drops what it hides from the selection: bulk confirmation never acts on a task not on the screen.
  bindFilters(() => {
    const open = new Set(visibleTasks().map((t) => t.documentId));
    for (const id of Array.from(view.selected)) if (!open.has(id)) view.selected.delete(id);
    renderTasks();
  });
  const rows = $("task-rows");
  rows.addEventListener("change", (e) => {
    const id = e.target.closest("tr").dataset.id;
    if (e.target.dataset.role === "select") toggle(id, e.target.checked);
    if (e.target.dataset.role === "picker") {
      view.choices.set(id, e.target.value);
      const chosen = e.target.selectedOptions[0];
      if (chosen && chosen.dataset.away) say(chosen.textContent + ": you can still give " + id + " to them; it waits in their queue.", "warn");
    }
  });
  rows.addEventListener("click", (e) => {
    const b = e.target.closest("[data-role=reassign]");
    if (b) reassign(b.closest("tr").dataset.id);
  });
  rows.addEventListener("focusin", (e) => { const tr = e.target.closest("tr"); if (tr) setCurrent(tr.dataset.id); });
}

function setLive(s) { $("live").dataset.state = s; $("live").textContent = s; }

// Live: every change of a task of my groups reloads the overview (the hub sends my groups' changes only).
async function connect() {
  const hub = openHub({ taskChanged: reloadSoon, setLive, caughtUp: load, current: (c) => view.connection === c });
  if (!hub) return;
  view.connection = hub.connection;
  await hub.start();
}

function onSignedIn(user) {
  showPageLinks(user);
  if (!showForRoles(user, ["Supervisor"], "supervisor", NOT_FOR_YOU)) { $("live").hidden = true; return; }
  $("live").hidden = false;
  $("shortcuts").hidden = false;
  connect();
}

function onSignedOut() {
  const old = view.connection;
  view.connection = null;
  if (old) old.stop();
  setLive("offline");
  view.selected.clear();
  view.results.clear();
  $("shortcuts").hidden = true;
  leavePage("supervisor");
}

bind();
startSignIn({ tokenKey: "reviewflow.token", onSignedIn, onSignedOut });
