using Npgsql;
using ReviewFlow.Workflow.Operations;

namespace ReviewFlow.Audit;

/// <summary>Audit settings (section "Audit") and the raw PostgreSQL access the audit needs beside Marten.</summary>
public sealed class AuditOptions
{
    /// <summary>Nothing younger than this may be archived (default 7 years).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7 * 365 + 2);
    /// <summary>When set, the installer grants this login role what the services need, minus changing events (docs/operations.md).</summary>
    public string? AppRole { get; set; }
    /// <summary>
    /// The longest statement the services' role may run (set on the role at migration; 0 leaves it alone). It bounds
    /// how long an append can stay open, which the decision reconciler relies on; exports stream in short statements.
    /// </summary>
    public TimeSpan AppRoleStatementTimeout { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// The ECDSA P-256 private key (PKCS#8, PEM or base64 DER) the worker signs checkpoints with; never stored in the
    /// database. Unset: no checkpoints (a warning at start). docs/adr/0013.
    /// </summary>
    public string? CheckpointKey { get; set; }
    /// <summary>Public keys (PEM or base64 SubjectPublicKeyInfo) verification also trusts: earlier keys after a rotation, or the web host's only ones.</summary>
    public List<string> CheckpointPublicKeys { get; set; } = [];
    /// <summary>The append-only directory each checkpoint is also written to (production: object storage with a retention lock).</summary>
    public string? CheckpointSink { get; set; }
    /// <summary>When checkpoints are taken (cron, UTC).</summary>
    public string CheckpointCron { get; set; } = "*/10 * * * *";
    /// <summary>Events chained more recently than this wait for the next checkpoint (an earlier sequence number may still commit).</summary>
    public TimeSpan CheckpointLag { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>The schema Marten uses and a data source on the same database, for the chain, exports and reports in SQL.</summary>
public sealed class AuditDatabase(NpgsqlDataSource dataSource, string schema) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    public NpgsqlDataSource DataSource { get; } = dataSource;
    public string Schema { get; } = schema;

    public static AuditDatabase FromConfiguration(IConfiguration config)
    {
        var connection = config.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set (infra/servers.sh start prints it).");
        return new AuditDatabase(NpgsqlDataSource.Create(connection), config["Marten:Schema"] ?? "reviewflow");
    }

    /// <summary>
    /// Runs an idempotent read again (twice at most) when its pooled connection turns out to be to a server that went
    /// away: after a PostgreSQL restart the first use of each old connection fails once (57P01, or a closed socket
    /// after a crash). Npgsql 10 empties the pool at that failure (NpgsqlConnector.Break), so the next attempt opens a
    /// new connection (measured: the audit search answered 500 once per restart before, never since; tests/…/DatabaseRestartTests).
    /// Reads only: a commit whose connection died may have gone through.
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read(ct);
            }
            catch (NpgsqlException e) when (attempt < 3 && DatabaseOutage.ServerWentAway(e))
            {
                await Task.Delay(50 * attempt, ct);
            }
        }
    }

}
