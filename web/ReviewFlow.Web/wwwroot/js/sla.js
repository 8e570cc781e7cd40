// SLA countdowns. Times count down in the browser from dueAt (ticking every second); the server's flags (breached,
// remindAt) come with the queue and with every live message. Amber under the reminder lead (a quarter of the SLA
// when unknown).
import { el, clear } from "./dom.js";

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const dueFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function span(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return s + " s";
  const m = Math.floor(s / 60);
  if (m < 10) return m + " min" + (s % 60 ? " " + (s % 60) + " s" : "");
  if (m < 60) return m + " min";
  const h = Math.floor(m / 60);
  if (h < 24) return h + " h" + (m % 60 ? " " + (m % 60) + " min" : "");
  const d = Math.floor(h / 24);
  return d + " d" + (h % 24 ? " " + (h % 24) + " h" : "");
}

// One SLA element (a queue cell or the pane's): data-due, data-remind, data-requested, data-breached drive it.
export function slaElement(tag, sla) {
  const e = el(tag, null, "sla");
  setSla(e, sla);
  return e;
}

export function setSla(e, sla) {
  const due = sla && sla.dueAt ? Date.parse(sla.dueAt) : NaN;
  if (isNaN(due)) {
    for (const k of ["due", "remind", "requested", "breached", "level"]) delete e.dataset[k];
    e.textContent = "";
    e.removeAttribute("title");
    return;
  }
  e.dataset.due = String(due);
  e.dataset.remind = sla.remindAt ? String(Date.parse(sla.remindAt)) : "";
  e.dataset.requested = sla.requestedAt ? String(Date.parse(sla.requestedAt)) : "";
  e.dataset.breached = sla.breached ? "true" : "false";
  e.title = "Due " + dueFormat.format(new Date(due)) + " (" + zone + ")" + (sla.breached ? "; SLA breached" : "");
  tickSla(e, Date.now());
}

function tickSla(e, now) {
  const due = Number(e.dataset.due);
  const left = (due - now) / 1000;
  const remind = Number(e.dataset.remind);
  const requested = Number(e.dataset.requested);
  const lead = remind ? (due - remind) / 1000 : requested ? (due - requested) / 4000 : 0;
  const breached = e.dataset.breached === "true" || left <= 0;
  e.dataset.level = breached ? "breached" : left <= lead ? "soon" : "ok";
  clear(e);
  e.appendChild(el("span", left > 0 ? "due in " + span(left) : "overdue " + span(-left), "sla-text"));
  if (breached) e.appendChild(el("span", "Breached", "badge breached"));
}

export function tickAllSla() {
  const now = Date.now();
  for (const e of document.querySelectorAll(".sla[data-due]")) tickSla(e, now);
}
