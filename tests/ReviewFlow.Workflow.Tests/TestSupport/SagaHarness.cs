using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Reviewing;
using ReviewFlow.Workflow.Routing;
using static ReviewFlow.Workflow.Tests.TestSupport.TestData;

namespace ReviewFlow.Workflow.Tests.TestSupport;

/// <summary>The document saga on MassTransit's in-memory test harness (in-memory saga repository, no PostgreSQL), under a fake clock.</summary>
public sealed class SagaHarness : IAsyncDisposable
{
    ServiceProvider _provider = null!;

    public FakeClock Clock { get; } = new(T0);

    /// <summary>The services' sealing key (the web host's and the worker's): the harness seals as the web host does.</summary>
    public CommandKey Key { get; } = NewKey();
    public ITestHarness Harness { get; private set; } = null!;
    public ISagaStateMachineTestHarness<DocumentStateMachine, DocumentState> Sagas { get; private set; } = null!;

    readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<IDocumentEvent>> _recorded = new();

    /// <summary>
    /// Every event the saga recorded for the document, in order: what the Marten repository would have appended to its
    /// stream (taken, like there, from the handled message's <see cref="PendingChanges"/>).
    /// </summary>
    public IReadOnlyList<IDocumentEvent> Recorded(string documentId)
    {
        if (!_recorded.TryGetValue(documentId, out var events)) return [];
        lock (events) return [.. events];
    }

    /// <summary>
    /// The recorded events once they satisfy the condition, or after 5 s as they are: the in-memory saga shows its new
    /// state, and sends its reply, while the step is still finishing, before its events are collected.
    /// </summary>
    public async Task<IReadOnlyList<IDocumentEvent>> RecordedAsync(string documentId, Func<IReadOnlyList<IDocumentEvent>, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var events = Recorded(documentId);
        while (!until(events) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
            events = Recorded(documentId);
        }
        return events;
    }

    /// <param name="testTimeout">The harness's own wait limit (MassTransit's default when null).</param>
    public async Task StartAsync(TimeSpan claimLease, TimeSpan? testTimeout = null)
    {
        _provider = new ServiceCollection()
            .AddSingleton<IRoutingPolicySource>(new FixedPolicySource(TestPolicy()))
            .AddSingleton<TimeProvider>(Clock)
            .Configure<ReviewOptions>(o => o.ClaimLease = claimLease)
            .AddSingleton(Key)
            .AddSingleton<CommandSeal>()
            .AddMassTransitTestHarness(x =>
            {
                if (testTimeout is { } timeout) x.SetTestTimeouts(testTimeout: timeout);
                x.AddSagaStateMachine<DocumentStateMachine, DocumentState>((_, saga) => saga.UseFilter(new RecordingFilter(_recorded)));
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseSendFilter(typeof(SealingFilter<>), context);
                    cfg.UsePublishFilter(typeof(SealingFilter<>), context);
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        Harness = _provider.GetRequiredService<ITestHarness>();
        await Harness.Start();
        Sagas = Harness.GetSagaStateMachineHarness<DocumentStateMachine, DocumentState>();
    }

    static CommandKey NewKey()
    {
        var key = new CommandKey();
        key.Use(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        return key;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}

/// <summary>After the saga handled a message, keeps what it recorded (the in-memory repository appends nothing).</summary>
sealed class RecordingFilter(System.Collections.Concurrent.ConcurrentDictionary<string, List<IDocumentEvent>> recorded)
    : IFilter<SagaConsumeContext<DocumentState>>
{
    public async Task Send(SagaConsumeContext<DocumentState> context, IPipe<SagaConsumeContext<DocumentState>> next)
    {
        await next.Send(context);
        var events = PendingChanges.RecordedIn(context);
        if (events.Count == 0) return;
        var list = recorded.GetOrAdd(context.Saga.DocumentId, _ => []);
        lock (list) list.AddRange(events);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("recorded-events");
}
