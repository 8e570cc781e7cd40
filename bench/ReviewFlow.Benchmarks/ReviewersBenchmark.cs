using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using RabbitMQ.Client;
using ReviewFlow.Contracts;
using ReviewFlow.Testing;
using ReviewFlow.Testing.Processes;
using ReviewFlow.Workflow.Intake;
using static ReviewFlow.Benchmarks.Stats;

namespace ReviewFlow.Benchmarks;

public sealed record ReviewersOptions(int Clients, double Rate, int Seconds, int Workers, int WebNodes, bool KeepDatabase, bool HubOnly = false);

/// <summary>
/// `-- reviewers`: the reviewer page under load, as deployed. The migrate step, worker process(es) and two web host
/// processes (Development, so that development tokens work; one dev user per client, added through configuration),
/// C SignalR clients on /hubs/review spread over the nodes as the page connects (bearer token, WebSockets), while
/// invoices that need review (confidence 0.5) are published at R/s for S seconds. Each one becomes a "taskChanged"
/// (change "requested") to every client of ap-reviewers: the latency is publish → hub message at each client.
/// HubOnly: no worker; the benchmark publishes the ReviewTaskChanged the saga would publish for each document
/// (MassTransit, publisher confirms, as the saga's bus does) straight to the exchange every web node's queue is bound
/// to: the web tier and the hub at a rate the worker side cannot reach on two cores (a review document costs ~25 ms of
/// worker and PostgreSQL CPU there). The latency is then publish of the task change → hub message.
/// </summary>
public sealed class ReviewersBenchmark(ReviewersOptions options)
{
    const string Group = "ap-reviewers";
    readonly string _runId = Guid.NewGuid().ToString("N")[..8];
    readonly object _gate = new();

    // [client][document]: when the "requested" message arrived (0: not yet), and how often.
    long[][] _received = [];
    int[][] _count = [];
    long[] _published = [];
    Dictionary<string, int> _index = new(StringComparer.Ordinal);
    int _receipts, _expectedReceipts = int.MaxValue;
    readonly TaskCompletionSource _allReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Warm-up documents: which clients saw at least one (all connected and in their group).
    readonly HashSet<int> _warm = [];
    string _warmUpPrefix = "";
    // Connections the server or the transport closed during the run (the page would reconnect and reload its queue;
    // these clients do not, so a closed connection shows up as missed messages): count them apart.
    int _closed;
    string? _closedReason;

    string Database => "rfbench_" + _runId;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var (postgres, uri) = await Servers.IsolatedAsync(Database);
        var environment = HostProcess.EnvironmentFor(postgres, uri, "reviewers" + _runId);
        var hosts = new List<HostProcess>();
        var connections = new List<HubConnection>();
        try
        {
            Console.Error.WriteLine($"[bench] migrating database {Database}; then {options.Workers} worker(s) and {options.WebNodes} web nodes, vhost rf-{Database}");
            hosts.AddRange(await Deployment.MigrateAndStartWorkersAsync(environment, options.Workers, cancellationToken));
            // Rate limits off in effect: the benchmark measures the system, not a person's budget.
            var web = new Dictionary<string, string>(environment)
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development", ["DevSignIn__Enabled"] = "true", ["RateLimits__PermitLimit"] = "1000000",
            };
            // The shipped development users are a handful; one more per client, in configuration (no code change).
            for (var c = 0; c < options.Clients; c++)
            {
                web[$"DevUsers__{User(c)}__Name"] = $"Load reviewer {c + 1}";
                web[$"DevUsers__{User(c)}__Roles__0"] = "Reviewer";
                web[$"DevUsers__{User(c)}__Groups__0"] = Group;
            }
            var nodes = Enumerable.Range(1, options.WebNodes).Select(n => (HostProcess)new WebProcess($"web{n}", web)).ToList();
            foreach (var node in nodes) node.Start();
            hosts.AddRange(nodes);
            await Deployment.WaitReadyAsync(hosts, cancellationToken);

            Console.Error.WriteLine($"[bench] connecting {options.Clients} hub clients");
            connections.AddRange(await ConnectAsync(nodes, cancellationToken));
            return await MeasureAsync(uri, hosts, nodes, cancellationToken);
        }
        catch (Exception ex) when (BenchmarkException.IsSetupFailure(ex))
        {
            throw new BenchmarkException(ex.Message + "\n" + Deployment.Tails(hosts));
        }
        finally
        {
            await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
            await Deployment.StopAsync(hosts);
            if (!options.KeepDatabase) await BenchDatabase.DropAsync(Database);
        }
    }

    static string User(int client) => $"load{client + 1:D3}";

    /// <summary>Client c on node c mod M, with a token of that node's own issuer (its key lives in its memory).</summary>
    async Task<List<HubConnection>> ConnectAsync(List<HostProcess> nodes, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var connections = new HubConnection[options.Clients];
        using var slots = new SemaphoreSlim(20);
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async c =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                var node = nodes[c % nodes.Count];
                var token = await DevTokens.GetAsync(http, User(c), new Uri(node.Url), cancellationToken);
                var connection = new HubConnectionBuilder()
                    .WithUrl($"{node.Url}{"/hubs/review"}", o =>
                    {
                        o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                        o.Transports = HttpTransportType.WebSockets;
                    })
                    .Build();
                var client = c;
                connection.On<JsonElement>("taskChanged", message => OnTaskChanged(client, message));
                connection.Closed += error =>
                {
                    Interlocked.Increment(ref _closed);
                    _closedReason ??= error?.Message ?? "closed without an error";
                    return Task.CompletedTask;
                };
                await connection.StartAsync(cancellationToken);
                connections[c] = connection;
            }
            finally
            {
                slots.Release();
            }
        }));
        return [.. connections];
    }

    void OnTaskChanged(int client, JsonElement message)
    {
        var now = Stopwatch.GetTimestamp();
        if (message.GetProperty("change").GetString() != "requested") return;
        var documentId = message.GetProperty("documentId").GetString() ?? "";
        lock (_gate)
        {
            if (_warmUpPrefix.Length > 0 && documentId.StartsWith(_warmUpPrefix, StringComparison.Ordinal))
            {
                _warm.Add(client);
                return;
            }
            if (!_index.TryGetValue(documentId, out var d)) return;
            if (_count[client][d]++ > 0) return;
            _received[client][d] = now;
            if (++_receipts == _expectedReceipts) _allReceived.TrySetResult();
        }
    }

    async Task<int> MeasureAsync(string uri, List<HostProcess> hosts, List<HostProcess> nodes, CancellationToken cancellationToken)
    {
        await using var publisher = options.HubOnly ? await TaskChangePublisher.StartAsync(uri, cancellationToken)
            : (IDocumentPublisher)await InvoicePublisher.StartAsync(uri, cancellationToken);

        // Ready = every client got a task: worker, web nodes' live queues and every client's group membership work.
        // Then a warm-up at the measured rate (JIT, pools), not measured.
        lock (_gate) _warmUpPrefix = $"WARMUP-{_runId}-";
        var readyBy = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
        var warmUps = 0;
        while (true)
        {
            lock (_gate) if (_warm.Count == options.Clients) break;
            if (Stopwatch.GetTimestamp() > readyBy)
                throw new BenchmarkException($"only {_warm.Count} of {options.Clients} clients got a task within 120 s");
            await publisher.PublishAsync($"{_warmUpPrefix}{warmUps++:D6}", cancellationToken);
            await Task.Delay(1000, cancellationToken);
        }
        var warmUpSeconds = Math.Min(10, options.Seconds);
        await PublishAtRateAsync(publisher, Enumerable.Range(0, (int)(options.Rate * warmUpSeconds)).Select(i => $"{_warmUpPrefix}W{i:D6}").ToArray(),
            null, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);

        var documents = (int)(options.Rate * options.Seconds);
        var ids = Enumerable.Range(1, documents).Select(i => $"REVIEW-{_runId}-{i:D6}").ToArray();
        lock (_gate)
        {
            _index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
            _received = Enumerable.Range(0, options.Clients).Select(_ => new long[documents]).ToArray();
            _count = Enumerable.Range(0, options.Clients).Select(_ => new int[documents]).ToArray();
            _published = new long[documents];
            _expectedReceipts = documents * options.Clients;
        }

        var names = hosts.ToDictionary(h => h.Pid, h => h.Name);
        var rssIdle = nodes.Select(n => n.RssMb()).ToArray();
        var rssPeak = (double[])rssIdle.Clone();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                for (var n = 0; n < nodes.Count; n++) rssPeak[n] = Math.Max(rssPeak[n], nodes[n].RssMb());
                await Task.Delay(200, CancellationToken.None);
            }
        }, CancellationToken.None);
        Console.Error.WriteLine($"[bench] {options.Clients} clients ready; publishing {documents} documents at {N0(options.Rate)}/s");
        var cpuBefore = CpuSnapshot.Take(names, "benchmark");
        var start = Stopwatch.GetTimestamp();
        await PublishAtRateAsync(publisher, ids, _published, cancellationToken);
        var published = Stopwatch.GetTimestamp();
        var timedOut = false;
        try { await _allReceived.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken); }
        catch (TimeoutException) { timedOut = true; }
        var elapsed = TimeSpan.FromMilliseconds(Ms(start, Stopwatch.GetTimestamp()));
        var cpuAfter = CpuSnapshot.Take(names, "benchmark");
        await sampling.CancelAsync();
        await sampler;
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken); // a late repeat would show up now

        long[][] received;
        int[][] counts;
        lock (_gate)
        {
            received = _received.Select(r => (long[])r.Clone()).ToArray();
            counts = _count.Select(r => (int[])r.Clone()).ToArray();
        }
        var latencies = new List<double>(documents * options.Clients);
        var spread = new List<double>(documents);
        var missed = 0;
        var repeated = 0;
        var clientsMissing = new HashSet<int>();
        for (var d = 0; d < documents; d++)
        {
            long first = long.MaxValue, last = 0;
            for (var c = 0; c < options.Clients; c++)
            {
                if (counts[c][d] == 0) { missed++; clientsMissing.Add(c); continue; }
                repeated += counts[c][d] - 1;
                latencies.Add(Ms(_published[d], received[c][d]));
                first = Math.Min(first, received[c][d]);
                last = Math.Max(last, received[c][d]);
            }
            if (last > 0) spread.Add(Ms(first, last));
        }
        var sorted = latencies.Order().ToArray();
        var sortedSpread = spread.Order().ToArray();
        var perDocument = cpuBefore.MsPerDocument(cpuAfter, documents);

        Console.WriteLine();
        Console.WriteLine($"ReviewFlow reviewer page under load ({options.Clients} hub clients on {nodes.Count} web nodes, " +
                          (options.HubOnly ? "no worker: task changes published straight to the web nodes" : $"{options.Workers} worker") +
                          $"; {N0(documents)} documents needing review at {N0(options.Rate)}/s for {options.Seconds} s; {Environment.ProcessorCount} cores)");
        Console.WriteLine($"published         : {N0(documents)} in {N1(Ms(start, published) / 1000)} s ({N0(documents / (Ms(start, published) / 1000))}/s achieved)");
        Console.WriteLine($"hub messages      : {N0(sorted.Length)} of {N0((long)documents * options.Clients)} expected; missed {N0(missed)} " +
                          $"(at {clientsMissing.Count} clients), repeated {repeated}; connections closed during the run {Volatile.Read(ref _closed)}" +
                          (_closedReason is null ? "" : $" (first: {_closedReason})"));
        Console.WriteLine($"publish -> client : p50 / p95 / p99 {N0(Percentile(sorted, 50))} / {N0(Percentile(sorted, 95))} / {N0(Percentile(sorted, 99))} ms (max {N0(sorted.LastOrDefault(double.NaN))}), over all clients and messages");
        Console.WriteLine($"fan-out spread    : first to last client of a document p50 / p99 {N0(Percentile(sortedSpread, 50))} / {N0(Percentile(sortedSpread, 99))} ms");
        Console.WriteLine($"cpu per document  : {string.Join(", ", perDocument.Select(p => $"{p.Name} {N1(p.Ms)} ms"))}");
        foreach (var (node, n) in nodes.Select((node, n) => (node, n)))
        {
            var ms = perDocument.FirstOrDefault(p => p.Name == node.Name).Ms;
            Console.WriteLine($"{node.Name,-18}: cpu {N0(ms * documents / elapsed.TotalMilliseconds * 100)}% of a core, {N1(ms)} ms per document " +
                              $"({N1(ms * 1000 / (options.Clients / (double)nodes.Count))} µs per hub message); RSS idle {N0(rssIdle[n])} MB, peak {N0(rssPeak[n])} MB");
        }
        Console.WriteLine($"cpu               : {cpuBefore.Describe(cpuAfter, elapsed)}");
        if (missed > 0 || timedOut)
        {
            Console.WriteLine($"FAILED: {N0(missed)} hub messages never arrived (every client should get every task of its group)");
            return 1;
        }
        return 0;
    }

    interface IDocumentPublisher : IAsyncDisposable
    {
        Task PublishAsync(string id, CancellationToken cancellationToken);
    }

    /// <summary>As upstream does: an invoice that needs review (confidence 0.5), raw JSON, publisher confirms.</summary>
    sealed class InvoicePublisher(IConnection connection, IChannel channel) : IDocumentPublisher
    {
        public static async Task<InvoicePublisher> StartAsync(string uri, CancellationToken cancellationToken)
        {
            var factory = new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = "reviewflow-reviewers-benchmark" };
            var connection = await factory.CreateConnectionAsync(cancellationToken);
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
                publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            await channel.ExchangeDeclareAsync(IntakeSlice.ClassificationsExchange, ExchangeType.Fanout, durable: true, autoDelete: false,
                cancellationToken: cancellationToken);
            return new InvoicePublisher(connection, channel);
        }

        public Task PublishAsync(string id, CancellationToken cancellationToken) =>
            channel.BasicPublishAsync(IntakeSlice.ClassificationsExchange, "", false, PipelineBenchmark.Properties(id),
                PipelineBenchmark.Body(id, "invoice", "utilities", confidence: 0.5), cancellationToken).AsTask();

        public async ValueTask DisposeAsync()
        {
            await channel.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>As the saga does once a review task is requested: ReviewTaskChanged "requested" on a MassTransit bus.</summary>
    sealed class TaskChangePublisher(IBusControl bus) : IDocumentPublisher
    {
        public static async Task<TaskChangePublisher> StartAsync(string uri, CancellationToken cancellationToken)
        {
            var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(uri)));
            await bus.StartAsync(cancellationToken);
            return new TaskChangePublisher(bus);
        }

        public Task PublishAsync(string id, CancellationToken cancellationToken)
        {
            var now = DateTimeOffset.UtcNow;
            return bus.Publish(new ReviewTaskChanged(id, Group, "requested", "AwaitingReview", "invoice", "utilities", 0.5, null, null, now,
                DueAt: now.AddHours(4), RemindAt: now.AddHours(3)), cancellationToken);
        }

        public async ValueTask DisposeAsync() => await bus.StopAsync();
    }

    /// <summary>Open loop: document i goes out at start + i/rate (publisher confirms, at most 200 unconfirmed).</summary>
    async Task PublishAtRateAsync(IDocumentPublisher publisher, string[] ids, long[]? publishedAt, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var slots = new SemaphoreSlim(200);
        var pending = new List<Task>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            var wait = Ms(Stopwatch.GetTimestamp(), start + (long)(i / options.Rate * Stopwatch.Frequency));
            if (wait > 1) await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
            await slots.WaitAsync(cancellationToken);
            if (publishedAt is not null) publishedAt[i] = Stopwatch.GetTimestamp();
            pending.Add(Release(publisher.PublishAsync(ids[i], cancellationToken)));
        }
        await Task.WhenAll(pending);

        async Task Release(Task publish)
        {
            try { await publish; }
            finally { slots.Release(); }
        }
    }
}
