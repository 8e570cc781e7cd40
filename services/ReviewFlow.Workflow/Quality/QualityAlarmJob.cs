using Hangfire;
using Marten;
using Microsoft.Extensions.Options;
using ReviewFlow.Workflow.Notifying;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Quality;

/// <summary>Configuration section "Quality" (docs/operations.md, "Quality alarms").</summary>
public sealed class QualityOptions
{
    /// <summary>When the alarms are checked (cron, UTC; six fields for seconds).</summary>
    public string AlarmCron { get; set; } = "*/5 * * * *";
    /// <summary>The recent window the limits are judged on: from the start of the UTC hour this long ago until now (hour counts).</summary>
    public TimeSpan AlarmWindow { get; set; } = TimeSpan.FromHours(6);
}

/// <summary>
/// The recurring quality check (Hangfire, one run at a time across the workers): judges each document type's limits
/// per model version over the recent window (<see cref="QualityAlarmRules"/>), records crossings and recoveries in
/// $quality-alerts, switches the type's kill switch on when its policy says <c>fallbackOnAlert</c> (a new policy
/// version by actor <see cref="Actor"/>: it only ever sends more to review), and tells the group's supervisors and the
/// admins. Each step is idempotent and re-derived from the stream on the next run, so a crash between them loses nothing.
/// </summary>
public sealed class QualityAlarmJob(IDocumentStore store, QualityStore counts, QualitySummaries summaries, MartenRoutingPolicySource policies,
    IReviewNotifications notifications, TimeProvider clock, IOptions<QualityOptions> options, ILogger<QualityAlarmJob> log)
{
    public const string JobId = "quality-alarms";
    public const string Actor = "system";

    [JobDisplayName("Quality alarms")]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 0)] // the next run is the retry
    public async Task<int> EvaluateAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var window = new QualityFilter(null, null, null, WindowStart(now, options.Value.AlarmWindow), now);
        var policy = await policies.LatestAsync(ct) ?? throw new NoRoutingPolicyException();

        var readings = new List<(string Type, AlarmReading Reading)>();
        foreach (var (type, rules) in policy.DocumentTypes)
            foreach (var reading in await ReadAsync(type, rules, window, ct))
                readings.Add((type, reading));

        await using var session = store.LightweightSession();
        var (alerts, version) = await QualityAlertLog.ReadAsync(session, ct);
        var changes = new List<object>();
        foreach (var metric in readings.GroupBy(r => (r.Type, r.Reading.Metric)))
        {
            var open = alerts.FirstOrDefault(a => a.Open && a.DocumentType == metric.Key.Type && a.Metric == metric.Key.Metric);
            var breached = metric.Select(r => r.Reading).FirstOrDefault(r => r.Breached);
            if (open is null && breached is not null)
                changes.Add(new ModelQualityAlertRaised(Guid.CreateVersion7(), metric.Key.Type, breached.ModelVersion, breached.Metric,
                    breached.Value, breached.Limit, breached.Samples, window.From, window.To, breached.Describe(metric.Key.Type), Actor, now));
            else if (open is not null && breached is null && metric.FirstOrDefault(r => r.Reading.Judged).Reading is { } met)
                changes.Add(new ModelQualityAlertCleared(open.AlertId, metric.Key.Type, met.Metric, met.Value,
                    "Back within the limit: " + met.Describe(metric.Key.Type), Actor, now));
        }
        if (changes.Count > 0)
        {
            session.Events.Append(QualityAlertLog.StreamKey, version + changes.Count, changes.ToArray());
            await session.SaveChangesAsync(ct);
            foreach (var change in changes) log.LogWarning("Quality alarm: {Change}", change);
        }

        await FallBackAsync(ct);
        await NotifyAsync(ct);
        await counts.PruneHoursAsync(now, ct);
        return changes.Count;
    }

    /// <summary>The recent window starts at the UTC hour <paramref name="window"/> before now: a drift from 14:00 is judged on
    /// its own hours, not diluted by the morning (the window never reaches past the hour counts kept).</summary>
    public static DateTimeOffset WindowStart(DateTimeOffset now, TimeSpan window)
    {
        var start = (now - (window < QualityCounter.HourRetention ? window : QualityCounter.HourRetention)).UtcDateTime;
        return new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Every limit of one type, for each model version counted in the window.</summary>
    async Task<IReadOnlyList<AlarmReading>> ReadAsync(string type, DocumentTypePolicy rules, QualityFilter window, CancellationToken ct)
    {
        var readings = new List<AlarmReading>();
        var rows = await counts.RowsAsync(window with { DocumentType = type }, QualitySplit.Model | QualitySplit.Label, ct, byHour: true);
        foreach (var version in rows.GroupBy(r => r.ModelVersion!))
        {
            var filter = window with { DocumentType = type, ModelVersion = version.Key };
            var reference = rules.Alarms.PinnedReference() ?? await summaries.ReferenceAsync(filter, ct);
            // Drift needs a reference that ended before the window starts: a new version has none yet.
            var referenceRows = reference is var (from, to) && to <= window.From
                ? await counts.RowsAsync(filter with { From = from, To = to }, QualitySplit.Label, ct)
                : null;
            readings.AddRange(QualityAlarmRules.Judge(rules, version.Key, version.ToList(), referenceRows));
        }
        return readings;
    }

    /// <summary>Open alerts of types whose policy falls back: the type's kill switch on, once per alert.</summary>
    async Task FallBackAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (alerts, version) = await QualityAlertLog.ReadAsync(session, ct);
        foreach (var alert in alerts.Where(a => a.Open && a.FallbackPolicyVersion is null))
        {
            var policy = await policies.LatestAsync(ct) ?? throw new NoRoutingPolicyException();
            if (!policy.DocumentTypes.TryGetValue(alert.DocumentType, out var type) || !type.Alarms.FallbackOnAlert) continue;
            var inForce = policy.Version;
            if (!type.KillSwitch)
            {
                var reason = $"Quality alarm: {alert.Message}";
                var fallback = policy with
                {
                    DocumentTypes = new Dictionary<string, DocumentTypePolicy>(policy.DocumentTypes)
                    {
                        [alert.DocumentType] = type with { KillSwitch = true, KillSwitchReason = reason },
                    },
                };
                inForce = (await policies.AdoptAsync(fallback, policy.Version, Actor, reason, ct)).Version;
            }
            session.Events.Append(QualityAlertLog.StreamKey, ++version,
                new ModelQualityFallbackAdopted(alert.AlertId, alert.DocumentType, inForce, Actor, clock.GetUtcNow()));
            await session.SaveChangesAsync(ct);
            log.LogWarning("Quality alarm {AlertId}: every {DocumentType} goes to review from policy version {Version}",
                alert.AlertId, alert.DocumentType, inForce);
        }
    }

    /// <summary>Each open alert, and each cleared within the window, told once (the notifications job skips what it already recorded).</summary>
    async Task NotifyAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var (alerts, _) = await QualityAlertLog.ReadAsync(session, ct);
        var since = clock.GetUtcNow() - options.Value.AlarmWindow;
        foreach (var alert in alerts.Where(a => a.Open || a.ClearedAt >= since))
            await notifications.QualityAlertAsync(alert.AlertId, ct);
    }
}
