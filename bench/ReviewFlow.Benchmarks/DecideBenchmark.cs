using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using ReviewFlow.Testing;
using ReviewFlow.Testing.Processes;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.Intake;
using static ReviewFlow.Benchmarks.Stats;

namespace ReviewFlow.Benchmarks;

public sealed record DecideOptions(int Reviewers, int Tasks, int WarmUp, bool KeepDatabase);

/// <summary>
/// `-- decide`: the human path, as deployed. The migrate step, one worker process and one web host process
/// (Development, one development user per reviewer, group ap-reviewers); W + N invoices that need review (confidence
/// 0.5) are queued first; then R reviewers, each with its own bearer token, loop as the page's keys do: `POST
/// /api/v1/reviews/next` (claims the next task) and `POST /api/v1/reviews/{id}/decision` (confirm), until none is left.
/// The first W decisions are a warm-up. Measured per task: the claim's and the decision's round trip through the web
/// host (each answers after the saga committed), and from the decision's answer to the decision on
/// reviewflow.decisions (the relay). Fails if a decided task's decision never arrives or arrives as two.
/// </summary>
public sealed class DecideBenchmark(DecideOptions options)
{
    const string Group = "ap-reviewers";
    readonly string _runId = Guid.NewGuid().ToString("N")[..8];
    readonly ConcurrentDictionary<string, long> _answered = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, (long At, int Count, string MessageId)> _downstream = new(StringComparer.Ordinal);

    string Database => "rfbench_" + _runId;

    static string User(int reviewer) => $"rev{reviewer + 1:D3}";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var (postgres, uri) = await Servers.IsolatedAsync(Database);
        var environment = HostProcess.EnvironmentFor(postgres, uri, "decide" + _runId);
        var hosts = new List<HostProcess>();
        try
        {
            Console.Error.WriteLine($"[bench] migrating database {Database}; then a worker and a web host, vhost rf-{Database}");
            hosts.AddRange(await Deployment.MigrateAndStartWorkersAsync(environment, 1, cancellationToken));
            var web = new Dictionary<string, string>(environment)
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development", ["DevSignIn__Enabled"] = "true", ["RateLimits__PermitLimit"] = "1000000",
            };
            for (var r = 0; r < options.Reviewers; r++)
            {
                web[$"DevUsers__{User(r)}__Name"] = $"Bench reviewer {r + 1}";
                web[$"DevUsers__{User(r)}__Roles__0"] = "Reviewer";
                web[$"DevUsers__{User(r)}__Groups__0"] = Group;
            }
            var node = new WebProcess("web1", web);
            node.Start();
            hosts.Add(node);
            await Deployment.WaitReadyAsync(hosts, cancellationToken);
            return await MeasureAsync(uri, postgres, hosts, node, cancellationToken);
        }
        catch (Exception ex) when (BenchmarkException.IsSetupFailure(ex))
        {
            throw new BenchmarkException(ex.Message + "\n" + Deployment.Tails(hosts));
        }
        finally
        {
            await Deployment.StopAsync(hosts);
            if (!options.KeepDatabase) await BenchDatabase.DropAsync(Database);
        }
    }

    async Task<int> MeasureAsync(string uri, string postgres, List<HostProcess> hosts, HostProcess node, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = "reviewflow-decide-benchmark" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var listener = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await listener.ExchangeDeclareAsync(Bus.DecisionsExchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        var queue = await listener.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
        await listener.QueueBindAsync(queue.QueueName, Bus.DecisionsExchange, "#", cancellationToken: cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(listener);
        consumer.ReceivedAsync += (_, ea) =>
        {
            var now = Stopwatch.GetTimestamp();
            using var json = JsonDocument.Parse(ea.Body);
            var id = json.RootElement.GetProperty("documentId").GetString() ?? "";
            var messageId = ea.BasicProperties.MessageId ?? "";
            _downstream.AddOrUpdate(id, (now, 1, messageId), (_, seen) => (seen.At, seen.Count + 1, seen.MessageId == messageId ? messageId : "(two ids)"));
            return Task.CompletedTask;
        };
        await listener.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, cancellationToken);

        // Every task queued before anyone starts: the reviewers' pace, not upstream's, sets the rate.
        await using var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        await publisher.ExchangeDeclareAsync(IntakeSlice.ClassificationsExchange, ExchangeType.Fanout, durable: true, autoDelete: false,
            cancellationToken: cancellationToken);
        var total = options.WarmUp + options.Tasks;
        var ids = Enumerable.Range(1, total).Select(i => $"DECIDE-{_runId}-{i:D6}").ToArray();
        await Task.WhenAll(ids.Select(id => publisher.BasicPublishAsync(IntakeSlice.ClassificationsExchange, "", false,
            PipelineBenchmark.Properties(id), PipelineBenchmark.Body(id, "invoice", "utilities", confidence: 0.5), cancellationToken).AsTask()));
        Console.Error.WriteLine($"[bench] {total} tasks published; waiting until they are queued");

        using var http = new HttpClient { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromSeconds(30) };
        var tokens = new string[options.Reviewers];
        for (var r = 0; r < options.Reviewers; r++) tokens[r] = await DevTokens.GetAsync(http, User(r), cancellationToken: cancellationToken);
        await WaitQueuedAsync(http, tokens[0], ids, cancellationToken);

        var claims = new ConcurrentBag<(int Order, double Ms)>();
        var decisions = new ConcurrentBag<(int Order, string Id, double Ms)>();
        var decided = 0;
        var conflicts = 0;
        var failures = new ConcurrentBag<string>();
        var names = hosts.ToDictionary(h => h.Pid, h => h.Name);
        CpuSnapshot? cpuBefore = null;
        var measuredStart = 0L;
        PgStatements? statements = null;
        var warm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();

        await Task.WhenAll(Enumerable.Range(0, options.Reviewers).Select(r => Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                using var next = await SendAsync(http, HttpMethod.Post, "/api/v1/reviews/next", tokens[r], null, cancellationToken);
                var t1 = Stopwatch.GetTimestamp();
                if (next.StatusCode == HttpStatusCode.NotFound) return; // nothing left to review
                if (!next.IsSuccessStatusCode) { failures.Add($"next: {(int)next.StatusCode}"); return; }
                var id = (await next.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("documentId").GetString()!;
                using var decision = await SendAsync(http, HttpMethod.Post, $"/api/v1/reviews/{Uri.EscapeDataString(id)}/decision", tokens[r],
                    new { outcome = "confirm" }, cancellationToken);
                var t2 = Stopwatch.GetTimestamp();
                if (decision.StatusCode == HttpStatusCode.Conflict) { Interlocked.Increment(ref conflicts); continue; }
                if (!decision.IsSuccessStatusCode) { failures.Add($"decision {id}: {(int)decision.StatusCode}"); continue; }
                _answered[id] = t2;
                var order = Interlocked.Increment(ref decided);
                if (order == options.WarmUp)
                {
                    // Warm-up done: measure from here (the reviewers do not pause; the next tasks are measured).
                    statements = await PgStatements.ResetAsync(postgres);
                    cpuBefore = CpuSnapshot.Take(names, "benchmark");
                    measuredStart = Stopwatch.GetTimestamp();
                    warm.TrySetResult();
                }
                if (order > options.WarmUp)
                {
                    claims.Add((order, Ms(t0, t1)));
                    decisions.Add((order, id, Ms(t1, t2)));
                }
            }
        }, cancellationToken)));
        var end = Stopwatch.GetTimestamp();
        var cpuAfter = CpuSnapshot.Take(names, "benchmark");
        var statementLines = statements is null ? ["n/a"] : await statements.DescribeAsync(Math.Max(1, decisions.Count));

        // The relay publishes within its poll; wait for the last decisions to arrive downstream.
        var settleBy = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (_answered.Keys.Any(id => !_downstream.ContainsKey(id)) && Stopwatch.GetTimestamp() < settleBy)
            await Task.Delay(200, cancellationToken);
        await Task.Delay(2000, cancellationToken); // a repeat would show up now

        var measured = decisions.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var missing = _answered.Keys.Count(id => !_downstream.ContainsKey(id));
        var twoIds = _downstream.Values.Count(v => v.MessageId == "(two ids)");
        var redelivered = _downstream.Values.Sum(v => v.Count - 1);
        var claimMs = claims.Select(c => c.Ms).Order().ToArray();
        var decideMs = decisions.Select(d => d.Ms).Order().ToArray();
        var roundTrip = claims.Join(decisions, c => c.Order, d => d.Order, (c, d) => c.Ms + d.Ms).Order().ToArray();
        var outMs = measured.Where(_downstream.ContainsKey).Select(id => Ms(_answered[id], _downstream[id].At)).Order().ToArray();
        var seconds = measuredStart == 0 ? double.NaN : Ms(measuredStart, end) / 1000;
        var perTask = cpuBefore?.MsPerDocument(cpuAfter, Math.Max(1, decisions.Count)) ?? [];

        Console.WriteLine();
        Console.WriteLine($"ReviewFlow human path, as deployed ({options.Reviewers} reviewers on one web host and one worker; {N0(options.WarmUp)} warm-up " +
                          $"and {N0(decisions.Count)} measured tasks; {Environment.ProcessorCount} cores)");
        Console.WriteLine($"decided           : {N0(decisions.Count)} in {N1(seconds)} s = {N1(decisions.Count / seconds)} tasks/s " +
                          $"({conflicts} lost races for a task, {failures.Count} failures{(failures.IsEmpty ? "" : ": " + string.Join("; ", failures.Take(5)))})");
        Console.WriteLine($"claim next        : p50 / p95 / p99 {Triple(claimMs)} ms   (POST /reviews/next: the saga commits the claim, then it answers)");
        Console.WriteLine($"decision          : p50 / p95 / p99 {Triple(decideMs)} ms   (POST /reviews/{{id}}/decision, confirm)");
        Console.WriteLine($"claim + decision  : p50 / p95 / p99 {Triple(roundTrip)} ms");
        Console.WriteLine($"answer -> out     : p50 / p95 / p99 {Triple(outMs)} ms   (the decision's answer to its message on reviewflow.decisions)");
        Console.WriteLine($"cpu per task      : {string.Join(", ", perTask.Select(p => $"{p.Name} {N1(p.Ms)} ms"))}");
        if (cpuBefore is not null) Console.WriteLine($"cpu               : {cpuBefore.Describe(cpuAfter, TimeSpan.FromSeconds(seconds))}");
        Console.WriteLine($"postgres          : {statementLines[0]}");
        foreach (var line in statementLines.Skip(1)) Console.WriteLine(line);
        Console.WriteLine($"downstream        : {missing} decided but never published, {twoIds} published under two message ids, {redelivered} redelivered (same id)");
        var failed = missing > 0 || twoIds > 0 || !failures.IsEmpty || decisions.Count == 0;
        if (failed) Console.WriteLine("FAILED: a decision was lost, published twice, or a request failed");
        return failed ? 1 : 0;
    }

    static string Triple(double[] sorted) => $"{N0(Percentile(sorted, 50))} / {N0(Percentile(sorted, 95))} / {N0(Percentile(sorted, 99))}";

    static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await http.SendAsync(request, cancellationToken);
    }

    /// <summary>Until the worker has taken every task in (its document answers).</summary>
    static async Task WaitQueuedAsync(HttpClient http, string token, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var pending = ids.ToList();
        var until = Stopwatch.GetTimestamp() + 180 * Stopwatch.Frequency;
        while (pending.Count > 0)
        {
            if (Stopwatch.GetTimestamp() > until) throw new BenchmarkException($"{pending.Count} tasks were not taken in within 180 s");
            var still = new List<string>();
            foreach (var id in pending)
            {
                using var response = await SendAsync(http, HttpMethod.Get, $"/api/v1/documents/{Uri.EscapeDataString(id)}", token, null, cancellationToken);
                if (!response.IsSuccessStatusCode) still.Add(id);
            }
            pending = still;
            if (pending.Count > 0) await Task.Delay(500, cancellationToken);
        }
    }
}
