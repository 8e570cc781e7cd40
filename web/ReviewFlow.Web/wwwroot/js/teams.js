// The Teams tab (docs/teams.md, "The tab"): /teams is this page as Teams (or Outlook, or the Microsoft 365 app) shows it
// in a frame. Only there, and only when framed, TeamsJS (lib/teams-js, vendored from npm, a classic script) is loaded and
// initialised; anywhere else nothing of it runs. Inside the tab:
// - a deep link's subEntityId (TeamsJS context page.subPageId) is the document to open, like ?document= on the web;
// - sign-in is nested app authentication: MSAL's nestable client (lib/msal-browser) asks the host for the token, no
//   redirect (a framed page cannot leave for the authority). Development sign-in stays as it is.

const TAB_PATH = "/teams";
const INITIALIZE_MS = 10_000; // TeamsJS waits for its host forever: a page framed by something else must not

// Set once TeamsJS has initialised: { context } (the host's context: user, page, theme).
export const tab = { active: false, context: null };

export function inTeamsTab() {
  return location.pathname.toLowerCase() === TAB_PATH && window.parent !== window;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error("could not load " + src));
    document.head.appendChild(s);
  });
}

function withTimeout(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(what + " did not answer")), ms))]);
}

// Initialises TeamsJS when the page is the tab; null elsewhere. Returns the document a deep link asks for, or null.
export async function startTeamsTab() {
  if (!inTeamsTab()) return null;
  await loadScript("lib/teams-js/MicrosoftTeams.min.js");
  const app = window.microsoftTeams.app;
  await withTimeout(app.initialize(), INITIALIZE_MS, "Teams");
  tab.context = await withTimeout(app.getContext(), INITIALIZE_MS, "Teams");
  tab.active = true;
  document.documentElement.dataset.host = "teams";
  return (tab.context.page && tab.context.page.subPageId) || null;
}

// ---------- nested app authentication (Entra ID through the host) ----------

let msalApp = null;

// An access token for the API's scope from the host's signed-in account: silently, or (interactive, after a click)
// with the host's consent prompt when it needs one. Throws what MSAL says.
export async function nestedToken(config, interactive) {
  if (!msalApp) {
    await loadScript("lib/msal-browser/msal-browser.min.js");
    msalApp = await window.msal.createNestablePublicClientApplication({
      // MSAL wants the authority without the v2.0 suffix of its OpenID metadata address.
      auth: { clientId: config.clientId, authority: config.authority.replace(/\/v2\.0\/?$/, "") },
      cache: { cacheLocation: "memoryStorage" }, // the host keeps the account; a reload asks it again
    });
  }
  const user = (tab.context && tab.context.user) || {};
  const request = { scopes: [config.scope], account: msalApp.getActiveAccount() || undefined, loginHint: user.loginHint };
  try {
    return (await msalApp.acquireTokenSilent(request)).accessToken;
  } catch (e) {
    if (!interactive) throw e;
    return (await msalApp.acquireTokenPopup(request)).accessToken;
  }
}
