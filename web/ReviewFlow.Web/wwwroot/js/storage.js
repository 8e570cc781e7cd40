// This browser tab's storage: sessionStorage, or memory where the browser denies it to the page. A page framed by another
// site (the Teams tab, in a private window or a browser that blocks third-party site data) then still signs in and opens
// links; it only forgets them when it reloads.
function inMemory() {
  const memory = new Map();
  return {
    getItem: (key) => (memory.has(key) ? memory.get(key) : null),
    setItem: (key, value) => { memory.set(key, String(value)); },
    removeItem: (key) => { memory.delete(key); },
  };
}

function browserStore(name) {
  try { return window[name]; } catch { return null; } // SecurityError: "Access is denied for this document"
}

export const tabStorage = browserStore("sessionStorage") || inMemory();

// This browser's preferences (localStorage), likewise kept in memory where the browser denies storage to the page.
export const preferences = browserStore("localStorage") || inMemory();
