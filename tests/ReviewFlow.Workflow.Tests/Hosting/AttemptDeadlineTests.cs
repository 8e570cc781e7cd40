using MassTransit;
using MassTransit.Configuration;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Workflow.Hosting;

namespace ReviewFlow.Workflow.Tests.Hosting;

/// <summary>
/// The saga endpoint's attempt deadline, configured as there (retry, deadline, in-memory outbox), on MassTransit's
/// in-memory bus: an attempt whose outbox publish never completes — as a publish awaiting a confirm on a channel that
/// died with the broker does — is failed at the deadline and retried, so the message is handled and the endpoint
/// goes on; without the deadline the message would stay in flight for good.
/// </summary>
public sealed class AttemptDeadlineTests
{
    public sealed record Step(string DocumentId);
    public sealed record StepDone(string DocumentId);

    /// <summary>The first attempt's publish hangs (a send filter that never returns); later attempts go through.</summary>
    sealed class HangFirstPublish : IFilter<PublishContext>
    {
        int _publishes;

        /// <summary>Set by the test at its end only, so that the bus can stop (it waits for the hung attempt).</summary>
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Send(PublishContext context, IPipe<PublishContext> next)
        {
            if (context is PublishContext<StepDone> && Interlocked.Increment(ref _publishes) == 1)
                await Release.Task; // hangs until the test is over
            await next.Send(context);
        }
        public void Probe(ProbeContext context) { }
    }

    sealed class StepConsumer : IConsumer<Step>
    {
        public static int Attempts;
        public async Task Consume(ConsumeContext<Step> context)
        {
            Interlocked.Increment(ref Attempts);
            await context.Publish(new StepDone(context.Message.DocumentId));
        }
    }

    [Fact]
    public async Task An_attempt_whose_publish_never_completes_is_failed_at_the_deadline_and_retried_so_the_message_is_handled()
    {
        StepConsumer.Attempts = 0;
        var hang = new HangFirstPublish();
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(x =>
            {
                x.AddConsumer<StepConsumer>().ExcludeFromConfigureEndpoints();
                x.AddHandler<StepDone>((ConsumeContext<StepDone> _) => Task.CompletedTask);
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.ConfigurePublish(p => p.AddPipeSpecification(new FilterPipeSpecification<PublishContext>(hang)));
                    cfg.ReceiveEndpoint("steps", e =>
                    {
                        e.UseMessageRetry(r => r.Intervals(10, 10));
                        e.UseAttemptDeadline(TimeSpan.FromMilliseconds(500));
                        e.UseInMemoryOutbox(context);
                        e.ConfigureConsumer<StepConsumer>(context);
                    });
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestTimeout = TimeSpan.FromSeconds(30); // found at once when it works; CI shares two cores among three test assemblies
        await harness.Start();

        try
        {
            await harness.Bus.Publish(new Step("DOC-1"));

            // Consumed, not published: the hung publish never reached the transport, so only a retried attempt's can arrive.
            Assert.True(await harness.Consumed.Any<StepDone>(m => m.Context.Message.DocumentId == "DOC-1"),
                "the step's publish never went out: the hung attempt was not failed and retried");
            Assert.Equal(2, StepConsumer.Attempts);

            await harness.Bus.Publish(new Step("DOC-2"));
            Assert.True(await harness.Consumed.Any<StepDone>(m => m.Context.Message.DocumentId == "DOC-2"), "the endpoint did not go on");
        }
        finally
        {
            hang.Release.TrySetResult();
        }
    }

    sealed class OwnTimeoutConsumer : IConsumer<Step>
    {
        public Task Consume(ConsumeContext<Step> context) => throw new TimeoutException("the database did not answer in time");
    }

    [Fact]
    public async Task A_timeout_the_handling_throws_itself_keeps_its_own_reason()
    {
        var reason = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(x =>
            {
                x.AddConsumer<OwnTimeoutConsumer>().ExcludeFromConfigureEndpoints();
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.ReceiveEndpoint("own-timeouts", e =>
                    {
                        e.UseMessageRetry(r => r.Intervals(10));
                        e.UseAttemptDeadline(TimeSpan.FromSeconds(5));
                        e.UseInMemoryOutbox(context);
                        e.ConfigureConsumer<OwnTimeoutConsumer>(context);
                    });
                    // The error queue, as an operator reads it: the reason is in the moved message's headers.
                    cfg.ReceiveEndpoint("own-timeouts_error", e =>
                    {
                        e.ConfigureConsumeTopology = false; // only what the endpoint above moves here
                        e.Handler<Step>(m =>
                        {
                            reason.TrySetResult(m.ReceiveContext.TransportHeaders.Get<string>("MT-Fault-Message"));
                            return Task.CompletedTask;
                        });
                    });
                });
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(new Step("DOC-3"));

        Assert.Equal("the database did not answer in time", await reason.Task.WaitAsync(TimeSpan.FromSeconds(30))); // not "… was not handled within 5 s"
    }
}
