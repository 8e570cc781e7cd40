using MassTransit;
using ReviewFlow.Contracts;

namespace ReviewFlow.Workflow.Documents;

/// <summary>
/// The saga instance of one document, stored as a Marten document in the same transaction as the events it
/// records. It is also the read model behind GET /api/v1/documents/{id}: CurrentState is the document's status.
/// </summary>
public sealed class DocumentState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    /// <summary>Counts saves (MassTransit's saga version); concurrency is checked on the stream version.</summary>
    public int Version { get; set; }
    public string CurrentState { get; set; } = "";
    /// <summary>Number of events in the document's stream: the expected version of the next append.</summary>
    public long StreamVersion { get; set; }

    public string DocumentId { get; set; } = "";
    public DocumentClassified? Classification { get; set; }
    public string? ModelVersion { get; set; }
    public DateTimeOffset? ReceivedAt { get; set; }
    /// <summary>Who submitted the result over HTTP (segregation of duties: they may not review it).</summary>
    public string? SubmittedBy { get; set; }
    public IReadOnlyList<string> InvalidReasons { get; set; } = [];
    /// <summary>The upstream system that sent the result (of the valid one, else of the latest refused one that named it).</summary>
    public string? SourceSystem { get; set; }
    /// <summary>Model versions whose result was recorded: a redelivery of any of them changes nothing.</summary>
    public List<string> ModelVersionsSeen { get; set; } = [];
    public string? LastRejection { get; set; }

    public int PolicyVersion { get; set; }
    public string? RoutingRule { get; set; }
    public double? Threshold { get; set; }
    /// <summary>The type's kill-switch reason, when that sent the document to review.</summary>
    public string? RuleDetail { get; set; }
    public string? ReviewerGroup { get; set; }
    public DateTimeOffset? ReviewRequestedAt { get; set; }
    public string? Priority { get; set; }
    /// <summary>The SLA: the task is due at SlaDueAt; the reminder goes out at SlaRemindAt.</summary>
    public DateTimeOffset? SlaDueAt { get; set; }
    public DateTimeOffset? SlaRemindAt { get; set; }
    public DateTimeOffset? SlaRemindedAt { get; set; }
    public DateTimeOffset? SlaBreachedAt { get; set; }

    public bool FourEyes { get; set; }
    public string? FirstReviewerId { get; set; }
    public string? FirstOutcome { get; set; }
    public string? FirstFinalLabel { get; set; }
    /// <summary>Set when the second reviewer disagreed: the document waits for a supervisor.</summary>
    public string? SecondReviewerId { get; set; }
    /// <summary>Set when a reviewer escalated: the document waits for a supervisor.</summary>
    public string? EscalatedBy { get; set; }

    /// <summary>A disagreement or an escalation: only a supervisor may claim and decide.</summary>
    public bool ForSupervisor => SecondReviewerId is not null || EscalatedBy is not null;

    public string? ClaimedBy { get; set; }
    /// <summary>The holder's display name as their sign-in gave it (claims recorded before 2026-12 have none).</summary>
    public string? ClaimedByName { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    public string? FinalLabel { get; set; }
    public string? Outcome { get; set; }
    public string? ReasonCode { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public void Apply(IDocumentEvent e)
    {
        switch (e)
        {
            case ClassificationReceived r:
                DocumentId = r.DocumentId;
                Classification = r.Classification;
                SourceSystem = r.Classification.SourceSystem;
                ModelVersion = r.ModelVersion;
                ReceivedAt = r.At;
                SubmittedBy = r.SubmittedBy;
                InvalidReasons = [];
                ModelVersionsSeen.Add(r.ModelVersion);
                break;
            case LaterClassificationIgnored r:
                ModelVersionsSeen.Add(r.ModelVersion);
                break;
            case ClassificationRejected r:
                DocumentId = r.DocumentId;
                if (Classification is null)
                {
                    InvalidReasons = r.Reasons;
                    SourceSystem = r.SourceSystem ?? SourceSystem;
                }
                LastRejection = DocumentDecisions.ClassificationRejectedFingerprint(r);
                break;
            case RoutingDecided r:
                PolicyVersion = r.PolicyVersion;
                RoutingRule = r.Rule;
                Threshold = r.Threshold;
                break;
            case ReviewRequested r:
                ReviewerGroup = r.ReviewerGroup;
                ReviewRequestedAt = r.At;
                RuleDetail = r.RuleDetail;
                FourEyes = r.FourEyes;
                Priority = r.Priority;
                SlaDueAt = r.DueAt;
                SlaRemindAt = r.RemindAt;
                break;
            case SlaReminderDue r:
                SlaRemindedAt = r.At;
                break;
            case SlaBreached r:
                SlaBreachedAt = r.At;
                break;
            case FirstReviewRecorded r:
                FirstReviewerId = r.ReviewerId;
                FirstOutcome = r.Outcome;
                FirstFinalLabel = r.FinalLabel;
                Unclaim();
                break;
            case ReviewEscalated r:
                EscalatedBy = r.ReviewerId;
                Unclaim();
                break;
            case ReviewDisagreed r:
                SecondReviewerId = r.ReviewerId;
                Unclaim();
                break;
            case ReviewClaimed r:
                ClaimedBy = r.ReviewerId;
                ClaimedByName = r.ReviewerName;
                LeaseExpiresAt = r.LeaseExpiresAt;
                break;
            case ReviewClaimRenewed r:
                LeaseExpiresAt = r.LeaseExpiresAt;
                break;
            case ReviewReleased:
                Unclaim();
                break;
            case ReviewDecided r:
                ReasonCode = r.ReasonCode;
                break;
            case DocumentRouted r:
                FinalLabel = r.FinalLabel;
                Outcome = r.Outcome;
                DecidedBy = r.DecidedBy;
                DecidedAt = r.DecidedAt;
                Unclaim();
                break;
        }
        UpdatedAt = e.At;
    }

    void Unclaim() => (ClaimedBy, ClaimedByName, LeaseExpiresAt) = (null, null, null);
}
