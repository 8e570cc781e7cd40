// The review queue (left): the open tasks of the user's groups (GET /api/v1/queue) in the API's order, filters,
// "Load more", and the live messages merged into it.
import { $, el, clear, pct } from "./dom.js";
import { api, problemText } from "./api.js";
import { state, PAGE_SIZE, MAX_API_PAGE, visibleStates, isMine, noteHolder } from "./state.js";
import { slaElement } from "./sla.js";
import { holderName } from "./holder.js";
import { say, select, loadDetail, showDetailStatus, markSelectedRow } from "./item.js";

function queueUrl(page, size) {
  const q = new URLSearchParams({ page: String(page), pageSize: String(size) });
  if (state.filter.type) q.set("documentType", state.filter.type);
  if (state.filter.label) q.set("label", state.filter.label);
  return "/api/v1/queue?" + q;
}

// Loads the first `pages` pages again (in requests of up to 200): a reload, a reconnect, a filter or "load more"
// sees the queue as it is now, so tasks that moved between pages while others were decided are not skipped.
export async function loadQueue() {
  const load = ++state.queueLoads;
  const want = PAGE_SIZE * state.pages;
  const size = Math.min(want, MAX_API_PAGE);
  const items = new Map();
  let more = false;
  for (let page = 1; (page - 1) * size < want; page++) {
    const r = await api(queueUrl(page, size));
    if (load !== state.queueLoads) return;
    if (!r.ok) { say("Could not load the queue: " + problemText(r), "error"); return; }
    for (const item of r.body.items.slice(0, want - (page - 1) * size)) items.set(item.documentId, item);
    more = r.body.items.length === size && page * size >= want;
    if (r.body.items.length < size) break;
  }
  state.items.clear();
  for (const [id, item] of items) { state.items.set(id, item); remember(item); if (item.claimedBy) noteHolder(id, item.claimedBy); }
  state.hasMore = more;
  renderQueue();
  // The selected document stays in the pane (a deep link, or one that left the queue): show its state now.
  if (state.selectedId && !state.items.has(state.selectedId) && state.detail) loadDetail(state.selectedId, true);
}

export function loadMore() {
  state.pages += 1;
  return loadQueue();
}

export function applyFilter() {
  state.filter = { type: $("filter-type").value.trim(), label: $("filter-label").value.trim() };
  state.pages = 1;
  $("filters").dataset.active = state.filter.type || state.filter.label ? "true" : "false";
  return loadQueue();
}

function matchesFilter(t) {
  return (!state.filter.type || t.documentType === state.filter.type) && (!state.filter.label || t.predictedLabel === state.filter.label);
}

// Types and labels seen, offered in the filter fields (the page only knows what reached it).
function remember(item) {
  for (const [set, value, list] of [[state.known.types, item.documentType, "known-types"], [state.known.labels, item.predictedLabel, "known-labels"]]) {
    if (!value || set.has(value)) continue;
    set.add(value);
    const option = document.createElement("option");
    option.value = value;
    $(list).appendChild(option);
  }
}

export function sortedItems() {
  return Array.from(state.items.values()).sort(byQueueOrder);
}

// The API's order: closest to the SLA first, tasks without one after them, then oldest first.
function byQueueOrder(a, b) {
  const da = a.dueAt ? Date.parse(a.dueAt) : Infinity, db = b.dueAt ? Date.parse(b.dueAt) : Infinity;
  if (da !== db) return da < db ? -1 : 1;
  return (a.requestedAt || "").localeCompare(b.requestedAt || "");
}

function age(iso) {
  if (!iso) return "—";
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return Math.floor(s) + "s";
  if (s < 3600) return Math.floor(s / 60) + "m";
  if (s < 86400) return Math.floor(s / 3600) + "h";
  return Math.floor(s / 86400) + "d";
}

// What a screen reader says for a focused row: the cells' gist in one sentence (the SLA cell ticks; its words are
// in the row, the sentence says only whether it is past).
function rowName(item, status) {
  return item.documentId + ": " + (item.documentType || "no type") + ", predicted " + (item.predictedLabel || "nothing") + " "
    + pct(item.confidence) + ", " + status + (item.breached ? ", past its SLA" : "");
}

export function renderQueue() {
  const tbody = $("queue-rows");
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#queue-rows tr");
  const focusedId = focused ? focused.dataset.id : null;
  clear(tbody);
  const items = sortedItems();
  for (const item of items) {
    const tr = el("tr");
    tr.dataset.id = item.documentId;
    tr.dataset.status = item.status;
    if (isMine(item.claimedBy)) tr.classList.add("mine");
    tr.appendChild(el("td", item.documentId, "id"));
    tr.appendChild(el("td", item.documentType, "type"));
    tr.appendChild(el("td", item.predictedLabel, "label"));
    tr.appendChild(el("td", pct(item.confidence), "num conf"));
    const status = item.status + (item.claimedBy ? " · " + holderName(item.claimedBy, item.claimedByName) : "");
    tr.appendChild(el("td", status, "status-cell"));
    const ageCell = el("td", age(item.requestedAt), "num age");
    ageCell.dataset.requestedAt = item.requestedAt || "";
    tr.appendChild(ageCell);
    const slaCell = el("td", null, "sla-cell");
    slaCell.appendChild(slaElement("span", item));
    tr.appendChild(slaCell);
    tr.dataset.breached = item.breached ? "true" : "false";
    tr.setAttribute("aria-label", rowName(item, status));
    tr.addEventListener("click", () => select(item.documentId));
    tbody.appendChild(tr);
  }
  markSelectedRow(state.selectedId);
  // A live update redraws the rows: the keyboard stays on the row it was on.
  const again = focusedId && tbody.querySelector(`tr[data-id="${CSS.escape(focusedId)}"]`);
  if (again) { again.tabIndex = 0; again.focus({ preventScroll: true }); }
  $("queue-count").textContent = String(items.length) + (state.hasMore ? "+" : "");
  $("queue-empty").hidden = items.length > 0;
  $("load-more").hidden = !state.hasMore;
}

export function refreshAges() {
  for (const cell of document.querySelectorAll("#queue-rows td.age")) cell.textContent = age(cell.dataset.requestedAt);
}

export function move(delta) {
  const items = sortedItems();
  if (items.length === 0) return;
  let i = items.findIndex((x) => x.documentId === state.selectedId);
  i = i < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, i + delta));
  select(items[i].documentId);
}

// A supervisor gave me a task: said above the queue (a status line, read out once), the row is marked mine.
function tellReassigned(t) {
  const n = $("notice");
  n.textContent = (t.reassignedBy || "A supervisor") + " reassigned " + t.documentId + " to you: it is yours now, open it from the queue.";
  n.hidden = false;
}

// A live message (the hub's taskChanged): the task enters, changes in or leaves the queue.
export function onTaskChanged(t) {
  if (!t || !t.documentId) return;
  if (t.change === "reassigned" && isMine(t.claimedBy)) tellReassigned(t);
  const existing = state.items.get(t.documentId);
  remember(t);
  noteHolder(t.documentId, t.claimedBy);
  // Live updates follow the filter, and a new task that sorts after the loaded pages waits for "Load more".
  const last = state.hasMore ? sortedItems().pop() : null;
  const beyond = !existing && last && byQueueOrder({ dueAt: t.dueAt, requestedAt: t.at }, last) > 0;
  if (visibleStates().includes(t.status) && matchesFilter(t) && !beyond) {
    const item = Object.assign({}, existing || { requestedAt: t.at }, {
      documentId: t.documentId,
      documentType: t.documentType ?? existing?.documentType,
      predictedLabel: t.predictedLabel ?? existing?.predictedLabel,
      confidence: t.confidence ?? existing?.confidence,
      reviewerGroup: t.reviewerGroup,
      status: t.status,
      claimedBy: t.claimedBy ?? null,
      claimedByName: t.claimedByName ?? null,
      leaseExpiresAt: t.leaseExpiresAt ?? null,
      dueAt: t.dueAt === undefined ? existing?.dueAt : t.dueAt,
      remindAt: t.remindAt === undefined ? existing?.remindAt : t.remindAt,
      breached: !!t.breached || !!existing?.breached,
    });
    state.items.set(t.documentId, item);
  } else {
    state.items.delete(t.documentId);
  }
  renderQueue();
  if (t.documentId === state.selectedId) {
    if (state.items.has(t.documentId)) loadDetail(t.documentId, true);
    else showDetailStatus(t);
  }
}
