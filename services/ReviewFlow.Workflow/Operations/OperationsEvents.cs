namespace ReviewFlow.Workflow.Operations;

// What operators did to the intake error queues, in the stream "$operations" (docs/events.md): who, why, which messages.

/// <summary>A message an action took, as it was listed: enough to know afterwards what it was, without its body.</summary>
public sealed record ErrorMessageTaken(string Id, string Queue, string? DocumentId, string? SourceSystem, IReadOnlyList<string> Reasons);

/// <summary>An operator replayed messages (Selection: "ids", "reason: …" or "all"); each was republished and confirmed, then removed.</summary>
public sealed record ErrorQueueReplayed(IReadOnlyList<ErrorMessageTaken> Messages, string Selection, string? Note, string Actor, DateTimeOffset At);

/// <summary>An operator discarded messages with a reason; recorded before the messages were removed.</summary>
public sealed record ErrorQueueDiscarded(IReadOnlyList<ErrorMessageTaken> Messages, string Reason, string Actor, DateTimeOffset At);

public static class OperationsLog
{
    public const string StreamKey = "$operations";

    public static readonly Type[] EventTypes = [typeof(ErrorQueueReplayed), typeof(ErrorQueueDiscarded)];

    public static IReadOnlyList<ErrorMessageTaken> Taken(IEnumerable<ErrorQueueMessage> messages) =>
        messages.Select(m => new ErrorMessageTaken(m.Id, m.Queue, m.DocumentId, m.SourceSystem, m.Reasons)).ToList();
}
