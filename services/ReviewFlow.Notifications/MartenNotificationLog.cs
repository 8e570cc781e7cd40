using Marten;
using ReviewFlow.Workflow.Notifying;

namespace ReviewFlow.Notifications;

/// <summary>Each attempt is stored as it happens, in its own small transaction.</summary>
public sealed class MartenNotificationLog(IDocumentStore store) : INotificationLog
{
    public async Task RecordAsync(NotificationAttempt attempt, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Store(From(attempt));
        await session.SaveChangesAsync(ct);
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
