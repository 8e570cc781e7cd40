// The connection to /hubs/review (taskChanged) that every live page opens: window.signalR comes from the classic script
// lib/signalr/signalr.min.js, loaded before the page's modules. Messages sent while the page was away are not replayed,
// so every (re)connect calls caughtUp() (the page loads what it shows again). The hub closes a connection when its
// token expires; the page connects again at once with a renewed token (freshToken), or is signed out when none can be
// had. current(connection): whether the page still wants this connection (a sign-out or a new one ends it).
import { freshToken } from "./signin.js";

export function openHub({ taskChanged, setLive, caughtUp, current }) {
  const signalR = window.signalR;
  if (!signalR) { setLive("unavailable"); return null; }
  const connection = new signalR.HubConnectionBuilder()
    .withUrl("/hubs/review", { accessTokenFactory: freshToken })
    .withAutomaticReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  connection.on("taskChanged", taskChanged);
  connection.onreconnecting(() => setLive("reconnecting"));
  connection.onreconnected(() => { setLive("live"); caughtUp(); });
  connection.onclose(() => {
    if (!current(connection)) return;
    setLive("offline");
    start(); // at once: a close is usually the token's end; a failed start retries in 5 s
  });
  async function start() {
    setLive("connecting");
    try {
      await connection.start();
      setLive("live");
      await caughtUp();
    } catch {
      setLive("offline");
      setTimeout(() => { if (current(connection)) start(); }, 5000);
    }
  }
  return { connection, start };
}
