namespace ReviewFlow.Workflow.Sla;

/// <summary>
/// The Hangfire jobs scheduled for one open document (Marten document, id = document id), so that a decision can
/// cancel them. Written by <see cref="TimerScheduler"/> in the same transaction as its progress.
/// </summary>
public sealed class DocumentTimers
{
    public string Id { get; set; } = "";
    public string? ReminderJob { get; set; }
    public string? BreachJob { get; set; }
    public string? LeaseJob { get; set; }

    public IEnumerable<string> Jobs() => new[] { ReminderJob, BreachJob, LeaseJob }.OfType<string>();
}
