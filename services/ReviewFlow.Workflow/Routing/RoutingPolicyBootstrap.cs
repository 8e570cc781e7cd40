
namespace ReviewFlow.Workflow.Routing;

/// <summary>Adopts the configured routing policy as version 1 when none is stored yet, before the bus starts.</summary>
public sealed class RoutingPolicyBootstrap(MartenRoutingPolicySource source, IConfiguration config, ILogger<RoutingPolicyBootstrap> log)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = config.GetSection("Routing").Get<RoutingPolicy>();
        if (configured is null || configured.DocumentTypes.Count == 0)
            throw new InvalidOperationException("The Routing section of the configuration names no document types.");
        await source.EnsureSamplingKeyAsync(cancellationToken);
        var active = await source.AdoptIfNoneAsync(configured, cancellationToken);
        log.LogInformation("Routing policy version {Version} is active", active.Version);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
