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

    /// <summary>One pass; returns how many late decisions it published.</summary>
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

        var gaps = new List<(long Seq, bool Committed, bool Routed, bool Expired)>();
        await using (var cmd = new NpgsqlCommand($"""
            select g.seq_id, e.seq_id is not null, coalesce(e.type = 'document_routed', false), g.noted_at < now() - @horizon
            from {schema}.{RelayGaps.Table} g left join {schema}.mt_events e on e.seq_id = g.seq_id
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
        if (late.Length > 0)
        {
            await using var session = store.QuerySession();
            var decisions = await RelayGaps.LoadAsync(session, late, cancellationToken);
            await DecisionRelay.PublishAsync(bus, decisions, options.Value.PublishTimeout, cancellationToken);
            foreach (var e in decisions)
                log.LogWarning("Published the decision on {DocumentId} (event sequence {Sequence}): it was committed after the relay had passed it",
                    ((DocumentRouted)e.Data).DocumentId, e.Sequence);
        }

        var done = gaps.Where(g => g.Committed || g.Expired).Select(g => g.Seq).ToArray();
        await using (var delete = new NpgsqlCommand($"delete from {schema}.{RelayGaps.Table} where seq_id = any(@done)", connection, tx))
        {
            delete.Parameters.AddWithValue("done", done);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return late.Length;
    }

    static long LockKey(string schema) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("reviewflow-reconciler:" + schema)), 0);
}
