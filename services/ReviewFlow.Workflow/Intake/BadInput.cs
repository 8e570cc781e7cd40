using MassTransit;
using MassTransit.Middleware.Rescue;
using MassTransit.Transports;
using ReviewFlow.Workflow.Operations;

namespace ReviewFlow.Workflow.Intake;

/// <summary>
/// Puts bad input on the endpoint's _error queue with MassTransit's MT-Fault-* headers (the reasons in
/// MT-Fault-Message), as its fault path would, but without throwing: a throw is retried (UseMessageRetry) and logged
/// by MassTransit as an error with a stack trace (R-FAULT, ~3 KB a message). Bad input is the publisher's mistake,
/// not ours: one warning line. Genuine faults still throw and are logged as errors.
/// The send has a deadline (<see cref="IntakeLimits.ErrorSendTimeout"/>): a body refused before deserialization is
/// handled outside the intake's attempt deadline (<see cref="Hosting.AttemptDeadline"/>), and a send hung on a channel
/// that died with the broker would hold that delivery for good. The endpoint's restart waits for its deliveries in
/// flight, and RabbitMQ.Client hands the channel's shutdown to the same dispatcher as its deliveries, so the worker
/// could stay off the queue. Past the deadline the delivery fails and RabbitMQ delivers the message again (its copy on
/// the _error queue may then arrive twice).
/// </summary>
public sealed class BadInput(ILogger<BadInput> log, ReviewFlowMetrics metrics, IntakeLimits limits)
{
    public async Task MoveToErrorQueueAsync(ReceiveContext context, FieldErrors errors, string? documentId)
    {
        var reason = new InvalidClassificationException(errors);
        if (!context.TryGetPayload(out IErrorTransport? errorTransport))
            throw reason; // a transport without an error transport: MassTransit's own fault path
        var send = errorTransport.Send(new RescueExceptionReceiveContext(context, reason));
        try
        {
            await send.WaitAsync(limits.ErrorSendTimeout);
        }
        catch (TimeoutException) when (!send.IsCompleted)
        {
            throw new ErrorQueueSendTimeoutException(context.InputAddress, limits.ErrorSendTimeout);
        }
        metrics.MovedToErrorQueue(context.InputAddress.AbsolutePath.Split('/')[^1] + "_error");
        // A raw message names its document only once parsed: the scope says it, as for every other message (Telemetry).
        using (documentId is null ? null : log.BeginScope(new Dictionary<string, object?> { ["DocumentId"] = OneLine(documentId) }))
            log.LogWarning("Refused a classification result (documentId {DocumentId}) from {InputAddress}: {Reasons}",
                OneLine(documentId ?? "unreadable"), context.InputAddress, OneLine(errors.ToString()));
    }

    /// <summary>Reasons quote the publisher's text (an unknown type, a metadata key): no line breaks into our log.</summary>
    static string OneLine(string text) =>
        string.Create(text.Length, text, (span, t) => { for (var i = 0; i < t.Length; i++) span[i] = char.IsControl(t[i]) ? ' ' : t[i]; });
}

/// <summary>The send of bad input to the _error queue did not complete in time; the message is delivered again.</summary>
public sealed class ErrorQueueSendTimeoutException(Uri inputAddress, TimeSpan timeout)
    : TimeoutException($"moving bad input from {inputAddress} to its _error queue took over {timeout.TotalSeconds:0.#} s (a send on a dead channel?); the message is delivered again");

/// <summary>
/// Refuses a raw body that is not a JSON object (over the size limit, empty, not JSON, null, an array) before
/// MassTransit's raw JSON deserializer copies the whole body into a JsonElement, or fails on it with a stack trace.
/// </summary>
public sealed class RawClassificationBodyFilter(ClassificationParser parser, BadInput badInput) : IFilter<ReceiveContext>
{
    public async Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        var refused = context.Body.Length > parser.MaxPayloadBytes
            ? parser.CheckSize(context.Body.Length.Value)
            : parser.CheckSyntax(context.Body.GetBytes());
        if (refused is null) await next.Send(context);
        else await badInput.MoveToErrorQueueAsync(context, refused, documentId: null);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("rawClassificationBody");
}
