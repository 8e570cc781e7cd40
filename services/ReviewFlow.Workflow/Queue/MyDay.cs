using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Queue;

/// <summary>GET /api/v1/me/today, "my work today" (UTC day): what I decided, what I hold, my first reviews waiting for a second reviewer.</summary>
public sealed record MyDay(DateTimeOffset Since, int Decided, int Confirmed, int Corrected, int Rejected, int Holding,
    int AwaitingSecondReview, IReadOnlyList<MyDecision> Items)
{
    public static async Task<Ok<MyDay>> GetAsync(ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var me = user.UserId();
        var since = new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var decided = await session.Query<ReviewQueueItem>()
            .Where(x => x.DecidedBy == me && x.DecidedAt >= since).OrderByDescending(x => x.DecidedAt).Take(500).ToListAsync(ct);
        var holding = await session.Query<ReviewQueueItem>().Where(x => x.ClaimedBy == me).CountAsync(ct);
        var awaitingSecond = await session.Query<ReviewQueueItem>()
            .Where(x => x.FirstReviewerId == me && x.Status == DocumentStatus.AwaitingSecondReview).CountAsync(ct);
        return TypedResults.Ok(new MyDay(since, decided.Count, decided.Count(d => d.Outcome == DecisionOutcomes.Confirmed),
            decided.Count(d => d.Outcome == DecisionOutcomes.Corrected), decided.Count(d => d.Outcome == DecisionOutcomes.Rejected), holding,
            awaitingSecond, decided.Select(d => new MyDecision(d.DocumentId, d.DocumentType, d.PredictedLabel, d.FinalLabel!,
                d.Outcome!, d.DecidedAt!.Value, d.ReasonCode)).ToList()));
    }
}

/// <summary>One of my decisions today, newest first: what was recorded (ReasonCode: none for a confirmation).</summary>
public sealed record MyDecision(string DocumentId, string DocumentType, string PredictedLabel, string FinalLabel, string Outcome,
    DateTimeOffset DecidedAt, string? ReasonCode);
