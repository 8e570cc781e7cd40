using System.Collections.Concurrent;
using System.Threading.Channels;
using Marten;
using Npgsql;
using ReviewFlow.Audit.Chain;
using ReviewFlow.Audit.Checkpoints;
using ReviewFlow.Audit.Decisions;

namespace ReviewFlow.Audit.Verification;

/// <summary>A whole-store verification: its progress and result, stored as a Marten document ("audit_verification").</summary>
public sealed class VerificationRun
{
    /// <summary>At most this many findings are kept in the run; MismatchCount counts them all.</summary>
    public const int MaxListed = 1000;

    public Guid Id { get; set; }
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    /// <summary>queued, running, intact, mismatch or failed.</summary>
    public string Status { get; set; } = "queued";
    public long StreamsTotal { get; set; }
    public long StreamsChecked { get; set; }
    public long EventsChecked { get; set; }
    public long DecisionRecordsChecked { get; set; }
    public ChainFinding? FirstMismatch { get; set; }
    /// <summary>Every finding, in stream order (the first <see cref="MaxListed"/>).</summary>
    public List<ChainFinding> Mismatches { get; set; } = [];
    public long MismatchCount { get; set; }
    /// <summary>The signed checkpoints the chain was checked against, and where they came from (auditor, sink or none).</summary>
    public CheckpointStatus? Checkpoints { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public void Add(IEnumerable<ChainFinding> findings)
    {
        foreach (var f in findings)
        {
            FirstMismatch ??= f;
            MismatchCount++;
            if (Mismatches.Count < MaxListed) Mismatches.Add(f);
        }
    }
}

/// <summary>
/// Runs queued verifications one at a time in the web host (no Hangfire dependency; a restart abandons a running one).
/// Checkpoints an auditor supplies stay in memory with the queued id, never in the database.
/// </summary>
public sealed class VerificationQueue
{
    readonly Channel<Guid> _channel = Channel.CreateUnbounded<Guid>();
    readonly ConcurrentDictionary<Guid, IReadOnlyList<SignedCheckpoint>> _supplied = new();
    public ChannelReader<Guid> Reader => _channel.Reader;

    public async Task<VerificationRun> EnqueueAsync(IDocumentStore store, string requestedBy, IReadOnlyList<SignedCheckpoint>? checkpoints,
        TimeProvider clock, CancellationToken ct)
    {
        var run = new VerificationRun { Id = Guid.NewGuid(), RequestedBy = requestedBy, RequestedAt = clock.GetUtcNow() };
        await using (var session = store.LightweightSession())
        {
            session.Store(run);
            await session.SaveChangesAsync(ct);
        }
        if (checkpoints is { Count: > 0 }) _supplied[run.Id] = checkpoints;
        await _channel.Writer.WriteAsync(run.Id, ct);
        return run;
    }

    public IReadOnlyList<SignedCheckpoint>? TakeSupplied(Guid id) => _supplied.TryRemove(id, out var c) ? c : null;
}

public sealed class VerificationWorker(VerificationQueue queue, IDocumentStore store, ChainVerifier verifier, DecisionRecordCheck records,
    TrustedCheckpoints trusted, AuditDatabase db, TimeProvider clock, ILogger<VerificationWorker> log) : BackgroundService
{
    const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var id in queue.Reader.ReadAllAsync(stoppingToken))
        {
            await using var session = store.LightweightSession();
            var supplied = queue.TakeSupplied(id);
            var run = await session.LoadAsync<VerificationRun>(id, stoppingToken);
            if (run is null) continue;
            try
            {
                await RunAsync(run, supplied, session, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Verification {Id} failed", id);
                run.Status = "failed";
                run.Error = ex.Message;
                run.FinishedAt = clock.GetUtcNow();
                session.Store(run);
                await session.SaveChangesAsync(stoppingToken);
            }
        }
    }

    /// <summary>Every stream against the chain and the checkpoints, every decision record against its events: all findings, not the first.</summary>
    async Task RunAsync(VerificationRun run, IReadOnlyList<SignedCheckpoint>? supplied, IDocumentSession session, CancellationToken ct)
    {
        run.Status = "running";
        run.StreamsTotal = await ScalarAsync<long>($"SELECT count(*) FROM {db.Schema}.mt_streams", ct);
        var checkpoints = await trusted.LoadAsync(supplied, ct);
        run.Checkpoints = checkpoints.Status;
        run.Add(checkpoints.Findings);
        await SaveAsync(run, session, ct);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var after = "";
        while (true)
        {
            var streams = await NextStreamsAsync(after, ct);
            if (streams.Count == 0) break;
            foreach (var result in await verifier.VerifyStreamsAsync(streams, checkpoints, ct))
            {
                run.StreamsChecked++;
                run.EventsChecked += result.EventsChecked;
                run.Add(result.Mismatches);
            }
            run.Add(await records.CheckAsync(streams, ct));
            run.DecisionRecordsChecked += streams.Count;
            seen.UnionWith(streams);
            after = streams[^1];
            run.StreamsTotal = Math.Max(run.StreamsTotal, run.StreamsChecked);
            await SaveAsync(run, session, ct);
        }
        // Checkpointed streams the store no longer lists at all (stream, events and chain deleted).
        var gone = checkpoints.Streams.Where(s => !seen.Contains(s)).ToList();
        if (gone.Count > 0) foreach (var result in await verifier.VerifyStreamsAsync(gone, checkpoints, ct)) run.Add(result.Mismatches);
        if (checkpoints.Latest is { } latest)
        {
            var now = await ScalarAsync<long>($"SELECT count(*) FROM {db.Schema}.rf_event_chain WHERE seq_id <= {latest.LastSeqId}", ct);
            if (now != latest.EventCount)
                run.Add([new ChainFinding(CheckpointedHeads.Stream, null, latest.LastSeqId,
                    $"signed checkpoint #{latest.Number} counts {latest.EventCount} events up to seq {latest.LastSeqId}; the chain now has {now}")]);
        }
        run.Add((await verifier.FindUnchainedStreamsAsync(VerificationRun.MaxListed, ct)).Where(f => !seen.Contains(f.StreamId)));
        run.Add(await records.OrphansAsync(VerificationRun.MaxListed, ct));
        run.Status = run.MismatchCount == 0 ? "intact" : "mismatch";
        run.FinishedAt = clock.GetUtcNow();
        await SaveAsync(run, session, ct);
        log.LogInformation("Verification {Id}: {Status} after {Streams} streams, {Count} findings", run.Id, run.Status, run.StreamsChecked, run.MismatchCount);
    }

    /// <summary>The next streams by id: those Marten lists and those the chain knows (a deleted stream row is still checked).</summary>
    async Task<List<string>> NextStreamsAsync(string after, CancellationToken ct)
    {
        var s = db.Schema;
        await using var command = db.DataSource.CreateCommand($"""
            SELECT id FROM (
                (SELECT id FROM {s}.mt_streams WHERE id > $1 ORDER BY id LIMIT {BatchSize})
                UNION
                (SELECT DISTINCT stream_id FROM {s}.rf_event_chain WHERE stream_id > $1 ORDER BY stream_id LIMIT {BatchSize})
            ) ids ORDER BY id LIMIT {BatchSize}
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    async Task<T> ScalarAsync<T>(string sql, CancellationToken ct)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    static async Task SaveAsync(VerificationRun run, IDocumentSession session, CancellationToken ct)
    {
        session.Store(run);
        await session.SaveChangesAsync(ct);
    }
}
