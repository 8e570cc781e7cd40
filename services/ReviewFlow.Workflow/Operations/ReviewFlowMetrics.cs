using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.Workflow.Operations;

/// <summary>
/// ReviewFlow's own instruments (meter "ReviewFlow"; docs/operations.md lists the Prometheus names). Document counts
/// come from the events a saga transaction committed (<see cref="Committed"/>), so a redelivered message that changed
/// nothing counts nothing. Tags are document types, reviewer groups, rules and outcomes, never an id.
/// </summary>
public sealed class ReviewFlowMetrics
{
    public const string MeterName = "ReviewFlow";

    // Seconds, from a relay page (milliseconds) to a task decided the next day.
    static readonly IReadOnlyList<double> LatencyBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 72 * 3600];

    readonly Counter<long> _received, _invalid, _routed, _reviewRequested, _slaBreaches, _notifications, _refusals, _errorQueue;
    readonly Histogram<double> _decisionLatency, _relayDelay;

    public ReviewFlowMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _received = meter.CreateCounter<long>("reviewflow.documents.received", "{document}",
            "Valid classification results taken in, by document type and channel (amqp, http, bus).");
        _invalid = meter.CreateCounter<long>("reviewflow.documents.invalid", "{document}",
            "Invalid classification results recorded on a readable document id (the document shows Invalid), by document type (unknown when unreadable) and channel.");
        _errorQueue = meter.CreateCounter<long>("reviewflow.intake.refused", "{message}",
            "Messages moved to an intake error queue (unreadable or invalid input), by queue.");
        _routed = meter.CreateCounter<long>("reviewflow.documents.routed", "{document}",
            "Routing decisions, by document type, route (auto or review) and rule.");
        _reviewRequested = meter.CreateCounter<long>("reviewflow.reviews.requested", "{task}",
            "Review tasks opened, by document type and reviewer group.");
        _slaBreaches = meter.CreateCounter<long>("reviewflow.sla.breaches", "{task}",
            "Review tasks past their SLA due time, by reviewer group.");
        _notifications = meter.CreateCounter<long>("reviewflow.notifications.attempts", "{attempt}",
            "Notification attempts, by channel (teams, email) and outcome.");
        _refusals = meter.CreateCounter<long>("reviewflow.reviews.refused", "{command}",
            "Reviewer commands refused with 409 (a claim held by someone else, a task already decided), by command.");
        _decisionLatency = meter.CreateHistogram("reviewflow.decision.latency", "s",
            "To a final decision being stored, by route: auto from the intake accepting the result; review from its receipt, the human wait included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _relayDelay = meter.CreateHistogram("reviewflow.relay.delay", "s",
            "From a decision being stored to the broker confirming its publication on reviewflow.decisions.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    /// <summary>Once per host, by every slice that counts (the meter factory comes with any host; a bare container gets it too).</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<ReviewFlowMetrics>();
    }

    /// <summary>
    /// What one saga transaction committed for <paramref name="document"/> (its state after the transaction), in answer
    /// to a message sent at <paramref name="sentAt"/> (for a new document: when the intake accepted the result).
    /// </summary>
    public void Committed(IEnumerable<IDocumentEvent> events, DocumentState document, DateTimeOffset? sentAt)
    {
        var documentType = new KeyValuePair<string, object?>("document_type", document.Classification?.DocumentType ?? "unknown");
        foreach (var e in events)
        {
            switch (e)
            {
                case ClassificationReceived r:
                    _received.Add(1, new("document_type", r.Classification.DocumentType), new("channel", r.Channel));
                    break;
                case ClassificationRejected r:
                    _invalid.Add(1, documentType, new("channel", r.Channel));
                    break;
                case RoutingDecided r:
                    _routed.Add(1, documentType, new("route", r.Route), new("rule", r.Rule));
                    break;
                case ReviewRequested r:
                    _reviewRequested.Add(1, new("document_type", r.DocumentType), new("reviewer_group", r.ReviewerGroup));
                    break;
                case SlaBreached r:
                    _slaBreaches.Add(1, new KeyValuePair<string, object?>("reviewer_group", r.ReviewerGroup));
                    break;
                // Automatic: the intake's hand-over to the saga's commit (the saga's own steps are one timestamp).
                case DocumentRouted { Outcome: DecisionOutcomes.Auto } r when sentAt is { } accepted:
                    _decisionLatency.Record(Math.Max(0, (DateTimeOffset.UtcNow - accepted).TotalSeconds), documentType, new("route", "auto"));
                    break;
                // By a reviewer: the human wait included.
                case DocumentRouted r when document.ReceivedAt is { } received:
                    _decisionLatency.Record(Math.Max(0, (r.At - received).TotalSeconds), documentType, new("route", "review"));
                    break;
            }
        }
    }

    public void Refused(string command) => _refusals.Add(1, new KeyValuePair<string, object?>("command", command));

    public void MovedToErrorQueue(string queue) => _errorQueue.Add(1, new KeyValuePair<string, object?>("queue", queue));

    public void NotificationAttempted(string channel, string outcome) =>
        _notifications.Add(1, new("channel", channel), new("outcome", outcome));

    public void DecisionsPublished(IEnumerable<DateTimeOffset> storedAt, DateTimeOffset now)
    {
        foreach (var at in storedAt) _relayDelay.Record(Math.Max(0, (now - at).TotalSeconds));
    }
}
