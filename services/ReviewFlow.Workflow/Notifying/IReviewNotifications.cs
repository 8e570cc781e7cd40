using Hangfire;

namespace ReviewFlow.Workflow.Notifying;

/// <summary>
/// The notification jobs, as the SLA timers enqueue them on Hangfire. By this interface: Hangfire resolves the worker's
/// implementation (ReviewFlow.Notifications) when a job runs, so the workflow never links the Graph SDK; Hangfire reads
/// a job's attributes from the method it was enqueued with, so they are here.
/// </summary>
public interface IReviewNotifications
{
    public const string DigestJobId = "daily-digest";

    [JobDisplayName("Teams: new task {0}")]
    Task NewTaskAsync(string documentId, CancellationToken ct);

    [JobDisplayName("Reminder: {0}")]
    Task ReminderAsync(string documentId, CancellationToken ct);

    [JobDisplayName("SLA breach: {0}")]
    Task BreachAsync(string documentId, CancellationToken ct);

    [JobDisplayName("Escalated: {0}")]
    Task EscalatedAsync(string documentId, string reason, CancellationToken ct);

    /// <summary>A supervisor gave the task to <paramref name="assigneeId"/> at <paramref name="at"/>: the assignee is told (once per reassignment).</summary>
    [JobDisplayName("Reassigned to {1}: {0}")]
    Task ReassignedAsync(string documentId, string assigneeId, string reassignedBy, DateTimeOffset at, CancellationToken ct);

    /// <summary>A quality alarm raised or cleared (<c>Quality/QualityAlarmJob</c>): the type's group's supervisors and the admins, once.</summary>
    Task QualityAlertAsync(Guid alertId, CancellationToken ct);

    [JobDisplayName("Daily digest")]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    Task<int> DigestAsync(CancellationToken ct);
}
