using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewFlow.Notifications;
using ReviewFlow.Workflow.Notifications;
using ReviewFlow.Workflow.Timers;

namespace ReviewFlow.Workflow.Hosting;

/// <summary>
/// Hangfire on the ReviewFlow database (schema "{Marten schema}_hangfire"): the worker runs the job server and the
/// recurring jobs; the web host only reads the storage for the dashboard.
/// </summary>
public static class TimersHosting
{
    public static string HangfireSchema(string schema) => schema + "_hangfire";

    public static void AddReviewFlowTimers(this IHostApplicationBuilder builder, HostRole role, string connectionString, string schema)
    {
        var section = builder.Configuration.GetSection("Timers");
        builder.Services.Configure<TimerOptions>(section);
        var options = section.Get<TimerOptions>() ?? new TimerOptions();
        builder.Services.AddHangfire((services, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseLogProvider(new HostLogProvider(services.GetRequiredService<ILoggerFactory>()))
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
            {
                SchemaName = HangfireSchema(schema),
                // Only the schema's owner creates Hangfire's tables (a migration, or a host that migrates at start).
                PrepareSchemaIfNecessary = ReviewFlowHosting.MigratesAtStart(builder.Configuration),
                // LISTEN/NOTIFY wakes a worker as soon as a job is enqueued; the poll is the fallback.
                EnableLongPolling = true,
                QueuePollInterval = options.QueuePollInterval,
                // A job whose worker died is picked up again after this (sliding: long jobs keep their claim alive).
                InvisibilityTimeout = TimeSpan.FromMinutes(2),
                UseSlidingInvisibilityTimeout = true,
            }));
        if (role != HostRole.Worker) return;

        builder.Services.AddHangfireServer(server =>
        {
            server.SchedulePollingInterval = options.SchedulePollingInterval;
            server.WorkerCount = options.WorkerCount;
            server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{schema}";
        });
        builder.Services.AddHostedService<RecurringJobsBootstrap>();
        builder.Services.AddReviewFlowNotifications(builder.Configuration);
        builder.Services.AddSingleton<INotificationLog, MartenNotificationLog>();
    }
}

/// <summary>
/// Hangfire's log provider is process-wide (static); ASP.NET Core's adapter throws once its host's logger factory is
/// disposed, which broke job creation in the other hosts of a process (seen in the tests, where hosts come and go:
/// "Background job creation failed ... ObjectDisposedException: LoggerFactory"). This one logs through the host that
/// configured Hangfire last and goes quiet, rather than failing, once that host is gone.
/// </summary>
sealed class HostLogProvider(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
{
    readonly Hangfire.Logging.ILogProvider _inner = new Hangfire.AspNetCore.AspNetCoreLogProvider(factory);

    public Hangfire.Logging.ILog GetLogger(string name)
    {
        try
        {
            return new Quiet(_inner.GetLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return new Quiet(null);
        }
    }

    sealed class Quiet(Hangfire.Logging.ILog? inner) : Hangfire.Logging.ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                return inner?.Log(logLevel, messageFunc!, exception) ?? false;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}

/// <summary>Registers (or updates) the recurring jobs when a worker starts; every worker does it, idempotently.</summary>
public sealed class RecurringJobsBootstrap(IRecurringJobManager recurring, IOptions<TimerOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        recurring.AddOrUpdate<TimerJobs>(TimerJobs.SweepJobId, j => j.SweepAsync(CancellationToken.None), o.SweepCron);
        recurring.AddOrUpdate<NotificationJobs>(NotificationJobs.DigestJobId, j => j.DigestAsync(CancellationToken.None), o.DigestCron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(o.DigestTimeZone) });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
