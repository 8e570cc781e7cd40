using System.Security.Claims;
using Marten;
using MassTransit;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// POST /api/v1/reviews/next: claims the task the caller should do next in their groups — breached ones first, then by
/// due time, then the oldest — and answers with it; a task someone takes meanwhile (or the saga refuses the caller,
/// e.g. a four-eyes first reviewer) is skipped for the following one. 404 when nothing is left to claim.
/// </summary>
public static class ClaimNext
{
    const int Tries = 10;

    public static Task<IResult> HandleAsync(ClaimsPrincipal user, IQuerySession session, IRequestClient<ClaimReview> client,
        CommandSeal seal, CancellationToken ct) => ByAsync(ReviewChannels.Web, user, session, client, seal, ct);

    /// <summary>The same, recorded as claimed in <paramref name="channel"/> (<see cref="ReviewChannels"/>).</summary>
    public static async Task<IResult> ByAsync(string channel, ClaimsPrincipal user, IQuerySession session, IRequestClient<ClaimReview> client,
        CommandSeal seal, CancellationToken ct)
    {
        var me = user.UserId();
        var supervisor = user.IsInRole(Roles.Supervisor);
        var groups = user.Groups().ToArray();
        string[] states = supervisor
            ? [DocumentStatus.AwaitingReview, DocumentStatus.AwaitingSecondReview, DocumentStatus.Escalated]
            : [DocumentStatus.AwaitingReview, DocumentStatus.AwaitingSecondReview];
        var open = session.Query<ReviewQueueItem>().Where(x => x.Status.IsOneOf(states) && x.ReviewerGroup.IsOneOf(groups)
            && x.ClaimedBy == null && (x.FirstReviewerId == null || x.FirstReviewerId != me));
        // Postgres sorts NULL due times last: tasks without an SLA come after every task with one.
        var breached = await open.Where(x => x.BreachedAt != null).OrderBy(x => x.DueAt).ThenBy(x => x.RequestedAt).Take(Tries).ToListAsync(ct);
        var rest = await open.Where(x => x.BreachedAt == null).OrderBy(x => x.DueAt).ThenBy(x => x.RequestedAt).Take(Tries).ToListAsync(ct);
        foreach (var task in breached.Concat(rest).Take(Tries))
        {
            var response = await seal.RequestAsync(client, new ClaimReview(task.DocumentId, me, supervisor, user.ReviewRole(), user.DisplayName(), channel), ct);
            if (response.Is(out Response<ReviewCommandAccepted>? accepted))
                return TypedResults.Ok(new NextTask(task.DocumentId, accepted!.Message.Status, task.BreachedAt is not null, task.DueAt));
        }
        return TypedResults.Problem(statusCode: 404, title: "Nothing to review",
            detail: "No unclaimed task is waiting in your groups. New tasks appear in the queue live.");
    }
}

public sealed record NextTask(string DocumentId, string Status, bool Breached, DateTimeOffset? DueAt);
