using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    public static void AddReviewFlowTimers(this IHostApplicationBuilder builder, HostRole role, string connectionString, string schema)
    {
        var section = builder.Configuration.GetSection("Timers");
        builder.Services.Configure<TimerOptions>(section);
        var options = section.Get<TimerOptions>() ?? new TimerOptions();
        builder.Services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
            {
                SchemaName = schema + "_hangfire",
                PrepareSchemaIfNecessary = true,
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
