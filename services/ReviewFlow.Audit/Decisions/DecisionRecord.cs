using JasperFx.Events;
using Marten.Events.Aggregation;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.Audit.Decisions;

/// <summary>
/// One row per document for the auditor's search and reports: what the model said, what was decided, by whom, when,
/// under which policy and model. Built asynchronously from the document's stream (the saga's writes stay lean);
/// stored as Marten document "audit_decision" with the searched fields duplicated into indexed columns.
/// </summary>
public sealed class DecisionRecord
{
    public string Id { get; set; } = "";
    public string? DocumentType { get; set; }
    public string? PredictedLabel { get; set; }
    public double? Confidence { get; set; }
    public string? ModelVersion { get; set; }
    public string? Channel { get; set; }
    /// <summary>The signed-in user who submitted the result over HTTP (none for AMQP publishers).</summary>
    public string? SubmittedBy { get; set; }
    public DateTimeOffset? ReceivedAt { get; set; }
    public int? PolicyVersion { get; set; }
    /// <summary>auto or review: where the routing policy sent it.</summary>
    public string? Route { get; set; }
    public string? Rule { get; set; }
    public double? Threshold { get; set; }
    public string? ReviewerGroup { get; set; }
    public bool FourEyes { get; set; }
    public DateTimeOffset? SlaDueAt { get; set; }
    public bool SlaBreached { get; set; }
    public DateTimeOffset? SlaBreachedAt { get; set; }
    public string? FirstReviewerId { get; set; }
    public string? ReasonCode { get; set; }
    public string? Comment { get; set; }
    /// <summary>auto, confirmed, corrected or rejected.</summary>
    public string? Outcome { get; set; }
    public string? FinalLabel { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    /// <summary>A human changed the model's label.</summary>
    public bool Overridden { get; set; }
    public bool Invalid { get; set; }
}

/// <summary>Async single-stream projection (run by the worker's daemon) of each document's stream into its DecisionRecord.</summary>
public sealed class DecisionRecordProjection : SingleStreamProjection<DecisionRecord, string>
{
    public DecisionRecordProjection()
    {
        IncludeType<ClassificationReceived>();
        IncludeType<ClassificationRejected>();
        IncludeType<RoutingDecided>();
        IncludeType<ReviewRequested>();
        IncludeType<SlaBreached>();
        IncludeType<FirstReviewRecorded>();
        IncludeType<ReviewDecided>();
        IncludeType<DocumentRouted>();
    }

    public override DecisionRecord? Evolve(DecisionRecord? snapshot, string id, IEvent e)
    {
        var r = snapshot ?? new DecisionRecord { Id = id };
        switch (e.Data)
        {
            case ClassificationReceived x:
                r.DocumentType = x.Classification.DocumentType;
                r.PredictedLabel = x.Classification.Label;
                r.Confidence = x.Classification.Confidence;
                r.ModelVersion = x.ModelVersion;
                r.Channel = x.Channel;
                r.SubmittedBy = x.SubmittedBy;
                r.ReceivedAt = x.At;
                r.Invalid = false;
                break;
            case ClassificationRejected:
                r.Invalid = r.DocumentType is null;
                break;
            case RoutingDecided x:
                r.Route = x.Route;
                r.Rule = x.Rule;
                r.Threshold = x.Threshold;
                r.PolicyVersion = x.PolicyVersion;
                break;
            case ReviewRequested x:
                r.ReviewerGroup = x.ReviewerGroup;
                r.FourEyes = x.FourEyes;
                r.SlaDueAt = x.DueAt;
                break;
            case SlaBreached x:
                r.SlaBreached = true;
                r.SlaBreachedAt = x.At;
                break;
            case FirstReviewRecorded x:
                r.FirstReviewerId = x.ReviewerId;
                break;
            case ReviewDecided x:
                r.FirstReviewerId = x.FirstReviewerId ?? r.FirstReviewerId;
                r.ReasonCode = x.ReasonCode;
                r.Comment = x.Comment;
                break;
            case DocumentRouted x:
                r.Outcome = x.Outcome;
                r.FinalLabel = x.FinalLabel;
                r.DecidedBy = x.DecidedBy;
                r.DecidedAt = x.DecidedAt;
                r.PolicyVersion = x.PolicyVersion;
                r.Overridden = x.Outcome == DecisionOutcomes.Corrected;
                break;
        }
        return r;
    }
}
