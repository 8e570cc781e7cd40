// What each key and each button of the reviewer page does. Everything works with the keyboard and with the mouse.
import { $ } from "./dom.js";
import { loadQueue, loadMore, applyFilter, move } from "./queue.js";
import { claim, release, confirm, correct, reject, escalate, runPending, cancelPending } from "./actions.js";
import { nextPage, previousPage } from "./viewer.js";

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if ($("workspace").hidden) return;
  const t = e.target;
  const inField = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA");
  if (inField) {
    if (e.key === "Escape") { t.blur(); cancelPending(); }
    else if (e.key === "Enter" && t.id === "reason") { e.preventDefault(); runPending(); }
    return;
  }
  // Buttons and links keep their own Enter/space.
  if ((e.key === "Enter" || e.key === " ") && t && (t.tagName === "BUTTON" || t.tagName === "A")) return;
  switch (e.key) {
    case "j": move(1); break;
    case "k": move(-1); break;
    case "c": claim(); break;
    case "x": release(); break;
    case "r": reject(); break;
    case "e": escalate(); break;
    case "Enter": confirm(); break;
    case "/": $("reason").focus(); break;
    case "f": $("filter-type").focus(); $("filter-type").select(); break;
    case "[": previousPage(); break;
    case "]": nextPage(); break;
    default:
      if (/^[1-9]$/.test(e.key)) correct(Number(e.key) - 1);
      else return;
  }
  e.preventDefault();
}

export function blurActive() {
  if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
}

// After a click, give the keyboard back to the page (Enter must confirm, not press the last button again).
export const clicked = (fn) => (e) => { e.currentTarget.blur(); fn(); };

export function bindKeysAndButtons() {
  document.addEventListener("keydown", onKey);
  $("reload").addEventListener("click", loadQueue);
  $("btn-claim").addEventListener("click", clicked(claim));
  $("btn-confirm").addEventListener("click", clicked(confirm));
  $("btn-reject").addEventListener("click", clicked(reject));
  $("btn-escalate").addEventListener("click", clicked(escalate));
  $("btn-release").addEventListener("click", clicked(release));
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
