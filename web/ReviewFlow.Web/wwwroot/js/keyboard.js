// What each key and each button of the reviewer page does. Everything works with the keyboard and with the mouse.
import { $ } from "./dom.js";
import { state } from "./state.js";
import { loadQueue, loadMore, applyFilter, move } from "./queue.js";
import { claim, claimNext, release, confirm, correct, correctTo, reject, escalate, runPending, cancelPending } from "./actions.js";
import { openLabelPicker, closeLabelPicker } from "./choices.js";
import { say } from "./item.js";
import { nextPage, previousPage } from "./viewer.js";
import { focusRecent, bindRecent } from "./recent.js";

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
  // Buttons and links keep their own Enter/space.
  if ((e.key === "Enter" || e.key === " ") && t && (t.tagName === "BUTTON" || t.tagName === "A")) return;
  switch (e.key) {
    case "j": move(1); break;
    case "k": move(-1); break;
    case "c": claim(); break;
    case "n": claimNext(); break;
    case "x": release(); break;
    case "r": reject(); break;
    case "e": escalate(); break;
    case "Enter": confirm(); break;
    case "/": $("reason").focus(); break;
    case "l": correctAny(); break;
    case "d": focusRecent(); break;
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
