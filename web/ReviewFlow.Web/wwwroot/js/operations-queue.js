// The intake error queues on the operations page: the refused results with their reasons (counts by reason, a filter),
// selection, replay (selected, or all of a reason) and discard with a reason. Bodies are shown as text (textContent).
import { $, el, clear, time } from "./dom.js";
import { api, problemText } from "./api.js";

const state = { messages: [], selected: new Set() };

function say(text, kind) { const m = $("queue-message"); m.textContent = text || ""; m.dataset.kind = kind || "info"; }
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const shown = () => state.messages.filter((m) => !$("f-reason").value || m.reasons.includes($("f-reason").value));

export async function loadQueue() {
  const r = await api("/api/v1/operations/error-queue");
  if (!r.ok) { say("The error queue could not be read: " + problemText(r), "error"); return r; }
  state.messages = r.body.messages;
  const ids = new Set(state.messages.map((m) => m.id));
  state.selected = new Set([...state.selected].filter((id) => ids.has(id)));
  $("queue-summary").textContent = r.body.total === 0 ? "Nothing is waiting: every result was accepted or dealt with."
    : plural(r.body.total, "refused result waits", "refused results wait") + (r.body.complete ? "." : `; the first ${state.messages.length} are shown.`);
  showReasons(r.body.reasons);
  render();
  return r;
}

function showReasons(reasons) {
  const select = $("f-reason"), keep = select.value;
  while (select.options.length > 1) select.remove(1);
  for (const c of reasons) select.add(new Option(`${c.reason} (${c.count})`, c.reason));
  select.value = reasons.some((c) => c.reason === keep) ? keep : "";
  const list = $("reasons");
  clear(list);
  if (!reasons.length) return;
  const ul = list.appendChild(el("ul", null, "counts"));
  for (const c of reasons) {
    const li = ul.appendChild(el("li"));
    li.appendChild(el("strong", c.count, "num"));
    li.appendChild(document.createTextNode(" " + c.reason));
  }
}

function render() {
  const out = $("queue");
  clear(out);
  const rows = shown();
  if (!rows.length) { out.appendChild(el("p", state.messages.length ? "No refused result has this reason." : "The error queue is empty.", "hint")); updateButtons(); return; }
  const headers = ["Select", "First seen", "Reasons", "Source system", "Document", "What was sent"];
  const t = out.appendChild(el("table", null, "queue-table stack"));
  const head = el("tr");
  headers.forEach((h, i) => { const th = el("th", i ? h : null); th.scope = "col"; if (!i) th.appendChild(el("span", h, "visually-hidden")); head.appendChild(th); });
  t.appendChild(el("thead")).appendChild(head);
  const body = t.appendChild(el("tbody"));
  for (const m of rows) {
    const tr = body.appendChild(el("tr"));
    tr.dataset.id = m.id;
    if (m.documentId) tr.dataset.document = m.documentId;
    const box = el("input");
    box.type = "checkbox";
    box.checked = state.selected.has(m.id);
    box.setAttribute("aria-label", "Select " + (m.documentId || m.id));
    box.addEventListener("change", () => { box.checked ? state.selected.add(m.id) : state.selected.delete(m.id); updateButtons(); });
    tr.appendChild(el("td")).appendChild(box);
    tr.appendChild(el("td", time(m.firstSeen)));
    const ul = tr.appendChild(el("td")).appendChild(el("ul", null, "reasons"));
    for (const reason of m.reasons) ul.appendChild(el("li", reason));
    tr.appendChild(el("td", m.sourceSystem || "—"));
    tr.appendChild(el("td", m.documentId || "unreadable", m.documentId ? "mono" : "muted"));
    const what = tr.appendChild(el("td"));
    [...tr.children].forEach((td, i) => { if (i) td.dataset.label = headers[i]; });
    what.appendChild(el("code", m.preview, "preview"));
    what.appendChild(el("span", ` ${m.bytes} bytes, ${m.queue.includes("typed") ? "typed (.NET)" : "raw JSON"}`, "hint"));
  }
  updateButtons();
}

function updateButtons() {
  const n = selectedShown().length, rows = shown();
  $("select-all").checked = rows.length > 0 && n === rows.length;
  $("select-all").disabled = rows.length === 0;
  $("replay").disabled = n === 0;
  $("discard").disabled = n === 0;
  $("replay").textContent = n ? `Replay ${plural(n, "selected", "selected")}` : "Replay selected";
  $("replay-reason").disabled = !$("f-reason").value;
}

const selectedShown = () => shown().filter((m) => state.selected.has(m.id)).map((m) => m.id);

async function replay(request, what, onDone) {
  say("Replaying " + what + "…");
  const r = await api("/api/v1/operations/error-queue/replay", { method: "POST", json: request });
  if (!r.ok) { say("Not replayed: " + problemText(r), "error"); return; }
  let text = `Replayed ${plural(r.body.replayed, "result", "results")}: each is checked again now; one still refused comes back here with its reason.`;
  if (r.body.notFound.length) text += ` ${plural(r.body.notFound.length, "was", "were")} no longer waiting (replayed or discarded meanwhile).`;
  if (r.body.failed.length) text += ` The broker refused ${r.body.failed.length}: they stay here.`;
  for (const id of request.ids || []) state.selected.delete(id);
  await loadQueue();
  say(text, r.body.failed.length ? "error" : "ok");
  await onDone();
}

export function wireQueue(onChange) {
  $("f-reason").addEventListener("change", render);
  $("select-all").addEventListener("change", (e) => { for (const m of shown()) e.target.checked ? state.selected.add(m.id) : state.selected.delete(m.id); render(); });
  $("refresh").addEventListener("click", () => loadQueue().then(() => say("Refreshed.")).catch((e) => say(e.message, "error")));
  $("replay").addEventListener("click", () => { const ids = selectedShown(); replay({ ids }, plural(ids.length, "result", "results"), onChange).catch((e) => say(e.message, "error")); });
  $("replay-reason").addEventListener("click", () => replay({ reason: $("f-reason").value }, "every result with this reason", onChange).catch((e) => say(e.message, "error")));
  $("discard").addEventListener("click", () => openDiscard());
  $("discard-cancel").addEventListener("click", () => $("discard-dialog").close());
  $("discard-form").addEventListener("submit", (e) => { e.preventDefault(); discard(onChange).catch((err) => { $("discard-message").textContent = err.message; }); });
}

function openDiscard() {
  const n = selectedShown().length;
  $("discard-title").textContent = `Discard ${plural(n, "result", "results")}?`;
  $("discard-message").textContent = "";
  $("discard-reason").value = "";
  $("discard-dialog").showModal();
  $("discard-reason").focus();
}

async function discard(onDone) {
  const reason = $("discard-reason").value.trim();
  if (!reason) { $("discard-message").textContent = "Say why: the reason is kept in the record."; $("discard-reason").focus(); return; }
  const ids = selectedShown();
  const r = await api("/api/v1/operations/error-queue/discard", { method: "POST", json: { ids, reason } });
  if (!r.ok) { $("discard-message").textContent = "Not discarded: " + problemText(r); return; }
  $("discard-dialog").close();
  for (const id of ids) state.selected.delete(id);
  await loadQueue();
  say(`Discarded ${plural(r.body.discarded, "result", "results")}.` + (r.body.notFound.length ? ` ${r.body.notFound.length} no longer waiting.` : ""), "ok");
  $("refresh").focus();
  await onDone();
}
