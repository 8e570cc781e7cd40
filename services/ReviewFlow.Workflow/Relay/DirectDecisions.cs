using System.Diagnostics;
using System.Threading.Channels;
using JasperFx.Events;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Operations;
using Weasel.Postgresql.Tables;

namespace ReviewFlow.Workflow.Relay;

/// <summary>
/// The decisions of the first receipts (<see cref="FirstReceipts"/>) go out right after their commit, from the process
/// that committed them, instead of a polling interval later from the relay (docs/adr/0027). The first receipts'
/// transaction claims each such decision with a row in rf_direct_decision; after the commit this process publishes it
/// under its event id, as the relay would, and marks the row published. The relay skips every claimed decision.
/// A claim left unpublished (the process died after the commit, the broker did not confirm) is published by the
/// <see cref="DecisionReconciler"/> once it is <see cref="RelayOptions.ClaimTimeout"/> old; this process does not start
/// publishing one later than half that less the publish timeout after its transaction began, and marks what it sent
/// within 50 ms (retried for ~10 s), so the two do not both publish one while the process lives. The
/// reconciler also deletes published claims the relay has passed.
/// </summary>
public sealed class DirectDecisions
{
    public const string Table = "rf_direct_decision";
    const int MaxPage = 500;
    // Short: a worker killed after sending and before marking leaves what it sent to be sent again (same ids). Long
    // enough to gather many batches at saturation (~60 a second), so marking costs a few commits a second, not one per batch.
    static readonly TimeSpan MarkDelay = TimeSpan.FromMilliseconds(50);

    readonly IDocumentStore _store;
    readonly IBus _bus;
    readonly RelayOptions _options;
    readonly ReviewFlowMetrics _metrics;
    readonly ILogger<DirectDecisions> _log;
    readonly Channel<Committed> _queue = Channel.CreateUnbounded<Committed>(new UnboundedChannelOptions { SingleReader = true });
    // Commits handed to Send whose decisions are not yet published and marked, or given to the reconciler (DrainAsync).
    int _outstanding;

    public DirectDecisions(IDocumentStore store, IBus bus, IOptions<RelayOptions> options, ReviewFlowMetrics metrics, ILogger<DirectDecisions> log)
    {
        (_store, _bus, _options, _metrics, _log) = (store, bus, options.Value, metrics, log);
        using (ExecutionContext.SuppressFlow()) _ = Task.Run(SendLoopAsync);
    }

    /// <summary>The table, created with Marten's other objects (migration).</summary>
    public static Table Definition(string schema)
    {
        var table = new Table($"{schema}.{Table}");
        table.AddColumn<string>("stream_id").AsPrimaryKey();
        table.AddColumn<long>("version").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("claimed_at").NotNull().DefaultValueByExpression("clock_timestamp()");
        table.AddColumn<bool>("published").NotNull().DefaultValueByExpression("false");
        return table;
    }

    /// <summary>In the transaction that appends them: these decisions (stream, version of the DocumentRouted) are this process's to publish.</summary>
    public static void Claim(IDocumentSession session, IReadOnlyList<(string Stream, long Version)> decisions)
    {
        // Called before the commit, so the event ids are not known yet: a claim is by stream and version.
        if (decisions.Count == 0) return;
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        session.QueueSqlCommand($"insert into {schema}.{Table} (stream_id, version) select * from unnest(?::text[], ?::bigint[])",
            decisions.Select(d => d.Stream).ToArray(), decisions.Select(d => d.Version).ToArray());
    }

    /// <summary>
    /// After the commit: publish these committed, claimed DocumentRouted events (in the background, in order of commit).
    /// <paramref name="claimedBy"/>: <see cref="Stopwatch.GetTimestamp"/> taken before the transaction that claimed them began.
    /// </summary>
    public void Send(IReadOnlyList<DirectDecision> decisions, long claimedBy)
    {
        if (decisions.Count == 0) return;
        Interlocked.Increment(ref _outstanding);
        _queue.Writer.TryWrite(new Committed(decisions, claimedBy, DateTimeOffset.UtcNow));
    }

    /// <summary>Commits whose decisions are not yet sent and marked (<see cref="DrainAsync"/>).</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>
    /// Waits until every decision handed to <see cref="Send"/> so far is published and marked, or left to the
    /// reconciler, at most <paramref name="timeout"/>: a worker stopping gracefully sends what it committed before its
    /// bus goes (<see cref="DirectDecisionsDrain"/>), instead of leaving it a claim timeout to another worker.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Outstanding > 0)
        {
            if (clock.Elapsed >= timeout) return false;
            await Task.Delay(10);
        }
        return true;
    }

    async Task SendLoopAsync()
    {
        var reader = _queue.Reader;
        var sent = new List<DirectDecision>();
        var sentCommits = 0; // the commits whose decisions are in `sent`
        long firstSent = 0;
        while (true)
        {
            // The claims of what was sent are marked together, at most MarkDelay after the first: one statement (and
            // one commit) for many batches at saturation, instead of one per batch.
            if (sent.Count > 0)
            {
                var wait = MarkDelay - Stopwatch.GetElapsedTime(firstSent);
                if (wait <= TimeSpan.Zero || sent.Count >= MaxPage || !await ReadableWithinAsync(reader, wait))
                {
                    await MarkPublishedAsync(sent);
                    sent = [];
                    Interlocked.Add(ref _outstanding, -sentCommits);
                    sentCommits = 0;
                    continue;
                }
            }
            else if (!await reader.WaitToReadAsync()) return;

            var page = new List<Committed>();
            var count = 0;
            while (count < MaxPage && reader.TryRead(out var next))
            {
                page.Add(next);
                count += next.Decisions.Count;
            }
            try
            {
                var published = await SendAsync(page);
                if (published.Count > 0)
                {
                    if (sent.Count == 0) firstSent = Stopwatch.GetTimestamp();
                    sent.AddRange(published);
                    sentCommits += page.Count;
                }
                else Interlocked.Add(ref _outstanding, -page.Count); // none sent: the reconciler's
            }
            catch (Exception ex) // never stop: the next commits' decisions wait behind this loop
            {
                _log.LogError(ex, "Sending {Count} decisions directly failed; the reconciler publishes them", count);
                Interlocked.Add(ref _outstanding, -page.Count);
            }
        }
    }

    static async Task<bool> ReadableWithinAsync(ChannelReader<Committed> reader, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Publishes the page's decisions that are still this process's to send; returns those the broker confirmed.</summary>
    async Task<List<DirectDecision>> SendAsync(List<Committed> page)
    {
        // A claim this old may already be the reconciler's: leave it to it.
        var deadline = _options.ClaimTimeout / 2;
        var fresh = page.Where(c => Stopwatch.GetElapsedTime(c.At) + _options.PublishTimeout < deadline).ToList();
        var decisions = fresh.SelectMany(c => c.Decisions).ToList();
        if (fresh.Count < page.Count)
            _log.LogWarning("{Count} decisions waited too long to be sent directly; the reconciler publishes them",
                page.Sum(c => c.Decisions.Count) - decisions.Count);
        if (decisions.Count == 0) return [];
        try
        {
            await DecisionRelay.PublishAsync(_bus, decisions.Select(d => (d.EventId, d.Routed)).ToList(), _options.PublishTimeout, CancellationToken.None);
        }
        catch (Exception ex) when (ex is DecisionPublishTimeoutException or MassTransitException or OperationCanceledException)
        {
            _log.LogWarning("Publishing {Count} decisions directly failed ({Reason}); the reconciler publishes them", decisions.Count, ex.Message);
            return [];
        }
        _metrics.DecisionsPublished(fresh.SelectMany(c => c.Decisions.Select(_ => c.CommittedAt)), DateTimeOffset.UtcNow);
        return decisions;
    }

    /// <summary>
    /// Marks the claims published, retried for a few seconds (a database restart): a claim left unmarked is published
    /// again by the reconciler, under the same message id.
    /// </summary>
    async Task MarkPublishedAsync(List<DirectDecision> decisions)
    {
        try
        {
            await TryMarkPublishedAsync(decisions);
        }
        catch (Exception ex)
        {
            _log.LogWarning("Marking {Count} direct decisions sent failed ({Reason}); the reconciler sends them again, under the same ids",
                decisions.Count, ex.Message);
        }
    }

    async Task TryMarkPublishedAsync(List<DirectDecision> decisions)
    {
        var schema = _store.Options.Events.DatabaseSchemaName;
        var streams = decisions.Select(e => e.Stream).ToArray();
        var versions = decisions.Select(e => e.Version).ToArray();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = _store.Storage.Database.CreateConnection();
                await connection.OpenAsync();
                await using var cmd = new NpgsqlCommand(
                    $"update {schema}.{Table} d set published = true from unnest($1::text[], $2::bigint[]) as p(stream_id, version) " +
                    "where d.stream_id = p.stream_id and d.version = p.version", connection)
                {
                    Parameters = { new() { Value = streams }, new() { Value = versions } },
                };
                await cmd.ExecuteNonQueryAsync();
                return;
            }
            catch (NpgsqlException ex) when (attempt < 5)
            {
                _log.LogDebug("Marking {Count} direct decisions published failed ({Reason}); retrying", decisions.Count, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
        }
    }

    sealed record Committed(IReadOnlyList<DirectDecision> Decisions, long At, DateTimeOffset CommittedAt);
}

/// <summary>A committed DocumentRouted claimed for direct sending: its stream and version (the claim), and its event id (the message id).</summary>
public sealed record DirectDecision(string Stream, long Version, Guid EventId, DocumentRouted Routed);

/// <summary>
/// On a graceful stop, each intake endpoint's completion (after its last delivery, while the bus can still publish)
/// waits for the direct decisions committed so far to be sent (<see cref="DirectDecisions.DrainAsync"/>, at most the
/// publish timeout plus a second). Not on an endpoint's restart after a broker failure: that must not wait.
/// <see cref="DirectDecisions"/> is resolved when needed: it needs the bus, which is being built when this is.
/// </summary>
public sealed class DirectDecisionsDrain(IServiceProvider services, IHostApplicationLifetime lifetime, IOptions<RelayOptions> options,
    ILogger<DirectDecisionsDrain> log) : IReceiveEndpointObserver
{
    public Task Ready(ReceiveEndpointReady ready) => Task.CompletedTask;
    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;
    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;

    public async Task Completed(ReceiveEndpointCompleted completed)
    {
        var queue = completed.InputAddress.AbsolutePath.Split('/')[^1];
        if (!lifetime.ApplicationStopping.IsCancellationRequested ||
            queue is not (Intake.IntakeSlice.RawClassificationsQueue or Intake.IntakeSlice.TypedClassificationsQueue)) return;
        var direct = services.GetRequiredService<DirectDecisions>();
        if (direct.Outstanding == 0) return;
        log.LogInformation("Stopping: sending the decisions of {Count} commits first ({Queue} done)", direct.Outstanding, queue);
        if (!await direct.DrainAsync(options.Value.PublishTimeout + TimeSpan.FromSeconds(1)))
            log.LogWarning("Stopping with direct decisions unsent; the reconciler publishes them");
    }
}
