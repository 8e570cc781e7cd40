// The supervisor page's filters (supervisor.html #task-filters): status (or past due), priority, group, who holds
// the task, and due time, over the tasks the overview answered. Changing one applies it at once.
import { $, el } from "./dom.js";

const HOUR = 3600 * 1000;

function value(id) { return $(id).value; }

function endOfToday() { const d = new Date(); d.setHours(23, 59, 59, 999); return d.getTime(); }

function dueMatches(t, due) {
  if (!due) return true;
  if (due === "none") return !t.dueAt;
  if (!t.dueAt) return false;
  const at = Date.parse(t.dueAt), now = Date.now();
  if (due === "past") return t.breached || at <= now;
  if (due === "hour") return at <= now + HOUR;
  return at <= endOfToday(); // today: due before the day ends (past due included)
}

// Whether a task passes the filters as they are now.
export function shown(t) {
  const status = value("f-status"), priority = value("f-priority"), group = value("f-group"), holder = value("f-holder");
  if (status === "breached" ? !t.breached : status && t.status !== status) return false;
  if (priority && (t.priority || "normal") !== priority) return false;
  if (group && t.reviewerGroup !== group) return false;
  if (holder && (holder === "-" ? !!t.claimedBy : t.claimedBy !== holder)) return false;
  return dueMatches(t, value("f-due"));
}

// The choices of the value filters: what the tasks hold now, plus what is chosen (it stays until cleared).
export function offerFilterValues(tasks) {
  offer("f-priority", tasks.map((t) => [t.priority || "normal", t.priority || "normal"]));
  offer("f-group", tasks.map((t) => [t.reviewerGroup, t.reviewerGroup]));
  offer("f-holder", tasks.filter((t) => t.claimedBy).map((t) => [t.claimedBy, t.claimedByName ? t.claimedByName + " (" + t.claimedBy + ")" : t.claimedBy]));
}

function offer(id, pairs) {
  const select = $(id);
  const chosen = select.value;
  const fixed = Array.from(select.options).filter((o) => !o.dataset.offered);
  const values = new Map(pairs.filter(([v]) => v));
  if (chosen && !values.has(chosen) && !fixed.some((o) => o.value === chosen)) values.set(chosen, chosen);
  select.replaceChildren(...fixed);
  for (const [v, text] of Array.from(values).sort((a, b) => a[1].localeCompare(b[1]))) {
    const o = el("option", text);
    o.value = v;
    o.dataset.offered = "true";
    select.appendChild(o);
  }
  select.value = chosen;
}

export function bindFilters(apply) {
  $("task-filters").addEventListener("change", apply);
  $("task-filters").addEventListener("submit", (e) => e.preventDefault());
  $("f-clear").addEventListener("click", () => {
    for (const id of ["f-status", "f-priority", "f-group", "f-holder", "f-due"]) $(id).value = "";
    apply();
  });
}
