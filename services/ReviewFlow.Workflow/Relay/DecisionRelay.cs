using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Options;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Operations;

namespace ReviewFlow.Workflow.Relay;

/// <summary>
/// The event store is the outbox: this Marten subscription publishes every committed DocumentRouted event to
/// reviewflow.decisions, with the event id as message id, except those its transaction claimed for direct sending
/// (<see cref="DirectDecisions"/>: a new document's automatic decision, sent by the worker that committed it). A decision that was not committed is never seen here; one
/// that was is published even if the process died after the commit, because the subscription's progress only moves
/// after the broker confirmed the page. The async daemon runs it on one node at a time (HotCold).
/// The daemon skips a sequence gap that stays open for 5 s (Hosting/EventStore.cs); a transaction that commits into such a
/// gap later would never be seen here, so each page also notes the sequence numbers it passed without an event
/// (<see cref="RelayGaps"/>) and the <see cref="DecisionReconciler"/> publishes any that later turns out to be a decision.
/// </summary>
public sealed class DecisionRelay : SubscriptionBase
{
    public const string SubscriptionId = "decision-relay";
    static readonly SystemTextJsonRawMessageSerializer RawJson = new(RawSerializerOptions.AddTransportHeaders);

    readonly IServiceProvider _services;
    readonly ILogger<DecisionRelay> _log;

    // The bus is resolved on the first page, not here: Marten builds this subscription while it builds the store,
    // and the bus needs the store (through the saga repository).
    public DecisionRelay(IServiceProvider services, ILogger<DecisionRelay> log)
    {
        _services = services;
        _log = log;
        Name = SubscriptionId;
        IncludeType<DocumentRouted>();
        Options.BatchSize = 500;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var options = _services.GetRequiredService<IOptions<RelayOptions>>().Value;
        var seen = await RelayGaps.InspectAsync(page, operations, cancellationToken);
        // A decision claimed by its transaction was published by the process that committed it (or is the reconciler's).
        var decisions = page.Events.Concat(seen.LateDecisions)
            .Where(e => e.Data is DocumentRouted && !seen.Direct.Contains(e.Sequence)).ToList();
        await PublishAsync(_services.GetRequiredService<IBus>(), decisions, options.PublishTimeout, cancellationToken);
        _services.GetRequiredService<ReviewFlowMetrics>().DecisionsPublished(decisions.Select(e => e.Timestamp), DateTimeOffset.UtcNow);
        RelayGaps.Note(operations, seen.Gaps);
        _log.LogDebug("Published decisions up to event sequence {Ceiling}", page.SequenceCeiling);
        return NullChangeListener.Instance;
    }

    /// <summary>
    /// Publishes the decisions concurrently (different documents need no order between them; publisher confirms make
    /// each durable at the broker) and fails if the broker has not confirmed them all within the timeout. Without that
    /// deadline a publish on a channel that died with the broker can wait forever (RabbitMQ.Client 7.2,
    /// rabbitmq-dotnet-client#1930; an independent broker-restart run saw the relay stall so): the daemon would see
    /// neither progress nor failure. A failure pauses the relay, and the
    /// daemon restarts it on a fresh channel, from the same page.
    /// </summary>
    public static Task PublishAsync(IBus bus, IReadOnlyCollection<IEvent> decisions, TimeSpan timeout, CancellationToken cancellationToken) =>
        PublishAsync(bus, decisions.Select(e => (e.Id, (DocumentRouted)e.Data)).ToList(), timeout, cancellationToken);

    public static async Task PublishAsync(IBus bus, IReadOnlyCollection<(Guid EventId, DocumentRouted Routed)> decisions, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        if (decisions.Count == 0) return;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await Task.WhenAll(decisions.Select(d => bus.Publish(d.Routed.ToDecision(), ctx =>
            {
                ctx.MessageId = d.EventId;
                ctx.Serializer = RawJson;
            }, deadline.Token))).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new DecisionPublishTimeoutException(decisions.Count, timeout);
        }
    }
}

/// <summary>The broker did not confirm a page of decisions in time: the relay pauses and retries the page.</summary>
public sealed class DecisionPublishTimeoutException(int count, TimeSpan timeout)
    : Exception($"the broker did not confirm {count} decision(s) within {timeout.TotalSeconds:0.#} s");

/// <summary>Relay:* settings.</summary>
public sealed class RelayOptions
{
    /// <summary>How long the broker may take to confirm a page of decisions before the relay retries it.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the reconciler looks at the sequence gaps the relay passed.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a gap is watched for a late commit. Appends run with a 10 s idle-in-transaction limit (the saga's
    /// session) and the services' role has a statement timeout, so no append commits this late.
    /// </summary>
    public TimeSpan GapHorizon { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How old a direct decision's claim (<see cref="DirectDecisions"/>) must be, unpublished, before the reconciler
    /// publishes it. The process that claimed it does not start publishing it after half of this less the publish timeout.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
