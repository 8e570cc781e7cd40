using JasperFx.Core;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace ReviewFlow.Workflow.Relay;

/// <summary>
/// The sequence numbers a relay page passed without an event: mostly rolled-back appends (a lost concurrency race),
/// but possibly an append still open when the daemon gave up waiting on it. Noted in rf_relay_gap in the same
/// transaction as the relay's progress, so none is forgotten if the relay's node dies; the reconciler watches them.
/// </summary>
public static class RelayGaps
{
    public const string Table = "rf_relay_gap";
    const string RoutedType = "document_routed";

    /// <summary>The table, created with Marten's other objects (migration).</summary>
    public static Table Definition(string schema)
    {
        var table = new Table($"{schema}.{Table}");
        table.AddColumn<long>("seq_id").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("noted_at").NotNull().DefaultValueByExpression("now()");
        return table;
    }

    /// <summary>Direct: the sequence numbers of decisions claimed for direct sending (<see cref="DirectDecisions"/>), not the relay's.</summary>
    public sealed record Inspection(IReadOnlyList<long> Gaps, IReadOnlyList<IEvent> LateDecisions, IReadOnlySet<long> Direct);

    /// <summary>
    /// Which sequence numbers of the page's range hold no committed event now, and which decisions committed between
    /// the daemon loading the page and now (those are published with the page). One index range scan per page.
    /// </summary>
    public static async Task<Inspection> InspectAsync(EventRange page, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        if (page.SequenceCeiling <= page.SequenceFloor) return new([], [], new HashSet<long>());
        var schema = operations.DocumentStore.Options.Events.DatabaseSchemaName;
        var present = new List<(long Seq, bool Routed, bool Direct)>();
        await using (var connection = operations.DocumentStore.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync(cancellationToken);
            await using var cmd = new NpgsqlCommand(
                $"select e.seq_id, e.type = '{RoutedType}', d.stream_id is not null from {schema}.mt_events e " +
                $"left join {schema}.{DirectDecisions.Table} d on d.stream_id = e.stream_id and d.version = e.version " +
                "where e.seq_id > $1 and e.seq_id <= $2", connection)
            {
                Parameters = { new() { Value = page.SequenceFloor }, new() { Value = page.SequenceCeiling } },
            };
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) present.Add((reader.GetInt64(0), reader.GetBoolean(1), reader.GetBoolean(2)));
        }
        var inPage = page.Events.Select(e => e.Sequence).ToHashSet();
        var committed = present.Select(p => p.Seq).ToHashSet();
        var gaps = new List<long>();
        for (var seq = page.SequenceFloor + 1; seq <= page.SequenceCeiling; seq++)
            if (!committed.Contains(seq)) gaps.Add(seq);
        var direct = present.Where(p => p.Direct).Select(p => p.Seq).ToHashSet();
        var late = present.Where(p => p.Routed && !p.Direct && !inPage.Contains(p.Seq)).Select(p => p.Seq).ToArray();
        return new(gaps, late.Length == 0 ? [] : await LoadAsync(operations, late, cancellationToken), direct);
    }

    public static void Note(IDocumentOperations operations, IReadOnlyList<long> gaps)
    {
        if (gaps.Count == 0) return;
        var schema = operations.DocumentStore.Options.Events.DatabaseSchemaName;
        operations.QueueSqlCommand($"insert into {schema}.{Table} (seq_id) select unnest(?::bigint[]) on conflict do nothing", gaps.ToArray());
    }

    public static async Task<IReadOnlyList<IEvent>> LoadAsync(IQuerySession session, long[] sequences, CancellationToken cancellationToken) =>
        await session.Events.QueryAllRawEvents().Where(e => e.Sequence.IsOneOf(sequences)).ToListAsync(cancellationToken);
}
