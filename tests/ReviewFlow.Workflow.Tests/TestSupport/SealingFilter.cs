using MassTransit;
using ReviewFlow.Workflow.Reviewing;

namespace ReviewFlow.Workflow.Tests.TestSupport;

/// <summary>
/// The harness plays the web host: it seals every reviewer command it sends, as ReviewingSlice does, unless the test
/// set a seal of its own (a forgery) on the message.
/// </summary>
public sealed class SealingFilter<T>(CommandSeal seal) : IFilter<SendContext<T>>, IFilter<PublishContext<T>> where T : class
{
    static readonly bool IsReviewerCommand = typeof(T).Namespace == typeof(Contracts.ClaimReview).Namespace && typeof(T).Name.EndsWith("Review");

    public Task Send(SendContext<T> context, IPipe<SendContext<T>> next)
    {
        Seal(context);
        return next.Send(context);
    }

    public Task Send(PublishContext<T> context, IPipe<PublishContext<T>> next)
    {
        Seal(context);
        return next.Send(context);
    }

    void Seal(SendContext<T> context)
    {
        if (IsReviewerCommand && !context.Headers.TryGetHeader(CommandSeal.Header, out _)) seal.Apply(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("sealing");
}
