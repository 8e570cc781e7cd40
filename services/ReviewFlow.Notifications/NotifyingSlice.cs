using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ReviewFlow.Workflow.Notifying;
using ReviewFlow.Workflow.Hosting;
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
        builder.Services.AddRecurringJob(IReviewNotifications.DigestJobId, (sp, recurring) =>
        {
            var o = sp.GetRequiredService<IOptions<TimerOptions>>().Value;
            recurring.AddOrUpdate<IReviewNotifications>(IReviewNotifications.DigestJobId, j => j.DigestAsync(CancellationToken.None), o.DigestCron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(o.DigestTimeZone) });
        });
        // The out-of-office refresh runs only with Graph on.
        builder.Services.AddRecurringJob(MemberPresenceJob.JobId, (sp, recurring) =>
        {
            if (sp.GetRequiredService<NotificationsStatus>().GraphOn)
                recurring.AddOrUpdate<MemberPresenceJob>(MemberPresenceJob.JobId, j => j.RefreshAsync(CancellationToken.None),
                    sp.GetRequiredService<IOptions<NotificationOptions>>().Value.PresenceCron);
            else
                recurring.RemoveIfExists(MemberPresenceJob.JobId);
        });
        return builder;
    }
}

