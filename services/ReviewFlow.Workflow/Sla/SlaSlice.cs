using Hangfire;
using Hangfire.PostgreSql;
using Marten;
using Microsoft.Extensions.Options;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.Notifying;

namespace ReviewFlow.Workflow.Sla;

/// <summary>
/// SLA, reminder and lease timers as Hangfire jobs on the ReviewFlow database (schema "{Marten schema}_hangfire"). The
/// worker runs the job server, the scheduler that turns committed events into jobs and the recurring sweep; the web
/// host only reads the job storage (the dashboard).
/// </summary>
public static class SlaSlice
{
    public static string HangfireSchema(string schema) => schema + "_hangfire";

    /// <summary>Hangfire's storage and client, without a server: enough to show the dashboard and enqueue jobs.</summary>
    public static IHostApplicationBuilder AddJobStorage(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Timers");
        builder.Services.Configure<TimerOptions>(section);
        var options = section.Get<TimerOptions>() ?? new TimerOptions();
        var connectionString = EventStore.ConnectionString(builder.Configuration);
        var schema = EventStore.Schema(builder.Configuration);
        builder.Services.AddHangfire((services, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseLogProvider(new HostLogProvider(services.GetRequiredService<ILoggerFactory>()))
            .UseSimpleAssemblyNameTypeSerializer()
            .UseTypeResolver(RenamedJobTypes.Resolve)
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
            {
                SchemaName = HangfireSchema(schema),
                // Only the schema's owner creates Hangfire's tables (a migration, or a host that migrates at start).
                PrepareSchemaIfNecessary = EventStore.MigratesAtStart(builder.Configuration),
                // LISTEN/NOTIFY wakes a worker as soon as a job is enqueued; the poll is the fallback.
                EnableLongPolling = true,
                QueuePollInterval = options.QueuePollInterval,
                // A job whose worker died is picked up again after this (sliding: long jobs keep their claim alive).
                InvisibilityTimeout = TimeSpan.FromMinutes(2),
                UseSlidingInvisibilityTimeout = true,
                DistributedLockTimeout = options.LockTimeout,
            }));
        builder.Services.AddHealthChecks().AddCheck<JobStorageHealthCheck>("hangfire", tags: [Operations.Health.Ready]);
        return builder;
    }

    /// <summary>The timers: job storage and server, the <see cref="TimerScheduler"/> subscription and the recurring sweep.</summary>
    public static IHostApplicationBuilder AddSlaTimers(this IHostApplicationBuilder builder)
    {
        builder.AddJobStorage();
        var options = builder.Configuration.GetSection("Timers").Get<TimerOptions>() ?? new TimerOptions();
        var schema = EventStore.Schema(builder.Configuration);
        builder.Services.AddHangfireServer(server =>
        {
            server.SchedulePollingInterval = options.SchedulePollingInterval;
            server.WorkerCount = options.WorkerCount;
            server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{schema}";
        });
        builder.Services.AddRecurringJob(TimerJobs.SweepJobId, (sp, recurring) => recurring.AddOrUpdate<TimerJobs>(TimerJobs.SweepJobId,
            j => j.SweepAsync(CancellationToken.None), sp.GetRequiredService<IOptions<TimerOptions>>().Value.SweepCron));
        // Kept beside the streams (not a projection): registered so that a migration creates its table.
        builder.Services.ConfigureMarten(opts => opts.RegisterDocumentType<DocumentTimers>());
        return builder.AddEventSubscription<TimerScheduler>();
    }
}


/// <summary>
/// Jobs are stored with their type's name: jobs scheduled (possibly days ahead) before the slices were renamed
/// (2026-12) still find their type.
/// </summary>
static class RenamedJobTypes
{
    static readonly Dictionary<string, Type> Renamed = new()
    {
        ["ReviewFlow.Workflow.Timers.TimerJobs, ReviewFlow.Workflow"] = typeof(TimerJobs),
        ["ReviewFlow.Workflow.Notifications.NotificationJobs, ReviewFlow.Workflow"] = typeof(IReviewNotifications),
    };

    public static Type Resolve(string name) =>
        Renamed.TryGetValue(name, out var type) ? type : Hangfire.Common.TypeHelper.DefaultTypeResolver(name);
}
