namespace ReviewFlow.Contracts;

/// <summary>
/// A review task appeared, was claimed, released or decided. Published by the document's saga after its transaction
/// committed; every web node receives it on its own queue and pushes it to the open queue pages of ReviewerGroup.
/// Status is the document's status now (AwaitingReview, Claimed, Routed...): a page drops rows that are not open.
/// DueAt: the task's SLA due time (none without an SLA), RemindAt its reminder time; Breached: the due time passed
/// with the task open. ClaimedByName: the holder's display name (absent for claims recorded before 2026-12).
/// Change "reassigned": a supervisor gave the task to ClaimedBy; ReassignedBy names the supervisor.
/// </summary>
public sealed record ReviewTaskChanged(
    string DocumentId,
    string ReviewerGroup,
    string Change,
    string Status,
    string DocumentType,
    string PredictedLabel,
    double Confidence,
    string? ClaimedBy,
    DateTimeOffset? LeaseExpiresAt,
    DateTimeOffset At,
    DateTimeOffset? DueAt = null,
    bool Breached = false,
    DateTimeOffset? RemindAt = null,
    string? ClaimedByName = null,
    string? ReassignedBy = null);
