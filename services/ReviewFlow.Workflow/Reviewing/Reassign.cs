using System.Security.Claims;
using Marten;
using MassTransit;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// POST /api/v1/reviews/{id}/reassign {reviewerId} (supervisors): hands the task to a member of its group (a supervisor,
/// when the task is escalated); <see cref="DocumentDecisions.Reassign"/> decides.
/// </summary>
static class Reassign
{
    public static async Task<IResult> HandleAsync(string documentId, ReassignRequest body, ClaimsPrincipal user, IQuerySession session,
        GroupDirectory directory, IRequestClient<ReassignReview> client, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.ReviewerId))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reviewerId"] = ["is required"] });
        // An unknown document or another group's task is answered by SendAsync (404 / 403).
        var state = await session.LoadAsync<DocumentState>(DocumentKey.For(documentId), ct);
        var membership = state?.ReviewerGroup is { } group ? directory.MemberOf(body.ReviewerId, group) : false;
        if (membership is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reviewerId"] = [$"{body.ReviewerId} is not in {state!.ReviewerGroup}"] },
                title: "Not a member of the task's group");
        var toSupervisor = membership == true;
        return await ReviewingSlice.SendAsync(documentId, user, session, client,
            new ReassignReview(documentId, user.UserId(), body.ReviewerId, toSupervisor), ct, state);
    }
}

public sealed record ReassignRequest(string? ReviewerId);
