using System.Security.Claims;
using Marten;
using MassTransit;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// POST /api/v1/reviews/{id}/reassign {reviewerId, leaseMinutes?} (supervisors): hands the task to a member of its group
/// (a supervisor, when the task is escalated); <see cref="DocumentDecisions.Reassign"/> decides. leaseMinutes (1 to
/// 1440): how long it waits for the new holder; absent, until it is due (at most 8 h).
/// </summary>
static class Reassign
{
    public static async Task<IResult> HandleAsync(string documentId, ReassignRequest body, ClaimsPrincipal user, IQuerySession session,
        GroupDirectory directory, IRequestClient<ReassignReview> client, CommandSeal seal, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.ReviewerId))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reviewerId"] = ["is required"] });
        if (body.LeaseMinutes is < 1 or > 1440)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["leaseMinutes"] = ["must be between 1 and 1440"] });
        // An unknown document or another group's task: SendAsync's 404, before anything about the task's group is said.
        var task = await session.LoadAsync<ReviewQueueItem>(documentId, ct);
        if (task is null || !user.Groups().Contains(task.ReviewerGroup)) return ReviewingSlice.NoTask(documentId);
        var membership = directory.MemberOf(body.ReviewerId, task.ReviewerGroup);
        if (membership is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reviewerId"] = [$"{body.ReviewerId} is not in {task.ReviewerGroup}"] },
                title: "Not a member of the task's group");
        var toSupervisor = membership == true;
        return await ReviewingSlice.SendAsync(documentId, user, session, client, seal,
            new ReassignReview(documentId, user.UserId(), body.ReviewerId, toSupervisor, Roles.Supervisor, directory.NameOf(body.ReviewerId),
                body.LeaseMinutes is { } minutes ? clock.GetUtcNow().AddMinutes(minutes) : null), ct, task);
    }
}

public sealed record ReassignRequest(string? ReviewerId, int? LeaseMinutes = null);
