using Npgsql;

namespace ReviewFlow.Audit.Chain;

/// <summary>What verification found: intact, or the first event (per stream, in version order) that does not match.</summary>
public sealed record ChainFinding(string StreamId, long? Version, long? SeqId, string Problem);

public sealed record StreamVerification(string StreamId, bool Intact, int EventsChecked, string? HeadHash, ChainFinding? FirstMismatch);

/// <summary>
/// Recomputes each stream's chain in version order with the same SQL function the trigger used, and names the first
/// event that does not match: content changed (hash differs), event deleted (its chain entry has no event), chain
/// entry deleted or altered (previous hash or version sequence broken), event not chained (written around the trigger),
/// or events missing at the end (the stream's recorded version is beyond the last chained event).
/// </summary>
public sealed class ChainVerifier(AuditDatabase db)
{
    static readonly byte[] Genesis = new byte[32];

    public async Task<StreamVerification> VerifyStreamAsync(string streamId, CancellationToken ct = default)
    {
        var results = await VerifyStreamsAsync([streamId], ct);
        return results[0];
    }

    /// <summary>Verifies the given streams with one query; the answers come in the order asked.</summary>
    public Task<IReadOnlyList<StreamVerification>> VerifyStreamsAsync(IReadOnlyList<string> streamIds, CancellationToken ct = default) =>
        db.ReadAsync(ct => VerifyAsync(streamIds, ct), ct);

    async Task<IReadOnlyList<StreamVerification>> VerifyAsync(IReadOnlyList<string> streamIds, CancellationToken ct)
    {
        var s = db.Schema;
        var sql = $"""
            SELECT c.stream_id, c.version, c.seq_id, c.prev_hash, c.hash, e.seq_id IS NOT NULL AS present,
                   CASE WHEN e.seq_id IS NULL THEN NULL
                        ELSE {s}.rf_event_hash(c.prev_hash, e.stream_id, e.version, e.seq_id, e.id, e.type, e.data, e.timestamp) END
              FROM {s}.rf_event_chain c LEFT JOIN {s}.mt_events e ON e.seq_id = c.seq_id
             WHERE c.stream_id = ANY($1)
            UNION ALL
            SELECT e.stream_id, e.version, e.seq_id, NULL, NULL, true, NULL
              FROM {s}.mt_events e
             WHERE e.stream_id = ANY($1) AND NOT EXISTS (SELECT 1 FROM {s}.rf_event_chain c WHERE c.seq_id = e.seq_id)
            ORDER BY 1, 2, 3
            """;
        await using var connection = await db.DataSource.OpenConnectionAsync(ct);
        var ids = streamIds.ToArray();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(sql) { Parameters = { new() { Value = ids } } },
                new NpgsqlBatchCommand($"SELECT id, version FROM {s}.mt_streams WHERE id = ANY($1)") { Parameters = { new() { Value = ids } } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var walks = streamIds.ToDictionary(id => id, id => new Walk(id));
        while (await reader.ReadAsync(ct))
        {
            var stream = reader.GetString(0);
            walks[stream].Next(reader.GetInt64(1), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : (byte[])reader[3], reader.IsDBNull(4) ? null : (byte[])reader[4],
                reader.GetBoolean(5), reader.IsDBNull(6) ? null : (byte[])reader[6]);
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct)) walks[reader.GetString(0)].End(reader.GetInt64(1));
        return streamIds.Select(id => walks[id].Result()).ToList();
    }

    /// <summary>Events that have no chain entry and whose stream has none either (a stream written entirely around the trigger).</summary>
    public Task<ChainFinding?> FindUnchainedStreamAsync(CancellationToken ct = default) => db.ReadAsync(FirstUnchainedAsync, ct);

    async Task<ChainFinding?> FirstUnchainedAsync(CancellationToken ct)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            SELECT e.stream_id, e.version, e.seq_id FROM {db.Schema}.mt_events e
             WHERE NOT EXISTS (SELECT 1 FROM {db.Schema}.rf_event_chain c WHERE c.seq_id = e.seq_id)
             ORDER BY e.seq_id LIMIT 1
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ChainFinding(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), "event not chained: it was written around the chain trigger")
            : null;
    }

    sealed class Walk(string streamId)
    {
        byte[] _prev = Genesis;
        long _expectedVersion = 1;
        int _checked;
        ChainFinding? _mismatch;
        bool _any;

        public void Next(long version, long seq, byte[]? prevHash, byte[]? hash, bool present, byte[]? recomputed)
        {
            if (_mismatch is not null) return;
            _checked++;
            _any = true;
            if (hash is null)
                Fail(version, seq, "event not chained: it was written around the chain trigger");
            else if (!present)
                Fail(version, seq, $"event deleted: version {version} (seq {seq}) is chained but no longer stored");
            else if (version != _expectedVersion)
                Fail(version, seq, $"gap: version {_expectedVersion}{(version - 1 > _expectedVersion ? $"–{version - 1}" : "")} missing before version {version} (event and chain entry deleted)");
            else if (!prevHash!.AsSpan().SequenceEqual(_prev))
                Fail(version, seq, $"chain broken at version {version}: its previous hash does not match version {version - 1}'s hash");
            else if (!recomputed!.AsSpan().SequenceEqual(hash))
                Fail(version, seq, $"content changed: version {version} (seq {seq}) no longer matches its hash");
            else
            {
                _prev = hash;
                _expectedVersion = version + 1;
            }
        }

        public void End(long streamVersion)
        {
            if (_mismatch is null && streamVersion >= _expectedVersion)
                Fail(streamVersion, null, $"gap: the stream is at version {streamVersion} but its chain ends at version {_expectedVersion - 1} (events deleted at the end)");
        }

        void Fail(long? version, long? seq, string problem) => _mismatch = new ChainFinding(streamId, version, seq, problem);

        public StreamVerification Result() =>
            new(streamId, _mismatch is null && _any, _checked, _mismatch is null && _any ? Convert.ToHexStringLower(_prev) : null,
                _mismatch ?? (_any ? null : new ChainFinding(streamId, null, null, "no such stream")));
    }
}
