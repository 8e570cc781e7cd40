namespace ReviewFlow.Notifications;

/// <summary>What a notification says about one review task.</summary>
public sealed record ReviewTask(string DocumentId, string DocumentType, string PredictedLabel, double Confidence,
    string ReviewerGroup, DateTimeOffset? DueAt, string? Excerpt, string? ClaimedBy, string Status);

public sealed record DigestItem(string DocumentId, string DocumentType, string PredictedLabel, double Confidence, DateTimeOffset? DueAt, bool Breached, string Status);

/// <summary>A quality alarm (Raised) or its recovery: what the group's supervisors and the admins are told.</summary>
public sealed record QualityAlertNotice(Guid AlertId, string DocumentType, string ReviewerGroup, string ModelVersion, string Metric,
    bool Raised, string Message, int? FallbackPolicyVersion, DateTimeOffset At)
{
    /// <summary>The limit in words, for subjects and titles.</summary>
    public string What => Metric switch
    {
        "auto-accuracy" => "auto-routed accuracy",
        "override-rate" => "override rate",
        "psi" => "confidence drift",
        "label-psi" => "label drift",
        _ => Metric,
    };
}

/// <summary>
/// A supervisor (ReassignedBy, as a name to read) gave the task to AssigneeId at At (a <c>ReviewClaimed</c> whose actor is not
/// the holder); it waits for them until HeldUntil.
/// </summary>
public sealed record Reassignment(ReviewTask Task, string AssigneeId, string ReassignedBy, DateTimeOffset At, DateTimeOffset HeldUntil)
{
    /// <summary>One per reassignment: the same task may be given to the same person again later, and is told again.</summary>
    public string Subject => $"{Task.DocumentId}@{At.UtcDateTime:yyyyMMdd'T'HHmmss.fffffff}";
}

public sealed record ReviewerDigest(string ReviewerId, DateOnly Day, IReadOnlyList<DigestItem> OpenTasks, int BreachesToday, int DecidedToday);

/// <summary>One delivery attempt (each retry is an attempt). Outcome: "sent", "failed", "skipped" (e.g. out of office, no address, channel off).</summary>
public sealed record NotificationAttempt(string NotificationId, string? DocumentId, string Kind, string Channel, string Recipient,
    int Attempt, string Outcome, int? HttpStatus, string? Detail, DateTimeOffset At);

/// <summary>Where every attempt goes (the host implements it, e.g. with Marten). Failures of the log are logged, never thrown to the notifier's caller.</summary>
public interface INotificationLog
{
    Task RecordAsync(NotificationAttempt attempt, CancellationToken ct);
}

/// <summary>
/// Teams and Outlook notifications for review tasks. No method throws for a channel failure (Graph down, 4xx/5xx, bad
/// credentials, timeouts): each retries per <see cref="RetryOptions"/>, records every attempt through
/// <see cref="INotificationLog"/> and returns. Only cancellation of <c>ct</c> throws (OperationCanceledException).
/// Attempts can take as long as the retry policy allows: call these off the workflow's hot path (e.g. from a Hangfire job).
/// </summary>
public interface IReviewNotifier
{
    /// <summary>Adaptive Card to the group's Teams channel (Kind "new-task").</summary>
    Task NewTaskAsync(ReviewTask task, CancellationToken ct);

    /// <summary>Mail to the claim holder, or to each of the group's reviewers when unclaimed (Kind "reminder").</summary>
    Task ReminderAsync(ReviewTask task, CancellationToken ct);

    /// <summary>Mail to the group's supervisors and a card to the group's channel (Kind "breach").</summary>
    Task BreachAsync(ReviewTask task, CancellationToken ct);

    /// <summary>A reviewer escalated, or a four-eyes disagreement: mail to the group's supervisors (Kind "escalated").</summary>
    Task EscalatedAsync(ReviewTask task, string reason, CancellationToken ct);

    /// <summary>
    /// A supervisor reassigned the task: mail to the assignee (or their delegate while they are away) and, where the Teams bot
    /// runs, a card in their personal chat with the bot (Kind "reassigned").
    /// </summary>
    Task ReassignedAsync(Reassignment reassignment, CancellationToken ct);

    /// <summary>Daily digest mail to one reviewer (Kind "digest").</summary>
    Task DigestAsync(ReviewerDigest digest, CancellationToken ct);

    /// <summary>A quality alarm raised or cleared: mail to the group's supervisors and the admins, a card to the group's channel
    /// (Kind "quality-alert" or "quality-alert-cleared").</summary>
    Task QualityAlertAsync(QualityAlertNotice notice, CancellationToken ct);
}

/// <summary>The kinds, channels and outcomes used in <see cref="NotificationAttempt"/>.</summary>
public static class NotificationNames
{
    public const string NewTask = "new-task";
    public const string Reminder = "reminder";
    public const string Breach = "breach";
    public const string Escalated = "escalated";
    public const string Reassigned = "reassigned";
    public const string Digest = "digest";
    public const string QualityAlert = "quality-alert";
    public const string QualityAlertCleared = "quality-alert-cleared";

    public const string Teams = "teams";
    public const string Outlook = "outlook";

    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Skipped = "skipped";

    /// <summary>Deterministic per (kind, document, recipient): the caller can de-duplicate on it.</summary>
    public static string Id(string kind, string subject, string recipient) => $"{kind}:{subject}:{recipient}";

    /// <summary>The digest's subject part: reviewer and day.</summary>
    public static string DigestSubject(string reviewerId, DateOnly day) => $"{reviewerId}:{day:yyyy-MM-dd}";
}
