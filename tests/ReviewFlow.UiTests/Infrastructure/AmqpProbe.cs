using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ReviewFlow.UiTests.Infrastructure;

/// <summary>A plain AMQP client: publishes raw classification JSON, listens to every decision. (Adapted from the integration tests.)</summary>
public sealed class AmqpProbe : IAsyncDisposable
{
    public const string ClassificationsExchange = "reviewflow.classifications";
    public const string DecisionsExchange = "reviewflow.decisions";

    readonly IConnection _connection;
    readonly IChannel _publisher;
    readonly IChannel _listener;
    readonly ConcurrentQueue<JsonElement> _decisions = new();

    AmqpProbe(IConnection connection, IChannel publisher, IChannel listener)
    {
        _connection = connection;
        _publisher = publisher;
        _listener = listener;
    }

    public static async Task<AmqpProbe> ConnectAsync(string uri)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var listener = await connection.CreateChannelAsync();
        var probe = new AmqpProbe(connection, publisher, listener);
        await listener.ExchangeDeclareAsync(DecisionsExchange, ExchangeType.Topic, durable: true);
        var queue = await listener.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await listener.QueueBindAsync(queue.QueueName, DecisionsExchange, "#");
        var consumer = new AsyncEventingBasicConsumer(listener);
        consumer.ReceivedAsync += (_, ea) =>
        {
            probe._decisions.Enqueue(JsonDocument.Parse(ea.Body.ToArray()).RootElement.Clone());
            return Task.CompletedTask;
        };
        await listener.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
        return probe;
    }

    /// <summary>Waits until the worker has declared its intake queue (before that, a publish would be unroutable).</summary>
    public async Task WaitForQueueAsync(string queue, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var channel = await _connection.CreateChannelAsync();
                await channel.QueueDeclarePassiveAsync(queue);
                return;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    public async Task PublishRawAsync(string json)
    {
        var props = new BasicProperties { ContentType = "application/json", Persistent = true };
        await _publisher.BasicPublishAsync(ClassificationsExchange, "", false, props, Encoding.UTF8.GetBytes(json));
    }

    public async Task<JsonElement> WaitForDecisionAsync(string documentId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var d in _decisions)
                if (d.GetProperty("documentId").GetString() == documentId) return d;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no decision for {documentId} ({_decisions.Count} decisions in all)");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.CloseAsync();
        await _listener.CloseAsync();
        await _connection.CloseAsync();
        _connection.Dispose();
    }
}
