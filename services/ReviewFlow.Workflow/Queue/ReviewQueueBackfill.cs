using JasperFx;
using Marten;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.Workflow.Queue;

/// <summary>
/// Gives the documents that were open for review before <see cref="ReviewQueueItem"/> existed their item, folded from
/// their streams: once per schema when a host that migrates starts (a <see cref="ReviewQueueBackfillRun"/> marks it
/// done), and at every `--migrate`. Idempotent: a document that has an item keeps it.
/// </summary>
public sealed class ReviewQueueBackfill(IDocumentStore store, TimeProvider clock, ILogger<ReviewQueueBackfill> log) : IHostedService
{
    const int PageSize = 500;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var session = store.QuerySession())
            if (await session.LoadAsync<ReviewQueueBackfillRun>(ReviewQueueBackfillRun.TheId, cancellationToken) is not null) return;
        await RunAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Adds the missing items; returns how many.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> open;
        await using (var query = store.QuerySession())
            open = await query.Query<DocumentState>().Where(x => x.CurrentState.IsOneOf(DocumentStatus.Open))
                .Select(x => x.DocumentId).ToListAsync(cancellationToken);
        var added = 0;
        foreach (var page in open.Chunk(PageSize)) added += await AddMissingAsync(page, cancellationToken);

        await using var session = store.LightweightSession();
        session.Store(new ReviewQueueBackfillRun { At = clock.GetUtcNow(), Open = open.Count, Added = added });
        await session.SaveChangesAsync(cancellationToken);
        log.LogInformation("Review queue backfill: {Added} of {Open} open documents had no queue item", added, open.Count);
        return added;
    }

    async Task<int> AddMissingAsync(string[] documentIds, CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var session = store.LightweightSession();
            var existing = await session.Query<ReviewQueueItem>().Where(x => x.DocumentId.IsOneOf(documentIds))
                .Select(x => x.DocumentId).ToListAsync(cancellationToken);
            var missing = documentIds.Except(existing).ToArray();
            if (missing.Length == 0) return 0;
            var events = await session.Events.QueryAllRawEvents().Where(e => e.StreamKey!.IsOneOf(missing))
                .OrderBy(e => e.Sequence).ToListAsync(cancellationToken);
            var items = events.GroupBy(e => e.StreamKey!)
                .Select(stream => ReviewQueueItem.Fold(null, stream.Select(e => e.Data).OfType<IDocumentEvent>()))
                .OfType<ReviewQueueItem>().ToList();
            // Insert, not Store: an item the projection wrote meanwhile (a claim on one of these) is newer than this fold.
            foreach (var item in items) session.Insert(item);
            try
            {
                await session.SaveChangesAsync(cancellationToken);
                return items.Count;
            }
            catch (DocumentAlreadyExistsException)
            {
                // Look again: that document has its item now.
            }
        }
    }
}

/// <summary>The backfill's mark in the store: when it last ran and what it found.</summary>
public sealed class ReviewQueueBackfillRun
{
    public const string TheId = "review-queue-backfill";

    public string Id { get; set; } = TheId;
    public DateTimeOffset At { get; set; }
    public int Open { get; set; }
    public int Added { get; set; }
}
