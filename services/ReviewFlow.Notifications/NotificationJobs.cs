using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Notifying;
using ReviewFlow.Workflow.Quality;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Reviewing;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Notifications;

/// <summary>
/// The Hangfire jobs that notify people, enqueued by <see cref="ReviewFlow.Workflow.Sla.TimerScheduler"/> from committed events. They
/// run off the workflow's path: a slow or failing Graph never holds a decision back, and the notifier records every
/// attempt and never throws for a channel failure. A job looks at the review task as it is now, in its
/// <see cref="ReviewQueueItem"/> (a task decided in the meantime is not announced), and does nothing for what was
/// already sent (the scheduler may enqueue a job twice after a crash).
/// </summary>
public sealed class NotificationJobs(IDocumentStore store, IReviewNotifier notifier, MartenRoutingPolicySource policies, TimeProvider clock,
    IOptions<NotificationOptions> options, GroupDirectory directory, ILogger<NotificationJobs> log) : IReviewNotifications
{
    public Task NewTaskAsync(string documentId, CancellationToken ct) =>
        ForOpenTaskAsync(documentId, NotificationNames.NewTask, task => notifier.NewTaskAsync(task, ct), ct);

    public Task ReminderAsync(string documentId, CancellationToken ct) =>
        ForOpenTaskAsync(documentId, NotificationNames.Reminder, task => notifier.ReminderAsync(task, ct), ct);

    public Task BreachAsync(string documentId, CancellationToken ct) =>
        ForOpenTaskAsync(documentId, NotificationNames.Breach, task => notifier.BreachAsync(task, ct), ct);

    public Task EscalatedAsync(string documentId, string reason, CancellationToken ct) =>
        ForOpenTaskAsync(documentId, NotificationNames.Escalated, task => notifier.EscalatedAsync(task, reason, ct), ct);

    /// <summary>
    /// The assignee is told only while the task is still open and theirs (a task reassigned again, released or decided in
    /// the meantime is not announced), and once per reassignment.
    /// </summary>
    public async Task ReassignedAsync(string documentId, string assigneeId, string reassignedBy, DateTimeOffset at, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var task = await session.LoadAsync<ReviewQueueItem>(documentId, ct);
        if (task is null || !DocumentStatus.IsOpen(task.Status) || task.ClaimedBy != assigneeId || task.LeaseExpiresAt is not { } heldUntil)
        {
            log.LogInformation("No reassignment notice for {DocumentId} to {Assignee}: it is {Status}, held by {Holder}", documentId, assigneeId,
                task?.Status ?? "unknown", task?.ClaimedBy ?? "nobody");
            return;
        }
        var by = directory.NameOf(reassignedBy);
        var reassignment = new Reassignment(ToTask(task), assigneeId, by == reassignedBy ? by : $"{by} ({reassignedBy})", at, heldUntil);
        var prefix = $"{NotificationNames.Reassigned}:{reassignment.Subject}:";
        if (await session.Query<NotificationRecord>().AnyAsync(r => r.DocumentId == documentId && r.NotificationId.StartsWith(prefix)
                && r.Outcome == NotificationNames.Sent, ct))
            return;
        await notifier.ReassignedAsync(reassignment, ct);
    }

    /// <summary>The alert as its stream tells it now; nothing when any attempt for it (raised or cleared) is recorded already.</summary>
    public async Task QualityAlertAsync(Guid alertId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var (alerts, _) = await QualityAlertLog.ReadAsync(session, ct);
        if (alerts.FirstOrDefault(a => a.AlertId == alertId) is not { } alert) return;
        var kind = alert.Open ? NotificationNames.QualityAlert : NotificationNames.QualityAlertCleared;
        var prefix = $"{kind}:{alertId}:";
        if (await session.Query<NotificationRecord>().AnyAsync(r => r.Kind == kind && r.NotificationId.StartsWith(prefix), ct)) return;
        var policy = await policies.LatestAsync(ct);
        var group = policy?.DocumentTypes.GetValueOrDefault(alert.DocumentType)?.ReviewerGroup ?? "";
        await notifier.QualityAlertAsync(new QualityAlertNotice(alert.AlertId, alert.DocumentType, group, alert.ModelVersion, alert.Metric, alert.Open,
            alert.Open ? alert.Message : alert.ClearedMessage ?? alert.Message, alert.FallbackPolicyVersion, alert.ClearedAt ?? alert.RaisedAt), ct);
    }

    async Task ForOpenTaskAsync(string documentId, string kind, Func<ReviewTask, Task> send, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var task = await session.LoadAsync<ReviewQueueItem>(documentId, ct);
        if (task is null || !DocumentStatus.IsOpen(task.Status))
        {
            log.LogInformation("No {Kind} notification for {DocumentId}: it is {Status}", kind, documentId, task?.Status ?? "unknown");
            return;
        }
        if (await session.Query<NotificationRecord>()
                .AnyAsync(r => r.DocumentId == documentId && r.Kind == kind && r.Outcome == NotificationNames.Sent, ct))
            return;
        await send(ToTask(task));
    }

    static ReviewTask ToTask(ReviewQueueItem task) => new(task.DocumentId, task.DocumentType, task.PredictedLabel, task.Confidence,
        task.ReviewerGroup, task.DueAt, task.Excerpt, task.ClaimedBy, task.Status);

    /// <summary>
    /// The daily digest: for each reviewer named in a group's notification settings, the open tasks of their groups
    /// (closest to the SLA first), the breaches since the start of the day and what they decided in the last 24 hours.
    /// </summary>
    public async Task<int> DigestAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var dayStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var groupsOf = options.Value.Groups
            .SelectMany(g => g.Value.Reviewers.Select(r => (Reviewer: r, Group: g.Key)))
            .GroupBy(x => x.Reviewer, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Group).Distinct().ToArray(), StringComparer.OrdinalIgnoreCase);
        var sent = 0;
        await using var session = store.QuerySession();
        foreach (var (reviewer, groups) in groupsOf)
        {
            var subject = NotificationNames.DigestSubject(reviewer, day);
            if (await session.Query<NotificationRecord>().AnyAsync(r =>
                    r.Kind == NotificationNames.Digest && r.NotificationId.Contains(subject) && r.Outcome == NotificationNames.Sent, ct))
                continue;
            var open = await session.Query<ReviewQueueItem>()
                .Where(x => x.Status.IsOneOf(DocumentStatus.Open) && x.ReviewerGroup.IsOneOf(groups))
                .OrderBy(x => x.DueAt).ThenBy(x => x.RequestedAt).Take(50).ToListAsync(ct);
            var breaches = await session.Query<ReviewQueueItem>()
                .CountAsync(x => x.ReviewerGroup.IsOneOf(groups) && x.BreachedAt >= dayStart, ct);
            var decided = await session.Query<ReviewQueueItem>()
                .CountAsync(x => x.DecidedBy == reviewer && x.DecidedAt >= now.AddDays(-1), ct);
            var items = open.Select(t => new DigestItem(t.DocumentId, t.DocumentType, t.PredictedLabel, t.Confidence, t.DueAt,
                t.BreachedAt is not null, t.Status)).ToList();
            await notifier.DigestAsync(new ReviewerDigest(reviewer, day, items, breaches, decided), ct);
            sent++;
        }
        return sent;
    }
}
