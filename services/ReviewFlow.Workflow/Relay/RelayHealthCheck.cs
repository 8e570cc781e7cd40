using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ReviewFlow.Workflow.Relay;

/// <summary>Operations:RelayLagLimit (default 60 s).</summary>
public sealed record RelayLagLimit(TimeSpan Value);

/// <summary>Unhealthy when a committed decision has waited longer than the limit to be published (a stalled relay).</summary>
public sealed class RelayHealthCheck(IDocumentStore store, RelayLagLimit limit) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        var lag = await RelayLag.MeasureAsync(store, cancellationToken);
        var data = new Dictionary<string, object>
        {
            ["lagSeconds"] = Math.Round(lag.Age.TotalSeconds, 1),
            ["unpublished"] = lag.Unpublished,
            ["relayPosition"] = lag.Position,
        };
        return lag.Age > limit.Value
            ? HealthCheckResult.Unhealthy(
                $"the oldest unpublished decision was stored {lag.Age.TotalSeconds:0} s ago (limit {limit.Value.TotalSeconds:0} s)", data: data)
            : HealthCheckResult.Healthy($"{lag.Unpublished} decision(s) waiting, the oldest {lag.Age.TotalSeconds:0.0} s", data);
    }
}
