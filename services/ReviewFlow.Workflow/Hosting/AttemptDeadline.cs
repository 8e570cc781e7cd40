using MassTransit;
using MassTransit.Configuration;

namespace ReviewFlow.Workflow.Hosting;

/// <summary>
/// A deadline on each attempt at a message of an endpoint whose handling publishes or sends (the saga's, the intake's),
/// the in-memory outbox's publishes included (between the retry policy and the outbox: an attempt is bounded, the
/// retries are not). Without it, a publish awaiting the broker's confirm on a channel that died in a RabbitMQ restart
/// can wait forever (RabbitMQ.Client 7.2, rabbitmq-dotnet-client#1930, the relay's deadline is for the same defect):
/// the attempt never ends, the endpoint's restart waits for it, and the worker stops consuming the queue while its
/// readiness says ready (found by the combined fault suite on reviewflow-documents: a reviewer's decision committed,
/// its ReviewTaskChanged publish hung; then by BrokerRestartTests in CI on reviewflow-classifications, 1 of 2
/// consumers for good). Past the deadline the attempt fails and the retry policy runs it again on a fresh channel. A
/// step that had committed is not applied twice: the saga handles the message again as it handles any redelivery
/// (a decided task refuses a second decision and records nothing), and the intake's second send of a document is a
/// duplicate the saga ignores.
/// </summary>
public static class AttemptDeadline
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    /// <summary>Call between UseMessageRetry and UseInMemoryOutbox: message-level filters nest in the order configured.</summary>
    public static void UseAttemptDeadline(this IReceiveEndpointConfigurator configurator, TimeSpan timeout) =>
        _ = new Observer(configurator, timeout);

    sealed class Observer : ConfigurationObserver, IMessageConfigurationObserver
    {
        readonly TimeSpan _timeout;

        public Observer(IConsumePipeConfigurator configurator, TimeSpan timeout) : base(configurator)
        {
            _timeout = timeout;
            Connect(this);
        }

        public void MessageConfigured<TMessage>(IConsumePipeConfigurator configurator) where TMessage : class =>
            configurator.AddPipeSpecification(new FilterPipeSpecification<ConsumeContext<TMessage>>(new Filter<TMessage>(_timeout)));
    }

    sealed class Filter<TMessage>(TimeSpan timeout) : IFilter<ConsumeContext<TMessage>> where TMessage : class
    {
        public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
        {
            var attempt = next.Send(context);
            try
            {
                await attempt.WaitAsync(timeout, context.CancellationToken);
            }
            catch (TimeoutException) when (!attempt.IsCompleted) // a timeout the handling threw itself keeps its own message
            {
                throw new AttemptTimeoutException(typeof(TMessage).Name, timeout);
            }
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("attemptDeadline").Add("timeout", timeout);
    }
}

/// <summary>An attempt at a message did not finish within its deadline; the retry policy runs it again.</summary>
public sealed class AttemptTimeoutException(string message, TimeSpan timeout)
    : TimeoutException($"{message} was not handled within {timeout.TotalSeconds:0} s (a publish waiting for a broker confirm on a dead channel?); retried");
