using System.Diagnostics;
using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using ReviewFlow.DemoPublisher;

// A stand-in upstream classifier: publishes a realistic mix of classification results as raw JSON to the durable
// fanout exchange reviewflow.classifications with a plain AMQP client, as any system in any language could.
//   ConnectionStrings__RabbitMq=amqp://upstream:PASSWORD@127.0.0.1:5672/ \
//     dotnet run --project tools/ReviewFlow.DemoPublisher -- [--count N] [--rate R] [--seed S]
//       [--drift-after SECONDS] [--review URL [--reviewer USER] [--review-delay SECONDS]] [--content URL]
// Runs until Ctrl+C unless --count is given; R documents per second (default 2). --drift-after switches to a new model
// version that is confidently wrong more often; --review runs a simulated reviewer against the web host at URL
// (development sign-in) that decides open tasks by their true label: together they show the quality alarm and fallback.
// --content links most documents to the web host's sample documents (URL/demo-content/, Development), for the viewer.

const string Exchange = "reviewflow.classifications";

long? count = null;
var rate = 2.0;
int? seed = null;
TimeSpan? driftAfter = null;
Uri? reviewSite = null;
Uri? contentSite = null;
var reviewer = "simulated";
var reviewDelay = TimeSpan.FromSeconds(30);
try
{
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--count": count = long.Parse(Value(ref i), CultureInfo.InvariantCulture); break;
            case "--rate": rate = double.Parse(Value(ref i), CultureInfo.InvariantCulture); break;
            case "--seed": seed = int.Parse(Value(ref i), CultureInfo.InvariantCulture); break;
            case "--drift-after": driftAfter = TimeSpan.FromSeconds(double.Parse(Value(ref i), CultureInfo.InvariantCulture)); break;
            case "--review": reviewSite = new Uri(Value(ref i), UriKind.Absolute); break;
            case "--reviewer": reviewer = Value(ref i); break;
            case "--content": contentSite = new Uri(Value(ref i), UriKind.Absolute); break;
            case "--review-delay": reviewDelay = TimeSpan.FromSeconds(double.Parse(Value(ref i), CultureInfo.InvariantCulture)); break;
            case "-h" or "--help":
                Console.WriteLine("usage: ReviewFlow.DemoPublisher [--count N] [--rate R per second, default 2] [--seed S] [--drift-after SECONDS]");
                Console.WriteLine("         [--review URL [--reviewer USER, default simulated] [--review-delay SECONDS, default 30]] [--content URL]");
                Console.WriteLine("reads the broker URI from ConnectionStrings__RabbitMq");
                return 0;
            default: throw new ArgumentException($"unknown argument '{args[i]}' (try --help)");
        }
    }
    if (count is <= 0) throw new ArgumentException("--count must be positive");
    if (driftAfter is { } d && d < TimeSpan.Zero) throw new ArgumentException("--drift-after must not be negative");
    if (rate is <= 0 or > 10_000 || double.IsNaN(rate)) throw new ArgumentException("--rate must be between 0 and 10000 per second");
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

var uri = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
if (string.IsNullOrWhiteSpace(uri))
{
    Console.Error.WriteLine("error: ConnectionStrings__RabbitMq is not set (e.g. amqp://upstream:PASSWORD@127.0.0.1:5672/; infra/servers.sh prints it)");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop after the current publish, then close the connection cleanly
    stop.Cancel();
};

var runId = Guid.NewGuid().ToString("N")[..4].ToUpperInvariant();
var documents = new DemoDocuments(runId, seed is { } s ? new Random(s) : new Random(), contentSite);
long published = 0, confident = 0, unsure = 0, invalid = 0, unroutable = 0;
var reviewing = Task.CompletedTask;

try
{
    var factory = new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = "reviewflow-demo-publisher" };
    await using var connection = await factory.CreateConnectionAsync(stop.Token);
    // Publisher confirms, tracked: a publish completes once the broker has taken the message (or throws).
    await using var channel = await connection.CreateChannelAsync(
        new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), stop.Token);
    // An upstream system's broker user may only publish to the exchange (docs/security.md): check that it is there
    // (the worker declares it), which needs no permission, rather than declare it.
    await channel.ExchangeDeclarePassiveAsync(Exchange, stop.Token);

    Console.WriteLine($"publishing to {Exchange} on {Redact(uri)}: run {runId}, {rate.ToString("0.##", CultureInfo.InvariantCulture)}/s, " +
                      (count is { } n ? $"{n} documents" : "until Ctrl+C"));

    reviewing = reviewSite is null ? Task.CompletedTask : new DemoReviewer(reviewSite, reviewer, reviewDelay, Console.Out).RunAsync(stop.Token);
    var clock = Stopwatch.StartNew();
    for (long i = 0; count is null || i < count; i++)
    {
        if (driftAfter is { } drift && !documents.Drifted && clock.Elapsed >= drift)
        {
            documents.Drifted = true;
            Console.WriteLine($"--- model {DemoDocuments.DriftedModelVersion} from now on: more confident, higher, and 35 % of labels wrong ---");
        }
        // Fixed schedule: document i is due at i/rate seconds, so a slow publish does not lower the rate.
        var due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
        if (due > TimeSpan.Zero) await Task.Delay(due, stop.Token);

        var doc = documents.Next();
        var props = new BasicProperties
        {
            ContentType = "application/json",
            Persistent = true,
            MessageId = doc.DocumentId,
            Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            AppId = "reviewflow-demo-publisher",
        };
        string outcome;
        try
        {
            // mandatory: with no queue bound (no worker ever started on this vhost) the broker returns the message.
            await channel.BasicPublishAsync(Exchange, doc.DocumentType, mandatory: true, props, doc.Body, stop.Token);
            published++;
            outcome = "";
        }
        catch (PublishReturnException ex)
        {
            unroutable++;
            outcome = $"  [returned: {ex.ReplyText} - no queue bound to {Exchange}; start the worker]";
        }

        switch (doc.Kind)
        {
            case Kind.Confident: confident++; break;
            case Kind.Unsure: unsure++; break;
            default: invalid++; break;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.Now:HH:mm:ss.fff} #{i + 1,-5} {doc.DocumentId,-26} {doc.DocumentType + "/" + (doc.Label ?? "(none)"),-26} {doc.Confidence,5:0.000}  {doc.Note}{outcome}"));
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    // Ctrl+C
}
catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or UriFormatException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

stop.Cancel();
try { await reviewing; } catch (OperationCanceledException) { }
Console.WriteLine($"published {published} (confident {confident}, unsure {unsure}, invalid {invalid})" +
                  (unroutable > 0 ? $"; {unroutable} returned unroutable" : ""));
return 0;

string Value(ref int i) => ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");

static string Redact(string uri) =>
    Uri.TryCreate(uri, UriKind.Absolute, out var u) && u.UserInfo.Length > 0
        ? new UriBuilder(u) { Password = "***" }.Uri.ToString()
        : uri;
