using System.Collections.Concurrent;
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
        // Reviewers pressing "next" together would all ask for the same first task, one after another (the saga takes a
        // document's messages one at a time): a task another request of this node is claiming is tried last instead.
        var candidates = breached.Concat(rest).Take(Tries).ToList();
        var busy = new List<ReviewQueueItem>();
        foreach (var task in candidates)
        {
            if (!Claiming.TryAdd(task.DocumentId, 0))
            {
                busy.Add(task);
                continue;
            }
            try
            {
                if (await TryClaimAsync(task) is { } claimed) return claimed;
            }
            finally
            {
                Claiming.TryRemove(task.DocumentId, out _);
            }
        }
        foreach (var task in busy)
            if (await TryClaimAsync(task) is { } claimed) return claimed;
        return TypedResults.Problem(statusCode: 404, title: "Nothing to review",
            detail: "No unclaimed task is waiting in your groups. New tasks appear in the queue live.");

        async Task<IResult?> TryClaimAsync(ReviewQueueItem task)
        {
            var response = await seal.RequestAsync(client, new ClaimReview(task.DocumentId, me, supervisor, user.ReviewRole(), user.DisplayName(), channel), ct);
            return response.Is(out Response<ReviewCommandAccepted>? accepted)
                ? TypedResults.Ok(new NextTask(task.DocumentId, accepted!.Message.Status, task.BreachedAt is not null, task.DueAt))
                : null;
        }
    }

    /// <summary>The tasks this node's "next" requests are claiming right now.</summary>
    static readonly ConcurrentDictionary<string, byte> Claiming = new(StringComparer.Ordinal);
}

public sealed record NextTask(string DocumentId, string Status, bool Breached, DateTimeOffset? DueAt);
