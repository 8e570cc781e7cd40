using Npgsql;
using ReviewFlow.Audit.Checkpoints;

namespace ReviewFlow.Audit.Chain;

/// <summary>One thing verification found wrong: the stream, the event (version, seq) where known, and what.</summary>
public sealed record ChainFinding(string StreamId, long? Version, long? SeqId, string Problem);

/// <summary>A stream's verification: every finding in version order (FirstMismatch is the first, kept for older clients).</summary>
public sealed record StreamVerification(string StreamId, bool Intact, int EventsChecked, string? HeadHash, ChainFinding? FirstMismatch,
    IReadOnlyList<ChainFinding> Mismatches, long? CheckpointedVersion);

/// <summary>
/// Recomputes each stream's chain in version order with the same SQL function the trigger used and names every event
/// that does not match: content changed (hash differs), event deleted (its chain entry has no event), chain entry
/// deleted or altered (previous hash or version sequence broken), event not chained (written around the trigger),
/// events missing at the end, an event inserted other than through Marten's append function. Against signed
/// checkpoints it also finds a chain rewritten consistently (the checkpointed head no longer matches) and an event
/// slipped in under a sequence number a checkpoint already covered (docs/adr/0013). The walk goes on after a finding,
/// from the stored hash, so one change does not hide the next.
/// </summary>
public sealed class ChainVerifier(AuditDatabase db)
{
    static readonly byte[] Genesis = new byte[32];

    public async Task<StreamVerification> VerifyStreamAsync(string streamId, CheckpointedHeads checkpoints, CancellationToken ct = default) =>
        (await VerifyStreamsAsync([streamId], checkpoints, ct))[0];

    /// <summary>Verifies the given streams with one query; the answers come in the order asked.</summary>
    public Task<IReadOnlyList<StreamVerification>> VerifyStreamsAsync(IReadOnlyList<string> streamIds, CheckpointedHeads? checkpoints = null,
        CancellationToken ct = default) =>
        db.ReadAsync(ct => VerifyAsync(streamIds, checkpoints ?? CheckpointedHeads.None, ct), ct);

    async Task<IReadOnlyList<StreamVerification>> VerifyAsync(IReadOnlyList<string> streamIds, CheckpointedHeads checkpoints, CancellationToken ct)
    {
        var s = db.Schema;
        var sql = $"""
            SELECT c.stream_id, c.version, c.seq_id, c.prev_hash, c.hash, e.seq_id IS NOT NULL AS present,
                   CASE WHEN e.seq_id IS NULL THEN NULL
                        ELSE {s}.rf_event_hash(c.prev_hash, e.stream_id, e.version, e.seq_id, e.id, e.type, e.data, e.timestamp) END,
                   c.via, c.appended_by, c.txid
              FROM {s}.rf_event_chain c LEFT JOIN {s}.mt_events e ON e.seq_id = c.seq_id
             WHERE c.stream_id = ANY($1)
            UNION ALL
            SELECT e.stream_id, e.version, e.seq_id, NULL, NULL, true, NULL, NULL, NULL, NULL
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
        var walks = streamIds.ToDictionary(id => id, id => new Walk(id, checkpoints));
        while (await reader.ReadAsync(ct))
        {
            var stream = reader.GetString(0);
            walks[stream].Next(new Row(reader.GetInt64(1), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : (byte[])reader[3], reader.IsDBNull(4) ? null : (byte[])reader[4],
                reader.GetBoolean(5), reader.IsDBNull(6) ? null : (byte[])reader[6],
                reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetInt64(9)));
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct)) walks[reader.GetString(0)].StreamVersion = reader.GetInt64(1);
        return streamIds.Select(id => walks[id].Result()).ToList();
    }

    /// <summary>Streams with events but no chain entry at all (written entirely around the trigger): one finding each, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<ChainFinding>> FindUnchainedStreamsAsync(int limit, CancellationToken ct = default) =>
        db.ReadAsync(async ct =>
        {
            await using var command = db.DataSource.CreateCommand($"""
                SELECT DISTINCT ON (e.stream_id) e.stream_id, e.version, e.seq_id FROM {db.Schema}.mt_events e
                 WHERE NOT EXISTS (SELECT 1 FROM {db.Schema}.rf_event_chain c WHERE c.stream_id = e.stream_id)
                 ORDER BY e.stream_id, e.version LIMIT {limit}
                """);
            var found = new List<ChainFinding>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                found.Add(new ChainFinding(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), "event not chained: it was written around the chain trigger"));
            return (IReadOnlyList<ChainFinding>)found;
        }, ct);

    sealed record Row(long Version, long Seq, byte[]? PrevHash, byte[]? Hash, bool Present, byte[]? Recomputed, string? Via, string? Role, long? TxId);

    sealed class Walk(string streamId, CheckpointedHeads checkpoints)
    {
        readonly List<ChainFinding> _findings = [];
        readonly (CheckpointHead Head, long Number)? _checkpointed = checkpoints.For(streamId);
        byte[] _prev = Genesis;
        long _expectedVersion = 1, _coveredVersion;
        int _checked;
        string? _hashAtCheckpoint;

        public long? StreamVersion { get; set; }

        public void Next(Row r)
        {
            _checked++;
            var (version, seq) = (r.Version, r.Seq);
            if (checkpoints.Latest is { } latest && seq <= latest.LastSeqId) _coveredVersion = Math.Max(_coveredVersion, version);
            if (r.Hash is null)
            {
                Fail(version, seq, "event not chained: it was written around the chain trigger");
                _expectedVersion = version + 1;
                return;
            }
            if (_checkpointed is { } c && c.Head.Version == version) _hashAtCheckpoint = Convert.ToHexStringLower(r.Hash);
            if (!r.Present)
                Fail(version, seq, $"event deleted: version {version} (seq {seq}) is chained but no longer stored");
            if (version > _expectedVersion)
                Fail(version, seq, $"gap: version {_expectedVersion}{(version - 1 > _expectedVersion ? $"–{version - 1}" : "")} missing before version {version} (event and chain entry deleted)");
            else if (!r.PrevHash!.AsSpan().SequenceEqual(_prev))
                Fail(version, seq, $"chain broken at version {version}: its previous hash does not match version {version - 1}'s hash");
            if (r.Present && !r.Recomputed!.AsSpan().SequenceEqual(r.Hash))
                Fail(version, seq, $"content changed: version {version} (seq {seq}) no longer matches its hash");
            if (r.Via == "direct")
                Fail(version, seq, $"not appended through Marten: version {version} (seq {seq}) was inserted directly by role {r.Role} (transaction {r.TxId})");
            else if (checkpoints.RecordedDirect(seq) is { } number)
                Fail(version, seq, $"provenance rewritten: signed checkpoint #{number} recorded version {version} (seq {seq}) as a direct insert; the chain now says '{r.Via}'");
            _prev = r.Hash;
            _expectedVersion = version + 1;
        }

        void Fail(long? version, long? seq, string problem) => _findings.Add(new ChainFinding(streamId, version, seq, problem));

        public StreamVerification Result()
        {
            if (_checked == 0)
            {
                if (_checkpointed is { } gone)
                    Fail(gone.Head.Version, null, $"stream deleted: signed checkpoint #{gone.Number} has it at version {gone.Head.Version}, the store has none of its events");
                else Fail(null, null, "no such stream");
                return new(streamId, false, 0, null, _findings[0], _findings, _checkpointed?.Head.Version);
            }
            if (StreamVersion is { } v && v >= _expectedVersion)
                Fail(v, null, $"gap: the stream is at version {v} but its chain ends at version {_expectedVersion - 1} (events deleted at the end)");
            if (_checkpointed is var (head, number))
            {
                if (_hashAtCheckpoint is null)
                    Fail(head.Version, null, $"checkpoint mismatch: signed checkpoint #{number} has version {head.Version}, which the chain no longer has");
                else if (_hashAtCheckpoint != head.Hash)
                    Fail(head.Version, null, $"checkpoint mismatch: the chain at version {head.Version} no longer matches signed checkpoint #{number} " +
                        "(events up to that version were rewritten, chain included)");
            }
            if (checkpoints.Latest is { } latest && _coveredVersion > (_checkpointed?.Head.Version ?? 0))
                Fail(_coveredVersion, null, $"back-filled: version {_coveredVersion} has a sequence number covered by signed checkpoint " +
                    $"#{latest.Number} (up to seq {latest.LastSeqId}), which does not include it");
            var intact = _findings.Count == 0;
            return new(streamId, intact, _checked, intact ? Convert.ToHexStringLower(_prev) : null, _findings.FirstOrDefault(), _findings,
                _checkpointed?.Head.Version);
        }
    }
}
