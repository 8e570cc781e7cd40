using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.Workflow.Decisions;

/// <summary>
/// The event store is the outbox: this Marten subscription publishes every committed DocumentRouted event to
/// reviewflow.decisions, with the event id as message id. A decision that was not committed is never seen here; one
/// that was is published even if the process died after the commit, because the subscription's progress only moves
/// after the broker confirmed the page. The async daemon runs it on one node at a time (HotCold).
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
        var bus = _services.GetRequiredService<IBus>();
        // Different documents need no order between them; publisher confirms make each publish durable at the broker.
        await Task.WhenAll(page.Events
            .Where(e => e.Data is DocumentRouted)
            .Select(e => bus.Publish(((DocumentRouted)e.Data).ToDecision(), ctx =>
            {
                ctx.MessageId = e.Id;
                ctx.Serializer = RawJson;
            }, cancellationToken)));
        _log.LogDebug("Published decisions up to event sequence {Ceiling}", page.SequenceCeiling);
        return NullChangeListener.Instance;
    }
}
