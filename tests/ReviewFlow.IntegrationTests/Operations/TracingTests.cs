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

    /// <summary>The spans of the trace whose web-node server span is <paramref name="route"/> (empty until it arrived).</summary>
    IReadOnlyList<RecordedSpan> TraceOf(string route)
    {
        var spans = _collector.Spans;
        var request = spans.FirstOrDefault(s => s.Service == "reviewflow-web" && s.Kind == ServerKind && s.Name == route);
        return request is null ? [] : spans.Where(s => s.TraceId == request.TraceId).ToList();
    }
}
