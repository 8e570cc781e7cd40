using MassTransit;
using MassTransit.Testing;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Workflow.Intake;

namespace ReviewFlow.Workflow.Tests.Intake;

/// <summary>
/// Bad input's send to the _error queue has a deadline. A body refused before deserialization is handled outside the
/// intake's attempt deadline; a send that never completes — as one on a channel that died with the broker can
/// (RabbitMQ.Client 7.2, rabbitmq-dotnet-client#1930) — would hold that delivery for good, and the queue with it.
/// On MassTransit's in-memory bus, one message at a time, as the body filter runs on the raw intake queue.
/// </summary>
public sealed class BadInputDeadlineTests
{
    public sealed record Note(string Text);

    /// <summary>The first send to the error queue never completes (until the test's end); later ones do at once.</summary>
    sealed class HangFirstErrorSend : IErrorTransport, IFilter<ReceiveContext>
    {
        int _sends;
        public int Sends => Volatile.Read(ref _sends);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Send(ExceptionReceiveContext context)
        {
            if (Interlocked.Increment(ref _sends) == 1) await Release.Task;
        }

        // As a receive filter: this error transport in place of the endpoint's own.
        public Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
        {
            context.AddOrUpdatePayload<IErrorTransport>(() => this, _ => this);
            return next.Send(context);
        }

        public void Probe(ProbeContext context) { }
    }

    [Fact]
    public async Task A_refused_body_whose_error_queue_send_hangs_gives_up_at_the_deadline_and_the_queue_goes_on()
    {
        var hang = new HangFirstErrorSend();
        var limits = new IntakeLimits { MaxPayloadBytes = 2_000, ErrorSendTimeout = TimeSpan.FromMilliseconds(300) };
        var handled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var services = new ServiceCollection().AddSingleton(limits).AddSingleton<ClassificationParser>().AddSingleton<BadInput>().AddLogging();
        ReviewFlow.Workflow.Operations.ReviewFlowMetrics.Register(services);
        await using var provider = services
            .AddMassTransitTestHarness(x => x.UsingInMemory((context, cfg) =>
                cfg.ReceiveEndpoint("notes", e =>
                {
                    e.PrefetchCount = 1;
                    e.ConcurrentMessageLimit = 1;
                    e.ConfigureReceive(r =>
                    {
                        r.UseFilter(hang);
                        r.UseFilter(new RawClassificationBodyFilter(context.GetRequiredService<ClassificationParser>(), context.GetRequiredService<BadInput>()));
                    });
                    e.Handler<Note>(c =>
                    {
                        handled.TrySetResult(c.Message.Text);
                        return Task.CompletedTask;
                    });
                })))
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestTimeout = TimeSpan.FromSeconds(30);
        await harness.Start();
        try
        {
            var endpoint = await harness.Bus.GetSendEndpoint(new Uri("queue:notes"));
            await endpoint.Send(new Note(new string('x', 5_000))); // over the limit: refused, its error send hangs
            await endpoint.Send(new Note("after the refused one"));

            // Without the deadline the refused body's delivery never ends, and the next message is never handled.
            Assert.Equal("after the refused one", await handled.Task.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.True(hang.Sends >= 1);
        }
        finally
        {
            hang.Release.TrySetResult(); // so that the bus can stop
            await harness.Stop();
        }
    }
}
