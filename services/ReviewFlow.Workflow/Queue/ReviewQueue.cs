using ReviewFlow.Workflow.Routing;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Queue;

/// <summary>
/// GET /api/v1/queue: open tasks of the caller's groups (claimed ones included, marked): closest to their SLA first,
/// then (without an SLA) oldest first; filter by documentType and label; paged.
/// </summary>
static class ReviewQueue
{
    public static async Task<Ok<QueuePage>> GetAsync(ClaimsPrincipal user, IQuerySession session, string? documentType, string? label,
        int? page, int? pageSize, CancellationToken ct)
    {
        var groups = user.Groups().ToArray();
        var size = Math.Clamp(pageSize ?? 50, 1, 200);
        var number = Math.Max(page ?? 1, 1);
        // Disagreements and escalations are for supervisors only.
        var states = user.IsInRole(Roles.Supervisor) ? DocumentStatus.Open : DocumentStatus.ForReviewers;
        var query = session.Query<ReviewQueueItem>().Where(x => x.Status.IsOneOf(states) && x.ReviewerGroup.IsOneOf(groups));
        if (!string.IsNullOrEmpty(documentType)) query = query.Where(x => x.DocumentType == documentType);
        if (!string.IsNullOrEmpty(label)) query = query.Where(x => x.PredictedLabel == label);
        var items = await query.OrderBy(x => x.DueAt).ThenBy(x => x.RequestedAt).Skip((number - 1) * size).Take(size).ToListAsync(ct);
        return TypedResults.Ok(new QueuePage(number, size, items.Select(QueueItem.From).ToList()));
    }
}

public sealed record QueuePage(int Page, int PageSize, IReadOnlyList<QueueItem> Items);

public sealed record QueueItem(string DocumentId, string DocumentType, string PredictedLabel, double Confidence, string? ReviewerGroup,
    string Status, string? ClaimedBy, DateTimeOffset? LeaseExpiresAt, DateTimeOffset? RequestedAt, DateTimeOffset? DueAt,
    bool Breached, string? Priority, DateTimeOffset? RemindAt, string? Rule, string? Why, string? ClaimedByName, DateTimeOffset? ClaimedAt)
{
    public static QueueItem From(ReviewQueueItem i) => new(i.DocumentId, i.DocumentType, i.PredictedLabel, i.Confidence, i.ReviewerGroup,
        i.Status, i.ClaimedBy, i.LeaseExpiresAt, i.RequestedAt, i.DueAt, i.BreachedAt is not null, i.Priority, i.RemindAt, i.Rule,
        i.Rule is null ? null : RoutingRules.Explain(i.Rule, i.Confidence, i.Threshold, i.RuleDetail), i.ClaimedByName, i.ClaimedAt);
}
