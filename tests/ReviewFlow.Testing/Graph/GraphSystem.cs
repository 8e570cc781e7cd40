using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Notifications;

namespace ReviewFlow.Testing.Graph;

/// <summary>A <see cref="TestSystem"/> whose worker sends Teams and Outlook notifications to a fake Graph (<see cref="Graph"/>).</summary>
public abstract class GraphSystem(SystemOptions options) : TestSystem(options)
{
    public GraphRecorder Graph { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Graph = await GraphRecorder.StartAsync();
        await base.InitializeAsync();
    }

    /// <summary>The worker's Graph client trusts the recorder's certificate.</summary>
    protected override void ConfigureWorker(IServiceCollection services) =>
        services.AddHttpClient(NotificationsSetup.GraphHttpClientName).ConfigurePrimaryHttpMessageHandler(() => Graph.CreateHandler());

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Graph.DisposeAsync();
    }
}
