using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Subscriptions;
using Weasel.Core;

namespace ReviewFlow.Workflow.Hosting;

/// <summary>
/// Marten on PostgreSQL (ConnectionStrings__Postgres, schema Marten:Schema): the store every slice adds its documents,
/// events and projections to with <c>services.ConfigureMarten</c>. Only the settings that belong to no slice are here.
/// </summary>
public static class EventStore
{
    public static IHostApplicationBuilder AddEventStore(this IHostApplicationBuilder builder)
    {
        var connectionString = ConnectionString(builder.Configuration);
        var schema = Schema(builder.Configuration);
        var migrate = MigratesAtStart(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
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
                // Relay:PollingInterval sets it (docs/performance.md measures shorter ones).
                var polling = builder.Configuration.GetValue("Relay:PollingInterval", TimeSpan.FromMilliseconds(100));
                opts.Projections.SlowPollingTime = polling;
                // A rolled-back append (a lost concurrency race, two workers adopting the policy at once) leaves a gap
                // in the event sequence. Marten waits on a gap while any transaction that might fill it looks alive,
                // and with none of ours lasting more than milliseconds, 5 s of waiting means none will: skip it then,
                // rather than hold every later decision (seen: a relay stalled > 60 s in CI).
                opts.Projections.SkipStaleGapsDespiteLiveTransactionsAfter = TimeSpan.FromSeconds(5);
                opts.Projections.FastPollingTime = polling;
                opts.AutoCreateSchemaObjects = migrate ? AutoCreate.CreateOrUpdate : AutoCreate.None;
            })
            .UseLightweightSessions();
        if (migrate) marten.ApplyAllDatabaseChangesOnStartup();
        builder.Services.AddSingleton(new Daemon(marten));
        return builder;
    }

    /// <summary>
    /// A Marten subscription run by this host's async daemon: HotCold, so that with several workers exactly one runs
    /// each subscription (and the async projections) and another takes over if it dies.
    /// </summary>
    public static IHostApplicationBuilder AddEventSubscription<T>(this IHostApplicationBuilder builder) where T : SubscriptionBase
    {
        var daemon = builder.Services.Select(d => d.ImplementationInstance).OfType<Daemon>().SingleOrDefault()
            ?? throw new InvalidOperationException("AddEventStore() comes before the slices that subscribe to events.");
        if (!daemon.Added)
        {
            daemon.Marten.AddAsyncDaemon(DaemonMode.HotCold);
            builder.Services.AddHostedService<StoppedAgentRestarter>();
            daemon.Added = true;
        }
        daemon.Marten.AddSubscriptionWithServices<T>(ServiceLifetime.Singleton);
        return builder;
    }

    /// <summary>Marten's registration, kept for the slices that add subscriptions; the daemon is added with the first.</summary>
    sealed class Daemon(MartenServiceCollectionExtensions.MartenConfigurationExpression marten)
    {
        public MartenServiceCollectionExtensions.MartenConfigurationExpression Marten { get; } = marten;
        public bool Added { get; set; }
    }

    /// <summary>
    /// Database:Migrate (default true): the host creates and updates its schema at start, as the schema's owner.
    /// False: the host runs as the services' role (docs/operations.md, "Roles"), which may not change the schema;
    /// `ReviewFlow.Worker --migrate`, run as the owner beforehand, did it.
    /// </summary>
    public static bool MigratesAtStart(IConfiguration config) => config.GetValue("Database:Migrate", true);

    public static string Schema(IConfiguration config) => config["Marten:Schema"] ?? "reviewflow";

    /// <summary>The configured connection string with this system's pool settings.</summary>
    public static string ConnectionString(IConfiguration config)
    {
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(Required(config, "Postgres"));
        // Only transaction-scoped session state is used (SET LOCAL, the xact advisory lock), so the DISCARD ALL on
        // pool reuse would only drop plpgsql's cached plans; auto-prepare saves parsing Marten's repeated statements.
        // Measured: PostgreSQL CPU per routed document 1.3 ms -> 0.7 ms (bench/).
        connection.NoResetOnClose = true;
        if (connection.MaxAutoPrepare == 0) connection.MaxAutoPrepare = 32;
        return connection.ConnectionString;
    }

    internal static string Required(IConfiguration config, string name) =>
        config.GetConnectionString(name)
        ?? throw new InvalidOperationException($"ConnectionStrings__{name} is not set (infra/servers.sh start prints it).");

    static int DaemonLockIdFor(string schema) =>
        4_000_000 + (int)(BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes("reviewflow-daemon:" + schema)), 0) % 1_000_000);
}
