// Sign-in outside Development: the OpenID Connect authorization-code flow with PKCE (RFC 7636) against the configured
// authority (Entra ID), in plain JS, no library. The page is a public client (no secret): the verifier and the state
// live in sessionStorage for the one round trip to the authority; the access token then lives in sessionStorage
// (this tab only) like the development token. When it expires the page asks to sign in again.
(function () {
  "use strict";

  const FLOW_KEY = "reviewflow.pkce";

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

  // Leaves the page for the authority's sign-in; it comes back to / with ?code=…&state=… (or ?error=…).
  async function begin(config) {
    if (!config.authority || !config.clientId || !config.scope)
      throw new Error("sign-in is not configured on the server (Auth:Authority, Auth:ClientId, Auth:Scope)");
    const m = await metadata(config.authority);
    const verifier = randomString(32);
    const state = randomString(16);
    const redirectUri = location.origin + "/";
    sessionStorage.setItem(FLOW_KEY, JSON.stringify({ verifier, state, redirectUri, clientId: config.clientId, tokenEndpoint: m.token_endpoint }));
    const q = new URLSearchParams({
      client_id: config.clientId,
      response_type: "code",
      response_mode: "query",
      redirect_uri: redirectUri,
      scope: config.scope,
      state,
      code_challenge: await challengeOf(verifier),
      code_challenge_method: "S256",
    });
    location.assign(m.authorization_endpoint + (m.authorization_endpoint.includes("?") ? "&" : "?") + q);
  }

  // The access token when this page load is the authority's answer to a sign-in begun here; null when it is no answer.
  async function finish() {
    const q = new URLSearchParams(location.search);
    if (!q.has("state") || !(q.has("code") || q.has("error"))) return null;
    const flow = JSON.parse(sessionStorage.getItem(FLOW_KEY) || "null");
    sessionStorage.removeItem(FLOW_KEY);
    history.replaceState(null, "", location.pathname); // the code is single-use: out of the address bar and history
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
    return body.access_token;
  }

  window.ReviewFlowAuth = { begin, finish };
})();
