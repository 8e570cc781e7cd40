using Marten;

namespace ReviewFlow.Workflow.Routing;

/// <summary>The versioned routing policy: its adoptions are events of the $routing-policy stream (docs/events.md).</summary>
public static class RoutingSlice
{
    public static IHostApplicationBuilder AddRoutingPolicy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MartenRoutingPolicySource>();
        builder.Services.AddSingleton<IRoutingPolicySource>(sp => sp.GetRequiredService<MartenRoutingPolicySource>());
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<RoutingPolicyAdopted>();
            opts.RegisterDocumentType<QaSamplingKey>();
        });
        return builder;
    }

    /// <summary>The worker adopts the configured policy (section Routing) as version 1 when none is stored yet, before the bus starts.</summary>
    public static IHostApplicationBuilder AdoptConfiguredRoutingPolicy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<RoutingPolicyBootstrap>();
        return builder;
    }
}
