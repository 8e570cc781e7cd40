// The reviewer page on a narrow screen (under 700 px, a phone): the list, then the item, and back (key b or the
// button); on a wide screen both side by side and b does nothing. Also the reviewer's auto-advance setting.
import { $ } from "./dom.js";
import { preferences } from "./storage.js";

const NARROW = window.matchMedia("(max-width: 700px)");
const AUTO_KEY = "reviewflow.autoAdvance";

export function isNarrow() { return NARROW.matches; }

// What the narrow layout shows (app.css hides the other one); the wide layout ignores it.
export function showItem() {
  const wasList = $("workspace").dataset.view !== "item";
  $("workspace").dataset.view = "item";
  // The row that opened it is hidden now: the keyboard and a screen reader continue at the document.
  if (wasList && isNarrow()) $("pane").focus({ preventScroll: true });
  if (wasList && isNarrow()) window.scrollTo(0, 0);
}

export function showList() {
  $("workspace").dataset.view = "list";
  const row = document.querySelector("#queue-rows tr.selected") || document.querySelector("#queue-rows tr");
  if (row) { row.focus({ preventScroll: true }); row.scrollIntoView({ block: "center" }); }
}

export function back() { if (isNarrow() && $("workspace").dataset.view === "item") showList(); }

// Auto-advance: after a decision the next task of my groups is claimed and opened (as n). Off by default; the
// choice stays in this browser (localStorage: a preference, nothing secret).
export function autoAdvance() { return preferences.getItem(AUTO_KEY) === "on"; }

export function bindLayout() {
  $("workspace").dataset.view = "list";
  $("back").addEventListener("click", (e) => { e.currentTarget.blur(); showList(); });
  const box = $("auto-advance");
  box.checked = autoAdvance();
  box.addEventListener("change", () => {
    if (box.checked) preferences.setItem(AUTO_KEY, "on"); else preferences.removeItem(AUTO_KEY);
    box.blur(); // Enter confirms again, not toggles
  });
}
