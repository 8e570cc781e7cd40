using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReviewFlow.Workflow.Hosting;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Workflow.Intake;

/// <summary>
/// Classification results in: checked against the active policy and handed to the document's saga, from AMQP (the
/// worker's queues) or HTTP (the web host). Invalid input is recorded and answered, never thrown (<see cref="BadInput"/>).
/// </summary>
public static class IntakeSlice
{
    public const string ClassificationsExchange = "reviewflow.classifications";
    public const string RawClassificationsQueue = "reviewflow-classifications";
    public const string TypedClassificationsQueue = "reviewflow-classifications-typed";

    // About two minutes of retries: for genuine faults (the database down); bad input never throws.
    static readonly int[] IntakeRetries = [100, 500, 2000, 5000, 10000, 20000, 30000, 30000, 30000];

    /// <summary>The parser and the checks against the active routing policy (Intake: limits).</summary>
    public static IHostApplicationBuilder AddIntake(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(builder.Configuration.GetSection("Intake").Get<IntakeLimits>() ?? new IntakeLimits());
        services.AddSingleton<ClassificationParser>();
        services.AddSingleton<ClassificationIntake>();
        services.AddSingleton<BadInput>();
        Operations.ReviewFlowMetrics.Register(services);
        return builder;
    }

    /// <summary>
    /// The worker's intake queues: raw JSON from any publisher on the reviewflow.classifications fanout exchange, and
    /// DocumentClassified from .NET publishers through MassTransit.
    /// </summary>
    public static IHostApplicationBuilder AddIntakeQueues(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LargeBodyMemory>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LargeBodyMemory>());
        builder.Services.AddSingleton<LargeBodyGate>();
        builder.Services.AddSingleton<Documents.FirstReceipts>();
        var attemptTimeout = builder.Configuration.GetValue("Intake:AttemptTimeout", AttemptDeadline.Default);
        var prefetch = builder.Configuration.GetValue("Intake:PrefetchCount", 32);
        return builder.AddBusPart(new BusPart(
            x =>
            {
                x.AddConsumer<ReceiveRawClassificationConsumer>().ExcludeFromConfigureEndpoints();
                x.AddConsumer<ReceiveClassificationConsumer>().ExcludeFromConfigureEndpoints();
            },
            (context, cfg, bus) =>
            {
                cfg.ReceiveEndpoint(RawClassificationsQueue, e =>
                {
                    bus.Owned(e);
                    // Any publisher, any language: raw JSON on a durable fanout exchange, whatever the routing key.
                    e.ConfigureConsumeTopology = false;
                    e.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
                    e.Bind(ClassificationsExchange, b => b.ExchangeType = "fanout");
                    // Bodies held at once: prefetch × message size (RabbitMQ's max_message_size, docs/operations.md), of which
                    // at most two large ones are handled at once (LargeBodyGate); also the most new documents one
                    // first-receipts transaction can gather: 32 routes ~20 % more than 16 at no cost in latency once the
                    // worker's JIT has settled (docs/adr/0029).
                    e.PrefetchCount = prefetch;
                    e.ConfigureReceive(r =>
                    {
                        r.UseFilter(context.GetRequiredService<LargeBodyGate>());
                        r.UseFilter(new RawClassificationBodyFilter(
                            context.GetRequiredService<ClassificationParser>(), context.GetRequiredService<BadInput>()));
                    });
                    e.UseMessageRetry(r => r.Intervals(IntakeRetries));
                    e.UseAttemptDeadline(attemptTimeout); // a send to reviewflow-documents hung on a dead channel
                    e.ConfigureConsumer<ReceiveRawClassificationConsumer>(context);
                });
                cfg.ReceiveEndpoint(TypedClassificationsQueue, e =>
                {
                    bus.Owned(e);
                    e.ConfigureReceive(r => r.UseFilter(context.GetRequiredService<LargeBodyGate>()));
                    e.UseMessageRetry(r => r.Intervals(IntakeRetries));
                    e.UseAttemptDeadline(attemptTimeout); // a send to reviewflow-documents hung on a dead channel
                    e.ConfigureConsumer<ReceiveClassificationConsumer>(context);
                });
            }));
    }

    /// <summary>POST /api/v1/documents.</summary>
    public static IEndpointRouteBuilder MapIntake(this IEndpointRouteBuilder app)
    {
        HttpIntake.Map(app);
        return app;
    }
}
