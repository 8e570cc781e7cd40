using JasperFx.Events;
using Marten;

namespace ReviewFlow.Workflow.Documents;

/// <summary>
/// A document as the read endpoints see it: folded from its event stream on each read, never from the saga's stored
/// state (that is the workflow's own). A read costs one stream fetch of the few events a document has.
/// </summary>
public sealed record DocumentRead(DocumentState State, IReadOnlyList<IEvent> Events)
{
    /// <summary>The document's stream folded, or null when nothing was recorded under the id.</summary>
    public static async Task<DocumentRead?> LoadAsync(IQuerySession session, string documentId, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(documentId, token: ct);
        var state = Fold(events.Select(e => e.Data).OfType<IDocumentEvent>());
        return state is null ? null : new DocumentRead(state, events);
    }

    /// <summary>The events applied in order, with the status the state machine reaches on the same events.</summary>
    public static DocumentState? Fold(IEnumerable<IDocumentEvent> events)
    {
        DocumentState? state = null;
        foreach (var e in events) (state ??= new DocumentState()).Apply(e);
        if (state is null) return null;
        state.CurrentState = StatusOf(state);
        return state;
    }

    // Follows DocumentStateMachine's transitions (ReviewQueueStatusTests run both on the same paths).
    static string StatusOf(DocumentState s) =>
        s.Outcome is not null ? DocumentStatus.Routed
        : s.Classification is null ? DocumentStatus.Invalid
        : s.ClaimedBy is not null ? DocumentStatus.Claimed
        : DocumentStatus.Unclaimed(s.ForSupervisor, s.FirstReviewerId is not null);
}
