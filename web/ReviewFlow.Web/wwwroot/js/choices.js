// What a reviewer chooses from when deciding (GET /api/v1/document-types): each document type's label catalogue and
// reason codes. The label picker (key l) offers the model's alternatives first, then the catalogue; the reason field
// suggests the type's codes with what each means. The server refuses anything outside them, saying what is allowed.
import { $, el, clear } from "./dom.js";
import { api } from "./api.js";

const types = new Map(); // documentType -> { labels, reasonCodes }

export async function loadChoices() {
  try {
    const r = await api("/api/v1/document-types");
    if (!r.ok) return;
    types.clear();
    for (const t of r.body) types.set(t.documentType, t);
  } catch (e) { /* the fields still take what is typed; the server checks */ }
}

// The labels to offer for a document, alternatives first, without the predicted one (that is a confirmation).
export function labelChoices(classification) {
  const t = types.get(classification.documentType);
  const alts = (classification.alternatives || []).map((a) => a.label);
  const all = alts.concat(t ? t.labels : []);
  return all.filter((l, i) => l !== classification.label && all.indexOf(l) === i);
}

export function reasonChoices(documentType) {
  const t = types.get(documentType);
  return t ? t.reasonCodes : [];
}

// Fills the picker's and the reason field's suggestions for the shown document.
export function showChoices(classification) {
  const labels = $("label-options");
  clear(labels);
  const alts = new Set((classification.alternatives || []).map((a) => a.label));
  for (const l of labelChoices(classification)) {
    const o = el("option");
    o.value = l;
    if (alts.has(l)) o.label = l + " (model's alternative)";
    labels.appendChild(o);
  }
  const reasons = $("reason-options");
  clear(reasons);
  for (const r of reasonChoices(classification.documentType)) {
    const o = el("option");
    o.value = r.code;
    o.label = r.code + ": " + r.description;
    reasons.appendChild(o);
  }
  $("reason").placeholder = reasons.children.length ? "choose or type: " + reasons.children[0].value + ", …" : "e.g. wrong-vendor";
  // The same document shown again (after a claim, a live update): an open picker stays open with what is typed.
  if (shownFor === classification.documentId) return;
  shownFor = classification.documentId;
  $("label-pick").value = "";
  $("label-pick-row").hidden = true;
}

let shownFor = null;

export function openLabelPicker() {
  $("label-pick-row").hidden = false;
  $("label-pick").value = "";
  $("label-pick").focus();
}

export function closeLabelPicker() {
  $("label-pick-row").hidden = true;
}
