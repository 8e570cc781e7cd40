// Live updates of the reviewer page: the hub's taskChanged (hub.js) merged into the queue; every (re)connect loads the
// queue again.
import { $ } from "./dom.js";
import { openHub } from "./hub.js";
import { state } from "./state.js";
import { loadQueue, onTaskChanged } from "./queue.js";
import { openLinked } from "./item.js";

function setLive(s) {
  const l = $("live");
  l.dataset.state = s;
  l.textContent = s;
}

export async function connect() {
  const hub = openHub({
    taskChanged: onTaskChanged,
    setLive,
    caughtUp: async () => { await loadQueue(); openLinked(); }, // whatever changed while we were not listening
    current: (c) => state.connection === c,
  });
  if (!hub) return;
  state.connection = hub.connection;
  await hub.start();
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
