using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.Workflow.Queue;

/// <summary>
/// A review task as the queue, "my work today", the notification jobs and the digest see it: one per document that ever
/// went to review (a document routed automatically never gets one), folded from the document's events by
/// <see cref="ReviewQueueProjection"/> in the saga's transaction. Marten document "review_queue_item".
/// </summary>
public sealed class ReviewQueueItem
{
    public string DocumentId { get; set; } = "";
    public string DocumentType { get; set; } = "";
    public string PredictedLabel { get; set; } = "";
    public double Confidence { get; set; }
    public string? Excerpt { get; set; }
    public string ReviewerGroup { get; set; } = "";
    /// <summary>The document's status (<see cref="DocumentStatus"/>): the same as its saga's state.</summary>
    public string Status { get; set; } = DocumentStatus.AwaitingReview;
    public string? Priority { get; set; }
    /// <summary>Why it went to review: the routing rule, the threshold it was held to, and the kill-switch reason if any.</summary>
    public string? Rule { get; set; }
    public double? Threshold { get; set; }
    public string? RuleDetail { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset? RemindAt { get; set; }
    public DateTimeOffset? BreachedAt { get; set; }

    public string? ClaimedBy { get; set; }
    /// <summary>The holder's display name (none for claims recorded before 2026-12) and since when they hold it.</summary>
    public string? ClaimedByName { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    /// <summary>Four-eyes: the first reviewer, once the first review is in.</summary>
    public string? FirstReviewerId { get; set; }
    /// <summary>Escalated, or the two reviewers disagreed: only a supervisor decides.</summary>
    public bool ForSupervisor { get; set; }

    public string? Outcome { get; set; }
    public string? FinalLabel { get; set; }
    /// <summary>The reason code of the deciding review (none for a confirmation, nor for decisions before 2026-12).</summary>
    public string? ReasonCode { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }

    /// <summary>
    /// Folds events of one document, in stream order, into its item: null until the document goes to review. The
    /// classification that was received before the request gives the excerpt.
    /// </summary>
    public static ReviewQueueItem? Fold(ReviewQueueItem? item, IEnumerable<IDocumentEvent> events)
    {
        string? excerpt = null;
        double? threshold = null;
        foreach (var e in events)
        {
            if (e is ClassificationReceived received) excerpt = received.Classification.Excerpt;
            else if (e is RoutingDecided routed) threshold = routed.Threshold;
            else if (e is ReviewRequested requested) item = Requested(requested, excerpt, threshold);
            else item?.Apply(e);
        }
        return item;
    }

    static ReviewQueueItem Requested(ReviewRequested e, string? excerpt, double? threshold) => new()
    {
        Rule = e.Rule,
        Threshold = threshold,
        RuleDetail = e.RuleDetail,
        DocumentId = e.DocumentId,
        DocumentType = e.DocumentType,
        PredictedLabel = e.PredictedLabel,
        Confidence = e.Confidence,
        Excerpt = excerpt,
        ReviewerGroup = e.ReviewerGroup,
        Priority = e.Priority,
        RequestedAt = e.At,
        DueAt = e.DueAt,
        RemindAt = e.RemindAt,
    };

    // The statuses follow DocumentStateMachine's transitions (a test runs both on the same paths).
    void Apply(IDocumentEvent e)
    {
        switch (e)
        {
            case SlaBreached:
                BreachedAt = e.At;
                break;
            case ReviewClaimed r:
                (ClaimedBy, ClaimedByName, ClaimedAt, LeaseExpiresAt, Status) = (r.ReviewerId, r.ReviewerName, r.At, r.LeaseExpiresAt, DocumentStatus.Claimed);
                break;
            case ReviewDecided r:
                ReasonCode = r.ReasonCode;
                break;
            case ReviewClaimRenewed r:
                LeaseExpiresAt = r.LeaseExpiresAt;
                break;
            case ReviewReleased:
                Unclaim();
                break;
            case FirstReviewRecorded r:
                FirstReviewerId = r.ReviewerId;
                Unclaim();
                break;
            case ReviewEscalated or ReviewDisagreed:
                ForSupervisor = true;
                Unclaim();
                break;
            case DocumentRouted r:
                (Outcome, FinalLabel, DecidedBy, DecidedAt) = (r.Outcome, r.FinalLabel, r.DecidedBy, r.DecidedAt);
                (ClaimedBy, ClaimedByName, ClaimedAt, LeaseExpiresAt, Status) = (null, null, null, null, DocumentStatus.Routed);
                break;
        }
    }

    /// <summary>Nobody holds it: back to the queue of its four-eyes stage, or to the supervisors.</summary>
    void Unclaim()
    {
        (ClaimedBy, ClaimedByName, ClaimedAt, LeaseExpiresAt) = (null, null, null, null);
        Status = DocumentStatus.Unclaimed(ForSupervisor, FirstReviewerId is not null);
    }
}
