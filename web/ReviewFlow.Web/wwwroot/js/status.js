// The document status and decision outcome vocabulary of the pages: the one JS home of these names, as the API sends
// them (the C# status and outcome types). Keep one `Name: "Name",` per line: a test reads this file and compares.
export const DocumentStatus = Object.freeze({
  Invalid: "Invalid",
  AwaitingReview: "AwaitingReview",
  Claimed: "Claimed",
  AwaitingSecondReview: "AwaitingSecondReview",
  Escalated: "Escalated",
  Routed: "Routed",
});
export const DecisionOutcome = Object.freeze({
  Auto: "auto",
  Confirmed: "confirmed",
  Corrected: "corrected",
  Rejected: "rejected",
});

// The verbs a reviewer sends (POST /api/v1/reviews/{id}/decision, "outcome"): requests, not recorded outcomes.
export const DecisionCommand = Object.freeze({
  Confirm: "confirm",
  Correct: "correct",
  Reject: "reject",
  Escalate: "escalate",
});

// Open for review: the states a supervisor's queue shows. A reviewer's queue shows the first three.
export const OpenStates = Object.freeze([
  DocumentStatus.AwaitingReview,
  DocumentStatus.Claimed,
  DocumentStatus.AwaitingSecondReview,
  DocumentStatus.Escalated,
]);
export const ReviewerStates = Object.freeze(OpenStates.filter((s) => s !== DocumentStatus.Escalated));
