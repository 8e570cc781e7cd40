using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.Intake;

namespace ReviewFlow.Workflow.Operations;

/// <summary>An intake error queue and where its messages go back to when replayed.</summary>
public sealed record ErrorSource(string Queue, string Exchange, string RoutingKey)
{
    /// <summary>Raw JSON from any publisher goes back through the fanout exchange; MassTransit's typed messages to their queue.</summary>
    public static readonly IReadOnlyList<ErrorSource> Intake =
    [
        new(IntakeSlice.RawClassificationsQueue + "_error", IntakeSlice.ClassificationsExchange, ""),
        new(IntakeSlice.TypedClassificationsQueue + "_error", "", IntakeSlice.TypedClassificationsQueue),
    ];
}

/// <summary>One message waiting in an error queue, as the operations page lists it (never its whole body).</summary>
public sealed record ErrorQueueMessage(string Id, string Queue, IReadOnlyList<string> Reasons, DateTimeOffset? FirstSeen,
    string? SourceSystem, string? DocumentId, string Preview, int Bytes);

/// <summary>
/// The intake error queues, read and worked in place over AMQP (docs/adr/0017): messages are taken with basic.get
/// without acknowledgement and handed back (nack, requeue) when the request is done, or when the channel closes because
/// the host died — RabbitMQ puts a returned message back at its place. Replay publishes the original body and
/// properties (fault headers removed) with a publisher confirm and acknowledges the message only after the confirm:
/// a crash in between leaves it in the queue as well as replayed (at least once; the saga ignores the duplicate).
/// One request at a time per host: a message held by one request is invisible to another.
/// </summary>
public sealed partial class ErrorQueue(IConfiguration configuration) : IAsyncDisposable
{
    /// <summary>Messages looked at per queue per request (Operations:ErrorQueueReadLimit): a request holds them all unacknowledged.</summary>
    readonly int _limit = configuration.GetValue("Operations:ErrorQueueReadLimit", 1000);
    /// <summary>And at most this many body bytes per queue (Operations:ErrorQueueReadBytes): refused bodies may be up to 10 MiB each (the broker's max_message_size).</summary>
    readonly long _maxBytes = configuration.GetValue("Operations:ErrorQueueReadBytes", 64L * 1024 * 1024);
    readonly Uri _broker = new(EventStore.Required(configuration, "RabbitMq"));
    readonly SemaphoreSlim _gate = new(1, 1);
    IConnection? _connection;

    const int PreviewChars = 400;
    const int ParseLimitBytes = 256 * 1024;

    /// <summary>What waits in every intake error queue (up to the read limit per queue), and how many wait in all.</summary>
    public async Task<(IReadOnlyList<ErrorQueueMessage> Messages, long Total)> ListAsync(CancellationToken ct)
    {
        var messages = new List<ErrorQueueMessage>();
        long total = 0;
        await WorkAsync(async (channel, source, held) =>
        {
            total += held.Count + await RemainingAsync(channel, source.Queue, ct);
            messages.AddRange(held.Select(m => Describe(source.Queue, m)));
        }, ct);
        return (messages, total);
    }

    /// <summary>
    /// Publishes each chosen message back to where it came from and removes it once the broker confirmed the publish;
    /// one the broker refuses (no queue would take it: the intake queue is gone) stays where it is, as failed.
    /// </summary>
    public async Task<(IReadOnlyList<ErrorQueueMessage> Replayed, IReadOnlyList<ErrorQueueMessage> Failed)> ReplayAsync(
        Func<ErrorQueueMessage, bool> chosen, CancellationToken ct)
    {
        var replayed = new List<ErrorQueueMessage>();
        var failed = new List<ErrorQueueMessage>();
        await WorkAsync(async (channel, source, held) =>
        {
            foreach (var m in held)
            {
                var described = Describe(source.Queue, m);
                if (!chosen(described)) continue;
                try
                {
                    // mandatory: a message no queue would take is returned and refused, not confirmed and dropped.
                    await channel.BasicPublishAsync(source.Exchange, source.RoutingKey, mandatory: true, WithoutFault(m.BasicProperties), m.Body, ct);
                }
                catch (PublishException)
                {
                    failed.Add(described);
                    continue;
                }
                await channel.BasicAckAsync(m.DeliveryTag, multiple: false, ct);
                replayed.Add(described);
            }
        }, ct);
        return (replayed, failed);
    }

    /// <summary>
    /// Removes each chosen message, after <paramref name="record"/> (the operations event) has been stored: a crash in
    /// between leaves the message in the queue, never a message gone without a record.
    /// </summary>
    public async Task<IReadOnlyList<ErrorQueueMessage>> DiscardAsync(Func<ErrorQueueMessage, bool> chosen,
        Func<IReadOnlyList<ErrorQueueMessage>, Task> record, CancellationToken ct)
    {
        var discarded = new List<ErrorQueueMessage>();
        var tags = new List<(IChannel Channel, ulong Tag)>();
        await WorkAsync(async (channel, source, held) =>
        {
            foreach (var m in held)
            {
                var described = Describe(source.Queue, m);
                if (!chosen(described)) continue;
                discarded.Add(described);
                tags.Add((channel, m.DeliveryTag));
            }
            await Task.CompletedTask;
        }, ct, beforeReturn: async () =>
        {
            if (discarded.Count == 0) return;
            await record(discarded);
            foreach (var (channel, tag) in tags) await channel.BasicAckAsync(tag, multiple: false, ct);
        });
        return discarded;
    }

    /// <summary>
    /// Takes up to the read limit of each queue unacknowledged on a channel of its own (confirms on), runs
    /// <paramref name="work"/> on them, then returns every message not acknowledged to its queue.
    /// </summary>
    async Task WorkAsync(Func<IChannel, ErrorSource, IReadOnlyList<BasicGetResult>, Task> work, CancellationToken ct, Func<Task>? beforeReturn = null)
    {
        await _gate.WaitAsync(ct);
        var channels = new List<IChannel>();
        try
        {
            var connection = await ConnectAsync(ct);
            foreach (var source in ErrorSource.Intake)
            {
                var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
                    publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
                channels.Add(channel);
                if (!await ExistsAsync(connection, source.Queue, ct)) continue; // no fault yet: MassTransit creates it with the first
                var held = new List<BasicGetResult>();
                long bytes = 0;
                while (held.Count < _limit && bytes < _maxBytes && await channel.BasicGetAsync(source.Queue, autoAck: false, ct) is { } m)
                {
                    held.Add(m);
                    bytes += m.Body.Length;
                }
                await work(channel, source, held);
            }
            if (beforeReturn is not null) await beforeReturn();
        }
        finally
        {
            // Closing a channel returns what it holds unacknowledged to the queue, in place.
            foreach (var channel in channels)
            {
                try
                {
                    await channel.CloseAsync(CancellationToken.None);
                }
                catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException) { }
                channel.Dispose();
            }
            _gate.Release();
        }
    }

    async Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        if (_connection is { IsOpen: true } open) return open;
        if (_connection is not null) await _connection.DisposeAsync();
        _connection = await new ConnectionFactory { Uri = _broker, ClientProvidedName = "reviewflow-operations" }.CreateConnectionAsync(ct);
        return _connection;
    }

    /// <summary>A passive declare fails (and closes its channel) for a queue that does not exist: a channel of its own.</summary>
    static async Task<bool> ExistsAsync(IConnection connection, string queue, CancellationToken ct)
    {
        await using var probe = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            await probe.QueueDeclarePassiveAsync(queue, ct);
            return true;
        }
        catch (OperationInterruptedException)
        {
            return false;
        }
    }

    static async Task<long> RemainingAsync(IChannel channel, string queue, CancellationToken ct) =>
        (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount;

    /// <summary>The original properties without MassTransit's fault headers: the replayed message is a fresh delivery.</summary>
    static BasicProperties WithoutFault(IReadOnlyBasicProperties original) => new(original)
    {
        Headers = original.Headers?.Where(h => !IsFaultHeader(h.Key)).ToDictionary(h => h.Key, h => h.Value),
    };

    static bool IsFaultHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("MT-Host-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("MT-Reason", StringComparison.OrdinalIgnoreCase);

    internal static ErrorQueueMessage Describe(string queue, BasicGetResult m)
    {
        var body = m.Body.Span;
        var (documentId, sourceSystem) = ReadIds(body);
        return new ErrorQueueMessage(IdOf(m.BasicProperties.MessageId, body), queue, Reasons(Header(m.BasicProperties, "MT-Fault-Message")),
            FirstSeen(m.BasicProperties), sourceSystem, documentId, Preview(body), body.Length);
    }

    /// <summary>The message id when the publisher set one, else the body's hash: the same message keeps its id across reads and replays.</summary>
    internal static string IdOf(string? messageId, ReadOnlySpan<byte> body) =>
        !string.IsNullOrWhiteSpace(messageId) ? messageId : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body))[..32];

    static string? Header(IReadOnlyBasicProperties p, string name) =>
        p.Headers?.TryGetValue(name, out var v) == true ? v switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            string s => s,
            null => null,
            _ => Convert.ToString(v, CultureInfo.InvariantCulture),
        } : null;

    static DateTimeOffset? FirstSeen(IReadOnlyBasicProperties p)
    {
        if (p.Headers?.TryGetValue("MT-Fault-Timestamp", out var v) == true)
        {
            if (v is AmqpTimestamp t) return DateTimeOffset.FromUnixTimeSeconds(t.UnixTime);
            if (Header(p, "MT-Fault-Timestamp") is { } text
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at.ToUniversalTime();
        }
        return p.IsTimestampPresent() && p.Timestamp.UnixTime > 0 ? DateTimeOffset.FromUnixTimeSeconds(p.Timestamp.UnixTime) : null;
    }

    /// <summary>
    /// MT-Fault-Message of a refusal is "invalid classification: field: reason; field: reason" (BadInput); a reason may
    /// hold "; known: …" itself. Anything else (a genuine fault after its retries) is one reason as it stands.
    /// </summary>
    internal static IReadOnlyList<string> Reasons(string? faultMessage)
    {
        if (string.IsNullOrWhiteSpace(faultMessage)) return ["(no reason recorded)"];
        const string prefix = "invalid classification: ";
        if (!faultMessage.StartsWith(prefix, StringComparison.Ordinal)) return [Clean(faultMessage, 500)];
        return NextReason().Split(faultMessage[prefix.Length..]).Select(r => Clean(r, 500)).Where(r => r.Length > 0).ToList();
    }

    [GeneratedRegex(@"; (?=(?!known: )[$A-Za-z][\w.\[\]$-]*: )")]
    private static partial Regex NextReason();

    /// <summary>The document id and source system when the body is JSON (raw, or MassTransit's envelope around the message).</summary>
    static (string? DocumentId, string? SourceSystem) ReadIds(ReadOnlySpan<byte> body)
    {
        if (body.Length > ParseLimitBytes) return (null, null);
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            if (root.TryGetProperty("message", out var inner) && inner.ValueKind == JsonValueKind.Object && root.TryGetProperty("messageType", out _))
                root = inner;
            return (Text(root, "documentId"), Text(root, "sourceSystem"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? Clean(s, 200) : null;

    /// <summary>The start of the body as text, control and bidirectional-override characters replaced: shown as text, never markup.</summary>
    internal static string Preview(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, PreviewChars * 4)]);
        var clean = Clean(text, PreviewChars);
        return body.Length > PreviewChars * 4 || text.Length > PreviewChars ? clean + "…" : clean;
    }

    internal static string Clean(string text, int max)
    {
        var sb = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (sb.Length >= max) break;
            sb.Append(char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' ? ' ' : c);
        }
        return sb.ToString().Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        _gate.Dispose();
    }
}
