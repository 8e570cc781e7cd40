using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ReviewFlow.Workflow.Notifying;
using ReviewFlow.Workflow.Sla;

namespace ReviewFlow.Notifications;

/// <summary>
/// The worker's notifications: the jobs the SLA timers enqueue (<see cref="IReviewNotifications"/>), sent through
/// Microsoft Graph when configured, each attempt stored as a NotificationRecord, and the daily digest.
/// </summary>
public static class NotifyingSlice
{
    public static IHostApplicationBuilder AddNotifying(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReviewFlowNotifications(builder.Configuration);
        builder.Services.AddSingleton<INotificationLog, MartenNotificationLog>();
        ReviewFlow.Workflow.Operations.ReviewFlowMetrics.Register(builder.Services);
        builder.Services.AddTransient<IReviewNotifications, NotificationJobs>();
        builder.Services.TryAddSingleton<ReviewFlow.Workflow.Reviewing.GroupDirectory>(); // who reassigned, by name
        builder.Services.AddTransient<MemberPresenceJob>();
        builder.Services.AddHostedService<DigestBootstrap>();
        return builder;
    }
}

/// <summary>
/// Registers (or updates) the daily digest and, with Graph on, the out-of-office refresh when a worker starts; every worker
/// does it, idempotently.
/// </summary>
sealed class DigestBootstrap(IRecurringJobManager recurring, IOptions<TimerOptions> options, IOptions<NotificationOptions> notifications,
    NotificationsStatus status) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        recurring.AddOrUpdate<IReviewNotifications>(IReviewNotifications.DigestJobId, j => j.DigestAsync(CancellationToken.None), o.DigestCron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(o.DigestTimeZone) });
        if (status.GraphOn)
            recurring.AddOrUpdate<MemberPresenceJob>(MemberPresenceJob.JobId, j => j.RefreshAsync(CancellationToken.None), notifications.Value.PresenceCron);
        else
            recurring.RemoveIfExists(MemberPresenceJob.JobId);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
