using MassTransit;
using ReviewFlow.Contracts;
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
            errors.Has("model.version") ? null : classification.Model?.Version, errors);
    }

    public Task ForwardAsync(ParsedClassification parsed, string channel, IPublishEndpoint bus, CancellationToken cancellationToken,
        string? submittedBy = null)
    {
        var now = clock.GetUtcNow();
        if (parsed.Classification is { } valid)
            return bus.Publish(new ClassificationAccepted(valid, channel, now, submittedBy), cancellationToken);
        if (parsed.DocumentId is { } id)
            return bus.Publish(new ClassificationRefused(id, parsed.Errors.ToReasons(), parsed.ModelVersion, channel, now), cancellationToken);
        return Task.CompletedTask;
    }
}

/// <summary>The reasons of a refusal, as MT-Fault-Message on the _error queue (<see cref="BadInput"/>; never thrown there).</summary>
public sealed class InvalidClassificationException(FieldErrors errors)
    : Exception("invalid classification: " + errors)
{
    public FieldErrors Errors { get; } = errors;
}

/// <summary>Stand-in message type for raw JSON from any publisher: the consumer reads the body itself.</summary>
public sealed record RawClassification;

/// <summary>Raw JSON from the reviewflow.classifications exchange (any language).</summary>
/// <remarks>Bodies that are not JSON objects were refused before deserialization (<see cref="RawClassificationBodyFilter"/>).</remarks>
public sealed class ReceiveRawClassificationConsumer(ClassificationIntake intake, BadInput badInput) : IConsumer<RawClassification>
{
    public async Task Consume(ConsumeContext<RawClassification> context)
    {
        var parsed = await intake.ParseAsync(context.ReceiveContext.Body.GetBytes(), context.CancellationToken);
        await intake.ForwardAsync(parsed, Channels.Amqp, context, context.CancellationToken);
        if (!parsed.IsValid) await badInput.MoveToErrorQueueAsync(context.ReceiveContext, parsed.Errors, parsed.DocumentId);
    }
}

/// <summary>DocumentClassified published by .NET code through MassTransit.</summary>
public sealed class ReceiveClassificationConsumer(ClassificationIntake intake, BadInput badInput) : IConsumer<DocumentClassified>
{
    public async Task Consume(ConsumeContext<DocumentClassified> context)
    {
        var parsed = await intake.CheckAsync(context.Message, context.CancellationToken);
        await intake.ForwardAsync(parsed, Channels.Bus, context, context.CancellationToken);
        if (!parsed.IsValid) await badInput.MoveToErrorQueueAsync(context.ReceiveContext, parsed.Errors, parsed.DocumentId);
    }
}
