// The reviewer page's state, one object its modules share, and what the signed-in user may see.
import { session } from "./signin.js";
import { OpenStates, ReviewerStates } from "./status.js";

export const PAGE_SIZE = 25; // "Load more" adds a page of this many
export const MAX_API_PAGE = 200; // the API's largest pageSize

export const state = {
  items: new Map(),    // documentId -> queue item
  selectedId: null,
  detail: null,        // { doc, classification, history, readOnly } of the selected document
  pending: null,       // action waiting for a reason code: { kind: "correct", label } | { kind: "reject" }
  connection: null,
  busy: false,         // what is on its way: "claim", "release", "decision" or "next"
  nextAsked: false,    // n was pressed meanwhile: it runs once that is done
  filter: { type: "", label: "" }, // the API's documentType and label filters
  pages: 1,            // pages of PAGE_SIZE loaded
  hasMore: false,      // the API has tasks beyond them
  queueLoads: 0,       // the latest queue load wins
  known: { types: new Set(), labels: new Set() }, // suggestions for the filter fields
  live: false,         // this user's page wants live updates (a reviewer or supervisor is signed in)
  held: new Set(),     // documents whose claim I hold (renewed every minute)
};

export function isSupervisor() { return !!session.user && session.user.roles.includes("Supervisor"); }
export function isReviewer() { return !!session.user && (session.user.roles.includes("Reviewer") || isSupervisor()); }
export function visibleStates() { return isSupervisor() ? OpenStates : ReviewerStates; }
export function isMine(claimedBy) { return !!claimedBy && !!session.user && claimedBy === session.user.id; }

// What I hold, whether or not the filter shows it: from the queue, live messages and my own claims.
export function noteHolder(documentId, claimedBy) {
  if (isMine(claimedBy)) state.held.add(documentId);
  else state.held.delete(documentId);
}
