using ReviewFlow.Contracts;

namespace ReviewFlow.Workflow.Documents;

// Every event of a document's stream (stream key = document id). Each names who (Actor: "system" or a user id),
// when (At), and the model and policy versions in force. docs/events.md describes each one.

public interface IDocumentEvent
{
    string DocumentId { get; }
    string Actor { get; }
    DateTimeOffset At { get; }

    /// <summary>
    /// The role a person acted in, as the web host authorized their command ("Reviewer", "Supervisor"); recorded on the
    /// events a reviewer command produces since 2026-12, null for the system's events and for older ones.
    /// </summary>
    string? ActorRole => null;
}

// Channel (on the events of a reviewer command): where the person acted, "web" or "teams" (ReviewChannels); null for
// events recorded before 2026-12 and for the system's.

public static class Actors
{
    public const string System = "system";
}

/// <summary>A valid classification result arrived (Channel: amqp, http or bus; SubmittedBy: the signed-in caller over http).</summary>
public sealed record ClassificationReceived(
    string DocumentId, DocumentClassified Classification, string Channel, string ModelVersion, string Actor, DateTimeOffset At,
    string? SubmittedBy = null)
    : IDocumentEvent;

/// <summary>An invalid result arrived for this document id; nothing was routed. Reasons name each bad field; SourceSystem when readable.</summary>
public sealed record ClassificationRejected(
    string DocumentId, IReadOnlyList<string> Reasons, string Channel, string? ModelVersion, string Actor, DateTimeOffset At,
    string? SourceSystem = null)
    : IDocumentEvent;

/// <summary>A result from another model version arrived after the document was already classified: kept, not acted on.</summary>
public sealed record LaterClassificationIgnored(
    string DocumentId, string Label, double Confidence, string ModelVersion, string StatusAtArrival, string Actor, DateTimeOffset At)
    : IDocumentEvent;

/// <summary>The routing policy decided: Route auto or review, by which Rule, against which Threshold.</summary>
public sealed record RoutingDecided(
    string DocumentId, string Route, string Rule, double? Threshold, double Confidence, int PolicyVersion, string ModelVersion,
    string Actor, DateTimeOffset At) : IDocumentEvent;

/// <summary>
/// A review task opened in ReviewerGroup's queue. FourEyes: a second, different reviewer must agree. DueAt: the SLA of
/// the document type and Priority (none when the policy sets no SLA); RemindAt: when the reminder goes out. Rule: why it
/// went to review (RoutingRules); RuleDetail: the type's kill-switch reason, when that was the rule.
/// </summary>
public sealed record ReviewRequested(
    string DocumentId, string DocumentType, string ReviewerGroup, string PredictedLabel, double Confidence, string Rule,
    int PolicyVersion, string ModelVersion, string Actor, DateTimeOffset At, bool FourEyes = false,
    DateTimeOffset? DueAt = null, DateTimeOffset? RemindAt = null, string? Priority = null, string? RuleDetail = null) : IDocumentEvent;

/// <summary>The SLA reminder time passed with the task still open: the holder (or the group) is reminded.</summary>
public sealed record SlaReminderDue(
    string DocumentId, DateTimeOffset DueAt, string Status, string ReviewerGroup, string? ClaimedBy, string Actor, DateTimeOffset At)
    : IDocumentEvent;

/// <summary>The SLA due time passed with the task still open: a breach; the group's supervisors are alerted.</summary>
public sealed record SlaBreached(
    string DocumentId, DateTimeOffset DueAt, string Status, string ReviewerGroup, string? ClaimedBy, string Actor, DateTimeOffset At)
    : IDocumentEvent;

/// <summary>
/// A reviewer took the task (or a supervisor gave it to them, Actor); the claim is a lease that lapses at LeaseExpiresAt
/// unless renewed. ReviewerName: the holder's display name, for the sentence others read ("Alice is working on this").
/// </summary>
public sealed record ReviewClaimed(
    string DocumentId, string ReviewerId, DateTimeOffset LeaseExpiresAt, int PolicyVersion, string ModelVersion,
    string Actor, DateTimeOffset At, string? ActorRole = null, string? ReviewerName = null, string? Channel = null) : IDocumentEvent;

/// <summary>The holder's open page kept the lease alive.</summary>
public sealed record ReviewClaimRenewed(
    string DocumentId, string ReviewerId, DateTimeOffset LeaseExpiresAt, string Actor, DateTimeOffset At, string? ActorRole = null)
    : IDocumentEvent;

/// <summary>The task went back to the queue (Reason: released by the holder, or lease-expired).</summary>
public sealed record ReviewReleased(
    string DocumentId, string ReviewerId, string Reason, int PolicyVersion, string ModelVersion, string Actor, DateTimeOffset At,
    string? ActorRole = null, string? Channel = null) : IDocumentEvent;

/// <summary>
/// A reviewer decided: Outcome confirmed, corrected or rejected; FinalLabel is what goes downstream. Under four-eyes,
/// FirstReviewerId is the reviewer this one agreed with (or, after a disagreement, the first of the two overruled).
/// </summary>
public sealed record ReviewDecided(
    string DocumentId, string ReviewerId, string Outcome, string PredictedLabel, string FinalLabel, string? ReasonCode,
    string? Comment, int PolicyVersion, string ModelVersion, string Actor, DateTimeOffset At, string? FirstReviewerId = null,
    string? ActorRole = null, string? Channel = null) : IDocumentEvent;

/// <summary>Four-eyes: the first review, waiting for a second, different reviewer to agree.</summary>
public sealed record FirstReviewRecorded(
    string DocumentId, string ReviewerId, string Outcome, string FinalLabel, string? ReasonCode, string? Comment,
    int PolicyVersion, string ModelVersion, string Actor, DateTimeOffset At, string? ActorRole = null, string? Channel = null) : IDocumentEvent;

/// <summary>A reviewer handed the task to the supervisors of the group (ReasonCode required); a supervisor decides.</summary>
public sealed record ReviewEscalated(
    string DocumentId, string ReviewerId, string ReasonCode, string? Comment, int PolicyVersion, string ModelVersion,
    string Actor, DateTimeOffset At, string? ActorRole = null, string? Channel = null) : IDocumentEvent;

/// <summary>Four-eyes: the second reviewer disagreed with the first; a supervisor decides.</summary>
public sealed record ReviewDisagreed(
    string DocumentId, string FirstReviewerId, string FirstOutcome, string FirstFinalLabel, string ReviewerId, string Outcome,
    string FinalLabel, string? ReasonCode, string? Comment, int PolicyVersion, string ModelVersion, string Actor, DateTimeOffset At,
    string? ActorRole = null, string? Channel = null) : IDocumentEvent;

/// <summary>
/// A reviewer command arrived that the web host did not seal (CommandSeal): forged, replayed or altered on the bus.
/// Nothing else was recorded. Command: claim, release, reassign or decide; ClaimedActor: who it said was acting.
/// </summary>
public sealed record UnauthenticatedCommandRefused(
    string DocumentId, string Command, string ClaimedActor, string Reason, string Actor, DateTimeOffset At) : IDocumentEvent;

/// <summary>
/// The final decision. The decision relay publishes exactly these events to <c>reviewflow.decisions</c>, after
/// they are committed, with the event id as message id. RoutingRule: the rule that sent it where it went (a QA sample
/// decided by a human tells how good auto-routing is); absent on decisions recorded before 2026-12.
/// </summary>
public sealed record DocumentRouted(
    string DocumentId, string DocumentType, string PredictedLabel, string FinalLabel, double Confidence, string Outcome,
    string DecidedBy, DateTimeOffset DecidedAt, int PolicyVersion, string ModelVersion, string? CorrelationId,
    string Actor, DateTimeOffset At, string? RoutingRule = null, string? ActorRole = null, string? Channel = null) : IDocumentEvent
{
    public DocumentDecision ToDecision() => new(DocumentId, DocumentType, PredictedLabel, FinalLabel, Confidence, Outcome,
        DecidedBy, DecidedAt, PolicyVersion, ModelVersion, CorrelationId, Channel);
}
