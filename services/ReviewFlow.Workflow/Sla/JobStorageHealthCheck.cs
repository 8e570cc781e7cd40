using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ReviewFlow.Workflow.Sla;

/// <summary>Hangfire's storage answers (its tables, in the timers' schema): no timer can be scheduled or run otherwise.</summary>
public sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            try
            {
                // One small query on Hangfire's own tables (the storage API is synchronous).
                var servers = storage.GetMonitoringApi().Servers().Count;
                return HealthCheckResult.Healthy($"{servers} timer server(s) registered");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("Hangfire's storage does not answer: " + e.Message);
            }
        }, cancellationToken);
}
