namespace ReviewFlow.FaultTests.Resilience;

/// <summary>
/// A fault test on a PostgreSQL and a RabbitMQ of its own (<see cref="PrivateServers"/>), which it may stop, kill and
/// restart, with an upstream publisher and a downstream reader that behave like real ones (<see cref="ResilientAmqp"/>).
/// </summary>
public abstract class OwnServersTest : IAsyncLifetime
{
    protected PrivateServers Own { get; private set; } = null!;
    protected ResilientAmqp Amqp { get; private set; } = null!;

    /// <summary>A whole number from the environment (the fault runs' REVIEWFLOW_FAULT_* settings), or the fallback.</summary>
    protected static int Setting(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out var v) ? v : fallback;

    public async Task InitializeAsync()
    {
        Own = await PrivateServers.StartAsync();
        Amqp = await ResilientAmqp.ConnectAsync(Own.RabbitMq);
    }

    public async Task DisposeAsync()
    {
        await Amqp.DisposeAsync();
        await Own.DisposeAsync();
    }
}
