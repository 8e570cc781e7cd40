using MassTransit;
using Marten;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.Operations;

namespace ReviewFlow.Workflow.Relay;

/// <summary>
/// Decisions out: the event store is the outbox. <see cref="DecisionRelay"/> publishes each committed DocumentRouted
/// once (one worker at a time), the <see cref="DecisionReconciler"/> publishes what committed late into a passed gap,
/// and the worker is not ready while a decision waits longer than Operations:RelayLagLimit.
/// </summary>
public static class RelaySlice
{
    public static IHostApplicationBuilder AddDecisionRelay(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RelayOptions>().Bind(builder.Configuration.GetSection("Relay"))
            .Validate(o => o.ClaimTimeout >= 2 * o.PublishTimeout + TimeSpan.FromSeconds(2),
                "Relay:ClaimTimeout must be at least twice Relay:PublishTimeout plus 2 s (docs/adr/0027)")
            .ValidateOnStart();
        services.AddHostedService<DecisionReconciler>();
        // The sequence numbers the relay passed without an event, watched by the reconciler.
        services.ConfigureMarten(opts => opts.Storage.ExtendedSchemaObjects.Add(RelayGaps.Definition(EventStore.Schema(builder.Configuration))));
        // A new document's automatic decision, sent by the worker that committed it (the first receipts) and skipped here.
        services.ConfigureMarten(opts => opts.Storage.ExtendedSchemaObjects.Add(DirectDecisions.Definition(EventStore.Schema(builder.Configuration))));
        services.AddSingleton<DirectDecisions>();
        services.AddReceiveEndpointObserver<DirectDecisionsDrain>(); // a graceful stop sends what was committed first
        services.AddSingleton(new RelayLagLimit(builder.Configuration.GetValue("Operations:RelayLagLimit", TimeSpan.FromSeconds(60))));
        services.AddHealthChecks().AddCheck<RelayHealthCheck>("decision-relay", tags: [Health.Ready]);
        return builder.AddEventSubscription<DecisionRelay>();
    }
}
