using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using ReviewFlow.Testing;
using ReviewFlow.Testing.Processes;
using ReviewFlow.Workflow.Intake;
using static ReviewFlow.Benchmarks.Stats;

namespace ReviewFlow.Benchmarks;

/// <summary>
/// What hostile input costs the raw AMQP intake, against a real worker process (the Release build of
/// ReviewFlow.Worker, its own schema and virtual host, logging as configured in its appsettings.json):
/// intake throughput with all-good input and with 5 % bad input, the worker's log bytes per bad message, and its
/// resident memory before, during and 30 s after 40 × 9 MB bodies and 40 × 5 MB excerpts (docs/operations.md).
/// </summary>
public static class HostileInputBenchmark
{
    const string Queue = IntakeSlice.RawClassificationsQueue;
    const string ErrorQueue = Queue + "_error";

    public static async Task<int> RunAsync(int messages, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (postgres, amqp) = await Servers.GetAsync();
        var uri = await Servers.IsolatedRabbitMqAsync(amqp, "rf-hostile-" + run);
        using var worker = new WorkerProcess("worker", HostProcess.EnvironmentFor(postgres, uri, "hostile" + run));
        worker.Start();
        try
        {
            var factory = new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = "reviewflow-hostile-benchmark" };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
                publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            await WaitAsync(async () => (await CountsAsync(connection, Queue)).Consumers > 0, TimeSpan.FromSeconds(90), "the worker's intake consumer");

            var good = await IntakeAsync(connection, channel, messages, badShare: 0, worker, cancellationToken);
            var hostile = await IntakeAsync(connection, channel, messages, badShare: 0.05, worker, cancellationToken);
            await channel.QueuePurgeAsync(ErrorQueue, cancellationToken);

            var idle = worker.RssMb();
            var bodies = new List<byte[]>();
            for (var i = 0; i < 40; i++) bodies.Add(Encoding.UTF8.GetBytes(Oversized(9 * 1024 * 1024)));
            for (var i = 0; i < 40; i++) bodies.Add(Encoding.UTF8.GetBytes(HugeExcerpt(5 * 1024 * 1024)));
            var peak = idle;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, worker.RssMb());
                    await Task.Delay(100, CancellationToken.None);
                }
            }, CancellationToken.None);
            var started = Stopwatch.GetTimestamp();
            foreach (var body in bodies) await channel.BasicPublishAsync(IntakeSlice.ClassificationsExchange, "", body, cancellationToken);
            bodies.Clear();
            await WaitAsync(async () => (await CountsAsync(connection, ErrorQueue)).Messages >= 80, TimeSpan.FromSeconds(300), "80 refused large messages");
            var refusedIn = Ms(started, Stopwatch.GetTimestamp()) / 1000;
            var afterRefusal = worker.RssMb();
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            sampling.Cancel();
            await sampler;
            var settled = worker.RssMb();

            Console.WriteLine();
            Console.WriteLine($"ReviewFlow hostile-input benchmark ({N0(messages)} messages per intake run, {Environment.ProcessorCount} cores)");
            Console.WriteLine($"intake, all good       : {N0(good.PerSecond)} msg/s ({N1(good.Seconds)} s)");
            Console.WriteLine($"intake, 5 % bad        : {N0(hostile.PerSecond)} msg/s ({N1(hostile.Seconds)} s, {hostile.Bad} bad; error queue got {hostile.ErrorQueue})");
            Console.WriteLine($"worker log per bad msg : {N0(hostile.LogBytesPerBad)} bytes (all-good run: {N0(good.LogBytes)} bytes in total)");
            Console.WriteLine($"worker RSS (MB)        : idle {N0(idle)}, peak {N0(peak)}, after 80 large refusals {N0(afterRefusal)} " +
                              $"({N1(refusedIn)} s), 30 s later {N0(settled)}");
            return 0;
        }
        finally
        {
            await Deployment.StopAsync([worker]);
        }
    }

    sealed record IntakeResult(double Seconds, int Bad, uint ErrorQueue, long LogBytes)
    {
        public int Messages { get; init; }
        public double PerSecond => Messages / Seconds;
        public double LogBytesPerBad => Bad == 0 ? 0 : (double)LogBytes / Bad;
    }

    /// <summary>Publishes the messages as fast as confirms allow and times the intake queue's drain.</summary>
    static async Task<IntakeResult> IntakeAsync(IConnection connection, IChannel channel, int messages, double badShare, HostProcess worker, CancellationToken ct)
    {
        var errorsBefore = (await CountsAsync(connection, ErrorQueue)).Messages;
        var every = badShare > 0 ? (int)Math.Round(1 / badShare) : int.MaxValue;
        var bodies = Enumerable.Range(0, messages)
            .Select(i => i % every == every - 1 ? BadKinds[i / every % BadKinds.Length](Documents.NewId("BAD")) : Encoding.UTF8.GetBytes(Documents.Json(Documents.NewId())))
            .ToList();
        var bad = messages / every;
        var logBefore = worker.LogBytes;
        var started = Stopwatch.GetTimestamp();
        var pending = new List<Task>();
        foreach (var body in bodies)
        {
            pending.Add(channel.BasicPublishAsync(IntakeSlice.ClassificationsExchange, "", body, ct).AsTask());
            if (pending.Count >= 200) { await Task.WhenAll(pending); pending.Clear(); }
        }
        await Task.WhenAll(pending);
        await WaitAsync(async () =>
        {
            var queue = await CountsAsync(connection, Queue);
            var errors = await CountsAsync(connection, ErrorQueue);
            return queue.Messages == 0 && errors.Messages - errorsBefore >= bad;
        }, TimeSpan.FromSeconds(300), "the intake queue to drain");
        var seconds = Ms(started, Stopwatch.GetTimestamp()) / 1000;
        await Task.Delay(500, ct); // the last log lines
        return new IntakeResult(seconds, bad, (await CountsAsync(connection, ErrorQueue)).Messages - errorsBefore, worker.LogBytes - logBefore)
        {
            Messages = messages,
        };
    }

    /// <summary>The kinds of bad input of the fault run: broken UTF-8 in a string, a null body, no JSON, a missing field.</summary>
    static readonly Func<string, byte[]>[] BadKinds =
    [
        id => [.. Encoding.UTF8.GetBytes(Documents.Json(id).Replace("Invoice for", "Invoice \u0001for"))
            .Select(b => b == 0x01 ? (byte)0xC3 : b)], // \u0001 becomes a lone UTF-8 lead byte
        _ => "null"u8.ToArray(),
        id => Encoding.UTF8.GetBytes("not json " + id),
        id => Encoding.UTF8.GetBytes(Without(Documents.Json(id), "label")),
    ];

    static string Without(string json, string field)
    {
        var doc = JsonNode.Parse(json)!.AsObject();
        doc.Remove(field);
        return doc.ToJsonString();
    }

    static string Oversized(int bytes) => Documents.Json(Documents.NewId("BIG")).Replace("Invoice for", new string('x', bytes));

    static string HugeExcerpt(int chars) => Documents.Json(Documents.NewId("BIG")).Replace("Invoice for", new string('x', chars));

    /// <summary>A channel per look-up: a passive declaration of a missing queue closes its channel.</summary>
    static async Task<(uint Messages, uint Consumers)> CountsAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue);
            return (ok.MessageCount, ok.ConsumerCount);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return (0, 0); // not declared yet
        }
    }

    static Task WaitAsync(Func<Task<bool>> done, TimeSpan limit, string what) =>
        Waiting.UntilAsync(done, limit, what, interval: TimeSpan.FromMilliseconds(50));
}
