using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Documents;

/// <summary>The document read side: its state folded from its events (<see cref="DocumentRead"/>) and the events themselves.</summary>
public static class DocumentEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var documents = app.MapGroup("/api/v1/documents").WithTags("Documents");
        documents.MapGet("/{documentId}", GetAsync).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A document's status, classification and review (404 unless the caller needs to know)");
        documents.MapGet("/{documentId}/history", HistoryAsync).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Every event of the document, oldest first");
    }

    static async Task<Results<Ok<DocumentView>, ProblemHttpResult>> GetAsync(
        string documentId, ClaimsPrincipal user, IQuerySession session, IRoutingPolicySource policies, CancellationToken ct)
    {
        var read = await DocumentAccess.VisibleAsync(user, documentId, session, policies, ct);
        return read is null ? NotFound(documentId) : TypedResults.Ok(DocumentView.From(read.State));
    }

    static async Task<Results<Ok<HistoryEntry[]>, ProblemHttpResult>> HistoryAsync(
        string documentId, ClaimsPrincipal user, IQuerySession session, IRoutingPolicySource policies, CancellationToken ct)
    {
        if (await DocumentAccess.VisibleAsync(user, documentId, session, policies, ct) is not { Events: var events }) return NotFound(documentId);
        return TypedResults.Ok(events.Select(e => new HistoryEntry(
            e.Version, e.Data.GetType().Name, e.Timestamp, (e.Data as IDocumentEvent)?.Actor ?? Actors.System, e.Id, e.Data)).ToArray());
    }

    public static ProblemHttpResult NotFound(string documentId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such document",
            detail: $"No classification result has been recorded for '{documentId}'.");
}

public sealed record HistoryEntry(long Version, string Type, DateTimeOffset At, string Actor, Guid EventId, object Data);

/// <summary>GET /api/v1/documents/{id}. Status: Invalid, AwaitingReview, Claimed, AwaitingSecondReview, Escalated or Routed.</summary>
public sealed record DocumentView(
    string DocumentId, string Status, string? DocumentType, string? PredictedLabel, double? Confidence, string? FinalLabel,
    string? Outcome, string? DecidedBy, DateTimeOffset? DecidedAt, string? ReviewerGroup, string? ClaimedBy,
    DateTimeOffset? LeaseExpiresAt, string? ModelVersion, int PolicyVersion, string? RoutingRule, double? Threshold,
    IReadOnlyList<string> InvalidReasons, DateTimeOffset UpdatedAt, bool FourEyes, string? FirstReviewerId, string? SecondReviewerId,
    string? Priority, DateTimeOffset? DueAt, DateTimeOffset? RemindedAt, DateTimeOffset? BreachedAt, DateTimeOffset? RemindAt, string? Why,
    string? ClaimedByName)
{
    public static DocumentView From(DocumentState s) => new(
        s.DocumentId, s.CurrentState, s.Classification?.DocumentType, s.Classification?.Label, s.Classification?.Confidence,
        s.FinalLabel, s.Outcome, s.DecidedBy, s.DecidedAt, s.ReviewerGroup, s.ClaimedBy, s.LeaseExpiresAt, s.ModelVersion,
        s.PolicyVersion, s.RoutingRule, s.Threshold, s.InvalidReasons, s.UpdatedAt, s.FourEyes, s.FirstReviewerId, s.SecondReviewerId,
        s.Priority, s.SlaDueAt, s.SlaRemindedAt, s.SlaBreachedAt, s.SlaRemindAt,
        s.ReviewRequestedAt is null || s.RoutingRule is null ? null
            : Routing.RoutingRules.Explain(s.RoutingRule, s.Classification?.Confidence ?? 0, s.Threshold, s.RuleDetail),
        s.ClaimedByName);
}
