using System.Data;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;
using ReviewFlow.Audit.Decisions;

namespace ReviewFlow.Audit.Checkpoints;

/// <summary>
/// The recurring checkpoint (Hangfire, Audit:CheckpointCron; one run at a time across the workers): signs the heads of
/// the streams that gained events since the previous checkpoint, stores the signed checkpoint (table
/// rf_audit_checkpoint, for the download endpoint) and writes it to the sink. Events chained within Audit:CheckpointLag
/// wait for the next run: an append that took its sequence number earlier may not have committed yet, and a later
/// commit below a signed LastSeqId would look back-filled.
/// </summary>
public sealed class CheckpointJob(AuditDatabase db, CheckpointSink sink, IOptions<AuditOptions> options, ILogger<CheckpointJob> log)
{
    public const string JobId = "audit-checkpoint";
    readonly CheckpointSigner? _signer = CheckpointSigner.From(options.Value);

    [JobDisplayName("Audit checkpoint")]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 0)] // the next run is the retry
    public async Task<long?> RunAsync(CancellationToken ct) => (await TakeAsync(ct))?.Number;

    /// <summary>The new checkpoint, or null when nothing was chained since the last one (or no key is configured).</summary>
    public async Task<SignedCheckpoint?> TakeAsync(CancellationToken ct)
    {
        if (_signer is null)
        {
            log.LogWarning("Audit:CheckpointKey is not set: no audit checkpoint taken");
            return null;
        }
        var s = db.Schema;
        SignedCheckpoint? taken = null, previous;
        await using (var connection = await db.DataSource.OpenConnectionAsync(ct))
        {
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            await ScalarAsync<object>(connection, tx, $"SELECT pg_advisory_xact_lock(hashtext('reviewflow-audit-checkpoint:{s}'))", ct);
            previous = await ScalarAsync<string>(connection, tx, $"SELECT envelope::text FROM {s}.rf_audit_checkpoint ORDER BY number DESC LIMIT 1", ct)
                is { } json ? JsonSerializer.Deserialize<SignedCheckpoint>(json, AuditJson.Options) : null;
            var before = previous?.Body();
            var from = before?.LastSeqId ?? 0;
            var last = await ScalarAsync<long?>(connection, tx,
                $"SELECT max(seq_id) FROM {s}.rf_event_chain WHERE seq_id > $1 AND coalesce(chained_at, at) <= clock_timestamp() - $2", ct,
                from, options.Value.CheckpointLag);
            if (last is { } upTo)
            {
                var (heads, count) = await HeadsAsync(connection, tx, from, upTo, ct);
                var direct = await ScalarAsync<long[]>(connection, tx,
                    $"SELECT coalesce(array_agg(seq_id ORDER BY seq_id), '{{}}') FROM {s}.rf_event_chain WHERE seq_id > $1 AND seq_id <= $2 AND via = 'direct'",
                    ct, from, upTo);
                var body = new CheckpointBody(s, (before?.Number ?? 0) + 1, await ScalarAsync<DateTime>(connection, tx, "SELECT clock_timestamp()", ct),
                    from, upTo, (before?.EventCount ?? 0) + count, previous?.Digest(), heads, direct);
                taken = SignedCheckpoint.Sign(body, _signer);
                await using var insert = new NpgsqlCommand(
                    $"INSERT INTO {s}.rf_audit_checkpoint (number, last_seq_id, taken_at, envelope) VALUES ($1, $2, $3, $4::jsonb)", connection, tx);
                insert.Parameters.Add(new NpgsqlParameter { Value = taken.Number });
                insert.Parameters.Add(new NpgsqlParameter { Value = taken.LastSeqId });
                insert.Parameters.Add(new NpgsqlParameter { Value = taken.TakenAt });
                insert.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(taken, AuditJson.Options) });
                await insert.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        // After the commit: a sink write that failed is made up by the next run (the previous one is written if missing).
        if (previous is not null && !sink.Has(previous.Number)) await sink.WriteAsync(previous, ct);
        if (taken is not null)
        {
            await sink.WriteAsync(taken, ct);
            log.LogInformation("Audit {Checkpoint} signed with key {KeyId}", taken, taken.KeyId);
        }
        return taken;
    }

    async Task<(List<CheckpointHead> Heads, long Count)> HeadsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long from, long upTo,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT DISTINCT ON (stream_id COLLATE "C") stream_id, version, hash, count(*) OVER ()
              FROM {db.Schema}.rf_event_chain WHERE seq_id > $1 AND seq_id <= $2
             ORDER BY stream_id COLLATE "C", version DESC
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = upTo });
        var heads = new List<CheckpointHead>();
        long count = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            heads.Add(new CheckpointHead(reader.GetString(0), reader.GetInt64(1), Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(2))));
            count = reader.GetInt64(3);
        }
        return (heads, count);
    }

    static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct, params object[] args)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var a in args) command.Parameters.Add(new NpgsqlParameter { Value = a });
        var value = await command.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default! : (T)value;
    }
}

