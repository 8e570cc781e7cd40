// What each event of a document's history says, in a few plain words: the reasons an invalid result was refused, the
// reason code and comment of a decision, an escalation or a disagreement, who was given a claim and until when. The
// data is the event as recorded (GET /api/v1/documents/{id}/history); older events lack the newer optional fields.
import { clock } from "./dom.js";

const reasonAndComment = (d) => [d.reasonCode && "reason " + d.reasonCode, d.comment && "\u201C" + d.comment + "\u201D"]
  .filter(Boolean).join(", ");
const joined = (...parts) => parts.filter(Boolean).join("; ");
const decision = (outcome, label) => outcome + (label ? " as " + label : "");

const DESCRIBE = {
  ClassificationReceived: (d) => d.classification && d.classification.label && "predicted " + d.classification.label + " (model " + d.modelVersion + ")",
  ClassificationRejected: (d) => "invalid: " + (d.reasons || []).join("; "),
  LaterClassificationIgnored: (d) => "later result ignored: " + d.label + " (model " + d.modelVersion + ")",
  RoutingDecided: (d) => d.route + " by rule " + d.rule,
  ReviewRequested: (d) => "to " + d.reviewerGroup + (d.fourEyes ? ", four-eyes" : ""),
  ReviewClaimed: (d, e) => (d.reviewerName || d.reviewerId) + " until " + clock(d.leaseExpiresAt) + (e.actor !== d.reviewerId ? ", given by " + e.actor : ""),
  ReviewClaimRenewed: (d) => "until " + clock(d.leaseExpiresAt),
  ReviewReleased: (d) => d.reason,
  ReviewEscalated: (d) => joined("escalated", reasonAndComment(d)),
  FirstReviewRecorded: (d) => joined("first review: " + decision(d.outcome, d.finalLabel), reasonAndComment(d)),
  ReviewDisagreed: (d) => joined(d.firstReviewerId + ": " + decision(d.firstOutcome, d.firstFinalLabel),
    d.reviewerId + ": " + decision(d.outcome, d.finalLabel), reasonAndComment(d)),
  ReviewDecided: (d) => joined(decision(d.outcome, d.finalLabel), reasonAndComment(d)),
  DocumentRouted: (d) => decision(d.outcome, d.finalLabel) + " by " + d.decidedBy,
  SlaReminderDue: (d) => "due " + clock(d.dueAt),
  SlaBreached: (d) => "was due " + clock(d.dueAt),
  UnauthenticatedCommandRefused: (d) => d.command + " refused: " + d.reason,
};

export function historyDetails(entry) {
  const describe = DESCRIBE[entry.type];
  try { return (describe && entry.data && describe(entry.data, entry)) || ""; } catch { return ""; }
}
