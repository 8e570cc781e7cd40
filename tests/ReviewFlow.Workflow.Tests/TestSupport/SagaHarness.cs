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
                x.AddSagaStateMachine<DocumentStateMachine, DocumentState>();
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
