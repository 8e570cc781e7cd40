// Building the page's DOM without parsing markup.
// Security: every value from the server (ids, labels, excerpts, metadata, comments, actors) goes into the DOM through
// textContent or attributes, never innerHTML.

export const $ = (id) => document.getElementById(id);

export function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

// A table row of cells: text becomes a <td>, an element is taken as it is.
export function row(cells) {
  const tr = el("tr");
  for (const c of cells) tr.appendChild(c instanceof Node ? c : el("td", c));
  return tr;
}

// A link from the server is shown only when it is http(s); it is never fetched by the page.
export function safeHttpUrl(value) {
  if (typeof value !== "string") return null;
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch { return null; }
}

// Times: the API speaks UTC (ISO 8601); the pages show the viewer's zone.
export function time(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

// A time of day in the viewer's zone and locale ("10:42"), for what happens within hours (a claim's lease).
export function clock(iso) {
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function pct(confidence) { return typeof confidence === "number" ? (confidence * 100).toFixed(1) + "%" : "—"; }
