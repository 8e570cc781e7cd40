using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ReviewFlow.Testing;

/// <summary>A plain AMQP client, as any upstream or downstream system would use: publishes raw JSON, reads decisions and error queues.</summary>
public sealed class AmqpProbe : IAsyncDisposable
{
    public const string ClassificationsExchange = "reviewflow.classifications";
    public const string DecisionsExchange = "reviewflow.decisions";

    readonly IConnection _connection;
    readonly IChannel _publisher;
    readonly IChannel _listener;
    readonly ConcurrentQueue<ReceivedDecision> _decisions = new();

    AmqpProbe(IConnection connection, IChannel publisher, IChannel listener)
    {
        _connection = connection;
        _publisher = publisher;
        _listener = listener;
    }

    public IReadOnlyCollection<ReceivedDecision> Decisions => _decisions;

    /// <summary>The reason MassTransit wrote on a message it moved to an error queue (header MT-Fault-Message).</summary>
    public static string FaultMessage(BasicGetResult faulted) =>
        Encoding.UTF8.GetString((byte[])faulted.BasicProperties.Headers!["MT-Fault-Message"]!);

    public static async Task<AmqpProbe> ConnectAsync(string uri)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var listener = await connection.CreateChannelAsync();
        var probe = new AmqpProbe(connection, publisher, listener);

        // Like any upstream publisher should: declare the intake exchange as the worker does (durable fanout), so that a
        // publish before the worker's first start is unroutable rather than a channel error.
        await publisher.ExchangeDeclareAsync(ClassificationsExchange, ExchangeType.Fanout, durable: true);

        // Downstream's view: a queue of our own bound to every decision (durable topic exchange, '#').
        await listener.ExchangeDeclareAsync(DecisionsExchange, ExchangeType.Topic, durable: true);
        var queue = await listener.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await listener.QueueBindAsync(queue.QueueName, DecisionsExchange, "#");
        var consumer = new AsyncEventingBasicConsumer(listener);
        consumer.ReceivedAsync += (_, ea) =>
        {
            probe._decisions.Enqueue(new ReceivedDecision(ea.RoutingKey, ea.BasicProperties.MessageId,
                ea.BasicProperties.ContentType, JsonDocument.Parse(ea.Body.ToArray()).RootElement.Clone()));
            return Task.CompletedTask;
        };
        await listener.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
        return probe;
    }

    /// <summary>Waits until a worker has declared its intake queue (before that, a publish would be unroutable).</summary>
    public Task WaitForQueueAsync(string queue, TimeSpan timeout) =>
        Waiting.UntilAsync(async () =>
        {
            try
            {
                await using var channel = await _connection.CreateChannelAsync();
                await channel.QueueDeclarePassiveAsync(queue);
                return true;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                return false;
            }
        }, timeout, $"the queue {queue}", interval: TimeSpan.FromMilliseconds(200));

    /// <summary>How many messages wait on a queue (0 when it does not exist, e.g. an _error queue nothing faulted into).</summary>
    public async Task<uint> MessageCountAsync(string queue)
    {
        await using var channel = await _connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    public Task PublishRawAsync(string json, string routingKey = "") => PublishRawAsync(Encoding.UTF8.GetBytes(json), routingKey);

    /// <param name="messageId">The AMQP message-id, to find a body that carries no marker of its own (e.g. <c>null</c>) in an _error queue.</param>
    public async Task PublishRawAsync(byte[] body, string routingKey = "", string? messageId = null)
    {
        var props = new BasicProperties { ContentType = "application/json", Persistent = true, MessageId = messageId };
        await _publisher.BasicPublishAsync(ClassificationsExchange, routingKey, false, props, body);
    }

    /// <summary>Puts a message straight on a queue (the default exchange), e.g. a copy of a faulted one on its _error queue.</summary>
    public async Task PublishToQueueAsync(string queue, byte[] body, IDictionary<string, object?>? headers = null, string? messageId = null)
    {
        var props = new BasicProperties { ContentType = "application/json", Persistent = true, MessageId = messageId, Headers = headers };
        await _publisher.BasicPublishAsync("", queue, true, props, body);
    }

    public async Task<ReceivedDecision> WaitForDecisionAsync(string documentId, TimeSpan? timeout = null)
    {
        var decisions = await WaitForDecisionsAsync(d => d.DocumentId == documentId, 1, timeout);
        return decisions[0];
    }

    public async Task<IReadOnlyList<ReceivedDecision>> WaitForDecisionsAsync(Func<ReceivedDecision, bool> match, int count, TimeSpan? timeout = null)
    {
        await Waiting.ForAsync(() => Task.FromResult((Matching: _decisions.Count(match), InAll: _decisions.Count)), seen => seen.Matching >= count,
            timeout, $"{count} expected decisions (seen: matching, in all)", interval: TimeSpan.FromMilliseconds(50));
        return _decisions.Where(match).ToList();
    }

    /// <summary>Takes matching messages from a queue (the _error queues), waiting for one to arrive.</summary>
    public async Task<BasicGetResult> GetAsync(string queue, Func<BasicGetResult, bool> match, TimeSpan? timeout = null)
    {
        await using var channel = await _connection.CreateChannelAsync();
        // MassTransit creates an _error queue at the first fault; declaring it the same way (durable) is harmless.
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            var others = new List<ulong>();
            while (await channel.BasicGetAsync(queue, autoAck: false) is { } message)
            {
                if (match(message))
                {
                    await channel.BasicAckAsync(message.DeliveryTag, false);
                    foreach (var tag in others) await channel.BasicNackAsync(tag, false, requeue: true);
                    return message;
                }
                others.Add(message.DeliveryTag);
            }
            foreach (var tag in others) await channel.BasicNackAsync(tag, false, requeue: true); // for their own tests
            await Task.Delay(100);
        }
        throw new TimeoutException($"no matching message on {queue}");
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.CloseAsync();
        await _listener.CloseAsync();
        await _connection.CloseAsync();
        _connection.Dispose();
    }
}

public sealed record ReceivedDecision(string RoutingKey, string? MessageId, string? ContentType, JsonElement Body)
{
    public string DocumentId => Body.GetProperty("documentId").GetString()!;
    public string Outcome => Body.GetProperty("outcome").GetString()!;
    public string FinalLabel => Body.GetProperty("finalLabel").GetString()!;
}
