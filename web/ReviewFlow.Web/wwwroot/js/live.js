// Live updates: the SignalR connection to /hubs/review (taskChanged). window.signalR comes from the classic script
// lib/signalr/signalr.min.js, loaded before the page's modules. Messages sent while the page was away are not
// replayed, so every (re)connect loads the queue again. The hub closes a connection when its token expires; the page
// connects again at once with a renewed token (freshToken), or is signed out when none can be had.
import { $ } from "./dom.js";
import { freshToken } from "./signin.js";
import { state } from "./state.js";
import { loadQueue, onTaskChanged } from "./queue.js";
import { openLinked } from "./item.js";

function setLive(s) {
  const l = $("live");
  l.dataset.state = s;
  l.textContent = s;
}

export async function connect() {
  const signalR = window.signalR;
  if (!signalR) { setLive("unavailable"); return; }
  const connection = new signalR.HubConnectionBuilder()
    .withUrl("/hubs/review", { accessTokenFactory: freshToken })
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
    startConnection(connection); // at once: a close is usually the token's end; a failed start retries in 5 s
  });
  await startConnection(connection);
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

export function disconnect() {
  const old = state.connection;
  state.connection = null;
  setLive("offline");
  if (old) old.stop();
}

// The browser knows before SignalR does (a socket can look open for up to 30 s with nothing passing): drop the
// connection when it goes offline and start a fresh one, which reloads the queue, as soon as it is back.
function onOffline() {
  if (state.connection) disconnect();
}

function onOnline() {
  if (state.live && !state.connection) connect();
}

export function watchNetwork() {
  window.addEventListener("offline", onOffline);
  window.addEventListener("online", onOnline);
}
