using Marten;
using Microsoft.Extensions.Options;

namespace ReviewFlow.Audit.Retention;

/// <summary>An admin declared the events recorded before Before archived (stream "$audit-archival"): the audit trail of archival.</summary>
public sealed record EventsArchived(DateTimeOffset Before, long EventCount, string Reason, string ArchivedBy, DateTimeOffset At);

public sealed class RetentionViolationException(DateTimeOffset before, DateTimeOffset earliestAllowed)
    : Exception($"Events before {before:O} are inside the retention period: only events recorded before {earliestAllowed:O} may be archived.");

/// <summary>
/// Archival is explicit and audited: it refuses anything inside the retention period (Audit:Retention, default 7 years)
/// and records who archived what and why. Nothing in the services deletes events; removing archived rows is a DBA
/// operation as the schema owner (docs/operations.md).
/// </summary>
public sealed class Archival(IDocumentStore store, AuditDatabase db, IOptions<AuditOptions> options, TimeProvider clock)
{
    public const string StreamKey = "$audit-archival";

    public async Task<EventsArchived> ArchiveAsync(DateTimeOffset before, string reason, string user, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var earliestAllowed = now - options.Value.Retention;
        if (before > earliestAllowed) throw new RetentionViolationException(before, earliestAllowed);
        await using var count = db.DataSource.CreateCommand($"SELECT count(*) FROM {db.Schema}.rf_event_chain WHERE at < $1");
        count.Parameters.Add(new Npgsql.NpgsqlParameter { Value = before });
        var archived = new EventsArchived(before, (long)(await count.ExecuteScalarAsync(ct))!, reason, user, now);
        await using var session = store.LightweightSession();
        session.Events.Append(StreamKey, archived);
        await session.SaveChangesAsync(ct);
        return archived;
    }
}
