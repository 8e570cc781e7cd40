namespace ReviewFlow.Contracts;

// Reviewer commands. They enter the document's saga (its single writer) as messages; the sender may use
// request/response and gets ReviewCommandAccepted or ReviewCommandRefused back. ActorRole: the role the web host
// authorized the call with ("Reviewer" or "Supervisor"), recorded on the events; sealed with the rest of the command.
// Channel: where the person acted — "web" (the pages) or "teams" (a card or the bot's chat) — recorded on the events.

/// <summary>
/// AsSupervisor: the sender checked that ReviewerId is a supervisor (disagreements are for supervisors). ReviewerName:
/// their display name, shown to the others while they hold the task.
/// </summary>
public sealed record ClaimReview(string DocumentId, string ReviewerId, bool AsSupervisor = false, string? ActorRole = null, string? ReviewerName = null,
    string? Channel = null);

/// <summary>AsSupervisor: the sender checked that ReviewerId is a supervisor, who may release anyone's claim.</summary>
public sealed record ReleaseReview(string DocumentId, string ReviewerId, string? Reason = null, bool AsSupervisor = false,
    string? ActorRole = null, string? Channel = null);

/// <summary>
/// A supervisor hands the task to ReviewerId (taking it from whoever holds it): the new holder gets a fresh lease.
/// ToSupervisor: the sender checked that ReviewerId is a supervisor (escalated tasks only go to supervisors).
/// ReviewerName: the new holder's display name as the group directory knows it. LeaseUntil: how long the task waits for
/// the new holder, as the supervisor chose; absent, the saga's default (until the task is due, at most 8 hours). The
/// holder's open page renews it to the normal lease, like any claim.
/// </summary>
public sealed record ReassignReview(string DocumentId, string SupervisorId, string ReviewerId, bool ToSupervisor = false,
    string? ActorRole = null, string? ReviewerName = null, DateTimeOffset? LeaseUntil = null);

/// <summary>
/// Outcome: <c>confirm</c>, <c>correct</c> (Label and ReasonCode required), <c>reject</c> (ReasonCode required) or
/// <c>escalate</c> to the group's supervisors (ReasonCode required).
/// </summary>
public sealed record DecideReview(
    string DocumentId,
    string ReviewerId,
    string Outcome,
    string? Label = null,
    string? ReasonCode = null,
    string? Comment = null,
    string? ActorRole = null,
    string? Channel = null)
{
    public const string Confirm = "confirm";
    public const string Correct = "correct";
    public const string Reject = "reject";
    public const string Escalate = "escalate";
}

/// <summary>Where a person acted: the values of the commands' and events' Channel.</summary>
public static class ReviewChannels
{
    public const string Web = "web";
    public const string Teams = "teams";
}

public sealed record ReviewCommandAccepted(string DocumentId, string Status, string Message);

/// <summary>Nothing was recorded. HeldBy names the reviewer holding the claim when that was the reason.</summary>
public sealed record ReviewCommandRefused(string DocumentId, string Status, string Reason, string? HeldBy = null);
