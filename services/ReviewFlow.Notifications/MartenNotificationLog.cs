using Marten;
using ReviewFlow.Workflow.Notifying;
using ReviewFlow.Workflow.Operations;

namespace ReviewFlow.Notifications;

/// <summary>Each attempt is stored as it happens, in its own small transaction, and counted (reviewflow.notifications.attempts).</summary>
public sealed class MartenNotificationLog(IDocumentStore store, ReviewFlowMetrics metrics) : INotificationLog
{
    public async Task RecordAsync(NotificationAttempt attempt, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Store(From(attempt));
        await session.SaveChangesAsync(ct);
        metrics.NotificationAttempted(attempt.Channel, attempt.Outcome);
    }

    static NotificationRecord From(NotificationAttempt a) => new()
    {
        Id = Guid.CreateVersion7(),
        NotificationId = a.NotificationId,
        DocumentId = a.DocumentId,
        Kind = a.Kind,
        Channel = a.Channel,
        Recipient = a.Recipient,
        Attempt = a.Attempt,
        Outcome = a.Outcome,
        HttpStatus = a.HttpStatus,
        Detail = a.Detail,
        At = a.At,
    };
}
