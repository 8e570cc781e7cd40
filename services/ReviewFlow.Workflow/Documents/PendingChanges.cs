using MassTransit;

namespace ReviewFlow.Workflow.Documents;

/// <summary>
/// What handling one message recorded: the events the repository appends, and the answer sent to a reviewer command
/// once the transaction has committed. A payload of that message's saga context, never part of the stored state:
/// it dies with the attempt, so a retry after a lost concurrency race starts empty on fresh state.
/// </summary>
public sealed class PendingChanges
{
    readonly List<IDocumentEvent> _events = [];

    public IReadOnlyList<IDocumentEvent> Events => _events;

    /// <summary>A refusal to answer with; null answers with what was recorded.</summary>
    public object? Reply { get; set; }

    public static PendingChanges Of(PipeContext context) => context.GetOrAddPayload(() => new PendingChanges());

    /// <summary>The events handling the message recorded so far (none when nothing was recorded).</summary>
    public static IReadOnlyList<IDocumentEvent> RecordedIn(PipeContext context) =>
        context.TryGetPayload(out PendingChanges? changes) ? changes.Events : [];

    /// <summary>Applies the events to the state and keeps them for the append.</summary>
    public void Record(DocumentState saga, IEnumerable<IDocumentEvent> events)
    {
        foreach (var e in events)
        {
            saga.Apply(e);
            _events.Add(e);
        }
    }
}
