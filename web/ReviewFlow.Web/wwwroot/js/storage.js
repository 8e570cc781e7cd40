// This browser tab's storage: sessionStorage, or memory where the browser denies it to the page. A page framed by another
// site (the Teams tab, in a private window or a browser that blocks third-party site data) then still signs in and opens
// links; it only forgets them when it reloads.
const memory = new Map();

function sessionStore() {
  try { return window.sessionStorage; } catch { return null; } // SecurityError: "Access is denied for this document"
}
const store = sessionStore();

export const tabStorage = store || {
  getItem: (key) => (memory.has(key) ? memory.get(key) : null),
  setItem: (key, value) => { memory.set(key, String(value)); },
  removeItem: (key) => { memory.delete(key); },
};
