// The routing policy's edit form: a field for each rule, bound to the edited copy of the policy (unknown fields of the
// copy stay as the server sent them). Every control has a label; numbers use the browser's own validation.
import { el, clear } from "./dom.js";

let edited = null;   // the policy being edited (a copy of what GET returned)
let changed = () => {};

// Renders the fields for `policy` into `container`; onChange runs after every edit.
export function renderForm(container, policy, onChange) {
  edited = policy;
  changed = onChange;
  clear(container);
  const global = container.appendChild(fieldset("Every document type"));
  global.appendChild(checkbox("Kill switch: send every document of every type to review", edited.killSwitch, (v) => { edited.killSwitch = v; }, "killSwitch"));
  global.appendChild(number("QA sample rate: share of confident documents sent to review anyway (the evidence for the accuracy without a human)",
    edited.qaSampleRate, { min: 0, max: 1, step: "any", required: true }, (v) => { edited.qaSampleRate = v; }, "qaSampleRate"));
  global.appendChild(text("Labels always sent to review (comma-separated)", (edited.alwaysReviewLabels || []).join(", "),
    (v) => { edited.alwaysReviewLabels = v.split(",").map((s) => s.trim()).filter(Boolean); }, "alwaysReviewLabels"));
  for (const type of Object.keys(edited.documentTypes || {}).sort()) container.appendChild(typeFields(type));
}

// Sets a threshold from a suggestion (label null: the type's own) and shows it in the form.
export function applyThreshold(container, type, label, threshold) {
  const t = edited.documentTypes[type];
  if (label) t.labelThresholds = Object.assign({}, t.labelThresholds, { [label]: threshold });
  else t.threshold = threshold;
  const old = container.querySelector(`fieldset[data-type="${CSS.escape(type)}"]`);
  old.replaceWith(typeFields(type));
  changed();
}

function typeFields(type) {
  const t = edited.documentTypes[type];
  const f = fieldset(type);
  f.dataset.type = type;
  const row = f.appendChild(el("div", null, "field-row"));
  row.appendChild(number("Threshold: at or above it, no human", t.threshold, { min: 0, max: 1, step: "any", required: true }, (v) => { t.threshold = v; }, "threshold"));
  row.appendChild(text("Reviewer group", t.reviewerGroup, (v) => { t.reviewerGroup = v.trim(); }, "reviewerGroup", true));
  f.appendChild(checkbox("Four eyes: a second, different reviewer must agree", t.fourEyes, (v) => { t.fourEyes = v; }, "fourEyes"));
  f.appendChild(checkbox(`Kill switch: send every ${type} to review`, t.killSwitch, (v) => { t.killSwitch = v; }, "typeKillSwitch"));
  f.appendChild(text("Why the kill switch is on (shown on the review tasks)", t.killSwitchReason || "", (v) => { t.killSwitchReason = v.trim() || null; }, "killSwitchReason"));
  f.appendChild(labelThresholds(type, t));
  f.appendChild(alarms(type, t));
  return f;
}

function labelThresholds(type, t) {
  const f = fieldset("Label thresholds (instead of the type's)");
  f.className = "label-thresholds";
  const entries = Object.entries(t.labelThresholds || {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length) {
    const table = f.appendChild(el("table"));
    const head = el("tr");
    for (const h of ["Label", "Threshold", ""]) { const th = el("th", h || null); th.scope = "col"; if (!h) th.appendChild(el("span", "Remove", "visually-hidden")); head.appendChild(th); }
    table.appendChild(el("thead")).appendChild(head);
    const body = table.appendChild(el("tbody"));
    for (const [label, value] of entries) {
      const tr = body.appendChild(el("tr"));
      tr.dataset.label = label;
      tr.appendChild(el("td", label));
      const input = numberInput(value, { min: 0, max: 1, step: "any", required: true }, (v) => { t.labelThresholds[label] = v; });
      input.setAttribute("aria-label", `Threshold for ${label}`);
      input.name = "labelThreshold";
      tr.appendChild(el("td")).appendChild(input);
      const remove = el("button", "Remove");
      remove.type = "button";
      remove.setAttribute("aria-label", `Remove the threshold for ${label}`);
      remove.addEventListener("click", () => {
        const copy = Object.assign({}, t.labelThresholds);
        delete copy[label];
        t.labelThresholds = copy;
        refresh(type, f, "input[name=newLabel]");
      });
      tr.appendChild(el("td")).appendChild(remove);
    }
  } else f.appendChild(el("p", "None: every label uses the type's threshold.", "hint"));
  const add = f.appendChild(el("div", null, "field-row"));
  const label = add.appendChild(text("New label", "", () => {}, "newLabel")).querySelector("input");
  const value = add.appendChild(number("Its threshold", null, { min: 0, max: 1, step: "any" }, () => {}, "newThreshold")).querySelector("input");
  const button = add.appendChild(el("button", "Add label threshold"));
  button.type = "button";
  button.addEventListener("click", () => {
    const name = label.value.trim(), v = value.valueAsNumber;
    const bad = !name ? label : !(v >= 0 && v <= 1) ? value : null;
    if (bad) { bad.setAttribute("aria-invalid", "true"); bad.focus(); return; }
    t.labelThresholds = Object.assign({}, t.labelThresholds, { [name]: v });
    refresh(type, f, `tr[data-label="${CSS.escape(name)}"] input`);
  });
  return f;
}

// Re-renders one type's fields after a structural edit and puts the focus back where the admin was working.
function refresh(type, inner, focusSelector) {
  const outer = inner.closest("fieldset[data-type]");
  const fresh = typeFields(type);
  outer.replaceWith(fresh);
  const target = fresh.querySelector(focusSelector);
  if (target) target.focus();
  changed();
}

function alarms(type, t) {
  const f = fieldset("Quality alarms (empty: not checked)");
  const a = () => (t.alarms = t.alarms || {});
  const current = t.alarms || {};
  const row = f.appendChild(el("div", null, "field-row"));
  const limit = (label, key, opts) => row.appendChild(number(label, current[key], opts, (v) => { a()[key] = v; }, key));
  limit("Highest drift (PSI)", "maxPsi", { min: 0, max: 10, step: "any" });
  limit("Lowest accuracy without a human (lower bound)", "minAutoAccuracy", { min: 0, max: 1, step: "any" });
  limit("Highest share changed by humans", "maxOverrideRate", { min: 0, max: 1, step: "any" });
  limit("Fewest decisions to judge on", "minSamples", { min: 0, max: 1000000, step: 1 });
  f.appendChild(checkbox(`Fallback: on an alarm, send every ${type} to review`, current.fallbackOnAlert, (v) => { a().fallbackOnAlert = v; }, "fallbackOnAlert"));
  return f;
}

// ---------- controls ----------

function fieldset(legend) {
  const f = el("fieldset");
  f.appendChild(el("legend", legend));
  return f;
}

function field(labelText, input, name, className) {
  const label = el("label", null, className || "field");
  input.name = name;
  if (className === "field check") { label.appendChild(input); label.appendChild(el("span", labelText)); }
  else { label.appendChild(el("span", labelText)); label.appendChild(input); }
  return label;
}

function checkbox(labelText, value, set, name) {
  const input = el("input");
  input.type = "checkbox";
  input.checked = !!value;
  input.addEventListener("change", () => { set(input.checked); changed(); });
  return field(labelText, input, name, "field check");
}

function text(labelText, value, set, name, required) {
  const input = el("input");
  input.type = "text";
  input.maxLength = 200;
  input.value = value || "";
  input.required = !!required;
  input.spellcheck = false;
  input.addEventListener("input", () => { input.removeAttribute("aria-invalid"); set(input.value); changed(); });
  return field(labelText, input, name);
}

function numberInput(value, opts, set) {
  const input = el("input");
  input.type = "number";
  Object.assign(input, { min: opts.min, max: opts.max, step: opts.step, required: !!opts.required });
  input.value = typeof value === "number" ? String(value) : "";
  input.addEventListener("input", () => {
    const ok = input.checkValidity();
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    if (!ok) return;
    set(input.value === "" ? null : input.valueAsNumber);
    changed();
  });
  return input;
}

function number(labelText, value, opts, set, name) { return field(labelText, numberInput(value, opts, set), name); }
