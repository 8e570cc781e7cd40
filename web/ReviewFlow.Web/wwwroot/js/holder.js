// Who holds a task, in the words every page uses: "Alice (alice)" beside a task, and the sentence that says why
// someone else cannot act on it now ("Alice is working on this until 10:42", the viewer's zone).
import { clock } from "./dom.js";

export function holderName(id, name) { return name && name !== id ? name + " (" + id + ")" : id; }

export function workingOn(id, name, leaseExpiresAt) {
  return (name || id) + " is working on this" + (leaseExpiresAt ? " until " + clock(leaseExpiresAt) : "") + ".";
}
