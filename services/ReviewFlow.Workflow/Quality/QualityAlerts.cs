using Marten;

namespace ReviewFlow.Workflow.Quality;

/// <summary>A quality limit of a document type was crossed (stream $quality-alerts). Value null: not measurable (no evidence).</summary>
public sealed record ModelQualityAlertRaised(Guid AlertId, string DocumentType, string ModelVersion, string Metric, double? Value,
    double Limit, long Samples, DateTimeOffset WindowFrom, DateTimeOffset WindowTo, string Message, string Actor, DateTimeOffset At);

/// <summary>The alarm's fallback is in force: the type's kill switch is on in PolicyVersion (adopted by the alarm, or already on).</summary>
public sealed record ModelQualityFallbackAdopted(Guid AlertId, string DocumentType, int PolicyVersion, string Actor, DateTimeOffset At);

/// <summary>The limit is met again, on enough evidence. Auto-routing stays off until an admin restores it.</summary>
public sealed record ModelQualityAlertCleared(Guid AlertId, string DocumentType, string Metric, double? Value, string Message,
    string Actor, DateTimeOffset At);

/// <summary>An alert as the pages and the API show it (GET /api/v1/quality/alerts).</summary>
public sealed record QualityAlert(Guid AlertId, string DocumentType, string ModelVersion, string Metric, double? Value, double Limit,
    long Samples, DateTimeOffset RaisedAt, DateTimeOffset? ClearedAt, int? FallbackPolicyVersion, string Message, string? ClearedMessage)
{
    public bool Open => ClearedAt is null;
}

/// <summary>
/// The alerts' stream: raised, fallback adopted, cleared. Small (one event per crossing), so it is folded when read; its
/// version guards the alarm job's appends.
/// </summary>
public static class QualityAlertLog
{
    /// <summary>'$' cannot start a document id, so this stream never meets a document's.</summary>
    public const string StreamKey = "$quality-alerts";

    public static readonly Type[] EventTypes = [typeof(ModelQualityAlertRaised), typeof(ModelQualityFallbackAdopted), typeof(ModelQualityAlertCleared)];

    public static async Task<(IReadOnlyList<QualityAlert> Alerts, long Version)> ReadAsync(IQuerySession session, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(StreamKey, token: ct);
        return (Fold(events.Select(e => e.Data)), events.Count);
    }

    public static IReadOnlyList<QualityAlert> Fold(IEnumerable<object> events)
    {
        var alerts = new Dictionary<Guid, QualityAlert>();
        foreach (var e in events)
            switch (e)
            {
                case ModelQualityAlertRaised r:
                    alerts[r.AlertId] = new(r.AlertId, r.DocumentType, r.ModelVersion, r.Metric, r.Value, r.Limit, r.Samples, r.At, null, null,
                        r.Message, null);
                    break;
                case ModelQualityFallbackAdopted f when alerts.TryGetValue(f.AlertId, out var a):
                    alerts[f.AlertId] = a with { FallbackPolicyVersion = f.PolicyVersion };
                    break;
                case ModelQualityAlertCleared c when alerts.TryGetValue(c.AlertId, out var a):
                    alerts[c.AlertId] = a with { ClearedAt = c.At, ClearedMessage = c.Message };
                    break;
            }
        return alerts.Values.OrderByDescending(a => a.RaisedAt).ToList();
    }
}
