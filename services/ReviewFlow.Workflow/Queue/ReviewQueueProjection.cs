using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.Workflow.Queue;

/// <summary>
/// Keeps each <see cref="ReviewQueueItem"/> as an inline projection: Marten runs it inside the SaveChangesAsync that
/// appends the saga's events, so the item commits (or rolls back) with them and a reviewer's 200 is already in the queue.
/// </summary>
public sealed class ReviewQueueProjection : IProjection
{
    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        // An automatically routed document (almost all traffic) has only intake and routing events: skipped before any query.
        if (!events.Any(e => ConcernsReview(e.Data))) return;
        foreach (var stream in events.Where(e => e.StreamKey is not null).GroupBy(e => e.StreamKey!))
        {
            var news = stream.Select(e => e.Data).OfType<IDocumentEvent>().ToList();
            if (!news.Any(ConcernsReview)) continue;
            ReviewQueueItem? item = null;
            if (!news.Any(e => e is ReviewRequested))
                item = await operations.LoadAsync<ReviewQueueItem>(stream.Key, cancellation)
                    // None for a document in review: it went there before this read model existed. Its history first.
                    ?? ReviewQueueItem.Fold(null, (await operations.Events.FetchStreamAsync(stream.Key, token: cancellation))
                        .Select(e => e.Data).OfType<IDocumentEvent>());
            if (ReviewQueueItem.Fold(item, news) is { } folded) operations.Store(folded);
        }
    }

    /// <summary>Any event but those of intake and routing (the routing outcome travels with a ReviewDecided when a reviewer decided).</summary>
    static bool ConcernsReview(object e) => e is IDocumentEvent
        and not (ClassificationReceived or ClassificationRejected or LaterClassificationIgnored or RoutingDecided or DocumentRouted);
}
