using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit.Abstractions;

namespace ReviewFlow.IntegrationTests.Operations;

/// <summary>
/// Traces across the path of a document, as an operator's collector receives them over OTLP: an upstream system's
/// HTTP submission on the web node continues on the worker (MassTransit's consume, the saga's PostgreSQL commands),
/// and so does a reviewer's claim from the browser. Probes and scrapes are not traced.
/// </summary>
public sealed class TracingTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int ServerKind = 2; // SpanKind.SPAN_KIND_SERVER
    readonly string _schema = "t" + Guid.NewGuid().ToString("N")[..10];
    string _postgres = "";
    string _rabbit = "";
    OtlpRecorder _collector = null!;

    public async Task InitializeAsync()
    {
        (_postgres, _rabbit) = await Servers.IsolatedAsync(_schema);
        _collector = await OtlpRecorder.StartAsync();
    }

    public async Task DisposeAsync() => await _collector.DisposeAsync();

    [Fact]
    public async Task A_submission_and_a_claim_are_each_one_trace_from_the_web_node_through_the_worker_to_postgresql()
    {
        using var worker = WorkerProcess.For("w", _postgres, _rabbit, _schema, _collector.Environment());
        worker.Start();
        using var web = WebProcess.For("web", _postgres, _rabbit, _schema,
            _collector.Environment().Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)));
        using var upstream = new HttpClient { BaseAddress = new Uri(web.Url), Timeout = TimeSpan.FromSeconds(30) };
        using var alice = new HttpClient { BaseAddress = new Uri(web.Url), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await worker.WaitUntilAnswersAsync("/health/ready", TimeSpan.FromSeconds(90));
            await web.StartAsync();
            await upstream.SignedInAsAsync("ap-inbox");
            await alice.SignedInAsAsync("alice");

            var id = Documents.NewId();
            var submitted = await upstream.PostAsync("/api/v1/documents",
                new StringContent(Documents.Json(id, confidence: 0.55), Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
            Assert.True(submitted.IsSuccessStatusCode, $"{(int)submitted.StatusCode} {await submitted.Content.ReadAsStringAsync()}");
            await alice.ForStatusAsync(id, "AwaitingReview", TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);

            foreach (var route in new[] { "POST /api/v1/documents", "POST /api/v1/reviews/{documentId}/claim" })
            {
                // Each process exports its spans in batches, and a parent ends (and is exported) after its children: wait for
                // the whole tree, not only for its first spans from the worker.
                var trace = await Waiting.ForAsync(() => Task.FromResult(TraceOf(route)),
                    t => t.Any(s => s.Service == "reviewflow-worker" && s.Scope == "MassTransit")
                         && t.Any(s => s.Service == "reviewflow-worker" && s.Scope.StartsWith("Npgsql", StringComparison.Ordinal))
                         && t.Where(s => s.ParentSpanId != "").All(s => t.Any(p => p.SpanId == s.ParentSpanId)),
                    TimeSpan.FromSeconds(30), $"the trace of {route} to reach the worker and PostgreSQL as one tree");
                output.WriteLine($"{route}:\n  " + string.Join("\n  ", trace.Select(s => $"{s.Service} [{s.Scope}] {s.Name}")));
                // One tree: every span but the request's own has its parent in the same trace.
                var ids = trace.Select(s => s.SpanId).ToHashSet();
                Assert.All(trace.Where(s => s.ParentSpanId != ""), s => Assert.Contains(s.ParentSpanId, ids));
                Assert.Single(trace, s => s.ParentSpanId == "");
            }
            Assert.DoesNotContain(_collector.Spans, s => s.Name.Contains("/health", StringComparison.Ordinal) || s.Name.Contains("/metrics", StringComparison.Ordinal));
        }
        catch
        {
            output.WriteLine(string.Join("\n", _collector.Spans.Select(s => $"{s.TraceId[..8]} {s.Service} [{s.Scope}] {s.Name}")));
            output.WriteLine(worker.Tail(40));
            output.WriteLine(web.Tail(40));
            throw;
        }
    }

    [Fact]
    public async Task A_result_over_amqp_is_traced_from_its_consume_to_the_batched_transaction_that_wrote_it()
    {
        using var worker = WorkerProcess.For("w", _postgres, _rabbit, _schema, _collector.Environment());
        worker.Start();
        try
        {
            await worker.WaitUntilAnswersAsync("/health/ready", HostProcess.StartTimeout);
            await using var amqp = await AmqpProbe.ConnectAsync(_rabbit);
            var id = Documents.NewId();
            await amqp.PublishRawAsync(Documents.Json(id, confidence: 0.97));
            await amqp.WaitForDecisionAsync(id, TimeSpan.FromSeconds(60));

            // The consume of the raw message, and a "first receipts" transaction linked to it, with its PostgreSQL commands under it.
            var (consume, batch) = await Waiting.ForAsync(() =>
                {
                    var spans = _collector.Spans;
                    // The spans of the traces that began with the worker's receive on the raw intake queue.
                    var intakeTraces = spans.Where(s => s.Service == "reviewflow-worker" && s.Scope == "MassTransit"
                        && s.Name.Contains("reviewflow-classifications", StringComparison.Ordinal)).Select(s => s.TraceId).ToHashSet();
                    var consumes = spans.Where(s => intakeTraces.Contains(s.TraceId) && s.Scope == "MassTransit").ToList();
                    var linked = spans.FirstOrDefault(s => s.Name == "first receipts" && s.LinkedSpanIds.Any(l => consumes.Any(c => c.SpanId == l))
                        && spans.Any(c => c.ParentSpanId == s.SpanId && c.Scope.StartsWith("Npgsql", StringComparison.Ordinal)));
                    return Task.FromResult((consumes.FirstOrDefault(c => linked?.LinkedSpanIds.Contains(c.SpanId) == true), linked));
                }, t => t.Item2 is not null, TimeSpan.FromSeconds(30), "a first-receipts span linked to the raw consume, with its commands");
            output.WriteLine($"{consume!.Name} ({consume.TraceId[..8]}) -> {batch!.Name} ({batch.TraceId[..8]})");
            Assert.NotEqual(consume.TraceId, batch.TraceId); // a trace of its own: it serves several documents' traces
        }
        catch
        {
            output.WriteLine(string.Join("\n", _collector.Spans.Select(s => $"{s.TraceId[..8]} {s.Service} [{s.Scope}] {s.Name} links {s.LinkedSpanIds.Count}")));
            output.WriteLine(worker.Tail(40));
            throw;
        }
    }

    /// <summary>The spans of the trace whose web-node server span is <paramref name="route"/> (empty until it arrived).</summary>
    IReadOnlyList<RecordedSpan> TraceOf(string route)
    {
        var spans = _collector.Spans;
        var request = spans.FirstOrDefault(s => s.Service == "reviewflow-web" && s.Kind == ServerKind && s.Name == route);
        return request is null ? [] : spans.Where(s => s.TraceId == request.TraceId).ToList();
    }
}
