// What the reviewer page (app.js) and the auditor page (audit.js) need alike: DOM building that never parses markup,
// the signed-in user read from the token, calls to the API with the bearer token, problem details as text, and the
// development users to sign in as. Plain JS, no build step.
(function () {
  "use strict";

  // Every value from the server goes into the DOM through textContent, never innerHTML.
  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (className) e.className = className;
    return e;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // The user a (still valid) token names, or null. The server checks the token; this only labels the page.
  function decodeToken(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const json = decodeURIComponent(atob(part).split("").map((c) => "%" + ("00" + c.charCodeAt(0).toString(16)).slice(-2)).join(""));
      const p = JSON.parse(json);
      const arr = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
      if (p.exp && p.exp * 1000 < Date.now()) return null;
      return { id: p.sub, name: p.name || p.sub, roles: arr(p.roles), groups: arr(p.groups) };
    } catch { return null; }
  }

  // A caller of the API for one page: token() is its bearer token now; expired() runs on a 401 (the page signs out).
  function apiClient(token, expired) {
    return async function api(path, options) {
      const opts = Object.assign({ headers: {} }, options || {});
      opts.headers = Object.assign({ Accept: "application/json" }, opts.headers);
      const t = token();
      if (t) opts.headers.Authorization = "Bearer " + t;
      if (opts.json !== undefined) {
        opts.headers["Content-Type"] = "application/json";
        opts.body = JSON.stringify(opts.json);
        delete opts.json;
      }
      const response = await fetch(path, opts);
      if (response.status === 401) { expired(); throw new Error("Signed out: the session expired."); }
      const type = response.headers.get("Content-Type") || "";
      const body = type.includes("json") ? await response.json() : null;
      return { ok: response.ok, status: response.status, body, headers: response.headers };
    };
  }

  // A problem details answer as one line: what went wrong, and each bad field.
  function problemText(r) {
    const b = r.body || {};
    let text = b.detail || b.title || ("HTTP " + r.status);
    if (b.errors) text += ": " + Object.entries(b.errors).map(([k, v]) => k + " " + [].concat(v).join(", ")).join("; ");
    return text;
  }

  // Fills the list with a button per development user (GET /api/v1/dev/users); pick(user) signs in as them.
  // Returns the first button; throws what the server answered instead.
  async function listDevUsers(list, api, pick) {
    clear(list);
    const r = await api("/api/v1/dev/users");
    if (!r.ok) throw new Error(problemText(r));
    for (const u of r.body) {
      const b = el("button", null, "user");
      b.type = "button";
      b.dataset.user = u.user;
      b.appendChild(el("span", u.name || u.user, "user-name"));
      b.appendChild(el("span", [u.user].concat(u.roles || []).join(" · "), "user-roles"));
      if (u.groups && u.groups.length) b.appendChild(el("span", u.groups.join(", "), "user-groups"));
      b.addEventListener("click", () => pick(u.user));
      const li = el("li");
      li.appendChild(b);
      list.appendChild(li);
    }
    return list.querySelector("button");
  }

  window.ReviewFlowPage = { el, clear, decodeToken, apiClient, problemText, listDevUsers };
})();
