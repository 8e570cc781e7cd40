using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using ReviewFlow.Testing;
using ReviewFlow.Testing.Processes;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.Intake;

namespace ReviewFlow.Benchmarks;

public sealed record PipelineResult(
    int Documents,
    double Seconds,
    double[] LatenciesMs,
    double[] IntakeMs,
    double[] RelayMs,
    int Missing,
    IReadOnlyList<string> MissingIds,
    int DuplicateMessageIds,
    int DuplicateDocumentIds,
    IReadOnlyList<string> DuplicateDetails,
    int DecidedTwice,
    int Foreign,
    IReadOnlyDictionary<string, int> Outcomes,
    int WrongRoutingKeys,
    string Cpu,
    string CpuPerDocument,
    IReadOnlyList<(string Name, double Ms)> CpuMsPerDocument,
    bool TimedOut,
    IReadOnlyList<string> Statements,
    double JitMsPerDocument = double.NaN)
{
    public double PerSecond => Documents / Seconds;
}

/// <summary>What a pipeline run does; see Program.cs for the command-line options.</summary>
public sealed record PipelineOptions(
    int Documents,
    int WarmUpDocuments,
    int SettleSeconds,
    double Rate,
    bool Trace,
    bool KeepDatabase,
    string? PostgresOptions,
    IReadOnlyDictionary<string, string?> Overrides,
    int WorkerProcesses = 0,
    bool FreshWorkers = false);

/// <summary>
/// The whole pipeline: the worker in this process (fresh schema and virtual host), raw JSON classification results
/// published by a plain AMQP client to reviewflow.classifications, decisions read from a queue of our own bound to
/// reviewflow.decisions with '#'. Measures publish → decision received per document. The worker gets a database of
/// its own (the async daemon's leader lock and its gap checks are database-wide, like the integration tests').
/// With WorkerProcesses N > 0 the worker runs as deployed instead: the migrate step, then N ReviewFlow.Worker
/// processes with their shipped appsettings.json (audit, SLA timers), QA sampling off so that every document is decided.
/// </summary>
public sealed class PipelineBenchmark
{
    const int InFlight = 200;
    const string ClassificationsExchange = IntakeSlice.ClassificationsExchange;
    const string DecisionsExchange = Bus.DecisionsExchange;

    static readonly (string Type, string[] Labels)[] Mix =
    [
        ("invoice", ["utilities", "telecom", "office-supplies", "travel"]),
        ("contract", ["nda", "msa", "lease", "employment"]),
        ("claim", ["motor", "property", "health", "liability"]),
    ];

    readonly PipelineOptions _options;
    readonly int _documents;
    int _publishedCount;
    readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    // Per document (index = position in the run): publish time, first decision time, its decidedAt, decisions seen.
    readonly string[] _ids;
    readonly Dictionary<string, int> _index;
    readonly long[] _published;
    readonly long[] _received;
    readonly long[] _decided;
    readonly int[] _decisionCount;
    readonly Dictionary<string, int> _messageIds = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<string>> _messageIdsByDocument = new(StringComparer.Ordinal);
    readonly Dictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    readonly object _gate = new();
    int _distinct, _foreign, _wrongRoutingKeys;
    long _lastReceived;
    string _warmUpPrefix = "";
    readonly HashSet<string> _warmUpDecided = new(StringComparer.Ordinal);
    TaskCompletionSource _warmedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _warmUpExpected = 1;
    readonly TaskCompletionSource _allDecided = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Wall clock ↔ Stopwatch, to place the worker's decidedAt on the same time line as publish and receipt.
    readonly DateTimeOffset _wallBase = DateTimeOffset.UtcNow;
    readonly long _tsBase = Stopwatch.GetTimestamp();

    public PipelineBenchmark(PipelineOptions options)
    {
        _options = options;
        _documents = options.Documents;
        _ids = Enumerable.Range(1, _documents).Select(i => $"BENCH-{_runId}-{i:D6}").ToArray();
        _index = _ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        _published = new long[_documents];
        _received = new long[_documents];
        _decided = new long[_documents];
        _decisionCount = new int[_documents];
    }

    string Database => "rfbench_" + _runId;

    public string Schema { get; } = "bench" + Guid.NewGuid().ToString("N")[..10];

    public async Task<PipelineResult> RunAsync(CancellationToken cancellationToken)
    {
        var (postgres, uri) = await Servers.IsolatedAsync(Database);
        if (_options.PostgresOptions is { Length: > 0 } options) postgres += ";" + options;
        if (_options.WorkerProcesses > 0) return await RunProcessesAsync(uri, postgres, cancellationToken);
        var settings = TestSystem.SettingsFor(postgres, uri, Schema, TestPolicy.Settings);
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning";
        foreach (var (key, value) in _options.Overrides) settings[key] = value;

        // The worker as deployed: every slice, the event chain trigger and the DecisionRecord projection included.
        using var host = TestSystem.BuildWorker(settings, "Benchmark");
        try
        {
            Console.Error.WriteLine($"[bench] starting the worker (database {Database}, schema {Schema}, vhost rf-{Database})");
            await host.StartAsync(cancellationToken);
            return await MeasureAsync(uri, postgres, new Dictionary<int, string>(), "benchmark+worker", cancellationToken);
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await host.StopAsync(stopping.Token); }
            catch (Exception ex) { Console.Error.WriteLine($"[bench] stopping the worker: {ex.Message}"); }
            if (!_options.KeepDatabase) await BenchDatabase.DropAsync(Database);
        }
    }

    /// <summary>As deployed: `ReviewFlow.Worker --migrate`, then N worker processes configured by environment only.</summary>
    async Task<PipelineResult> RunProcessesAsync(string uri, string postgres, CancellationToken cancellationToken)
    {
        // The shipped policy sends 2 % of confident documents to a reviewer: no decision would come back for those.
        var environment = HostProcess.EnvironmentFor(postgres, uri, Schema,
            _options.Overrides.Prepend(KeyValuePair.Create("Routing:QaSampleRate", (string?)"0")));
        List<HostProcess> workers = [];
        try
        {
            Console.Error.WriteLine($"[bench] migrating database {Database}, schema {Schema}; then {_options.WorkerProcesses} worker process(es), vhost rf-{Database}");
            workers = await Deployment.MigrateAndStartWorkersAsync(environment, _options.WorkerProcesses, cancellationToken);
            await Deployment.WaitReadyAsync(workers, cancellationToken);
            // --fresh-workers: the warm-up fills the database and the broker's queues are bound; then new processes
            // replace the warmed ones, as a deployment or a restart does, and are measured from their readiness on.
            Func<CancellationToken, Task<IReadOnlyDictionary<int, string>>>? replace = !_options.FreshWorkers ? null : async ct =>
            {
                await Deployment.StopAsync(workers);
                workers = Deployment.StartWorkers(environment, _options.WorkerProcesses);
                await Deployment.WaitReadyAsync(workers, ct);
                Console.Error.WriteLine($"[bench] {workers.Count} fresh worker process(es) ready; measuring from now");
                return workers.ToDictionary(w => w.Pid, w => w.Name);
            };
            return await MeasureAsync(uri, postgres, workers.ToDictionary(w => w.Pid, w => w.Name), "benchmark", cancellationToken, replace,
                ct => JitSecondsAsync(workers, ct));
        }
        catch (Exception ex) when (BenchmarkException.IsSetupFailure(ex))
        {
            throw new BenchmarkException(ex.Message + "\n" + Deployment.Tails(workers));
        }
        finally
        {
            await Deployment.StopAsync(workers);
            if (!_options.KeepDatabase) await BenchDatabase.DropAsync(Database);
        }
    }

    async Task<PipelineResult> MeasureAsync(string uri, string postgres, IReadOnlyDictionary<int, string> processes, string self,
        CancellationToken cancellationToken, Func<CancellationToken, Task<IReadOnlyDictionary<int, string>>>? replaceWorkers = null,
        Func<CancellationToken, Task<double>>? jitSeconds = null)
    {
        var factory = new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = "reviewflow-benchmark" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var listener = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        // Confirms tracked per publish: BasicPublishAsync completes when the broker confirmed it. The limiter is
        // wider than our own window, so the window (InFlight) is what bounds the outstanding publishes.
        await using var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
            outstandingPublisherConfirmationsRateLimiter: new ThrottlingRateLimiter(InFlight * 4)), cancellationToken);

        // The same declarations as the worker's (durable, not auto-delete, no arguments): whoever comes first wins.
        await publisher.ExchangeDeclareAsync(ClassificationsExchange, ExchangeType.Fanout, durable: true, autoDelete: false,
            cancellationToken: cancellationToken);
        await listener.ExchangeDeclareAsync(DecisionsExchange, ExchangeType.Topic, durable: true, autoDelete: false,
            cancellationToken: cancellationToken);
        var queue = await listener.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true,
            cancellationToken: cancellationToken);
        await listener.QueueBindAsync(queue.QueueName, DecisionsExchange, "#", cancellationToken: cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(listener);
        consumer.ReceivedAsync += (_, ea) =>
        {
            OnDecision(Stopwatch.GetTimestamp(), ea);
            return Task.CompletedTask;
        };
        await listener.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, cancellationToken);

        // Ready = a decision came back for a warm-up document: intake, saga, daemon and relay all run. Republished
        // every few seconds in case the worker's queue was not yet bound (a redelivery changes nothing). Then a
        // batch of warm-up documents (JIT, connection pools), not measured either.
        _warmUpPrefix = $"WARMUP-{_runId}-";
        var first = _warmUpPrefix + "000000";
        var readyBy = DateTime.UtcNow.AddSeconds(90);
        while (!_warmedUp.Task.IsCompleted)
        {
            if (DateTime.UtcNow > readyBy)
                throw new BenchmarkException("the worker did not route the warm-up document within 90 s: is it running? (see the log above)");
            await publisher.BasicPublishAsync(ClassificationsExchange, "", false, Properties(first), Body(first, "invoice", "utilities"), cancellationToken);
            await Task.WhenAny(_warmedUp.Task, Task.Delay(3000, cancellationToken));
        }
        lock (_gate)
        {
            _warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _warmUpExpected = _options.WarmUpDocuments + 1;
            if (_warmUpDecided.Count >= _warmUpExpected) _warmedUp.TrySetResult();
        }
        using (var warmUpSlots = new SemaphoreSlim(InFlight))
        {
            var warmUpPublishes = new List<Task>(_options.WarmUpDocuments);
            for (var i = 1; i <= _options.WarmUpDocuments; i++)
            {
                await warmUpSlots.WaitAsync(cancellationToken);
                warmUpPublishes.Add(PublishWarmUp(i));
            }
            await Task.WhenAll(warmUpPublishes);

            async Task PublishWarmUp(int i)
            {
                try
                {
                    var id = $"{_warmUpPrefix}{i:D6}";
                    await publisher.BasicPublishAsync(ClassificationsExchange, "", false, Properties(id),
                        Body(id, Mix[i % 3].Type, Mix[i % 3].Labels[i / 3 % 4]), cancellationToken);
                }
                finally
                {
                    warmUpSlots.Release();
                }
            }
        }
        try
        {
            await _warmedUp.Task.WaitAsync(TimeSpan.FromSeconds(Math.Max(60, _options.WarmUpDocuments / 20.0)), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new BenchmarkException($"only {_warmUpDecided.Count} of {_warmUpExpected} warm-up documents were routed in time");
        }
        if (_options.SettleSeconds > 0)
        {
            // A pause after the warm-up: the runtime's tiered JIT recompiles the hot code in the background and
            // defers that while new code keeps running, so without a pause the first seconds of the measurement pay
            // for it (a long-running worker has long finished). The CPU used meanwhile shows that, and any polling.
            // Then until the daemon has caught up, also before fresh workers replace these: both start from the same state.
            var idleBefore = CpuSnapshot.Take(processes, self);
            await Task.Delay(TimeSpan.FromSeconds(_options.SettleSeconds), cancellationToken);
            Console.Error.WriteLine($"[bench] settled for {_options.SettleSeconds} s: {idleBefore.Describe(CpuSnapshot.Take(processes, self), TimeSpan.FromSeconds(_options.SettleSeconds))}");
            await QuietAsync(processes, self, cancellationToken);
        }
        if (replaceWorkers is not null) processes = await replaceWorkers(cancellationToken);
        Console.Error.WriteLine($"[bench] worker ready ({_warmUpExpected} warm-up documents routed, not measured); publishing {_documents} documents");

        var bodies = _ids.Select((id, i) => Body(id, Mix[i % 3].Type, Mix[i % 3].Labels[i / 3 % 4])).ToArray();
        var timeout = TimeSpan.FromSeconds(Math.Max(Math.Max(120, _documents / 50.0), _options.Rate > 0 ? _documents / _options.Rate + 60 : 0));
        using var tracing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tracer = _options.Trace ? TraceAsync(connection, tracing.Token) : Task.CompletedTask;
        var statements = await PgStatements.ResetAsync(postgres);
        var jitBefore = jitSeconds is null ? double.NaN : await jitSeconds(cancellationToken);
        var cpuBefore = CpuSnapshot.Take(processes, self);
        var start = Stopwatch.GetTimestamp();

        using var slots = new SemaphoreSlim(InFlight);
        var pending = new List<Task>(_documents);
        for (var i = 0; i < _documents; i++)
        {
            if (_options.Rate > 0)
            {
                // Open loop at a fixed rate: document i goes out at start + i/rate.
                var due = start + (long)(i / _options.Rate * Stopwatch.Frequency);
                var wait = Stats.Ms(Stopwatch.GetTimestamp(), due);
                if (wait > 1) await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
            }
            await slots.WaitAsync(cancellationToken);
            pending.Add(PublishOne(i));
        }
        await Task.WhenAll(pending);
        var publishedAll = Stopwatch.GetTimestamp();
        Console.Error.WriteLine($"[bench] all {_documents} published and confirmed in {Stats.N0(Stats.Ms(start, publishedAll))} ms");

        var timedOut = false;
        var remaining = timeout - TimeSpan.FromMilliseconds(Stats.Ms(start, Stopwatch.GetTimestamp()));
        try
        {
            await _allDecided.Task.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken);
        }
        catch (TimeoutException)
        {
            timedOut = true;
        }
        var end = timedOut ? Stopwatch.GetTimestamp() : Volatile.Read(ref _lastReceived);
        var cpuAfter = CpuSnapshot.Take(processes, self);
        var jitAfter = jitSeconds is null ? double.NaN : await jitSeconds(cancellationToken);
        var cpu = cpuBefore.Describe(cpuAfter, TimeSpan.FromMilliseconds(Stats.Ms(start, Stopwatch.GetTimestamp())));
        var cpuPerDocument = cpuBefore.PerDocument(cpuAfter, _documents);
        var cpuMsPerDocument = cpuBefore.MsPerDocument(cpuAfter, _documents);
        IReadOnlyList<string> statementLines = statements is null
            ? ["n/a: pg_stat_statements is not loaded on this server (infra/servers.sh loads it on a new one)"]
            : await statements.DescribeAsync(_documents);
        await tracing.CancelAsync();
        await tracer;

        // A late duplicate would show up shortly after: wait a little before counting.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        return Result(start, end, cpu, cpuPerDocument, cpuMsPerDocument, timedOut, statementLines) with
        {
            JitMsPerDocument = (jitAfter - jitBefore) * 1000 / _documents,
        };

        async Task PublishOne(int i)
        {
            try
            {
                _published[i] = Stopwatch.GetTimestamp();
                await publisher.BasicPublishAsync(ClassificationsExchange, "", false, Properties(_ids[i]), bodies[i], cancellationToken);
                Interlocked.Increment(ref _publishedCount);
            }
            finally
            {
                slots.Release();
            }
        }
    }

    /// <summary>
    /// Waits, after the fixed settle, until the deployment is idle: the daemon's agents still working through the
    /// warm-up's events (five of them, three events a document) and the JIT's last recompiles took 50-80 % of a core
    /// during the 5 s settle after a 3,000-document warm-up, work that would otherwise be counted against the measured
    /// documents. At most 60 s; says how long it took (1-4 s more in the runs of 2026-12-03).
    /// </summary>
    static async Task QuietAsync(IReadOnlyDictionary<int, string>? processes, string self, CancellationToken cancellationToken)
    {
        const double QuietCores = 0.15;
        var waited = Stopwatch.StartNew();
        double busy;
        do
        {
            var before = CpuSnapshot.Take(processes, self);
            var second = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            // Cores busy: CPU seconds of the benchmark's processes and servers over the interval's seconds.
            busy = before.MsPerDocument(CpuSnapshot.Take(processes, self), 1).Sum(g => g.Ms) / second.Elapsed.TotalMilliseconds;
        } while (busy >= QuietCores && waited.Elapsed < TimeSpan.FromSeconds(60));
        Console.Error.WriteLine($"[bench] quiet after {Stats.N0(waited.Elapsed.TotalSeconds)} s more: the deployment at {Stats.N0(100 * busy)}% of a core in the last second");
    }

    /// <summary>Once a second: published, messages waiting in the intake and saga queues, decisions received.</summary>
    async Task TraceAsync(IConnection connection, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: CancellationToken.None);
        var started = Stopwatch.GetTimestamp();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(1000, cancellationToken);
                var raw = await channel.QueueDeclarePassiveAsync(IntakeSlice.RawClassificationsQueue, CancellationToken.None);
                var saga = await channel.QueueDeclarePassiveAsync(DocumentsSlice.DocumentsQueue, CancellationToken.None);
                int decided;
                lock (_gate) decided = _distinct;
                Console.Error.WriteLine(
                    $"[trace] t={Stats.N1(Stats.Ms(started, Stopwatch.GetTimestamp()) / 1000)}s published {Volatile.Read(ref _publishedCount)}, " +
                    $"waiting: intake {raw.MessageCount} saga {saga.MessageCount}, decided {decided}");
            }
        }
        catch (OperationCanceledException) { }
    }

    void OnDecision(long now, BasicDeliverEventArgs ea)
    {
        string? documentId = null, outcome = null, documentType = null, finalLabel = null;
        DateTimeOffset? decidedAt = null;
        using (var json = JsonDocument.Parse(ea.Body))
        {
            var root = json.RootElement;
            if (root.TryGetProperty("documentId", out var p)) documentId = p.GetString();
            if (root.TryGetProperty("outcome", out p)) outcome = p.GetString();
            if (root.TryGetProperty("documentType", out p)) documentType = p.GetString();
            if (root.TryGetProperty("finalLabel", out p)) finalLabel = p.GetString();
            if (root.TryGetProperty("decidedAt", out p) && p.TryGetDateTimeOffset(out var at)) decidedAt = at;
        }

        lock (_gate)
        {
            if (documentId is not null && _warmUpPrefix.Length > 0 && documentId.StartsWith(_warmUpPrefix, StringComparison.Ordinal))
            {
                if (_warmUpDecided.Add(documentId) && _warmUpDecided.Count >= _warmUpExpected) _warmedUp.TrySetResult();
                return;
            }
            if (documentId is null || !_index.TryGetValue(documentId, out var i))
            {
                _foreign++;
                return;
            }
            var messageId = ea.BasicProperties.MessageId ?? "(none)";
            _messageIds[messageId] = _messageIds.GetValueOrDefault(messageId) + 1;
            if (!_messageIdsByDocument.TryGetValue(documentId, out var ids)) _messageIdsByDocument[documentId] = ids = [];
            ids.Add(messageId);
            if (ea.RoutingKey != $"{documentType}.{finalLabel}") _wrongRoutingKeys++;
            if (_decisionCount[i]++ > 0) return;

            _received[i] = now;
            if (decidedAt is { } d)
                _decided[i] = _tsBase + (long)((d - _wallBase).TotalSeconds * Stopwatch.Frequency);
            _outcomes[outcome ?? "(none)"] = _outcomes.GetValueOrDefault(outcome ?? "(none)") + 1;
            _lastReceived = now;
            if (++_distinct == _documents) _allDecided.TrySetResult();
        }
    }

    PipelineResult Result(long start, long end, string cpu, string cpuPerDocument, IReadOnlyList<(string, double)> cpuMsPerDocument, bool timedOut,
        IReadOnlyList<string> statements)
    {
        lock (_gate)
        {
            var got = Enumerable.Range(0, _documents).Where(i => _decisionCount[i] > 0).ToArray();
            var latencies = got.Select(i => Stats.Ms(_published[i], _received[i])).Order().ToArray();
            var intake = got.Where(i => _decided[i] != 0).Select(i => Stats.Ms(_published[i], _decided[i])).Order().ToArray();
            var relay = got.Where(i => _decided[i] != 0).Select(i => Stats.Ms(_decided[i], _received[i])).Order().ToArray();
            var missing = Enumerable.Range(0, _documents).Where(i => _decisionCount[i] == 0).Select(i => _ids[i]).ToList();
            var duplicateMessages = _messageIds.Where(m => m.Value > 1).ToList();
            var duplicateDocuments = _messageIdsByDocument.Where(d => d.Value.Count > 1).ToList();
            var details = duplicateDocuments
                .Select(d => $"{d.Key}: {d.Value.Count} decisions, message ids {string.Join(", ", d.Value)}")
                .ToList();
            return new PipelineResult(_documents, Stats.Ms(start, end) / 1000.0, latencies, intake, relay,
                missing.Count, missing, duplicateMessages.Sum(m => m.Value - 1), duplicateDocuments.Sum(d => d.Value.Count - 1),
                details, duplicateDocuments.Count(d => d.Value.Distinct().Count() > 1), _foreign, new Dictionary<string, int>(_outcomes), _wrongRoutingKeys, cpu, cpuPerDocument, cpuMsPerDocument, timedOut, statements);
        }
    }

    /// <summary>
    /// The workers' JIT compilation time so far, from their /metrics (the runtime's dotnet.jit.compilation.time): read
    /// before and after the measured documents, it says whether "warm" was warm (docs/performance.md, "Steady state").
    /// </summary>
    static async Task<double> JitSecondsAsync(IEnumerable<HostProcess> workers, CancellationToken cancellationToken)
    {
        const string Series = "dotnet_jit_compilation_time_seconds_total";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var total = 0.0;
        foreach (var worker in workers)
        {
            var metrics = await http.GetStringAsync(worker.Url + "/metrics", cancellationToken);
            var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(Series, StringComparison.Ordinal));
            if (line is null) return double.NaN;
            total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return total;
    }

    internal static BasicProperties Properties(string documentId) => new()
    {
        ContentType = "application/json",
        Persistent = true,
        MessageId = documentId,
    };

    /// <summary>A classification result as upstream sends it (ReviewFlow.Testing's Documents), from "benchmark".</summary>
    internal static byte[] Body(string documentId, string documentType, string label, double confidence = 0.97) =>
        Encoding.UTF8.GetBytes(Documents.Json(documentId, documentType, label, confidence, excerpt: $"Benchmark {documentType} classified as {label}",
            alternatives: [("other", 0.02)], sourceSystem: "benchmark"));
}
