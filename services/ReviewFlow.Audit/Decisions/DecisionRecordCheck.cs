using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using Npgsql;
using ReviewFlow.Audit.Chain;

namespace ReviewFlow.Audit.Decisions;

/// <summary>
/// Checks the DecisionRecord rows that search and reports read against the events: each document's record is rebuilt
/// from its stream (the projection's own Evolve, over the events its shard has processed) and compared with the stored
/// JSON and with the indexed columns search filters on, so a row changed in PostgreSQL is named with the fields that
/// differ. A record with no stream behind it is named too.
/// </summary>
public sealed class DecisionRecordCheck(IDocumentStore store, AuditDatabase db)
{
    const string Table = "mt_doc_audit_decision";
    static readonly DecisionRecordProjection Projection = new();

    // The columns DecisionSearch and AuditReports filter on, with the JSON property each duplicates.
    static readonly (string Column, string Property)[] Columns =
    [
        ("decided_at", "decidedAt"), ("decided_by", "decidedBy"), ("document_type", "documentType"), ("predicted_label", "predictedLabel"),
        ("final_label", "finalLabel"), ("outcome", "outcome"), ("policy_version", "policyVersion"), ("model_version", "modelVersion"),
        ("sla_breached", "slaBreached"),
    ];

    /// <summary>Findings for the records of <paramref name="streamIds"/> (under stream id, version null).</summary>
    public async Task<IReadOnlyList<ChainFinding>> CheckAsync(IReadOnlyList<string> streamIds, CancellationToken ct)
    {
        var s = db.Schema;
        var stored = new Dictionary<string, (JsonObject Data, JsonObject ColumnValues)>();
        long processed;
        await using (var connection = await db.DataSource.OpenConnectionAsync(ct))
        {
            // One snapshot for the shard's progress and the records: the daemon commits both together, and a commit
            // between two reads would make a current record look ahead of its events.
            await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await using var progress = new NpgsqlCommand($"SELECT last_seq_id FROM {s}.mt_event_progression WHERE name = 'DecisionRecord:All'", connection, tx);
            processed = await progress.ExecuteScalarAsync(ct) is long p ? p : 0;
            var columns = string.Join(", ", Columns.Select(c => $"'{c.Property}', {c.Column}"));
            await using var rows = new NpgsqlCommand($"SELECT id, data::text, jsonb_build_object({columns})::text FROM {s}.{Table} WHERE id = ANY($1)", connection, tx)
                { Parameters = { new() { Value = streamIds.ToArray() } } };
            await using var reader = await rows.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                stored[reader.GetString(0)] = ((JsonObject)JsonNode.Parse(reader.GetString(1))!, (JsonObject)JsonNode.Parse(reader.GetString(2))!);
        }

        var findings = new List<ChainFinding>();
        await using var session = store.QuerySession();
        var serializer = store.Options.Serializer();
        foreach (var id in streamIds)
        {
            IReadOnlyList<IEvent> events;
            try
            {
                events = await session.Events.FetchStreamAsync(id, token: ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // An event forged in a shape its type cannot read must be reported, not stop the verification.
                findings.Add(new(id, null, null, $"events unreadable, decision record not checked: {ex.Message}"));
                continue;
            }
            DecisionRecord? expected = null;
            foreach (var e in events.Where(e => e.Sequence <= processed && Projection.IncludedEventTypes.Contains(e.EventType)))
                expected = Projection.Evolve(expected, id, e);
            var has = stored.TryGetValue(id, out var row);
            if (expected is null && has)
                findings.Add(new(id, null, null, "decision record without events: no event of this stream produces the stored DecisionRecord"));
            else if (expected is not null && !has)
                findings.Add(new(id, null, null, "decision record missing: the events produce a DecisionRecord the store does not have"));
            else if (expected is not null)
            {
                var rebuilt = (JsonObject)JsonNode.Parse(serializer.ToJson(expected))!;
                var data = Differences(rebuilt, row.Data);
                var columns = Differences(Pick(rebuilt, Columns.Select(c => c.Property)), row.ColumnValues);
                if (data.Count > 0 || columns.Count > 0)
                    findings.Add(new(id, null, null, "decision record differs from its events: " + string.Join(", ",
                        data.Select(p => p).Concat(columns.Select(c => $"{c} (search column)")))));
            }
        }
        return findings;
    }

    /// <summary>Decision records whose id is no stream at all (at most <paramref name="limit"/>).</summary>
    public Task<IReadOnlyList<ChainFinding>> OrphansAsync(int limit, CancellationToken ct) =>
        db.ReadAsync(async ct =>
        {
            await using var command = db.DataSource.CreateCommand(
                $"SELECT d.id FROM {db.Schema}.{Table} d WHERE NOT EXISTS (SELECT 1 FROM {db.Schema}.mt_streams m WHERE m.id = d.id) ORDER BY d.id LIMIT {limit}");
            var found = new List<ChainFinding>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                found.Add(new ChainFinding(reader.GetString(0), null, null, "decision record without events: no stream has this id"));
            return (IReadOnlyList<ChainFinding>)found;
        }, ct);

    static JsonObject Pick(JsonObject o, IEnumerable<string> names) => new(names.Select(n => KeyValuePair.Create(n, o[n]?.DeepClone())));

    /// <summary>The properties whose values differ; numbers compared as numbers, times as instants to the microsecond (jsonb and timestamptz normalise both).</summary>
    static List<string> Differences(JsonObject expected, JsonObject actual) =>
        expected.Select(p => p.Key).Union(actual.Select(p => p.Key))
            .Where(name => !Same(expected[name], actual[name])).Order(StringComparer.Ordinal).ToList();

    static bool Same(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (a is JsonValue va && b is JsonValue vb)
        {
            if (va.TryGetValue<double>(out var da) && vb.TryGetValue<double>(out var db)) return da == db;
            // timestamptz keeps microseconds, .NET ticks are 100 ns: the indexed column is the JSON's time truncated.
            if (va.TryGetValue<DateTimeOffset>(out var ta) && vb.TryGetValue<DateTimeOffset>(out var tb)) return Math.Abs((ta - tb).Ticks) < 10;
        }
        return JsonNode.DeepEquals(a, b);
    }
}
