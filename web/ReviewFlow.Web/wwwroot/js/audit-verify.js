// The audit page's file check: an exported file picked from disk, its SHA-256 computed here with crypto.subtle (the
// file never leaves the browser), compared with the manifest the server stored when it made the export
// (GET /api/v1/audit/exports/{id}/manifest). A changed file is said to be changed in plain words.
import { $ } from "./dom.js";
import { api, problemText } from "./api.js";

// reviewflow-audit-<export id>.<format>, as the page names a download (a browser may add " (1)" to a second copy).
const NAMED = /^reviewflow-audit-(.+?)(?: \(\d+\))?\.(csv|jsonl)$/;

function result(text, kind) { const r = $("verify-result"); r.textContent = text; r.dataset.kind = kind; }

async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function verify() {
  const file = $("verify-file").files[0];
  if (!file) { result("Pick the exported file first.", "warn"); $("verify-file").focus(); return; }
  const id = $("verify-id").value.trim();
  if (!id) { result("Type the export id (the file's name has it: reviewflow-audit-<id>).", "warn"); $("verify-id").focus(); return; }
  result("Computing the file's SHA-256…", "info");
  const m = await api("/api/v1/audit/exports/" + encodeURIComponent(id) + "/manifest");
  if (!m.ok) { result("No manifest for export " + id + ": " + (m.status === 404 ? "no export has this id." : problemText(m)), "error"); return; }
  const sha = await sha256Hex(await file.arrayBuffer());
  const expected = String(m.body.sha256 || "").toLowerCase();
  if (sha === expected && file.size === m.body.bytes) {
    result(`Intact: "${file.name}" is export ${id} exactly as it was made (${file.size} bytes, ${m.body.rows} rows, SHA-256 ${sha}).`, "intact");
  } else {
    result(`Changed: "${file.name}" is NOT export ${id} as it was made. Its SHA-256 is ${sha} (${file.size} bytes); the manifest says ${expected} (${m.body.bytes} bytes). Do not rely on this file.`, "mismatch");
  }
}

export function bindVerify() {
  $("verify-file").addEventListener("change", () => {
    const f = $("verify-file").files[0];
    const named = f && NAMED.exec(f.name);
    if (named) $("verify-id").value = named[1];
    result("", "info");
  });
  $("verify").addEventListener("submit", (e) => { e.preventDefault(); verify().catch((err) => result(err.message, "error")); });
}
