namespace ReviewFlow.Workflow.Notifying;

/// <summary>
/// One notification attempt as stored (Marten document): every try of every channel for every recipient, with its
/// outcome. Shown with the document (GET /api/v1/documents/{id}/notifications); notifications are not decisions, so
/// they are kept beside the document's event stream, not in it.
/// </summary>
public sealed class NotificationRecord
{
    public Guid Id { get; set; }
    public string NotificationId { get; set; } = "";
    public string? DocumentId { get; set; }
    public string Kind { get; set; } = "";
    public string Channel { get; set; } = "";
    public string Recipient { get; set; } = "";
    public int Attempt { get; set; }
    public string Outcome { get; set; } = "";
    public int? HttpStatus { get; set; }
    public string? Detail { get; set; }
    public DateTimeOffset At { get; set; }
}
