using Marten;
using Npgsql;

namespace ReviewFlow.Workflow.Relay;

/// <summary>
/// How far the decision relay is behind the store: the age of the oldest committed DocumentRouted beyond its
/// recorded position, and how many wait (counted up to 10,000). Two index range scans on the event sequence.
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
              select e.timestamp from {schema}.mt_events e, relay
              where e.seq_id > relay.position and e.type = 'document_routed' order by e.seq_id limit {CountCap})
            select (select position from relay), count(*), coalesce(extract(epoch from now() - min(timestamp)), 0) from waiting
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new RelayLag(TimeSpan.FromSeconds(Convert.ToDouble(reader.GetValue(2))), reader.GetInt64(1), reader.GetInt64(0));
    }
}
