using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace ReviewFlow.Testing;

/// <summary>
/// Upstream and downstream as real systems behave across broker restarts: the publisher reconnects and re-publishes
/// whatever the broker did not confirm; the downstream reader keeps a durable queue of its own bound to every decision
/// and acknowledges each one after recording it, so a restart can redeliver (counted) but never hide one.
/// Connections are made afresh after any failure rather than trusting the client's automatic recovery: the fault
/// tests must see ReviewFlow's behaviour, not the test client's.
/// </summary>
public sealed class ResilientAmqp : IAsyncDisposable
{
    readonly ConnectionFactory _factory;
    readonly string _decisionsQueue = "downstream-" + Guid.NewGuid().ToString("N")[..8];
    readonly ConcurrentQueue<ReceivedDecision> _decisions = new();
    readonly CancellationTokenSource _stop = new();
    readonly SemaphoreSlim _publishGate = new(1, 1);
    Task _reading = Task.CompletedTask;
    IConnection? _publishConnection;
    IChannel? _publishChannel;
    int _republished;

    ResilientAmqp(string uri) =>
        _factory = new ConnectionFactory { Uri = new Uri(uri), AutomaticRecoveryEnabled = false, RequestedConnectionTimeout = TimeSpan.FromSeconds(5) };

    public IReadOnlyCollection<ReceivedDecision> Decisions => _decisions;

    /// <summary>Publishes that failed or were not confirmed in time, and were sent again.</summary>
    public int Republished => _republished;

    public static async Task<ResilientAmqp> ConnectAsync(string uri)
    {
        var amqp = new ResilientAmqp(uri);
        // The queue exists before the first decision can be published, so downstream misses none.
        await amqp.WithChannelAsync(async channel =>
        {
            await channel.ExchangeDeclareAsync(AmqpProbe.ClassificationsExchange, ExchangeType.Fanout, durable: true);
            await channel.ExchangeDeclareAsync(AmqpProbe.DecisionsExchange, ExchangeType.Topic, durable: true);
            await channel.QueueDeclareAsync(amqp._decisionsQueue, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(amqp._decisionsQueue, AmqpProbe.DecisionsExchange, "#");
        }, CancellationToken.None);
        amqp._reading = Task.Run(amqp.ReadDecisionsAsync);
        return amqp;
    }

    /// <summary>Returns once the broker confirmed the message, re-publishing it after any failure or a 5 s silence.</summary>
    public async Task PublishRawAsync(string json, CancellationToken cancellationToken = default)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var props = new BasicProperties { ContentType = "application/json", Persistent = true };
        await _publishGate.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (_publishChannel is not { IsOpen: true })
                    {
                        await ResetPublisherAsync();
                        _publishConnection = await _factory.CreateConnectionAsync(cancellationToken);
                        _publishChannel = await _publishConnection.CreateChannelAsync(new CreateChannelOptions(true, true), cancellationToken);
                    }
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    deadline.CancelAfter(TimeSpan.FromSeconds(5));
                    await _publishChannel.BasicPublishAsync(AmqpProbe.ClassificationsExchange, "", false, props, body, deadline.Token)
                        .AsTask().WaitAsync(deadline.Token);
                    return;
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _republished);
                    await ResetPublisherAsync();
                    await Task.Delay(250, cancellationToken);
                }
            }
        }
        finally
        {
            _publishGate.Release();
        }
    }

    /// <summary>How many consumers the broker has on a queue (0 while it is down or the queue does not exist).</summary>
    public async Task<uint> ConsumerCountAsync(string queue)
    {
        uint count = 0;
        try
        {
            await WithChannelAsync(async channel => count = (await channel.QueueDeclarePassiveAsync(queue)).ConsumerCount, CancellationToken.None);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.OperationInterruptedException
                                      or RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException)
        {
            return 0;
        }
        return count;
    }

    /// <summary>Takes every message now on a queue (e.g. an _error queue): bodies as text; none if the queue does not exist.</summary>
    public async Task<IReadOnlyList<string>> DrainAsync(string queue)
    {
        var bodies = new List<string>();
        try
        {
            await WithChannelAsync(async channel =>
            {
                while (await channel.BasicGetAsync(queue, autoAck: true) is { } message) bodies.Add(Encoding.UTF8.GetString(message.Body.Span));
            }, CancellationToken.None);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            // MassTransit declares an _error queue when it first moves a message there: no queue, no error.
        }
        return bodies;
    }

    async Task ReadDecisionsAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await WithChannelAsync(async channel =>
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        if (await channel.BasicGetAsync(_decisionsQueue, autoAck: false) is { } message)
                        {
                            _decisions.Enqueue(new ReceivedDecision(message.RoutingKey, message.BasicProperties.MessageId,
                                message.BasicProperties.ContentType, JsonDocument.Parse(message.Body.ToArray()).RootElement.Clone()));
                            await channel.BasicAckAsync(message.DeliveryTag, false);
                        }
                        else await Task.Delay(50, _stop.Token);
                    }
                }, _stop.Token);
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                await Task.Delay(250);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    async Task WithChannelAsync(Func<IChannel, Task> action, CancellationToken cancellationToken)
    {
        await using var connection = await _factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await action(channel);
    }

    async Task ResetPublisherAsync()
    {
        try
        {
            if (_publishConnection is not null) await _publishConnection.DisposeAsync();
        }
        catch (Exception)
        {
            // already broken: nothing to close
        }
        _publishConnection = null;
        _publishChannel = null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        await ResetPublisherAsync();
    }
}
