using RabbitMQ.Client;
using Xunit.Abstractions;

namespace ReviewFlow.IntegrationTests.Operations;

/// <summary>What the worker declares at start, so that the other parties, who may not declare anything, can start first.</summary>
public sealed class TopologyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_downstream_system_can_bind_to_the_decisions_exchange_before_the_first_decision()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..10];
        var (postgres, rabbit) = await Servers.IsolatedAsync(name);
        using var worker = WorkerProcess.For("t", postgres, rabbit, name);
        worker.Start();
        try
        {
            await Waiting.ForAsync(() => Servers.QueueTypesAsync("rf-" + name), t => t.ContainsKey("reviewflow-documents"),
                HostProcess.StartTimeout, "the worker's queues", interval: TimeSpan.FromMilliseconds(500));

            var factory = new ConnectionFactory { Uri = new Uri(Servers.PartyUri("downstream", rabbit)) };
            await using var connection = await factory.CreateConnectionAsync();
            // The worker declares its queues and the exchange side by side as it starts (one CI run looked between
            // the two): wait for the exchange as a downstream system would, with nothing decided meanwhile.
            await Waiting.UntilAsync(() => ExchangeExistsAsync(connection, "reviewflow.decisions"), HostProcess.StartTimeout,
                "reviewflow.decisions declared by the worker", interval: TimeSpan.FromMilliseconds(200));
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeclareAsync("downstream.early", durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync("downstream.early", "reviewflow.decisions", "#"); // 404 NOT_FOUND before the fix

            await using var upstream = await new ConnectionFactory { Uri = new Uri(Servers.PartyUri("upstream", rabbit)) }.CreateConnectionAsync();
            await using var publisher = await upstream.CreateChannelAsync();
            await publisher.ExchangeDeclarePassiveAsync("reviewflow.classifications"); // what an upstream may check
        }
        catch
        {
            output.WriteLine(worker.Tail());
            throw;
        }
    }

    /// <summary>A passive declare: 404 closes the channel, so each look takes a channel of its own.</summary>
    static async Task<bool> ExchangeExistsAsync(IConnection connection, string exchange)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.ExchangeDeclarePassiveAsync(exchange);
            return true;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return false;
        }
    }
}
