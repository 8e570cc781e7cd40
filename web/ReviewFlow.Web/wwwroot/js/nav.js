// The header's links to the other pages, for the roles that may use them (the API enforces the same roles; a link
// is only a way there). Each page has <nav id="pages"> in its header; the current page is marked aria-current.
import { $, el, clear } from "./dom.js";

export const PAGES = [
  { href: "/", text: "Review queue", roles: ["Reviewer", "Supervisor"], what: "The open tasks of your groups." },
  { href: "/supervisor.html", text: "Supervisor", roles: ["Supervisor"], what: "Escalations, breaches, reassigning and workload." },
  { href: "/audit.html", text: "Audit", roles: ["Auditor"], what: "A document's full history, decision reports and exports with their manifests." },
  { href: "/quality.html", text: "Quality", roles: ["Admin", "Supervisor", "Auditor"], what: "How often people change the model's answer, and how right routing without a human is." },
  { href: "/policy.html", text: "Routing policy", roles: ["Admin"], what: "Thresholds, sampling, reviewer groups and labels: see, change, and see what changed." },
  { href: "/operations.html", text: "Operations", roles: ["Operator", "Admin"], what: "Health of the system, dead letters and invalid documents." },
];

export const allowed = (user) => PAGES.filter((p) => p.roles.some((r) => user.roles.includes(r)));

export function showPageLinks(user) {
  const nav = $("pages");
  clear(nav);
  const here = location.pathname === "/index.html" ? "/" : location.pathname;
  for (const p of allowed(user)) {
    const a = el("a", p.text);
    a.href = p.href;
    if (p.href === here) a.setAttribute("aria-current", "page");
    nav.appendChild(a);
  }
  nav.hidden = !nav.querySelector("a:not([aria-current])"); // a link to this page alone is no navigation
}

export function hidePageLinks() { clear($("pages")); $("pages").hidden = true; }

// An admin page's content (the element with contentId) for the roles it is for; anyone else reads #role-message.
export function showForRoles(user, roles, contentId, words) {
  if (roles.some((r) => user.roles.includes(r))) { $(contentId).hidden = false; $("role-message").hidden = true; return true; }
  notForRole(contentId, words);
  return false;
}

// Also when the API answers 403 (the roles changed since the token was issued).
export function notForRole(contentId, words) {
  $(contentId).hidden = true;
  $("role-message").hidden = false;
  $("role-message").textContent = words;
}

export function leavePage(contentId) { hidePageLinks(); $(contentId).hidden = true; $("role-message").hidden = true; }
