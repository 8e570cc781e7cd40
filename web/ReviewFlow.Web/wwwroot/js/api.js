// Calls to the API with the signed-in user's bearer token (set by signin.js), and problem details as text.

const auth = { token: () => null, expired: () => {} };

// token() gives the bearer token (a promise: it may renew it first); expired() runs when the API answers 401 (the
// page signs out).
export function authorize(token, expired) {
  auth.token = token;
  auth.expired = expired;
}

// options.anonymous: no token (the development token request, made while renewing one).
export async function api(path, options) {
  const opts = Object.assign({ headers: {} }, options || {});
  opts.headers = Object.assign({ Accept: "application/json" }, opts.headers);
  const t = opts.anonymous ? null : await auth.token();
  delete opts.anonymous;
  if (t) opts.headers.Authorization = "Bearer " + t;
  if (opts.json !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(opts.json);
    delete opts.json;
  }
  const response = await fetch(path, opts);
  if (response.status === 401) { auth.expired(); throw new Error("Signed out: the session expired."); }
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : null;
  return { ok: response.ok, status: response.status, body, headers: response.headers };
}

// A file from the API (an export): the raw response, with the token.
export async function download(path) {
  return fetch(path, { headers: { Authorization: "Bearer " + await auth.token() } });
}

// A problem details answer as one line: what went wrong, each bad field, and who holds a task that is taken.
export function problemText(r) {
  const b = r.body || {};
  let text = b.detail || b.title || ("HTTP " + r.status);
  if (b.errors) text += ": " + Object.entries(b.errors).map(([k, v]) => k + " " + [].concat(v).join(", ")).join("; ");
  return b.heldBy ? text + " (held by " + b.heldBy + ")" : text;
}
