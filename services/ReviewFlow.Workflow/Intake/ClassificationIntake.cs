using MassTransit;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Intake;

/// <summary>
/// Checks a result against the active policy's document types and hands it to the document's saga: accepted, or
/// refused with reasons when its document id can be read (so the document shows Invalid).
/// </summary>
public sealed class ClassificationIntake(ClassificationParser parser, IRoutingPolicySource policies, TimeProvider clock)
{
    public async Task<ParsedClassification> ParseAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var policy = await policies.CurrentAsync(cancellationToken);
        return parser.Parse(json, policy.DocumentTypes.Keys.ToArray());
    }

    public async Task<ParsedClassification> CheckAsync(DocumentClassified classification, CancellationToken cancellationToken)
    {
        var policy = await policies.CurrentAsync(cancellationToken);
        var errors = parser.Check(classification, policy.DocumentTypes.Keys.ToArray());
        var idReadable = !errors.Has("documentId");
        return new(errors.Count == 0 ? classification : null, idReadable ? classification.DocumentId : null,
            errors.Has("model.version") ? null : classification.Model?.Version, errors, errors.Has("sourceSystem") ? null : classification.SourceSystem);
    }

    /// <summary>
    /// Hands the result to the document's saga. With <paramref name="firstReceipts"/> (the worker's AMQP intake), a new
    /// document's first transaction is written here instead, batched with the others in flight, and only what the
    /// saga must see (a known document, a refusal) goes to its queue.
    /// </summary>
    public async Task ForwardAsync(ParsedClassification parsed, string channel, IPublishEndpoint bus, CancellationToken cancellationToken,
        string? submittedBy = null, FirstReceipts? firstReceipts = null)
    {
        var now = clock.GetUtcNow();
        if (parsed.Classification is { } valid)
        {
            var accepted = new ClassificationAccepted(valid, channel, now, submittedBy);
            if (firstReceipts is not null)
            {
                var (written, change) = await firstReceipts.TryWriteAsync(accepted, cancellationToken);
                if (written)
                {
                    if (change is not null) await bus.Publish(change, cancellationToken);
                    return;
                }
            }
            await bus.Publish(accepted, cancellationToken);
        }
        else if (parsed.DocumentId is { } id)
            await bus.Publish(new ClassificationRefused(id, parsed.Errors.ToReasons(), parsed.ModelVersion, channel, now, parsed.SourceSystem), cancellationToken);
    }
}

/// <summary>The reasons of a refusal, as MT-Fault-Message on the _error queue (<see cref="BadInput"/>; never thrown there).</summary>
public sealed class InvalidClassificationException(FieldErrors errors)
    : Exception("invalid classification: " + errors)
{
    public FieldErrors Errors { get; } = errors;
}
