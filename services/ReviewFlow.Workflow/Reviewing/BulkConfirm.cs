using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// POST /api/v1/reviews/bulk-confirm {documentIds, comment} (supervisors): still a claim and a decision per document,
/// each recorded and audited on its own; the answer says what happened to each (a document someone else holds is
/// refused, not taken).
/// </summary>
static class BulkConfirm
{
    public static async Task<IResult> HandleAsync(BulkConfirmRequest body, ClaimsPrincipal user, IQuerySession session,
        IRequestClient<ClaimReview> claims, IRequestClient<DecideReview> decisions, CommandSeal seal, CancellationToken ct)
    {
        if (body.DocumentIds is not { Count: > 0 and <= 200 } ids)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["documentIds"] = ["1 to 200 document ids"] });
        var results = new List<BulkConfirmResult>();
        foreach (var id in ids.Distinct())
        {
            var claimed = await ReviewingSlice.SendAsync(id, user, session, claims, seal, new ClaimReview(id, user.UserId(), AsSupervisor: true, Roles.Supervisor, user.DisplayName(), ReviewChannels.Web), ct);
            var outcome = claimed is Ok<ReviewCommandAccepted>
                ? await ReviewingSlice.SendAsync(id, user, session, decisions, seal,
                    new DecideReview(id, user.UserId(), DecideReview.Confirm, Comment: body.Comment, ActorRole: Roles.Supervisor, Channel: ReviewChannels.Web), ct)
                : claimed;
            results.Add(outcome switch
            {
                Ok<ReviewCommandAccepted> ok => new BulkConfirmResult(id, 200, ok.Value!.Status, null),
                ProblemHttpResult problem => new BulkConfirmResult(id, problem.StatusCode, null, problem.ProblemDetails.Detail),
                _ => new BulkConfirmResult(id, 500, null, "unexpected answer"),
            });
        }
        return TypedResults.Ok(results);
    }
}

public sealed record BulkConfirmRequest(IReadOnlyList<string>? DocumentIds, string? Comment);

public sealed record BulkConfirmResult(string DocumentId, int Status, string? DocumentStatus, string? Reason);
