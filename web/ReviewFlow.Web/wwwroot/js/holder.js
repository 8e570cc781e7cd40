// Who holds a task, in the words every page uses: "Alice (alice)" beside a task, and the sentence that says why
// someone else cannot act on it now ("Alice is working on this until 10:42", the viewer's zone), and whether they are
// out of office ("away until 14 Dec").
import { clock } from "./dom.js";

export function holderName(id, name) { return name && name !== id ? name + " (" + id + ")" : id; }

export function workingOn(id, name, leaseExpiresAt) {
  return (name || id) + " is working on this" + (leaseExpiresAt ? " until " + clock(leaseExpiresAt) : "") + ".";
}

// Out of office as the worker last read it from Outlook (the overview's away: { until, checkedAt }): "away until 14 Dec",
// "away until 16:00" when it ends today, in the viewer's zone and locale; "" when they are not away.
export function awayText(away) {
  if (!away) return "";
  const d = away.until ? new Date(away.until) : null;
  if (!d || isNaN(d)) return "away (no end date set)";
  const today = d.toDateString() === new Date().toDateString();
  return "away until " + (today ? clock(away.until) : d.toLocaleDateString([], { day: "numeric", month: "short" }));
}
