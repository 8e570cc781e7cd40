using MassTransit;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Operations;

namespace ReviewFlow.Workflow.Hosting;

/// <summary>
/// What a slice adds to the bus: its consumers or saga, and the RabbitMQ receive endpoints it owns (none: MassTransit
/// names and configures the endpoint). Slices add parts; <see cref="Bus.AddBus"/>, called last, builds one bus of them.
/// </summary>
public sealed record BusPart(
    Action<IBusRegistrationConfigurator> Register,
    Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator, BusSettings>? Endpoints = null);

/// <summary>Settings every owned endpoint honours.</summary>
/// <param name="QuorumQueues">RabbitMq:QuorumQueues: replicated queues for a RabbitMQ cluster (docs/operations.md).</param>
public sealed record BusSettings(bool QuorumQueues)
{
    /// <summary>A queue's type is fixed when it is created, so switching means new queues (docs/operations.md, "RabbitMQ cluster").</summary>
    public void Owned(IRabbitMqReceiveEndpointConfigurator e)
    {
        if (QuorumQueues) e.SetQuorumQueue();
    }
}

public static class Bus
{
    public const string DecisionsExchange = "reviewflow.decisions";

    public static IHostApplicationBuilder AddBusPart(this IHostApplicationBuilder builder, BusPart part)
    {
        builder.Services.AddSingleton(part);
        return builder;
    }

    /// <summary>
    /// MassTransit on RabbitMQ (ConnectionStrings__RabbitMq) with the parts the slices added before this call. Every
    /// host may publish decisions, so their topology is set here: raw JSON on the durable topic exchange
    /// reviewflow.decisions, routing key {documentType}.{finalLabel}.
    /// </summary>
    public static IHostApplicationBuilder AddBus(this IHostApplicationBuilder builder)
    {
        var rabbit = new Uri(EventStore.Required(builder.Configuration, "RabbitMq"));
        var settings = new BusSettings(builder.Configuration.GetValue("RabbitMq:QuorumQueues", false));
        var parts = builder.Services.Where(d => d.ServiceType == typeof(BusPart))
            .Select(d => (BusPart)d.ImplementationInstance!).ToList();
        builder.Services.AddMassTransit(x =>
        {
            // MassTransit 8.5 reports usage telemetry to an outside host at start: a compliance product makes no
            // outbound call it was not configured for (issue 11).
            x.DisableUsageTelemetry();
            foreach (var part in parts) part.Register(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit);
                cfg.Message<DocumentDecision>(m => m.SetEntityName(DecisionsExchange));
                cfg.Publish<DocumentDecision>(p => p.ExchangeType = "topic");
                cfg.Send<DocumentDecision>(s => s.UseRoutingKeyFormatter(ctx => $"{ctx.Message.DocumentType}.{ctx.Message.FinalLabel}"));
                // Declared at start, not with the first decision: a downstream system, whose broker user may not
                // declare it (docs/security.md), can bind its queue before anything was decided.
                cfg.DeployPublishTopology = true;
                cfg.UseDocumentLogScope(context);
                foreach (var part in parts) part.Endpoints?.Invoke(context, cfg, settings);
                // Consumers registered without endpoints of their own (excluded otherwise) get MassTransit's.
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
