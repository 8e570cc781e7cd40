using System.Security.Cryptography;
using System.Text;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.Workflow.Relay;

/// <summary>
/// Publishes the decisions the relay passed before they were committed: it looks at the noted gaps
/// (<see cref="RelayGaps"/>) and publishes any that now holds a DocumentRouted, with the event id as message id (what
/// the relay would have sent), a few at a time. A gap that holds another event, or none after the horizon, is done.
/// It also publishes the direct decisions whose claim timed out unsent (<see cref="DirectDecisions"/>).
/// Runs on every worker; a transaction-scoped advisory lock lets one at a time work.
/// </summary>
public sealed class DecisionReconciler(IDocumentStore store, IBus bus, IOptions<RelayOptions> options, ILogger<DecisionReconciler> log)
    : BackgroundService
{
    const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ReconcileInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, stoppingToken);
                await ReconcileAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or DecisionPublishTimeoutException or MassTransitException)
            {
                log.LogWarning("Decision reconciliation failed, retrying in {Interval}: {Reason}", interval, e.Message);
            }
        }
    }

    /// <summary>One pass over the claims and the gaps, in one transaction; returns how many decisions it published.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var locking = new NpgsqlCommand("select pg_try_advisory_xact_lock(@key)", connection, tx))
        {
            locking.Parameters.AddWithValue("key", LockKey(schema));
            if (await locking.ExecuteScalarAsync(cancellationToken) is not true) return 0;
        }
        var published = await ClaimsAsync(schema, connection, tx, cancellationToken) + await GapsAsync(schema, connection, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return published;
    }

    /// <summary>The noted gaps: publishes those that now hold an unclaimed DocumentRouted; drops those done.</summary>
    async Task<int> GapsAsync(string schema, NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        var gaps = new List<(long Seq, bool Committed, bool Routed, bool Expired)>();
        await using (var cmd = new NpgsqlCommand($"""
            select g.seq_id, e.seq_id is not null, coalesce(e.type = 'document_routed' and d.stream_id is null, false), g.noted_at < now() - @horizon
            from {schema}.{RelayGaps.Table} g left join {schema}.mt_events e on e.seq_id = g.seq_id
            left join {schema}.{DirectDecisions.Table} d on d.stream_id = e.stream_id and d.version = e.version
            order by g.seq_id limit {Batch}
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("horizon", options.Value.GapHorizon);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                gaps.Add((reader.GetInt64(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3)));
        }
        if (gaps.Count == 0) return 0;

        var late = gaps.Where(g => g.Routed).Select(g => g.Seq).ToArray();
        await PublishAsync(late, "it was committed after the relay had passed it", cancellationToken);

        var done = gaps.Where(g => g.Committed || g.Expired).Select(g => g.Seq).ToArray();
        await using (var delete = new NpgsqlCommand($"delete from {schema}.{RelayGaps.Table} where seq_id = any(@done)", connection, tx))
        {
            delete.Parameters.AddWithValue("done", done);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        return late.Length;
    }

    /// <summary>
    /// The direct decisions' claims (<see cref="DirectDecisions"/>): publishes those left unpublished longer than
    /// Relay:ClaimTimeout (their process died, or the broker did not confirm), and deletes the published ones the relay
    /// has passed (it skips a claimed decision only while its claim is there).
    /// </summary>
    async Task<int> ClaimsAsync(string schema, NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using (var delete = new NpgsqlCommand($"""
            delete from {schema}.{DirectDecisions.Table} d using {schema}.mt_events e
            where d.published and e.stream_id = d.stream_id and e.version = d.version
              and e.seq_id <= (select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name = '{DecisionRelay.SubscriptionId}:All')
            """, connection, tx))
            await delete.ExecuteNonQueryAsync(cancellationToken);

        var stale = new List<long>();
        await using (var cmd = new NpgsqlCommand($"""
            select e.seq_id from {schema}.{DirectDecisions.Table} d
            join {schema}.mt_events e on e.stream_id = d.stream_id and e.version = d.version
            where not d.published and d.claimed_at < now() - @timeout
            order by d.claimed_at limit {Batch}
            for update of d
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("timeout", options.Value.ClaimTimeout);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) stale.Add(reader.GetInt64(0));
        }
        if (stale.Count > 0)
        {
            await PublishAsync(stale.ToArray(), "the worker that committed it did not", cancellationToken);
            await using var mark = new NpgsqlCommand($"""
                update {schema}.{DirectDecisions.Table} d set published = true from {schema}.mt_events e
                where e.stream_id = d.stream_id and e.version = d.version and e.seq_id = any(@seqs)
                """, connection, tx);
            mark.Parameters.AddWithValue("seqs", stale.ToArray());
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        return stale.Count;
    }

    async Task PublishAsync(long[] sequences, string why, CancellationToken cancellationToken)
    {
        if (sequences.Length == 0) return;
        await using var session = store.QuerySession();
        var decisions = await RelayGaps.LoadAsync(session, sequences, cancellationToken);
        await DecisionRelay.PublishAsync(bus, decisions, options.Value.PublishTimeout, cancellationToken);
        foreach (var e in decisions)
            log.LogWarning("Published the decision on {DocumentId} (event sequence {Sequence}): {Why}", ((DocumentRouted)e.Data).DocumentId, e.Sequence, why);
    }

    static long LockKey(string schema) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("reviewflow-reconciler:" + schema)), 0);
}
