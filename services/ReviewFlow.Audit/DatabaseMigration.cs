using Hangfire;
using Marten;
using ReviewFlow.Audit.Chain;
using ReviewFlow.Workflow.Queue;

namespace ReviewFlow.Audit;

/// <summary>
/// `ReviewFlow.Worker --migrate`, run as the schema's owner before the services start as their own role (which may
/// neither change the schema nor rewrite events): Marten's tables and functions, the review queue's backfill, Hangfire's
/// tables, the event chain, and the grants for Audit:AppRole. Idempotent; docs/operations.md, "Roles".
/// </summary>
public static class DatabaseMigration
{
    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        // Documents sent to review before the queue's read model existed (or by workers of an earlier version since).
        await services.GetRequiredService<ReviewQueueBackfill>().RunAsync(cancellationToken);
        // Hangfire's PostgreSQL storage installs its schema when it is created (PrepareSchemaIfNecessary).
        _ = services.GetRequiredService<JobStorage>();
        // The chain after both: its grants cover every table that exists by then.
        await services.GetRequiredService<AuditSchemaInstaller>().StartAsync(cancellationToken);
    }
}
