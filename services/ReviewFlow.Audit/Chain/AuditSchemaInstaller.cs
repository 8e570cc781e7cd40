using ReviewFlow.Workflow.Sla;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ReviewFlow.Audit.Chain;

/// <summary>
/// At start, after Marten's own tables exist: installs the event chain (table, hash function, trigger; events stored
/// before it are chained first, under a lock that holds appends back) and the app
/// role's grants. Idempotent; several nodes may run it at once (a transaction-scoped advisory lock orders them).
/// </summary>
public sealed class AuditSchemaInstaller(IDocumentStore store, AuditDatabase db, IOptions<AuditOptions> options,
    ILogger<AuditSchemaInstaller> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Marten's activator normally ran already; this makes the order of hosted services irrelevant.
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var connection = await db.DataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, EventChainSql.Install(db.Schema), cancellationToken);
        if (options.Value.AppRole is { Length: > 0 } role)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = $1", connection) { Parameters = { new() { Value = role } } };
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                log.LogWarning("Audit:AppRole {Role} does not exist: no grants made", role);
            else
            {
                await ExecuteAsync(connection, EventChainSql.GrantAppRole(db.Schema, role), cancellationToken);
                if (options.Value.AppRoleStatementTimeout > TimeSpan.Zero)
                    await ExecuteAsync(connection, EventChainSql.LimitAppRole(role, options.Value.AppRoleStatementTimeout), cancellationToken);
                await using var hangfire = new NpgsqlCommand("SELECT 1 FROM pg_namespace WHERE nspname = $1", connection)
                    { Parameters = { new() { Value = SlaSlice.HangfireSchema(db.Schema) } } };
                if (await hangfire.ExecuteScalarAsync(cancellationToken) is not null)
                    await ExecuteAsync(connection, EventChainSql.GrantHangfire(SlaSlice.HangfireSchema(db.Schema), role), cancellationToken);
            }
        }
        await tx.CommitAsync(cancellationToken);
        log.LogInformation("Event chain installed in schema {Schema}", db.Schema);
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
