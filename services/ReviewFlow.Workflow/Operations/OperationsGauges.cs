using System.Diagnostics.Metrics;
using Marten;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Relay;

namespace ReviewFlow.Workflow.Operations;

/// <summary>
/// The gauges an operator pages on, read from the store every Operations:GaugeInterval (default 15 s) by each worker,
/// not per scrape: review queue depth and the oldest open task's age per reviewer group, and the decision relay's lag.
/// Every worker reports the same values: take max() across instances (infra/prometheus/rules.yml does).
/// </summary>
public sealed class OperationsGauges : BackgroundService
{
    readonly IDocumentStore _store;
    readonly TimeProvider _clock;
    readonly TimeSpan _interval;
    readonly ILogger<OperationsGauges> _log;
    // A group seen once keeps reporting (0 when its queue empties): a series that stops is read as "no data", not as 0.
    readonly HashSet<string> _groups = new(StringComparer.Ordinal);
    volatile Snapshot _last = new([], null);

    sealed record GroupQueue(string Group, long Depth, double OldestAgeSeconds);

    sealed record Snapshot(IReadOnlyList<GroupQueue> Queues, RelayLag? Relay);

    public OperationsGauges(IDocumentStore store, TimeProvider clock, IMeterFactory meters, IConfiguration configuration,
        ILogger<OperationsGauges> log)
    {
        _store = store;
        _clock = clock;
        _log = log;
        _interval = configuration.GetValue("Operations:GaugeInterval", TimeSpan.FromSeconds(15));
        var meter = meters.Create(ReviewFlowMetrics.MeterName);
        meter.CreateObservableGauge("reviewflow.review.queue.depth",
            () => _last.Queues.Select(q => new Measurement<long>(q.Depth, new KeyValuePair<string, object?>("reviewer_group", q.Group))),
            "{task}", "Open review tasks, by reviewer group.");
        meter.CreateObservableGauge("reviewflow.review.oldest_task.age",
            () => _last.Queues.Select(q => new Measurement<double>(q.OldestAgeSeconds, new KeyValuePair<string, object?>("reviewer_group", q.Group))),
            "s", "Age of the oldest open review task, by reviewer group (0 when none is open).");
        meter.CreateObservableGauge("reviewflow.relay.lag",
            () => _last.Relay is { } lag ? [new Measurement<double>(lag.Age.TotalSeconds)] : Array.Empty<Measurement<double>>(),
            "s", "Age of the oldest stored decision not yet published to reviewflow.decisions (0 when none waits).");
        meter.CreateObservableGauge("reviewflow.relay.unpublished",
            () => _last.Relay is { } lag ? [new Measurement<long>(lag.Unpublished)] : Array.Empty<Measurement<long>>(),
            "{decision}", "Stored decisions not yet published (counted up to 10,000).");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _clock);
        do
        {
            try
            {
                _last = await MeasureAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away: the gauges keep their last values, and /health/ready says why.
                _log.LogDebug(e, "Could not measure the queue and relay gauges");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    async Task<Snapshot> MeasureAsync(CancellationToken cancellationToken)
    {
        await using var session = _store.QuerySession();
        var open = await session.Query<ReviewQueueItem>().Where(x => x.Status.IsOneOf(DocumentStatus.Open))
            .Select(x => new { x.ReviewerGroup, x.RequestedAt }).ToListAsync(cancellationToken);
        var now = _clock.GetUtcNow();
        var byGroup = open.GroupBy(x => x.ReviewerGroup)
            .ToDictionary(g => g.Key, g => new GroupQueue(g.Key, g.Count(), Math.Max(0, (now - g.Min(x => x.RequestedAt)).TotalSeconds)));
        _groups.UnionWith(byGroup.Keys);
        var queues = _groups.Select(g => byGroup.GetValueOrDefault(g) ?? new GroupQueue(g, 0, 0)).ToList();
        return new Snapshot(queues, await RelayLag.MeasureAsync(_store, cancellationToken));
    }
}
