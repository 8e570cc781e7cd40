// ReviewFlow reviewer page (index.html): the entry that starts the modules. ES modules, no build step; the SignalR
// client (lib/signalr) is a classic script loaded before this one.
// Security: every value from the server goes into the DOM through textContent or attributes, never innerHTML (dom.js).
import { $ } from "./dom.js";
import { api, problemText } from "./api.js";
import { startSignIn } from "./signin.js";
import { state, isReviewer } from "./state.js";
import { tickAllSla } from "./sla.js";
import { refreshAges } from "./queue.js";
import { say, rememberLink, openLinked, hasLink } from "./item.js";
import { loadMyDay, renewMyClaims } from "./actions.js";
import { loadChoices } from "./choices.js";
import { connect, disconnect, watchNetwork } from "./live.js";
import { showPageLinks, hidePageLinks } from "./nav.js";
import { bindKeysAndButtons, clicked, blurActive } from "./keyboard.js";
import { startTeamsTab } from "./teams.js";
import { showHome, hideHome } from "./home.js";

const QUEUE_EMPTY = $("queue-empty").textContent;

function onSignedIn(user) {
  $("shortcuts").hidden = false;
  showPageLinks(user);
  $("jobs").hidden = !user.roles.includes("Admin");
  const reviewer = isReviewer();
  for (const id of ["my-work", "live", "filters", "reload", "next-task"]) $(id).hidden = !reviewer;
  $("queue-empty").textContent = reviewer ? QUEUE_EMPTY : "This user has no review role: the queue is for reviewers and supervisors.";
  if (!reviewer) {
    say("");
    $("queue-empty").hidden = false;
    // A link to a document (anyone signed in may read one) shows it; otherwise the home of the user's pages.
    if (hasLink()) openLinked();
    else showHome(user, openJobs);
    return;
  }
  blurActive();
  loadMyDay();
  loadChoices();
  state.live = true;
  connect();
}

function onSignedOut() {
  hideHome();
  state.items.clear();
  state.held.clear();
  $("recent").hidden = true;
  state.live = false;
  state.selectedId = null;
  disconnect();
  $("shortcuts").hidden = true;
  $("my-work").hidden = true;
  $("jobs").hidden = true;
  hidePageLinks();
  $("top-message").textContent = "";
  $("live").hidden = true;
}

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

rememberLink();
bindKeysAndButtons();
watchNetwork();
$("jobs").addEventListener("click", clicked(openJobs));
setInterval(refreshAges, 15000);
setInterval(tickAllSla, 1000);
setInterval(renewMyClaims, 60000); // the claim is a lease (actions.js)
// In the Teams tab TeamsJS first: the host's context names the deep-linked document and signs the user in.
try {
  const linked = await startTeamsTab();
  if (linked) rememberLink(linked);
} catch (e) {
  $("top-message").textContent = "Teams: " + e.message;
}
startSignIn({ tokenKey: "reviewflow.token", onSignedIn, onSignedOut });
