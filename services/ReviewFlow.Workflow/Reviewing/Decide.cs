using System.Security.Claims;
using Marten;
using MassTransit;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// POST /api/v1/reviews/{id}/decision {outcome: confirm|correct|reject|escalate, label, reasonCode, comment}: 400 naming
/// what is missing (<see cref="DocumentDecisions.DecisionProblems"/>, the one check of a decision's shape) or outside the
/// type's catalogue and reason codes (<see cref="DocumentDecisions.CatalogueProblems"/>), otherwise the saga decides
/// (<see cref="DocumentDecisions.Decide"/>: claim held, four-eyes, supervisor).
/// </summary>
public static class Decide
{
    public static Task<IResult> HandleAsync(string documentId, DecisionRequest body, ClaimsPrincipal user, IQuerySession session,
        IRoutingPolicySource policies, IRequestClient<DecideReview> client, CommandSeal seal, CancellationToken ct) =>
        ByAsync(ReviewChannels.Web, documentId, body, user, session, policies, client, seal, ct);

    /// <summary>The same decision, recorded as made in <paramref name="channel"/> (<see cref="ReviewChannels"/>).</summary>
    public static async Task<IResult> ByAsync(string channel, string documentId, DecisionRequest body, ClaimsPrincipal user,
        IQuerySession session, IRoutingPolicySource policies, IRequestClient<DecideReview> client, CommandSeal seal, CancellationToken ct)
    {
        var problems = DocumentDecisions.DecisionProblems(body.Outcome, body.Label, body.ReasonCode);
        if (problems.Count > 0) return Incomplete(problems);
        var task = await session.LoadAsync<ReviewQueueItem>(documentId, ct);
        if (task is null || !user.Groups().Contains(task.ReviewerGroup)) return ReviewingSlice.NoTask(documentId);
        var type = (await policies.CurrentAsync(ct)).DocumentTypes.GetValueOrDefault(task.DocumentType);
        problems = DocumentDecisions.CatalogueProblems(task.DocumentType, type, body.Outcome!, body.Label, body.ReasonCode);
        if (problems.Count > 0) return Incomplete(problems);
        return await ReviewingSlice.SendAsync(documentId, user, session, client, seal,
            new DecideReview(documentId, user.UserId(), body.Outcome!, body.Label, body.ReasonCode, body.Comment, user.ReviewRole(), channel), ct, task);
    }

    static IResult Incomplete(IReadOnlyDictionary<string, string> problems) =>
        TypedResults.ValidationProblem(problems.ToDictionary(p => p.Key, p => new[] { p.Value }), title: "The decision is incomplete");
}

public sealed record DecisionRequest(string? Outcome, string? Label, string? ReasonCode, string? Comment);
