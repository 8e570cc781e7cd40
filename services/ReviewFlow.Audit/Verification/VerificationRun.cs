using System.Threading.Channels;
using Marten;
using Npgsql;
using ReviewFlow.Audit.Chain;

namespace ReviewFlow.Audit.Verification;

/// <summary>A whole-store verification: its progress and result, stored as a Marten document ("audit_verification").</summary>
public sealed class VerificationRun
{
    public Guid Id { get; set; }
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    /// <summary>queued, running, intact, mismatch or failed.</summary>
    public string Status { get; set; } = "queued";
    public long StreamsTotal { get; set; }
    public long StreamsChecked { get; set; }
    public long EventsChecked { get; set; }
    public ChainFinding? FirstMismatch { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>Runs queued verifications one at a time in the web host (no Hangfire dependency; a restart abandons a running one).</summary>
public sealed class VerificationQueue
{
    readonly Channel<Guid> _channel = Channel.CreateUnbounded<Guid>();
    public ChannelReader<Guid> Reader => _channel.Reader;

    public async Task<VerificationRun> EnqueueAsync(IDocumentStore store, string requestedBy, TimeProvider clock, CancellationToken ct)
    {
        var run = new VerificationRun { Id = Guid.NewGuid(), RequestedBy = requestedBy, RequestedAt = clock.GetUtcNow() };
        await using (var session = store.LightweightSession())
        {
            session.Store(run);
            await session.SaveChangesAsync(ct);
        }
        await _channel.Writer.WriteAsync(run.Id, ct);
        return run;
    }
}

public sealed class VerificationWorker(VerificationQueue queue, IDocumentStore store, ChainVerifier verifier, AuditDatabase db,
    TimeProvider clock, ILogger<VerificationWorker> log) : BackgroundService
{
    const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var id in queue.Reader.ReadAllAsync(stoppingToken))
        {
            await using var session = store.LightweightSession();
            var run = await session.LoadAsync<VerificationRun>(id, stoppingToken);
            if (run is null) continue;
            try
            {
                await RunAsync(run, session, stoppingToken);
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

    async Task RunAsync(VerificationRun run, IDocumentSession session, CancellationToken ct)
    {
        run.Status = "running";
        run.StreamsTotal = await ScalarAsync<long>($"SELECT count(*) FROM {db.Schema}.mt_streams", ct);
        await SaveAsync(run, session, ct);

        var after = "";
        while (run.FirstMismatch is null)
        {
            var streams = await NextStreamsAsync(after, ct);
            if (streams.Count == 0) break;
            foreach (var result in await verifier.VerifyStreamsAsync(streams, ct))
            {
                run.StreamsChecked++;
                run.EventsChecked += result.EventsChecked;
                if (result.FirstMismatch is { } m) { run.FirstMismatch = m; break; }
            }
            after = streams[^1];
            run.StreamsTotal = Math.Max(run.StreamsTotal, run.StreamsChecked);
            await SaveAsync(run, session, ct);
        }
        run.FirstMismatch ??= await verifier.FindUnchainedStreamAsync(ct);
        run.Status = run.FirstMismatch is null ? "intact" : "mismatch";
        run.FinishedAt = clock.GetUtcNow();
        await SaveAsync(run, session, ct);
        log.LogInformation("Verification {Id}: {Status} after {Streams} streams", run.Id, run.Status, run.StreamsChecked);
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
