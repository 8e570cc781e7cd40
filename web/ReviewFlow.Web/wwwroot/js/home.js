// The home of a user without a review role (an admin, auditor or operator) on /: the pages their roles open, each
// with what it is for, and for admins the jobs dashboard. Only what the role may open is linked (the API checks again).
import { $, el, clear } from "./dom.js";
import { allowed } from "./nav.js";

export function showHome(user, openJobs) {
  const list = $("home-links");
  clear(list);
  for (const p of allowed(user).filter((p) => p.href !== "/")) {
    const li = el("li", null, "home-card");
    const a = el("a", p.text);
    a.href = p.href;
    li.appendChild(a);
    li.appendChild(el("p", p.what, "hint"));
    list.appendChild(li);
  }
  if (user.roles.includes("Admin")) {
    const li = el("li", null, "home-card");
    const b = el("button", "Jobs (Hangfire)");
    b.type = "button";
    b.id = "home-jobs";
    b.addEventListener("click", openJobs);
    li.appendChild(b);
    li.appendChild(el("p", "Timers, reminders and periodic jobs: the Hangfire dashboard at /hangfire.", "hint"));
    list.appendChild(li);
  }
  if (!list.firstChild) list.appendChild(el("li", "Your roles open no page here yet: ask an admin for a role.", "hint"));
  $("home").hidden = false;
  $("workspace").hidden = true;
  const first = list.querySelector("a, button");
  if (first) first.focus();
}

export function hideHome() { $("home").hidden = true; }
