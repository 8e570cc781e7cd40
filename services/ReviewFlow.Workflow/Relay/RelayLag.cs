using Marten;
using Npgsql;

namespace ReviewFlow.Workflow.Relay;

/// <summary>
/// How far the decisions out are behind the store: the age of the oldest committed DocumentRouted beyond the relay's
/// recorded position or claimed for direct sending and not yet published (<see cref="DirectDecisions"/>), and how many
/// wait (counted up to 10,000 each way). Two index range scans on the event sequence and a scan of the claims.
/// </summary>
public sealed record RelayLag(TimeSpan Age, long Unpublished, long Position)
{
    const int CountCap = 10_000;

    public static async Task<RelayLag> MeasureAsync(IDocumentStore store, CancellationToken cancellationToken)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand($"""
            with relay as (
              select coalesce(max(last_seq_id), 0) as position from {schema}.mt_event_progression where name = '{DecisionRelay.SubscriptionId}:All'),
            waiting as (
              (select e.timestamp from {schema}.mt_events e
                 left join {schema}.{DirectDecisions.Table} d on d.stream_id = e.stream_id and d.version = e.version, relay
               where e.seq_id > relay.position and e.type = 'document_routed' and d.stream_id is null order by e.seq_id limit {CountCap})
              union all
              (select claimed_at from {schema}.{DirectDecisions.Table} where not published order by claimed_at limit {CountCap}))
            select (select position from relay), count(*), coalesce(extract(epoch from now() - min(timestamp)), 0) from waiting
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new RelayLag(TimeSpan.FromSeconds(Convert.ToDouble(reader.GetValue(2))), reader.GetInt64(1), reader.GetInt64(0));
    }
}
