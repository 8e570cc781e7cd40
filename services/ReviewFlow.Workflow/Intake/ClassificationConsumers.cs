using MassTransit;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.Workflow.Intake;

/// <summary>Stand-in message type for raw JSON from any publisher: the consumer reads the body itself.</summary>
public sealed record RawClassification;

/// <summary>Raw JSON from the reviewflow.classifications exchange (any language).</summary>
/// <remarks>Bodies that are not JSON objects were refused before deserialization (<see cref="RawClassificationBodyFilter"/>).</remarks>
public sealed class ReceiveRawClassificationConsumer(ClassificationIntake intake, FirstReceipts firstReceipts, BadInput badInput) : IConsumer<RawClassification>
{
    public async Task Consume(ConsumeContext<RawClassification> context)
    {
        var parsed = await intake.ParseAsync(context.ReceiveContext.Body.GetBytes(), context.CancellationToken);
        await intake.ForwardAsync(parsed, Channels.Amqp, context, context.CancellationToken, firstReceipts: firstReceipts);
        if (!parsed.IsValid) await badInput.MoveToErrorQueueAsync(context.ReceiveContext, parsed.Errors, parsed.DocumentId);
    }
}

/// <summary>DocumentClassified published by .NET code through MassTransit.</summary>
public sealed class ReceiveClassificationConsumer(ClassificationIntake intake, FirstReceipts firstReceipts, BadInput badInput) : IConsumer<DocumentClassified>
{
    public async Task Consume(ConsumeContext<DocumentClassified> context)
    {
        var parsed = await intake.CheckAsync(context.Message, context.CancellationToken);
        await intake.ForwardAsync(parsed, Channels.Bus, context, context.CancellationToken, firstReceipts: firstReceipts);
        if (!parsed.IsValid) await badInput.MoveToErrorQueueAsync(context.ReceiveContext, parsed.Errors, parsed.DocumentId);
    }
}
