using System.Diagnostics;
using System.Threading.Channels;
using JasperFx.Events;
using Marten;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Operations;
using ReviewFlow.Workflow.Relay;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Documents;

/// <summary>
/// The first transaction of new documents, written by the worker's intake itself instead of a hand-over to the saga's
/// queue, and for all the results the intake is handling at that moment in one transaction (group commit: while one
/// batch commits, the next gathers). Each document gets what the saga would have written for its first valid result
/// (<see cref="DocumentDecisions.Receive"/>: its events, appended at the stream version they make, and its state
/// document, Routed or AwaitingReview), so an automatically routed document costs one broker hop and a share of one
/// transaction instead of two hops and a transaction of its own (docs/adr/0026, docs/performance.md).
/// A document that already has state (a redelivery, a later model version, one that was Invalid) is not written here:
/// the caller hands it to the saga as before, which stays the single writer of every stream after its first
/// transaction. Two writers starting the same stream at once (two workers given the same new document) are told
/// apart by the append's expected version: one transaction commits, the other fails as a whole and its messages are
/// retried, when they find the document and go to the saga.
/// </summary>
public sealed class FirstReceipts
{
    /// <summary>At most this many documents per transaction (the intake's consumers in flight bound it first).</summary>
    public const int MaxBatch = 64;

    /// <summary>Traces: each batch is an activity linked to the intake's consume of each of its documents.</summary>
    public static readonly ActivitySource Activities = new("ReviewFlow.FirstReceipts");

    // A batch that hangs (a dead connection) must end, or every later document would wait behind it.
    static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(30);

    readonly IDocumentStore store;
    readonly IRoutingPolicySource policies;
    readonly TimeProvider clock;
    readonly ReviewFlowMetrics metrics;
    readonly ILogger<FirstReceipts> log;
    readonly DirectDecisions? direct;
    readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <param name="direct">The worker's relay slice: the automatic decisions are claimed in the transaction and sent right after
    /// its commit (docs/adr/0027). Without it the relay publishes them.</param>
    public FirstReceipts(IDocumentStore store, IRoutingPolicySource policies, TimeProvider clock, ReviewFlowMetrics metrics,
        ILogger<FirstReceipts> log, DirectDecisions? direct = null)
    {
        (this.store, this.policies, this.clock, this.metrics, this.log, this.direct) = (store, policies, clock, metrics, log, direct);
        // One writer for the process: a batch is what came in while the previous one committed. Started without the
        // resolving message's context, whose trace it would otherwise join for good.
        using (ExecutionContext.SuppressFlow()) _ = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Writes the document's first transaction and returns what to tell the web nodes (null: nothing).
    /// Not written: the document already exists, or another result for it in the same batch came first: hand it to
    /// the saga. Throws what the transaction threw (the intake's retry policy runs the message again).
    /// </summary>
    public async Task<(bool Written, ReviewTaskChanged? Change)> TryWriteAsync(ClassificationAccepted accepted, CancellationToken cancellationToken)
    {
        var pending = new Pending(accepted);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Done.Task.WaitAsync(cancellationToken);
    }

    async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            var batch = new List<Pending>();
            while (batch.Count < MaxBatch && reader.TryRead(out var next)) batch.Add(next);
            try
            {
                await WriteAsync(batch);
            }
            catch (Exception ex) // never leave a message waiting: this loop is the process's only writer of first receipts
            {
                log.LogError(ex, "Writing the first receipts of {Count} documents failed", batch.Count);
                foreach (var pending in batch) pending.Done.TrySetException(ex);
            }
        }
    }

    async Task WriteAsync(List<Pending> batch)
    {
        var written = new List<(Pending Pending, DocumentState State, List<IDocumentEvent> Events)>(batch.Count);
        var decisions = new List<(StreamAction Stream, int Index)>();
        long claimedBy = 0;
        using var activity = Activities.StartActivity(ActivityKind.Internal, default(ActivityContext),
            links: batch.Where(p => p.Trace != default).Select(p => new ActivityLink(p.Trace)), name: "first receipts");
        activity?.SetTag("reviewflow.batch.size", batch.Count);
        try
        {
            using var timeout = new CancellationTokenSource(BatchTimeout);
            var policy = await policies.CurrentAsync(timeout.Token);
            await using var session = store.LightweightSession();
            var keys = batch.Select(p => DocumentKey.For(p.Accepted.Classification.DocumentId)).Distinct().ToArray();
            var existing = (await session.LoadManyAsync<DocumentState>(timeout.Token, keys)).Select(s => s.CorrelationId).ToHashSet();
            var now = clock.GetUtcNow();
            // As the saga's transaction (DocumentSagaRepository): a stalled node must not hold an append open.
            session.QueueSqlCommand("SET LOCAL idle_in_transaction_session_timeout = '10s'");
            foreach (var pending in batch)
            {
                var key = DocumentKey.For(pending.Accepted.Classification.DocumentId);
                if (!existing.Add(key)) continue; // known, or a repeat of one earlier in this batch: the saga's, after this commit
                var (state, events) = Start(pending.Accepted, policy, now);
                var stream = session.Events.Append(state.DocumentId, state.StreamVersion, events.Cast<object>().ToArray());
                session.Store(state);
                written.Add((pending, state, events));
                if (direct is not null && events.FindIndex(e => e is DocumentRouted) is var routed and >= 0) decisions.Add((stream, routed));
            }
            // A new stream's events take the versions 1..n.
            DirectDecisions.Claim(session, decisions.Select(d => (d.Stream.Key!, (long)d.Index + 1)).ToList());
            claimedBy = Stopwatch.GetTimestamp();
            if (written.Count > 0) await session.SaveChangesAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            if (batch.Count > 1)
                log.LogWarning("The first transaction of {Count} new documents failed ({Reason}); their messages are retried",
                    batch.Count, ex.Message);
            foreach (var pending in batch) pending.Done.TrySetException(ex);
            return;
        }
        direct?.Send(decisions.Select(d => new DirectDecision(d.Stream.Key!, d.Index + 1, d.Stream.Events[d.Index].Id,
            (DocumentRouted)d.Stream.Events[d.Index].Data)).ToList(), claimedBy);
        foreach (var (pending, state, events) in written)
        {
            pending.Done.TrySetResult((true, DocumentStateMachine.TaskChange(state, events)));
            metrics.Committed(events, state, pending.Accepted.ReceivedAt);
        }
        foreach (var pending in batch) pending.Done.TrySetResult((false, null));
    }

    /// <summary>
    /// What the saga's first step makes of a valid result for a document without state: its events and its state,
    /// Routed or AwaitingReview (DocumentStateMachine: During(Initial, When(Accepted)); a unit test runs both).
    /// </summary>
    public static (DocumentState State, List<IDocumentEvent> Events) Start(ClassificationAccepted accepted, RoutingPolicy policy, DateTimeOffset now)
    {
        var state = new DocumentState { CorrelationId = DocumentKey.For(accepted.Classification.DocumentId) };
        var events = DocumentDecisions.Receive(accepted, policy, now).ToList();
        foreach (var e in events) state.Apply(e);
        state.CurrentState = state.Outcome is not null ? DocumentStatus.Routed : DocumentStatus.AwaitingReview;
        state.StreamVersion = events.Count;
        state.Version = 1;
        return (state, events);
    }

    sealed class Pending(ClassificationAccepted accepted)
    {
        public ClassificationAccepted Accepted { get; } = accepted;
        public ActivityContext Trace { get; } = Activity.Current?.Context ?? default;
        public TaskCompletionSource<(bool, ReviewTaskChanged?)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
