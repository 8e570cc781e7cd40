// The routing policy's versions and what changed between them (GET /api/v1/admin/routing-policy/history, newest first),
// and the same comparison for the admin's pending edit. A change by the system (a quality alarm's fallback) stands out.
import { $, el, clear, time } from "./dom.js";
import { api, problemText } from "./api.js";

// The policy as path → value ("documentTypes.invoice.threshold" → 0.9); lists as one comma-separated value.
function flatten(value, path, out) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    out[path] = Array.isArray(value) ? value.join(", ") : value;
    return out;
  }
  for (const [k, v] of Object.entries(value)) flatten(v, path ? path + "." + k : k, out);
  return out;
}

const shown = (v) => (v === undefined || v === null || v === "" ? "—" : String(v));

// What differs between two policies, path by path (the version number aside).
export function diff(before, after) {
  const a = flatten(before || {}, "", {}), b = flatten(after || {}, "", {});
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    .filter((p) => p !== "version" && shown(a[p]) !== shown(b[p]))
    .map((path) => ({ path, before: shown(a[path]), after: shown(b[path]) }));
}

// A <ul> of "path: before → after" lines (text only).
export function diffList(changes, className) {
  const ul = el("ul", null, className);
  for (const c of changes) {
    const li = ul.appendChild(el("li"));
    li.appendChild(el("span", c.path, "mono"));
    li.appendChild(document.createTextNode(`: ${c.before} → ${c.after}`));
  }
  return ul;
}

export async function showHistory() {
  const out = $("history");
  clear(out);
  const r = await api("/api/v1/admin/routing-policy/history");
  if (r.status === 404) { out.appendChild(el("p", "The history is not available on this server yet.", "hint")); return; }
  if (!r.ok) { out.appendChild(el("p", "The history could not be read: " + problemText(r), "error")); return; }
  const versions = r.body || [];
  if (!versions.length) { out.appendChild(el("p", "No version adopted yet: the policy still comes from the configuration.", "hint")); return; }
  const t = out.appendChild(el("table", null, "history-table"));
  const head = el("tr");
  for (const h of ["Version", "When", "By", "Why", "What changed"]) { const th = el("th", h); th.scope = "col"; head.appendChild(th); }
  t.appendChild(el("thead")).appendChild(head);
  const body = t.appendChild(el("tbody"));
  versions.forEach((v, i) => {
    const tr = body.appendChild(el("tr"));
    tr.dataset.version = v.version;
    const system = v.changedBy === "system";
    if (system) tr.className = "system";
    tr.appendChild(el("td", v.version, "num"));
    tr.appendChild(el("td", time(v.at)));
    const by = tr.appendChild(el("td", v.changedBy));
    if (system) { by.appendChild(document.createTextNode(" ")); by.appendChild(el("span", "automatic: quality alarm fallback", "badge system")); }
    tr.appendChild(el("td", v.reason || ""));
    const what = tr.appendChild(el("td"));
    const older = versions[i + 1];
    if (!older) what.appendChild(el("span", "the first version kept", "muted"));
    else {
      const changes = diff(older.policy, v.policy);
      what.appendChild(changes.length ? diffList(changes, "diff") : el("span", "no rule changed", "muted"));
    }
  });
}
