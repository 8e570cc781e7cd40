using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Decisions;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Notifications;
using ReviewFlow.Workflow.Policy;
using ReviewFlow.Workflow.Timers;
using Weasel.Core;

namespace ReviewFlow.Workflow.Hosting;

/// <summary>What a host runs: the web host only reads and sends; the worker also runs the saga and the relay.</summary>
public enum HostRole { Web, Worker }

public static class ReviewFlowHosting
{
    public const string ClassificationsExchange = "reviewflow.classifications";
    public const string DecisionsExchange = "reviewflow.decisions";
    public const string RawClassificationsQueue = "reviewflow-classifications";
    public const string TypedClassificationsQueue = "reviewflow-classifications-typed";
    public const string DocumentsQueue = "reviewflow-documents";

    /// <summary>Marten, the routing policy, the intake and the bus, configured from ConnectionStrings__Postgres / __RabbitMq.</summary>
    /// <param name="bus">Extra registrations of the host, e.g. the web host's live-update consumer.</param>
    public static IHostApplicationBuilder AddReviewFlow(this IHostApplicationBuilder builder, HostRole role,
        Action<IBusRegistrationConfigurator>? bus = null)
    {
        var config = builder.Configuration;
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(config.GetSection("Intake").Get<IntakeLimits>() ?? new IntakeLimits());
        services.AddSingleton<ClassificationParser>();
        services.AddSingleton<ClassificationIntake>();
        services.AddSingleton<BadInput>();
        services.AddSingleton<MartenRoutingPolicySource>();
        services.AddSingleton<IRoutingPolicySource>(sp => sp.GetRequiredService<MartenRoutingPolicySource>());
        services.Configure<ReviewOptions>(config.GetSection("Review"));
        services.Configure<RelayOptions>(config.GetSection("Relay"));

        builder.AddReviewFlowMarten(role);
        if (role == HostRole.Worker)
        {
            services.AddHostedService<RoutingPolicyBootstrap>();
            services.AddHostedService<DecisionReconciler>();
        }
        builder.AddReviewFlowBus(role, bus);
        return builder;
    }

    static void AddReviewFlowMarten(this IHostApplicationBuilder builder, HostRole role)
    {
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(Required(builder.Configuration, "Postgres"));
        // Only transaction-scoped session state is used (SET LOCAL, the xact advisory lock), so the DISCARD ALL on
        // pool reuse would only drop plpgsql's cached plans; auto-prepare saves parsing Marten's repeated statements.
        // Measured: PostgreSQL CPU per routed document 1.3 ms -> 0.7 ms (bench/).
        connection.NoResetOnClose = true;
        if (connection.MaxAutoPrepare == 0) connection.MaxAutoPrepare = 32;
        var connectionString = connection.ConnectionString;
        var schema = builder.Configuration["Marten:Schema"] ?? "reviewflow";
        var migrate = MigratesAtStart(builder.Configuration);
        builder.AddReviewFlowTimers(role, connectionString, schema);
        var marten = builder.Services.AddMarten(opts =>
            {
                opts.Connection(connectionString);
                opts.DatabaseSchemaName = schema;
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                opts.Events.StreamIdentity = StreamIdentity.AsString;
                opts.Events.AppendMode = EventAppendMode.Quick;
                // Transaction-scoped daemon lock: the session-scoped one fails with DistributedLock.Postgres 1.3.1 (docs/adr/0002).
                opts.Events.UseAdvisoryLockTransaction = true;
                // The daemon's leader lock is database-wide: one id per schema, so that systems in other schemas of
                // the same database (tests, staging) do not hold each other's relay back.
                opts.Projections.DaemonLockId = DaemonLockIdFor(schema);
                // The relay's latency is the daemon's polling: 100 ms instead of 1 s (slow) / 250 ms (fast) took
                // publish->decision p50 from ~530 ms to ~80 ms at 200 docs/s, for little PostgreSQL CPU.
                opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(100);
                // A rolled-back append (a lost concurrency race, two workers adopting the policy at once) leaves a gap
                // in the event sequence. Marten waits on a gap while any transaction that might fill it looks alive,
                // and with none of ours lasting more than milliseconds, 5 s of waiting means none will: skip it then,
                // rather than hold every later decision (seen: a relay stalled > 60 s in CI).
                opts.Projections.SkipStaleGapsDespiteLiveTransactionsAfter = TimeSpan.FromSeconds(5);
                opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
                opts.Events.AddEventTypes([
                    typeof(ClassificationReceived), typeof(ClassificationRejected), typeof(LaterClassificationIgnored),
                    typeof(RoutingDecided), typeof(ReviewRequested), typeof(ReviewClaimed), typeof(ReviewClaimRenewed),
                    typeof(ReviewReleased), typeof(ReviewDecided), typeof(DocumentRouted), typeof(RoutingPolicyAdopted),
                    typeof(FirstReviewRecorded), typeof(ReviewDisagreed), typeof(ReviewEscalated), typeof(SlaReminderDue), typeof(SlaBreached),
                ]);
                opts.Schema.For<DocumentState>()
                    .Identity(x => x.CorrelationId)
                    .UniqueIndex(x => x.DocumentId)
                    // The timers' sweep looks for open tasks past their SLA or lease.
                    .Index(x => x.SlaDueAt)
                    .Index(x => x.LeaseExpiresAt);
                // Documents kept beside the streams (not in any projection): registered so that a migration creates
                // their tables before services that may not create anything start.
                opts.RegisterDocumentType<DocumentTimers>();
                // Looked up per document: by the notification jobs (already sent?) and GET …/notifications.
                opts.Schema.For<NotificationRecord>().Index(x => x.DocumentId!);
                // The sequence numbers the relay passed without an event, watched by the reconciler.
                opts.Storage.ExtendedSchemaObjects.Add(RelayGaps.Definition(schema));
                opts.AutoCreateSchemaObjects = migrate ? AutoCreate.CreateOrUpdate : AutoCreate.None;
            })
            .UseLightweightSessions();
        if (migrate) marten.ApplyAllDatabaseChangesOnStartup();

        if (role == HostRole.Worker)
        {
            // HotCold: with several workers exactly one runs the relay; another takes over if it dies.
            marten.AddAsyncDaemon(DaemonMode.HotCold)
                .AddSubscriptionWithServices<DecisionRelay>(ServiceLifetime.Singleton)
                .AddSubscriptionWithServices<TimerScheduler>(ServiceLifetime.Singleton);
        }
    }

    // One retry policy per endpoint (MassTransit 8 does not nest them: an outer policy rethrows what an inner one gave
    // up on). The first intervals are for a lost concurrency race or a passing fault; the long tail waits a database
    // outage (a restart, a failover) out for about two minutes before a message is given up to its _error queue.
    static readonly int[] SagaRetries = [10, 50, 100, 250, 500, 1000, 2000, 5000, 10000, 20000, 30000, 30000, 30000];
    static readonly int[] IntakeRetries = [100, 500, 2000, 5000, 10000, 20000, 30000, 30000, 30000];

    static void AddReviewFlowBus(this IHostApplicationBuilder builder, HostRole role, Action<IBusRegistrationConfigurator>? bus)
    {
        var rabbit = new Uri(Required(builder.Configuration, "RabbitMq"));
        // Quorum queues (replicated, for a RabbitMQ cluster) for the queues the workers own; a queue's type is fixed
        // when it is created, so switching means new queues (docs/operations.md, "RabbitMQ cluster").
        var quorum = builder.Configuration.GetValue("RabbitMq:QuorumQueues", false);
        void Owned(IRabbitMqReceiveEndpointConfigurator e)
        {
            if (quorum) e.SetQuorumQueue();
        }

        builder.Services.AddMassTransit(x =>
        {
            bus?.Invoke(x);
            if (role == HostRole.Worker)
            {
                x.AddSagaStateMachine<DocumentStateMachine, DocumentState>()
                    .Repository(r => r.RegisterSagaRepository<DocumentState, IDocumentSession,
                        SagaConsumeContextFactory<IDocumentSession, DocumentState>, DocumentSagaRepository>());
                x.AddConsumer<ReceiveRawClassificationConsumer>();
                x.AddConsumer<ReceiveClassificationConsumer>();
            }

            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit);
                ConfigureDecisionTopology(cfg);
                if (role != HostRole.Worker)
                {
                    cfg.ConfigureEndpoints(context);
                    return;
                }

                cfg.ReceiveEndpoint(RawClassificationsQueue, e =>
                {
                    Owned(e);
                    // Any publisher, any language: raw JSON on a durable fanout exchange, whatever the routing key.
                    e.ConfigureConsumeTopology = false;
                    e.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
                    e.Bind(ClassificationsExchange, b => b.ExchangeType = "fanout");
                    // Bodies held at once: prefetch × message size (RabbitMQ's max_message_size, docs/operations.md).
                    e.PrefetchCount = 16;
                    e.ConfigureReceive(r => r.UseFilter(new RawClassificationBodyFilter(
                        context.GetRequiredService<ClassificationParser>(), context.GetRequiredService<BadInput>())));
                    // Retries are for genuine faults (the database down): bad input never throws (BadInput).
                    e.UseMessageRetry(r => r.Intervals(IntakeRetries));
                    e.ConfigureConsumer<ReceiveRawClassificationConsumer>(context);
                });
                cfg.ReceiveEndpoint(TypedClassificationsQueue, e =>
                {
                    Owned(e);
                    e.UseMessageRetry(r => r.Intervals(IntakeRetries));
                    e.ConfigureConsumer<ReceiveClassificationConsumer>(context);
                });
                cfg.ReceiveEndpoint(DocumentsQueue, e =>
                {
                    Owned(e);
                    e.PrefetchCount = 64;
                    e.ConcurrentMessageLimit = 32;
                    // A lost optimistic-concurrency race is retried on fresh state; replies wait for the commit.
                    e.UseMessageRetry(r => r.Intervals(SagaRetries));
                    e.UseInMemoryOutbox(context);
                    e.ConfigureSaga<DocumentState>(context);
                });
            });
        });
    }

    /// <summary>Decisions go out as raw JSON on a durable topic exchange, routing key {documentType}.{finalLabel}.</summary>
    static void ConfigureDecisionTopology(IRabbitMqBusFactoryConfigurator cfg)
    {
        cfg.Message<DocumentDecision>(m => m.SetEntityName(DecisionsExchange));
        cfg.Publish<DocumentDecision>(p => p.ExchangeType = "topic");
        cfg.Send<DocumentDecision>(s => s.UseRoutingKeyFormatter(ctx => $"{ctx.Message.DocumentType}.{ctx.Message.FinalLabel}"));
    }

    /// <summary>
    /// Database:Migrate (default true): the host creates and updates its schema at start, as the schema's owner.
    /// False: the host runs as the services' role (docs/operations.md, "Roles"), which may not change the schema;
    /// `ReviewFlow.Worker --migrate`, run as the owner beforehand, did it.
    /// </summary>
    public static bool MigratesAtStart(IConfiguration config) => config.GetValue("Database:Migrate", true);

    static int DaemonLockIdFor(string schema) =>
        4_000_000 + (int)(BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes("reviewflow-daemon:" + schema)), 0) % 1_000_000);

    static string Required(IConfiguration config, string name) =>
        config.GetConnectionString(name)
        ?? throw new InvalidOperationException($"ConnectionStrings__{name} is not set (infra/servers.sh start prints it).");
}

/// <summary>Adopts the configured routing policy as version 1 when none is stored yet, before the bus starts.</summary>
public sealed class RoutingPolicyBootstrap(MartenRoutingPolicySource source, IConfiguration config, ILogger<RoutingPolicyBootstrap> log)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = config.GetSection("Routing").Get<RoutingPolicy>();
        if (configured is null || configured.DocumentTypes.Count == 0)
            throw new InvalidOperationException("The Routing section of the configuration names no document types.");
        var active = await source.AdoptIfNoneAsync(configured, cancellationToken);
        log.LogInformation("Routing policy version {Version} is active", active.Version);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
