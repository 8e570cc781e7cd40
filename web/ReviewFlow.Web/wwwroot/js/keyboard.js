// What each key and each button of the reviewer page does. Everything works with the keyboard and with the mouse.
import { $ } from "./dom.js";
import { state } from "./state.js";
import { loadQueue, loadMore, applyFilter, move } from "./queue.js";
import { claim, claimNext, release, confirm, correct, correctTo, reject, escalate, runPending, cancelPending } from "./actions.js";
import { openLabelPicker, closeLabelPicker } from "./choices.js";
import { say, select } from "./item.js";
import { nextPage, previousPage } from "./viewer.js";
import { focusRecent, bindRecent } from "./recent.js";
import { isNarrow, back, bindLayout } from "./layout.js";

const onlyList = () => isNarrow() && $("workspace").dataset.view !== "item";

// The focus moves between the queue's rows (the arrows on a row; j/k on a phone's list, where opening is Enter).
function focusRow(delta) {
  const rows = Array.from(document.querySelectorAll("#queue-rows tr"));
  if (rows.length === 0) return;
  const at = rows.indexOf(document.activeElement.closest ? document.activeElement.closest("#queue-rows tr") : null);
  const from = at >= 0 ? at : rows.findIndex((tr) => tr.dataset.id === state.selectedId);
  const to = from < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, from + delta));
  for (const tr of rows) tr.tabIndex = -1;
  rows[to].tabIndex = 0;
  rows[to].focus();
}

// A focused queue row: Enter (or Space) opens it, unless it is the one shown beside it, where Enter confirms as anywhere.
function onRow(e, tr) {
  if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    const delta = e.key === "ArrowDown" ? 1 : -1;
    if (onlyList()) focusRow(delta);
    else { move(delta); document.querySelector("#queue-rows tr.selected")?.focus(); }
    return true;
  }
  if ((e.key === "Enter" || e.key === " ") && (onlyList() || tr.dataset.id !== state.selectedId)) { select(tr.dataset.id); return true; }
  return false;
}

// l or the Correct button: the label picker, unless the task is someone else's (the page says whose).
function correctAny() {
  if (!state.detail || state.detail.readOnly) return;
  if (state.detail.heldBy) { say(state.detail.heldBy, "warn"); return; }
  openLabelPicker();
}

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if ($("workspace").hidden) return;
  const t = e.target;
  const inField = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA");
  if (inField) {
    if (e.key === "Escape") { t.blur(); cancelPending(); if (t.id === "label-pick") closeLabelPicker(); }
    else if (e.key === "Enter" && t.id === "reason") { e.preventDefault(); runPending(); }
    else if (e.key === "Enter" && t.id === "label-pick") { e.preventDefault(); pickLabel(); }
    return;
  }
  const row = t && t.closest && t.closest("#queue-rows tr");
  if (row && onRow(e, row)) { e.preventDefault(); return; }
  // Buttons and links keep their own Enter/space.
  if ((e.key === "Enter" || e.key === " ") && t && (t.tagName === "BUTTON" || t.tagName === "A")) return;
  // A phone's list: nothing decides on a document not on the screen; Enter opens the selected (or first) one.
  if (onlyList() && !["j", "k", "n", "b", "d", "f"].includes(e.key)) {
    if (e.key !== "Enter") return;
    const id = state.selectedId || document.querySelector("#queue-rows tr")?.dataset.id;
    if (id) select(id);
    e.preventDefault();
    return;
  }
  switch (e.key) {
    case "j": if (onlyList()) focusRow(1); else move(1); break;
    case "k": if (onlyList()) focusRow(-1); else move(-1); break;
    case "b": case "Escape": back(); break;
    case "c": claim(); break;
    case "n": claimNext(); break;
    case "x": release(); break;
    case "r": reject(); break;
    case "e": escalate(); break;
    case "Enter": confirm(); break;
    case "/": $("reason").focus(); break;
    case "l": correctAny(); break;
    case "d": if (isNarrow()) $("workspace").dataset.view = "list"; focusRecent(); break;
    case "f": $("filter-type").focus(); $("filter-type").select(); break;
    case "[": previousPage(); break;
    case "]": nextPage(); break;
    default:
      if (/^[1-9]$/.test(e.key)) correct(Number(e.key) - 1);
      else return;
  }
  e.preventDefault();
}

// Enter in the label picker: correct to what it holds (the reason field asks next when it is empty).
function pickLabel() {
  const label = $("label-pick").value.trim();
  if (!label) return;
  $("label-pick").blur();
  closeLabelPicker();
  correctTo(label);
}

export function blurActive() {
  if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
}

// After a click, give the keyboard back to the page (Enter must confirm, not press the last button again).
export const clicked = (fn) => (e) => { e.currentTarget.blur(); fn(); };

export function bindKeysAndButtons() {
  document.addEventListener("keydown", onKey);
  $("reload").addEventListener("click", loadQueue);
  $("next-task").addEventListener("click", clicked(claimNext));
  $("btn-claim").addEventListener("click", clicked(claim));
  $("btn-confirm").addEventListener("click", clicked(confirm));
  $("btn-reject").addEventListener("click", clicked(reject));
  $("btn-escalate").addEventListener("click", clicked(escalate));
  $("btn-release").addEventListener("click", clicked(release));
  $("btn-correct").addEventListener("click", clicked(correctAny));
  bindRecent();
  bindLayout();
  $("load-more").addEventListener("click", clicked(loadMore));
  $("viewer-prev").addEventListener("click", clicked(previousPage));
  $("viewer-next").addEventListener("click", clicked(nextPage));
  $("alternatives").addEventListener("click", (e) => {
    const b = e.target.closest("button.alt");
    if (b) correct(Number(b.dataset.index));
  });
  $("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    blurActive(); // j/k work again
    applyFilter();
  });
  $("filter-clear").addEventListener("click", clicked(() => {
    $("filter-type").value = "";
    $("filter-label").value = "";
    applyFilter();
  }));
}
