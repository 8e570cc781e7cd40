// Sign-in, the same on every page. GET /api/v1/auth/config says how: { mode: "development" } lists the seeded users
// to pick from (POST /api/v1/dev/token); { mode: "entra", authority, clientId, scope } runs the OpenID Connect
// authorization-code flow with PKCE (RFC 7636) against the authority (Entra ID), no library; inside the Teams tab
// (teams.js) the host gives the token instead (nested app authentication, MSAL), silently when it can. The page is a public
// client (no secret): the verifier and the state live in sessionStorage for the one round trip to the authority; the
// access token (and the authority's refresh token) then live in sessionStorage (this tab only; memory where the
// browser denies storage to a framed page, storage.js) either way. Shortly
// before the token expires freshToken() renews it (development: a new development token; Entra: the refresh token);
// when that fails the page signs out and says why, instead of retrying with a dead token.
// The page's elements this drives: #sign-in (#dev-sign-in with #users, #sso-sign-in with #sso, #sign-in-error),
// #workspace, #whoami, #sign-out. A page may leave #sign-in empty with data-hint="who the page is for": it is built here.
import { $, el, clear } from "./dom.js";
import { api, authorize, problemText } from "./api.js";
import { tab, nestedToken } from "./teams.js";
import { tabStorage } from "./storage.js";

const FLOW_KEY = "reviewflow.pkce";
const RENEW_BEFORE_MS = 60_000; // renew a token this close to its end: a request or a hub connection outlives a few seconds

// Who is signed in on this page: the token and the user it names ({ id, name, roles, groups }), or nulls.
export const session = { token: null, user: null };

let page = null;   // { tokenKey, onSignedIn(user), onSignedOut() } of the page
let config = null; // GET /api/v1/auth/config, asked once

// Starts the page: back from the authority with a code, exchange it first; then signed in (a token of this tab
// still valid) or the sign-in.
export async function startSignIn(options) {
  page = options;
  buildSignIn($("sign-in"));
  session.token = tabStorage.getItem(page.tokenKey);
  authorize(freshToken, () => signOutBecause("Your sign-in has expired. Sign in again."));
  $("sign-out").addEventListener("click", signOut);
  $("sso").addEventListener("click", (e) => { e.currentTarget.blur(); signInWithAuthority(); });
  let error = null;
  try {
    const answer = await finish();
    if (answer) { keep(answer.token); keepRenewal(answer.renewal); }
    else if (!session.token && tab.active) await signInThroughTeams(false);
  } catch (e) {
    error = "Sign-in failed: " + e.message;
  }
  enter();
  if (error) $("sign-in-error").textContent = error;
}

// The sign-in's markup for a page that leaves #sign-in empty (the admin pages), the same as index.html's.
function buildSignIn(main) {
  if (main.childElementCount) return;
  const hint = main.dataset.hint || "";
  const dev = main.appendChild(el("div"));
  dev.id = "dev-sign-in";
  dev.hidden = true;
  dev.append(el("h2", "Sign in (development users)"), el("p", hint, "hint"));
  dev.appendChild(el("ul", null, "users")).id = "users";
  const sso = main.appendChild(el("div"));
  sso.id = "sso-sign-in";
  sso.hidden = true;
  sso.append(el("h2", "Sign in"), el("p", "With your organisation's Microsoft account. " + hint, "hint"));
  const button = sso.appendChild(el("button", "Sign in with Microsoft", "primary"));
  button.id = "sso";
  button.type = "button";
  const error = main.appendChild(el("p", null, "error"));
  error.id = "sign-in-error";
  error.setAttribute("role", "alert");
}

function signOut() {
  tabStorage.removeItem(page.tokenKey);
  tabStorage.removeItem(page.tokenKey + ".renewal");
  session.token = null;
  session.user = null;
  $("sign-in-error").textContent = "";
  leave();
}

function signOutBecause(message) {
  if (session.token) signOut();
  $("sign-in-error").textContent = message;
}

function keep(token) {
  session.token = token;
  tabStorage.setItem(page.tokenKey, token);
}

// Entra only: how to renew ({ tokenEndpoint, clientId, scope, refreshToken }), when the authority gave a refresh token.
function keepRenewal(renewal) {
  if (renewal) tabStorage.setItem(page.tokenKey + ".renewal", JSON.stringify(renewal));
}

// The bearer token for the next request or hub connection: this one while it has more than a minute left, else a
// renewed one. Null (and the page signed out, saying so) when it has expired and cannot be renewed.
export async function freshToken() {
  if (!session.token) return null;
  if (expiresAt(session.token) - Date.now() > RENEW_BEFORE_MS) return session.token;
  try {
    keep(await renew());
    return session.token;
  } catch (e) {
    if (expiresAt(session.token) > Date.now()) return session.token; // good a little longer: the next call tries again
    signOutBecause("Your sign-in has expired and could not be renewed (" + e.message + "). Sign in again.");
    return null;
  }
}

async function renew() {
  const c = await authConfig();
  if (tab.active && c && c.mode !== "development") return nestedToken(c, false);
  if (c && c.mode === "development") {
    const r = await api("/api/v1/dev/token", { method: "POST", json: { user: session.user.id }, anonymous: true });
    if (!r.ok) throw new Error(problemText(r));
    return r.body.accessToken;
  }
  const renewal = JSON.parse(tabStorage.getItem(page.tokenKey + ".renewal") || "null");
  if (!renewal) throw new Error("the authority gave no refresh token");
  const r = await fetch(renewal.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", client_id: renewal.clientId, refresh_token: renewal.refreshToken, scope: renewal.scope }),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok || !body.access_token) throw new Error(body.error_description || body.error || "the token endpoint answered HTTP " + r.status);
  keepRenewal(Object.assign(renewal, { refreshToken: body.refresh_token || renewal.refreshToken })); // refresh tokens rotate
  return body.access_token;
}

function expiresAt(token) {
  try { return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).exp * 1000; } catch { return 0; }
}

function enter() {
  session.user = session.token ? decodeToken(session.token) : null;
  if (!session.user) { tabStorage.removeItem(page.tokenKey); session.token = null; leave(); return; }
  const u = session.user;
  $("sign-in").hidden = true;
  $("workspace").hidden = false;
  $("sign-out").hidden = false;
  $("whoami").textContent = u.name + " · " + u.id;
  $("whoami").title = "Roles: " + u.roles.join(", ") + "; groups: " + u.groups.join(", ");
  page.onSignedIn(u);
}

async function leave() {
  $("workspace").hidden = true;
  $("sign-out").hidden = true;
  $("whoami").textContent = "";
  page.onSignedOut();
  $("sign-in").hidden = false;
  const c = await authConfig();
  if (!c) return;
  $("dev-sign-in").hidden = c.mode !== "development";
  $("sso-sign-in").hidden = c.mode === "development";
  if (c.mode !== "development") { $("sso").focus(); return; }
  try {
    const first = await listDevUsers();
    if (first) first.focus();
  } catch (e) {
    $("sign-in-error").textContent = "Development sign-in is not available: " + e.message;
  }
}

async function authConfig() {
  if (config) return config;
  try {
    const r = await fetch("/api/v1/auth/config", { headers: { Accept: "application/json" } });
    if (!r.ok) throw new Error("HTTP " + r.status);
    config = await r.json();
    return config;
  } catch (e) {
    $("sign-in-error").textContent = "Sign-in is not available: " + e.message;
    return null;
  }
}

// The user a (still valid) token names, or null. The server checks the token; this only labels the page.
function decodeToken(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(atob(part).split("").map((c) => "%" + ("00" + c.charCodeAt(0).toString(16)).slice(-2)).join(""));
    const p = JSON.parse(json);
    const arr = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    if (p.exp && p.exp * 1000 < Date.now()) return null;
    return { id: p.oid || p.sub, name: p.name || p.oid || p.sub, roles: arr(p.roles), groups: arr(p.groups) };
  } catch { return null; }
}

// ---------- development ----------

// A button per development user (GET /api/v1/dev/users); returns the first. Throws what the server answered instead.
async function listDevUsers() {
  const list = $("users");
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
    b.addEventListener("click", () => signInAs(u.user));
    const li = el("li");
    li.appendChild(b);
    list.appendChild(li);
  }
  return list.querySelector("button");
}

async function signInAs(user) {
  const r = await api("/api/v1/dev/token", { method: "POST", json: { user } });
  if (!r.ok) { $("sign-in-error").textContent = problemText(r); return; }
  keep(r.body.accessToken);
  enter();
}

// ---------- inside the Teams tab: the host's account (nested app authentication) ----------

// True when the host gave a token. Silent on the way in: a failure there leaves the "Sign in with Microsoft" button,
// whose click (interactive) may show the host's consent prompt.
async function signInThroughTeams(interactive) {
  const c = await authConfig();
  if (!c || c.mode === "development") return false;
  if (!c.authority || !c.clientId || !c.scope) throw new Error("sign-in is not configured on the server (Auth:Authority, Auth:ClientId, Auth:Scope)");
  try {
    keep(await nestedToken(c, interactive));
    return true;
  } catch (e) {
    if (interactive) throw e;
    return false;
  }
}

// ---------- the authority (Entra ID), authorization code with PKCE ----------

function base64Url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes) { return base64Url(crypto.getRandomValues(new Uint8Array(bytes))); }

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

async function metadata(authority) {
  const r = await fetch(authority.replace(/\/+$/, "") + "/.well-known/openid-configuration");
  if (!r.ok) throw new Error("the authority's metadata answered HTTP " + r.status);
  const m = await r.json();
  if (!m.authorization_endpoint || !m.token_endpoint) throw new Error("the authority's metadata names no authorization or token endpoint");
  return m;
}

async function signInWithAuthority() {
  $("sign-in-error").textContent = "";
  try {
    if (tab.active) { if (await signInThroughTeams(true)) enter(); return; }
    await begin(await authConfig());
  } catch (e) {
    $("sign-in-error").textContent = "Sign-in failed: " + e.message;
  }
}

// Leaves the page for the authority's sign-in; it comes back to this page with ?code=…&state=… (or ?error=…).
async function begin(c) {
  if (!c || !c.authority || !c.clientId || !c.scope)
    throw new Error("sign-in is not configured on the server (Auth:Authority, Auth:ClientId, Auth:Scope)");
  const m = await metadata(c.authority);
  const verifier = randomString(32);
  const state = randomString(16);
  // The page's own path, without its query (which waits here): an operator registers each page as an SPA reply URL, https://<host>/ and https://<host>/audit.html.
  const redirectUri = location.origin + location.pathname.replace(/\/index\.html$/, "/");
  tabStorage.setItem(FLOW_KEY, JSON.stringify({
    verifier, state, redirectUri, returnQuery: location.search, clientId: c.clientId, tokenEndpoint: m.token_endpoint, scope: c.scope,
  }));
  const q = new URLSearchParams({
    client_id: c.clientId,
    response_type: "code",
    response_mode: "query",
    redirect_uri: redirectUri,
    scope: c.scope + " offline_access", // offline_access: a refresh token, so that the page can renew its access token
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  });
  location.assign(m.authorization_endpoint + (m.authorization_endpoint.includes("?") ? "&" : "?") + q);
}

// { token, renewal } when this page load is the authority's answer to a sign-in begun here; null when it is no answer.
async function finish() {
  const q = new URLSearchParams(location.search);
  if (!q.has("state") || !(q.has("code") || q.has("error"))) return null;
  const flow = JSON.parse(tabStorage.getItem(FLOW_KEY) || "null");
  tabStorage.removeItem(FLOW_KEY);
  // The code is single-use: out of the address bar and history; the page's own query (a deep link) comes back.
  history.replaceState(null, "", location.pathname + (flow && flow.returnQuery ? flow.returnQuery : ""));
  if (!flow || flow.state !== q.get("state")) throw new Error("the answer does not belong to a sign-in begun in this tab");
  if (q.has("error")) throw new Error(q.get("error_description") || q.get("error"));
  const r = await fetch(flow.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: flow.clientId,
      code: q.get("code"),
      redirect_uri: flow.redirectUri,
      code_verifier: flow.verifier,
    }),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok || !body.access_token) throw new Error(body.error_description || body.error || "the token endpoint answered HTTP " + r.status);
  const renewal = body.refresh_token
    ? { tokenEndpoint: flow.tokenEndpoint, clientId: flow.clientId, scope: flow.scope + " offline_access", refreshToken: body.refresh_token }
    : null;
  return { token: body.access_token, renewal };
}
