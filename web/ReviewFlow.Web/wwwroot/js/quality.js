// ReviewFlow quality page (quality.html; roles Admin, Supervisor, Auditor): how good the model is as humans saw it,
// from the server's aggregates only (GET /api/v1/quality/summary, /series, /confusion, /alerts): headline numbers with
// the verdict on routing without a human, the reliability diagram, the figures over time per model version, the
// confusion heatmap and the alarm banner. Server text goes into the DOM with textContent (dom.js).
import { $, el, clear, row } from "./dom.js";
import { api, problemText } from "./api.js";
import { startSignIn } from "./signin.js";
import { showPageLinks, showForRoles, notForRole, leavePage } from "./nav.js";
import { showAlerts } from "./alerts.js";
import { share, count, num, proportion, proportionShort, day, lastDay, periodQuery, utcDay } from "./figures.js";
import { showReviewers } from "./quality-reviewers.js";
import { showReference } from "./quality-reference.js";
import { showReliability, showSeries, showConfusion, noSeries, noConfusion } from "./quality-charts.js";

const ROLES = ["Admin", "Supervisor", "Auditor"];
const NOT_FOR_YOU = "This page is not for your role: it shows the model's quality to admins, supervisors and auditors. Reviewers find their work in the review queue.";
let signedIn = { roles: [] };

function say(text, kind) { const m = $("message"); m.textContent = text || ""; m.dataset.kind = kind || "info"; }

function query(withLabel = true) {
  const q = new URLSearchParams();
  const add = (name, id) => { const v = $(id).value.trim(); if (v) q.set(name, v); };
  add("documentType", "f-type");
  if (withLabel) add("label", "f-label");
  add("modelVersion", "f-model");
  return periodQuery(q, $("f-from").value, $("f-to").value);
}

// The sentence that says whether routing without a human is safe: the lower end of the interval is what can be relied on.
function verdict(s) {
  const a = s.autoAccuracy;
  if (!a || !a.samples) {
    return { kind: "none", text: s.autoRouted
      ? `No evidence yet: ${count(s.autoRouted)} documents went through without a human, but no QA sample of them has been checked by a person in this period, so nothing says how often they are wrong. Raise the QA sample rate on the routing policy to find out.`
      : "No evidence yet: no document went through without a human in this period, and no QA sample was checked, so nothing says whether routing without a human would be safe." };
  }
  return { kind: "evidence",
    text: `Of the documents routed without a human, about ${share(a.estimate)} had the right label, judged from ${count(a.samples)} QA samples that a person checked. With 95 % confidence the true share is between ${share(a.low)} and ${share(a.high)}: rely on the lower figure, ${share(a.low)}. If that is below the accuracy you accept, routing without a human is not safe at this threshold.` };
}

function showSummary(s) {
  const v = verdict(s);
  $("verdict").textContent = v.text;
  $("verdict").dataset.kind = v.kind;
  const set = (id, main, small) => {
    const dd = $(id);
    dd.textContent = main;
    if (small) { const e = document.createElement("small"); e.textContent = small; dd.appendChild(e); }
  };
  set("n-decided", count(s.decided));
  set("n-auto", count(s.autoRouted), share(s.autoRate) + " of decided");
  set("n-human", count(s.humanDecided), share(s.reviewRate) + " of decided");
  set("n-overrides", count(s.overrides), share(s.overrideRate) + " of human decisions");
  set("n-accuracy", s.autoAccuracy && s.autoAccuracy.samples ? share(s.autoAccuracy.estimate) : "no evidence yet", proportion(s.autoAccuracy, "QA samples"));
  set("n-ece", num(s.ece, 3), s.ece == null ? "no human decisions" : "0 is perfectly calibrated");
  set("n-psi", num(s.psi, 2), s.psi == null ? "no reference yet" : s.psi > 0.25 ? "large shift (over 0.25)" : s.psi > 0.1 ? "some shift (0.1–0.25)" : "stable (under 0.1)");
  set("n-label-psi", num(s.labelPsi, 2));
  const volume = typeof s.dailyVolume === "number" && typeof s.referenceDailyVolume === "number"
    ? ` ${s.dailyVolume.toFixed(1)} decisions a day, against ${s.referenceDailyVolume.toFixed(1)} in the reference.` : "";
  const fresh = s.newLabels && s.newLabels.length
    ? ` Labels the reference never saw: ${s.newLabels.join(", ")} (drift the PSI alone may hide).` : "";
  $("reference").textContent = s.referenceFrom
    ? `Drift compares the period with the reference days ${day(s.referenceFrom)} to ${lastDay(s.referenceTo)}.` + volume + fresh
    : "";
}

async function load() {
  say("Loading…");
  try {
    const q = query();
    const r = await api("/api/v1/quality/summary?" + q);
    if (r.status === 403) { notForRole("quality", NOT_FOR_YOU); return; }
    if (!r.ok) { say(problemText(r), "error"); return; }
    showSummary(r.body);
    showReliability(r.body);
    const [series, confusion, alerts] = await Promise.all([
      api("/api/v1/quality/series?" + q), api("/api/v1/quality/confusion?" + query(false)), showAlerts("alerts")]);
    if (series.ok) showSeries(series.body, await psiLimit(alerts)); else noSeries(series.status === 404 ? "No figures over time: the server does not offer them yet." : problemText(series));
    await showVersions();
    await showReference(signedIn, $("f-type").value.trim(), load);
    await showReviewers(signedIn, periodQuery(new URLSearchParams(), $("f-from").value, $("f-to").value));
    if (confusion.ok) showConfusion(confusion.body); else noConfusion(confusion.status === 404 ? "No confusion matrix: the server does not offer it yet." : problemText(confusion));
    say(r.body.decided ? "" : "No decided documents match these filters in this period.");
  } catch (e) { say(e.message, "error"); }
}

// A type's model versions side by side (GET /api/v1/quality/versions): one row each, oldest first.
async function showVersions() {
  const out = $("versions"), type = $("f-type").value.trim();
  clear(out);
  out.hidden = true;
  if (!type) { $("versions-note").textContent = "Choose a document type to compare its model versions."; return; }
  const r = await api("/api/v1/quality/versions?" + periodQuery(new URLSearchParams({ documentType: type }), $("f-from").value, $("f-to").value));
  if (!r.ok) { $("versions-note").textContent = r.status === 404 ? "The server does not compare versions yet." : problemText(r); return; }
  $("versions-note").textContent = r.body.length ? `The ${type} model versions with decisions in the period, oldest first.` : `No ${type} decisions in the period.`;
  if (!r.body.length) return;
  const t = out.appendChild(el("table"));
  const head = el("tr");
  for (const h of ["Model version", "First day", "Decided", "Without a human", "Changed by humans", "Accuracy without a human (95 %, QA samples)", "ECE", "PSI"]) {
    const th = el("th", h); th.scope = "col"; head.appendChild(th);
  }
  t.appendChild(el("thead")).appendChild(head);
  const body = t.appendChild(el("tbody"));
  for (const v of r.body) {
    const s = v.summary;
    body.appendChild(row([v.modelVersion, day(v.firstDay), count(s.decided), share(s.autoRate), share(s.overrideRate), proportionShort(s.autoAccuracy), num(s.ece, 3), num(s.psi, 2)]));
  }
  out.hidden = false;
}

// The PSI chart's limit line: an open alarm's limit, else (admins, one type) the type's alarm limit in the routing policy,
// else the product's default (the policy's default maxPsi).
async function psiLimit(alerts) {
  const type = $("f-type").value.trim();
  const open = alerts.find((a) => a.metric === "psi" && (!type || a.documentType === type));
  if (open) return { value: open.limit, source: `the limit of the open ${open.documentType} alarm` };
  if (type && signedIn.roles.includes("Admin")) {
    const r = await api("/api/v1/admin/routing-policy");
    const alarms = r.ok && r.body.documentTypes && r.body.documentTypes[type] && r.body.documentTypes[type].alarms;
    if (alarms && typeof alarms.maxPsi === "number") return { value: alarms.maxPsi, source: `the ${type} alarm limit of the routing policy` };
  }
  return { value: 0.25, source: "the default alarm limit" };
}

function onSignedIn(user) {
  signedIn = user;
  showPageLinks(user);
  if (!showForRoles(user, ROLES, "quality", NOT_FOR_YOU)) return;
  if (!$("f-from").value) $("f-from").value = utcDay(6);
  if (!$("f-to").value) $("f-to").value = utcDay(0);
  load();
}

function onSignedOut() { leavePage("quality"); }

$("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
startSignIn({ tokenKey: "reviewflow.token", onSignedIn, onSignedOut });
