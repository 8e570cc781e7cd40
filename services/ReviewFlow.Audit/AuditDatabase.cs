using Microsoft.Extensions.Configuration;
using Npgsql;

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
}
