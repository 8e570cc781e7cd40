// The header's links to the other pages, for the roles that may use them (the API enforces the same roles; a link
// is only a way there). Each page has <nav id="pages"> in its header; the current page is marked aria-current.
import { $, el, clear } from "./dom.js";

const PAGES = [
  { href: "/", text: "Review queue", roles: ["Reviewer", "Supervisor"] },
  { href: "/supervisor.html", text: "Supervisor", roles: ["Supervisor"] },
  { href: "/audit.html", text: "Audit", roles: ["Auditor"] },
  { href: "/quality.html", text: "Quality", roles: ["Admin", "Supervisor", "Auditor"] },
  { href: "/policy.html", text: "Routing policy", roles: ["Admin"] },
  { href: "/operations.html", text: "Operations", roles: ["Operator", "Admin"] },
];

export function showPageLinks(user) {
  const nav = $("pages");
  clear(nav);
  const here = location.pathname === "/index.html" ? "/" : location.pathname;
  for (const p of PAGES.filter((p) => p.roles.some((r) => user.roles.includes(r)))) {
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
