// The one way a page changes the routing policy: read it with its version (the ETag), PUT the changed copy with a reason
// and If-Match, and on a 409 say in plain words who came first. Used by the policy page and the quality page's reference window.
import { api, problemText } from "./api.js";
import { time } from "./dom.js";

// The ETag is the version, quoted ("7"); the policy carries it too.
export function versionOf(r) {
  const tag = (r.headers.get("ETag") || "").replace(/^W\//, "").replace(/"/g, "");
  return tag ? Number(tag) : r.body.version;
}

// { ok, policy, version } of the active policy, or { ok: false, status, text }.
export async function readPolicy() {
  const r = await api("/api/v1/admin/routing-policy");
  return r.ok ? { ok: true, policy: r.body, version: versionOf(r) } : { ok: false, status: r.status, text: problemText(r) };
}

// { ok, version } when adopted; else { ok: false, conflict, text } (conflict: another change came first, said in words).
export async function adoptPolicy(policy, basedOn, reason) {
  const r = await api("/api/v1/admin/routing-policy", { method: "PUT", headers: { "If-Match": `"${basedOn}"` }, json: { policy, reason } });
  if (r.ok) return { ok: true, version: r.body.version };
  if (r.status !== 409) return { ok: false, conflict: false, text: problemText(r) };
  const now = await readPolicy();
  if (!now.ok || now.version === basedOn) return { ok: false, conflict: false, text: problemText(r) };
  const latest = await api("/api/v1/admin/routing-policy/history");
  const by = latest.ok && latest.body.length && latest.body[0].version === now.version ? ` by ${latest.body[0].changedBy}, ${time(latest.body[0].at)}` : "";
  return { ok: false, conflict: true, text: `someone else changed the policy first (version ${now.version}${by}) while you edited version ${basedOn}` };
}
