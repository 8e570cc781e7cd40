// ReviewFlow reviewer page. Plain JS, no build step.
// Security: every value from the server (ids, labels, excerpts, metadata, comments, actors) goes into the DOM through
// textContent or attributes, never innerHTML. The document link accepts only http(s) URLs and is never fetched.
(function () {
  "use strict";

  const TOKEN_KEY = "reviewflow.token";
  // A deep link (/?document=ID, what Teams cards and mails point to) waits here through the sign-in.
  const LINK_KEY = "reviewflow.open";
  const OPEN_STATES = ["AwaitingReview", "Claimed", "AwaitingSecondReview", "Escalated"];
  const REVIEWER_STATES = ["AwaitingReview", "Claimed", "AwaitingSecondReview"];
  const PAGE_SIZE = 25; // "Load more" adds a page of this many
  const MAX_API_PAGE = 200; // the API's largest pageSize

  const $ = (id) => document.getElementById(id);
  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    user: null,          // { id, name, roles, groups } from the token
    items: new Map(),    // documentId -> queue item
    selectedId: null,
    detail: null,        // { doc, classification, history } of the selected document
    pending: null,       // action waiting for a reason code: { kind: "correct", label } | { kind: "reject" }
    connection: null,
    busy: false,
    auth: null,          // GET /api/v1/auth/config: { mode: "development" } or { mode: "entra", authority, clientId, scope }
    filter: { type: "", label: "" }, // the API's documentType and label filters
    pages: 1,            // pages of PAGE_SIZE loaded
    hasMore: false,      // the API has tasks beyond them
    queueLoads: 0,       // the latest queue load wins
    known: { types: new Set(), labels: new Set() }, // suggestions for the filter fields
    live: false,         // this user's page wants live updates (a reviewer or supervisor is signed in)
    held: new Set(),     // documents whose claim I hold (renewed every minute)
  };

  // ---------- helpers ----------

  const { el, clear, decodeToken } = window.ReviewFlowPage;

  function isSupervisor() { return state.user && state.user.roles.includes("Supervisor"); }
  function visibleStates() { return isSupervisor() ? OPEN_STATES : REVIEWER_STATES; }

  function pct(confidence) { return typeof confidence === "number" ? (confidence * 100).toFixed(1) + "%" : "—"; }

  function age(iso) {
    if (!iso) return "—";
    const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (s < 60) return Math.floor(s) + "s";
    if (s < 3600) return Math.floor(s / 60) + "m";
    if (s < 86400) return Math.floor(s / 3600) + "h";
    return Math.floor(s / 86400) + "d";
  }

  function time(iso) {
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleString();
  }

  // ---------- SLA ----------
  // Times count down in the browser from dueAt (ticking every second); the server's flags (breached, remindAt) come
  // with the queue and with every live message. Amber under the reminder lead (a quarter of the SLA when unknown).

  function span(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return s + " s";
    const m = Math.floor(s / 60);
    if (m < 10) return m + " min" + (s % 60 ? " " + (s % 60) + " s" : "");
    if (m < 60) return m + " min";
    const h = Math.floor(m / 60);
    if (h < 24) return h + " h" + (m % 60 ? " " + (m % 60) + " min" : "");
    const d = Math.floor(h / 24);
    return d + " d" + (h % 24 ? " " + (h % 24) + " h" : "");
  }

  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const dueFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

  // One SLA element (a queue cell or the pane's): data-due, data-remind, data-requested, data-breached drive it.
  function slaElement(tag, sla) {
    const e = el(tag, null, "sla");
    setSla(e, sla);
    return e;
  }

  function setSla(e, sla) {
    const due = sla && sla.dueAt ? Date.parse(sla.dueAt) : NaN;
    if (isNaN(due)) {
      for (const k of ["due", "remind", "requested", "breached", "level"]) delete e.dataset[k];
      e.textContent = "";
      e.removeAttribute("title");
      return;
    }
    e.dataset.due = String(due);
    e.dataset.remind = sla.remindAt ? String(Date.parse(sla.remindAt)) : "";
    e.dataset.requested = sla.requestedAt ? String(Date.parse(sla.requestedAt)) : "";
    e.dataset.breached = sla.breached ? "true" : "false";
    e.title = "Due " + dueFormat.format(new Date(due)) + " (" + zone + ")" + (sla.breached ? "; SLA breached" : "");
    tickSla(e, Date.now());
  }

  function tickSla(e, now) {
    const due = Number(e.dataset.due);
    const left = (due - now) / 1000;
    const remind = Number(e.dataset.remind);
    const requested = Number(e.dataset.requested);
    const lead = remind ? (due - remind) / 1000 : requested ? (due - requested) / 4000 : 0;
    const breached = e.dataset.breached === "true" || left <= 0;
    e.dataset.level = breached ? "breached" : left <= lead ? "soon" : "ok";
    clear(e);
    e.appendChild(el("span", left > 0 ? "due in " + span(left) : "overdue " + span(-left), "sla-text"));
    if (breached) e.appendChild(el("span", "Breached", "badge breached"));
  }

  function tickAllSla() {
    const now = Date.now();
    for (const e of document.querySelectorAll(".sla[data-due]")) tickSla(e, now);
  }

  function safeHttpUrl(value) {
    if (typeof value !== "string") return null;
    try {
      const u = new URL(value);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch { return null; }
  }

  const api = window.ReviewFlowPage.apiClient(() => state.token, () => signOut());

  function problemText(r) {
    const text = window.ReviewFlowPage.problemText(r);
    return r.body && r.body.heldBy ? text + " (held by " + r.body.heldBy + ")" : text;
  }

  let said = 0; // counts messages, so that a late answer does not hide a newer prompt
  function say(text, kind) {
    const m = $("message");
    m.textContent = text || "";
    m.dataset.kind = kind || "info";
    said++;
  }

  // ---------- sign-in ----------

  async function showSignIn() {
    $("workspace").hidden = true;
    $("shortcuts").hidden = true;
    $("sign-out").hidden = true;
    $("my-work").hidden = true;
    $("jobs").hidden = true;
    $("top-message").textContent = "";
    $("whoami").textContent = "";
    $("sign-in").hidden = false;
    $("live").hidden = true;
    const config = await authConfig();
    if (!config) return;
    $("dev-sign-in").hidden = config.mode !== "development";
    $("sso-sign-in").hidden = config.mode === "development";
    if (config.mode !== "development") { $("sso").focus(); return; }
    try {
      const first = await window.ReviewFlowPage.listDevUsers($("users"), api, signIn);
      if (first) first.focus();
    } catch (e) {
      $("sign-in-error").textContent = "Development sign-in is not available: " + e.message;
    }
  }

  // How this deployment signs in: GET /api/v1/auth/config (anonymous), asked once.
  async function authConfig() {
    if (state.auth) return state.auth;
    try {
      const r = await fetch("/api/v1/auth/config", { headers: { Accept: "application/json" } });
      if (!r.ok) throw new Error("HTTP " + r.status);
      state.auth = await r.json();
      return state.auth;
    } catch (e) {
      $("sign-in-error").textContent = "Sign-in is not available: " + e.message;
      return null;
    }
  }

  async function signInWithAuthority() {
    $("sign-in-error").textContent = "";
    try {
      await window.ReviewFlowAuth.begin(await authConfig());
    } catch (e) {
      $("sign-in-error").textContent = "Sign-in failed: " + e.message;
    }
  }

  async function signIn(user) {
    const r = await api("/api/v1/dev/token", { method: "POST", json: { user } });
    if (!r.ok) { $("sign-in-error").textContent = problemText(r); return; }
    state.token = r.body.accessToken;
    sessionStorage.setItem(TOKEN_KEY, state.token);
    start();
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    state.user = null;
    state.items.clear();
    state.held.clear();
    state.live = false;
    $("sign-in-error").textContent = "";
    state.selectedId = null;
    if (state.connection) { const c = state.connection; state.connection = null; c.stop(); }
    setLive("offline");
    showSignIn();
  }

  // ---------- queue ----------

  function queueUrl(page, size) {
    const q = new URLSearchParams({ page: String(page), pageSize: String(size) });
    if (state.filter.type) q.set("documentType", state.filter.type);
    if (state.filter.label) q.set("label", state.filter.label);
    return "/api/v1/queue?" + q;
  }

  // Loads the first `pages` pages again (in requests of up to 200): a reload, a reconnect, a filter or "load more"
  // sees the queue as it is now, so tasks that moved between pages while others were decided are not skipped.
  async function loadQueue() {
    const load = ++state.queueLoads;
    const want = PAGE_SIZE * state.pages;
    const size = Math.min(want, MAX_API_PAGE);
    const items = new Map();
    let more = false;
    for (let page = 1; (page - 1) * size < want; page++) {
      const r = await api(queueUrl(page, size));
      if (load !== state.queueLoads) return;
      if (!r.ok) { say("Could not load the queue: " + problemText(r), "error"); return; }
      for (const item of r.body.items.slice(0, want - (page - 1) * size)) items.set(item.documentId, item);
      more = r.body.items.length === size && page * size >= want;
      if (r.body.items.length < size) break;
    }
    state.items.clear();
    for (const [id, item] of items) { state.items.set(id, item); remember(item); if (item.claimedBy) noteHolder(id, item.claimedBy); }
    state.hasMore = more;
    renderQueue();
    // The selected document stays in the pane (a deep link, or one that left the queue): show its state now.
    if (state.selectedId && !state.items.has(state.selectedId) && state.detail) loadDetail(state.selectedId, true);
  }

  function loadMore() {
    state.pages += 1;
    return loadQueue();
  }

  function applyFilter() {
    state.filter = { type: $("filter-type").value.trim(), label: $("filter-label").value.trim() };
    state.pages = 1;
    $("filters").dataset.active = state.filter.type || state.filter.label ? "true" : "false";
    return loadQueue();
  }

  function matchesFilter(t) {
    return (!state.filter.type || t.documentType === state.filter.type) && (!state.filter.label || t.predictedLabel === state.filter.label);
  }

  // Types and labels seen, offered in the filter fields (the page only knows what reached it).
  function remember(item) {
    for (const [set, value, list] of [[state.known.types, item.documentType, "known-types"], [state.known.labels, item.predictedLabel, "known-labels"]]) {
      if (!value || set.has(value)) continue;
      set.add(value);
      const option = document.createElement("option");
      option.value = value;
      $(list).appendChild(option);
    }
  }

  function sortedItems() {
    return Array.from(state.items.values()).sort(byQueueOrder);
  }

  // The API's order: closest to the SLA first, tasks without one after them, then oldest first.
  function byQueueOrder(a, b) {
    const da = a.dueAt ? Date.parse(a.dueAt) : Infinity, db = b.dueAt ? Date.parse(b.dueAt) : Infinity;
    if (da !== db) return da < db ? -1 : 1;
    return (a.requestedAt || "").localeCompare(b.requestedAt || "");
  }

  function renderQueue() {
    const tbody = $("queue-rows");
    clear(tbody);
    const items = sortedItems();
    for (const item of items) {
      const tr = el("tr");
      tr.dataset.id = item.documentId;
      tr.dataset.status = item.status;
      if (item.documentId === state.selectedId) tr.classList.add("selected");
      if (item.claimedBy && state.user && item.claimedBy === state.user.id) tr.classList.add("mine");
      tr.appendChild(el("td", item.documentId, "id"));
      tr.appendChild(el("td", item.documentType));
      tr.appendChild(el("td", item.predictedLabel));
      tr.appendChild(el("td", pct(item.confidence), "num"));
      const status = item.claimedBy ? item.status + " · " + item.claimedBy : item.status;
      tr.appendChild(el("td", status, "status-cell"));
      const ageCell = el("td", age(item.requestedAt), "num age");
      ageCell.dataset.requestedAt = item.requestedAt || "";
      tr.appendChild(ageCell);
      const slaCell = el("td", null, "sla-cell");
      slaCell.appendChild(slaElement("span", item));
      tr.appendChild(slaCell);
      tr.dataset.breached = item.breached ? "true" : "false";
      tr.addEventListener("click", () => select(item.documentId));
      tbody.appendChild(tr);
    }
    $("queue-count").textContent = String(items.length) + (state.hasMore ? "+" : "");
    $("queue-empty").hidden = items.length > 0;
    $("load-more").hidden = !state.hasMore;
  }

  function refreshAges() {
    for (const cell of document.querySelectorAll("#queue-rows td.age")) cell.textContent = age(cell.dataset.requestedAt);
  }

  function move(delta) {
    const items = sortedItems();
    if (items.length === 0) return;
    let i = items.findIndex((x) => x.documentId === state.selectedId);
    i = i < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, i + delta));
    select(items[i].documentId);
  }

  // ---------- live ----------

  function setLive(s) {
    const l = $("live");
    l.dataset.state = s;
    l.textContent = s;
  }

  function onTaskChanged(t) {
    if (!t || !t.documentId) return;
    const existing = state.items.get(t.documentId);
    remember(t);
    noteHolder(t.documentId, t.claimedBy);
    // Live updates follow the filter, and a new task that sorts after the loaded pages waits for "Load more".
    const last = state.hasMore ? sortedItems().pop() : null;
    const beyond = !existing && last && byQueueOrder({ dueAt: t.dueAt, requestedAt: t.at }, last) > 0;
    if (visibleStates().includes(t.status) && matchesFilter(t) && !beyond) {
      const item = Object.assign({}, existing || { requestedAt: t.at }, {
        documentId: t.documentId,
        documentType: t.documentType ?? existing?.documentType,
        predictedLabel: t.predictedLabel ?? existing?.predictedLabel,
        confidence: t.confidence ?? existing?.confidence,
        reviewerGroup: t.reviewerGroup,
        status: t.status,
        claimedBy: t.claimedBy ?? null,
        leaseExpiresAt: t.leaseExpiresAt ?? null,
        dueAt: t.dueAt === undefined ? existing?.dueAt : t.dueAt,
        remindAt: t.remindAt === undefined ? existing?.remindAt : t.remindAt,
        breached: !!t.breached || !!existing?.breached,
      });
      state.items.set(t.documentId, item);
    } else {
      state.items.delete(t.documentId);
    }
    renderQueue();
    if (t.documentId === state.selectedId) {
      if (state.items.has(t.documentId)) loadDetail(t.documentId, true);
      else showDetailStatus(t);
    }
  }

  async function connect() {
    if (!window.signalR) { setLive("unavailable"); return; }
    const connection = new signalR.HubConnectionBuilder()
      .withUrl("/hubs/review", { accessTokenFactory: () => state.token })
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    state.connection = connection;
    connection.on("taskChanged", onTaskChanged);
    connection.onreconnecting(() => setLive("reconnecting"));
    connection.onreconnected(() => { setLive("live"); loadQueue(); });
    connection.onclose(() => {
      if (state.connection !== connection) return;
      setLive("offline");
      setTimeout(() => { if (state.connection === connection) startConnection(connection); }, 5000);
    });
    await startConnection(connection);
  }

  // The browser knows before SignalR does (a socket can look open for up to 30 s with nothing passing): drop the
  // connection when it goes offline and start a fresh one, which reloads the queue, as soon as it is back.
  function onOffline() {
    const old = state.connection;
    if (!old) return;
    state.connection = null;
    setLive("offline");
    old.stop();
  }

  function onOnline() {
    if (state.live && !state.connection) connect();
  }

  async function startConnection(connection) {
    setLive("connecting");
    try {
      await connection.start();
      setLive("live");
      await loadQueue(); // whatever changed while we were not listening
      openLinked();
    } catch {
      setLive("offline");
      setTimeout(() => { if (state.connection === connection) startConnection(connection); }, 5000);
    }
  }

  // ---------- review pane ----------

  // A deep link only shows the document: opening a link (or a link preview, or a mail scanner fetching it) never
  // claims or decides; only a key or a click does.
  function openLinked() {
    const id = sessionStorage.getItem(LINK_KEY);
    if (!id) return;
    sessionStorage.removeItem(LINK_KEY);
    select(id);
  }

  // Why the signed-in user cannot act on this document, or null when they can (the server checks it again).
  function readOnlyReason(doc) {
    const u = state.user;
    if (!u || !(u.roles.includes("Reviewer") || isSupervisor())) return "you have no review role";
    if (!doc.reviewerGroup || !u.groups.includes(doc.reviewerGroup)) return "in the queue of " + (doc.reviewerGroup || "no group");
    if (!OPEN_STATES.includes(doc.status)) return "not open for review (" + doc.status + ")";
    if (!visibleStates().includes(doc.status)) return doc.status + ": for supervisors";
    if (doc.status !== "AwaitingReview" && doc.status !== "Claimed" && (doc.firstReviewerId === u.id || doc.secondReviewerId === u.id))
      return "you reviewed it already";
    return null;
  }

  function select(id) {
    state.selectedId = id;
    state.pending = null;
    for (const tr of document.querySelectorAll("#queue-rows tr")) tr.classList.toggle("selected", tr.dataset.id === id);
    const row = id && document.querySelector("#queue-rows tr.selected");
    if (row) row.scrollIntoView({ block: "nearest" });
    $("reason").value = "";
    $("comment").value = "";
    say("");
    if (!id) { $("pane-body").hidden = true; $("pane-empty").hidden = false; $("pane-error").hidden = true; state.detail = null; return; }
    loadDetail(id, false);
  }

  async function loadDetail(id, keepMessage) {
    const [doc, history] = await Promise.all([
      api("/api/v1/documents/" + encodeURIComponent(id)),
      api("/api/v1/documents/" + encodeURIComponent(id) + "/history"),
    ]);
    if (state.selectedId !== id) return; // the user moved on meanwhile
    if (!doc.ok) {
      state.detail = null;
      $("pane-body").hidden = true;
      $("pane-empty").hidden = true;
      $("pane-error").hidden = false;
      $("pane-error").textContent = problemText(doc);
      return;
    }
    const events = history.ok ? history.body : [];
    const received = events.find((e) => e.type === "ClassificationReceived");
    state.detail = { doc: doc.body, classification: (received && received.data && received.data.classification) || {}, history: events };
    renderDetail(keepMessage);
  }

  function renderDetail(keepMessage) {
    const { doc, classification: c, history } = state.detail;
    $("pane-empty").hidden = true;
    $("pane-error").hidden = true;
    $("pane-body").hidden = false;
    $("doc-id").textContent = doc.documentId;
    $("doc-status").textContent = doc.status;
    $("doc-status").dataset.status = doc.status;
    $("doc-type").textContent = doc.documentType || "—";
    $("doc-label").textContent = doc.predictedLabel || "—";
    $("doc-confidence").textContent = pct(doc.confidence);
    const queued = state.items.get(doc.documentId);
    setSla($("doc-sla"), doc.dueAt && {
      dueAt: doc.dueAt, remindAt: doc.remindAt, requestedAt: queued && queued.requestedAt,
      breached: !!doc.breachedAt || !!(queued && queued.breached),
    });
    for (const e of document.querySelectorAll(".sla-row")) e.hidden = !doc.dueAt;
    $("doc-priority").textContent = doc.priority ? "priority " + doc.priority : "";
    $("doc-claimed").textContent = doc.claimedBy
      ? doc.claimedBy + (doc.leaseExpiresAt ? " (lease until " + time(doc.leaseExpiresAt) + ")" : "")
      : "—";

    const link = $("content-link");
    const href = safeHttpUrl(c.contentUri);
    link.hidden = !href;
    $("content-none").hidden = !!href;
    if (href) { link.href = href; link.textContent = c.contentUri; } else { link.removeAttribute("href"); link.textContent = ""; }

    $("excerpt").textContent = c.excerpt || "(no excerpt)";

    const alts = $("alternatives");
    clear(alts);
    (c.alternatives || []).slice(0, 9).forEach((a, i) => {
      const li = el("li");
      const b = el("button", null, "alt");
      b.type = "button";
      b.dataset.label = a.label;
      b.appendChild(el("kbd", String(i + 1)));
      b.appendChild(el("span", a.label, "alt-label"));
      b.appendChild(el("span", pct(a.confidence), "confidence"));
      b.title = "Correct to this label (needs a reason code)";
      b.addEventListener("click", () => correct(i));
      li.appendChild(b);
      alts.appendChild(li);
    });
    if (!c.alternatives || c.alternatives.length === 0) alts.appendChild(el("li", "none", "muted"));

    const meta = $("metadata").tBodies[0];
    clear(meta);
    const entries = Object.entries(c.metadata || {});
    for (const [k, v] of entries) {
      const tr = el("tr");
      tr.appendChild(el("th", k));
      tr.appendChild(el("td", typeof v === "string" ? v : JSON.stringify(v)));
      meta.appendChild(tr);
    }
    if (entries.length === 0) { const tr = el("tr"); tr.appendChild(el("td", "none", "muted")); meta.appendChild(tr); }

    const hist = $("history").tBodies[0];
    clear(hist);
    for (const e of history) {
      const tr = el("tr");
      tr.appendChild(el("td", e.version, "num"));
      tr.appendChild(el("td", e.type));
      tr.appendChild(el("td", time(e.at)));
      tr.appendChild(el("td", e.actor));
      hist.appendChild(tr);
    }

    $("doc-decision").textContent = doc.finalLabel
      ? doc.finalLabel + " (" + doc.outcome + (doc.decidedBy ? " by " + doc.decidedBy : "") + (doc.decidedAt ? ", " + time(doc.decidedAt) : "") + ")"
      : "";
    for (const e of document.querySelectorAll(".decision-row")) e.hidden = !doc.finalLabel;

    const mine = doc.claimedBy && state.user && doc.claimedBy === state.user.id;
    const readOnly = readOnlyReason(doc);
    state.detail.readOnly = readOnly;
    $("actions").hidden = !!readOnly;
    $("alternatives-hint").hidden = !!readOnly;
    $("read-only").hidden = !readOnly;
    $("read-only").textContent = readOnly ? "Read only: " + readOnly + "." : "";
    for (const b of $("alternatives").querySelectorAll("button")) b.disabled = !!readOnly;
    $("btn-claim").disabled = mine;
    $("btn-release").disabled = !mine;
    if (!keepMessage) say(mine ? "Claimed by you." : "Press c to claim.");
  }

  function showDetailStatus(t) {
    if (!state.detail) return;
    say("This document is now " + t.status + (t.claimedBy ? " (" + t.claimedBy + ")" : "") + ".", "info");
    loadDetail(t.documentId, true);
  }

  // ---------- actions ----------

  async function command(path, body, doneText) {
    const id = state.selectedId;
    if (!id || state.busy || !state.detail || state.detail.readOnly) return null;
    state.busy = true;
    const before = said;
    try {
      const r = await api("/api/v1/reviews/" + encodeURIComponent(id) + "/" + path, { method: "POST", json: body || {} });
      if (!r.ok) { say(problemText(r), "error"); return null; }
      // The live update can beat the HTTP answer, and the reviewer may already have pressed the next key (a prompt
      // for a reason code): keep that prompt rather than repeat "Claimed".
      if (said === before) say(doneText || r.body.message || r.body.status, "ok");
      return r.body;
    } catch (e) {
      say(e.message, "error");
      return null;
    } finally {
      state.busy = false;
    }
  }

  // What I hold, whether or not the filter shows it: from the queue, live messages and my own claims.
  function noteHolder(documentId, claimedBy) {
    if (state.user && claimedBy === state.user.id) state.held.add(documentId);
    else state.held.delete(documentId);
  }

  async function renewMyClaims() {
    if (!state.user) return;
    for (const id of Array.from(state.held)) {
      try {
        const r = await api("/api/v1/reviews/" + encodeURIComponent(id) + "/claim", { method: "POST", json: {} });
        if (r.status === 409 || r.status === 404 || r.status === 403) state.held.delete(id); // not mine any more
      } catch (e) { /* the next tick tries again; the queue shows what happened */ }
    }
  }

  async function claim() {
    const r = await command("claim", {}, "Claimed. Enter confirms, 1–9 corrects, r rejects, e escalates, x releases.");
    if (r) { noteHolder(state.selectedId, state.user.id); await loadDetail(state.selectedId, true); }
  }

  async function release() {
    const r = await command("release", {}, "Released.");
    if (r) await loadDetail(state.selectedId, true);
  }

  async function decide(body) {
    const id = state.selectedId;
    const comment = $("comment").value.trim();
    if (comment) body.comment = comment;
    const r = await command("decision", body);
    if (!r) return;
    state.pending = null;
    loadMyDay();
    // The live update removes the row too; do it now so the next item is one keystroke away.
    const items = sortedItems();
    const i = items.findIndex((x) => x.documentId === id);
    if (!visibleStates().includes(r.status)) state.items.delete(id);
    renderQueue();
    const next = sortedItems();
    const nextId = next.length ? next[Math.min(Math.max(i, 0), next.length - 1)].documentId : null;
    select(nextId === id ? id : nextId);
    say("Decided " + id + ": " + (r.status || "ok") + ".", "ok");
  }

  function confirm() { return decide({ outcome: "confirm" }); }

  function needReason(pending) {
    const reason = $("reason").value.trim();
    if (reason) return reason;
    state.pending = pending;
    say(pending.kind === "correct"
      ? "Type a reason code, then Enter to correct to \u201C" + pending.label + "\u201D."
      : "Type a reason code, then Enter to " + pending.kind + ".", "warn");
    $("reason").focus();
    return null;
  }

  function correct(index) {
    if (!state.detail || state.detail.readOnly) return;
    const alts = (state.detail && state.detail.classification.alternatives) || [];
    if (index >= alts.length) { say("No alternative " + (index + 1) + ".", "warn"); return; }
    const label = alts[index].label;
    const reason = needReason({ kind: "correct", label });
    if (reason) decide({ outcome: "correct", label, reasonCode: reason });
  }

  function reject() {
    if (!state.detail || state.detail.readOnly) return;
    const reason = needReason({ kind: "reject" });
    if (reason) decide({ outcome: "reject", reasonCode: reason });
  }

  function escalate() {
    if (!state.detail || state.detail.readOnly) return;
    const reason = needReason({ kind: "escalate" });
    if (reason) decide({ outcome: "escalate", reasonCode: reason });
  }

  function runPending() {
    const p = state.pending;
    const reason = $("reason").value.trim();
    if (!p) return;
    if (!reason) { say("The reason code is required.", "warn"); return; }
    $("reason").blur();
    if (p.kind === "correct") decide({ outcome: "correct", label: p.label, reasonCode: reason });
    else decide({ outcome: p.kind, reasonCode: reason });
  }

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if ($("workspace").hidden) return;
    const t = e.target;
    const inField = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA");
    if (inField) {
      if (e.key === "Escape") { t.blur(); state.pending = null; say(""); }
      else if (e.key === "Enter" && t.id === "reason") { e.preventDefault(); runPending(); }
      return;
    }
    // Buttons and links keep their own Enter/space.
    if ((e.key === "Enter" || e.key === " ") && t && (t.tagName === "BUTTON" || t.tagName === "A")) return;
    switch (e.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "c": claim(); break;
      case "x": release(); break;
      case "r": reject(); break;
      case "e": escalate(); break;
      case "Enter": confirm(); break;
      case "/": $("reason").focus(); break;
      case "f": $("filter-type").focus(); $("filter-type").select(); break;
      default:
        if (/^[1-9]$/.test(e.key)) correct(Number(e.key) - 1);
        else return;
    }
    e.preventDefault();
  }

  // ---------- admin ----------

  // The Hangfire dashboard cannot take a bearer header on navigation: the API turns the token into a short-lived
  // HttpOnly, SameSite=Strict cookie scoped to /hangfire, then the browser goes there.
  async function openJobs() {
    $("top-message").textContent = "";
    try {
      const r = await api("/api/v1/admin/dashboard-session", { method: "POST" });
      if (!r.ok) { $("top-message").textContent = "Jobs dashboard: " + problemText(r); return; }
      location.assign("/hangfire");
    } catch (e) {
      $("top-message").textContent = "Jobs dashboard: " + e.message;
    }
  }

  // ---------- start ----------

  // "My work today" from the server (UTC day): decided, with the breakdown and what I hold in the tooltip.
  async function loadMyDay() {
    try {
      const r = await api("/api/v1/me/today");
      if (!r.ok) return;
      const d = r.body;
      $("decided-count").textContent = String(d.decided);
      $("my-work").title = d.confirmed + " confirmed, " + d.corrected + " corrected, " + d.rejected + " rejected; holding "
        + d.holding + "; first reviews waiting for a second reviewer: " + d.awaitingSecondReview;
    } catch (e) { /* shown again on the next decision */ }
  }

  function start() {
    state.user = state.token ? decodeToken(state.token) : null;
    if (!state.user) { sessionStorage.removeItem(TOKEN_KEY); state.token = null; showSignIn(); return; }
    $("sign-in").hidden = true;
    $("workspace").hidden = false;
    $("shortcuts").hidden = false;
    $("sign-out").hidden = false;
    $("whoami").textContent = state.user.name + " · " + state.user.id;
    $("jobs").hidden = !state.user.roles.includes("Admin");
    $("whoami").title = "Roles: " + state.user.roles.join(", ") + "; groups: " + state.user.groups.join(", ");
    const reviewer = state.user.roles.includes("Reviewer") || isSupervisor();
    for (const id of ["my-work", "live", "filters", "reload"]) $(id).hidden = !reviewer;
    $("queue-empty").textContent = reviewer ? QUEUE_EMPTY : "This user has no review role: the queue is for reviewers and supervisors.";
    if (!reviewer) {
      say("");
      $("queue-empty").hidden = false;
      openLinked(); // anyone signed in may read a document
      return;
    }
    document.activeElement && document.activeElement.blur && document.activeElement.blur();
    loadMyDay();
    state.live = true;
    connect();
  }

  const QUEUE_EMPTY = $("queue-empty").textContent;
  const linked = new URLSearchParams(location.search).get("document");
  if (linked) sessionStorage.setItem(LINK_KEY, linked);
  document.addEventListener("keydown", onKey);
  window.addEventListener("offline", onOffline);
  window.addEventListener("online", onOnline);
  $("sign-out").addEventListener("click", signOut);
  $("reload").addEventListener("click", loadQueue);
  // After a click, give the keyboard back to the page (Enter must confirm, not press the last button again).
  const clicked = (fn) => (e) => { e.currentTarget.blur(); fn(); };
  $("btn-claim").addEventListener("click", clicked(claim));
  $("btn-confirm").addEventListener("click", clicked(confirm));
  $("btn-reject").addEventListener("click", clicked(reject));
  $("btn-escalate").addEventListener("click", clicked(escalate));
  $("btn-release").addEventListener("click", clicked(release));
  $("jobs").addEventListener("click", clicked(openJobs));
  $("load-more").addEventListener("click", clicked(loadMore));
  $("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    document.activeElement && document.activeElement.blur && document.activeElement.blur(); // j/k work again
    applyFilter();
  });
  $("filter-clear").addEventListener("click", clicked(() => {
    $("filter-type").value = "";
    $("filter-label").value = "";
    applyFilter();
  }));
  setInterval(refreshAges, 15000);
  setInterval(tickAllSla, 1000);
  // The claim is a lease: while this page shows a task I hold, claiming again every minute renews it (the server's
  // lease is 5 minutes), so a closed or crashed page lets the task go back to the queue on its own.
  setInterval(renewMyClaims, 60000);
  $("sso").addEventListener("click", clicked(signInWithAuthority));

  // Back from the authority with a code: exchange it first. Then the page starts as usual.
  (async function boot() {
    let error = null;
    try {
      const token = await window.ReviewFlowAuth.finish();
      if (token) { state.token = token; sessionStorage.setItem(TOKEN_KEY, token); }
    } catch (e) {
      error = "Sign-in failed: " + e.message;
    }
    start();
    if (error) $("sign-in-error").textContent = error;
  })();
})();
