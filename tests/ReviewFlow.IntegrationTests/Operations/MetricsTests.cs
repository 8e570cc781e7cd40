using System.Net;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace ReviewFlow.IntegrationTests.Operations;

/// <summary>
/// The /metrics endpoints as Prometheus scrapes them, on a worker and a web node in processes of their own (as deployed:
/// one process per host, so each scrape holds that host's own counts): after a known mix of documents, the counters,
/// the histograms and the gauges hold exactly what happened.
/// </summary>
public sealed class MetricsTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>ReviewFlow's own series, as Prometheus names them; the dashboard and the alert rules may use only these.</summary>
    public static readonly IReadOnlySet<string> Exported = new HashSet<string>
    {
        "reviewflow_documents_received_total", "reviewflow_documents_invalid_total", "reviewflow_documents_routed_total",
        "reviewflow_intake_refused_total", "reviewflow_reviews_requested_total", "reviewflow_sla_breaches_total",
        "reviewflow_notifications_attempts_total", "reviewflow_reviews_refused_total",
        "reviewflow_decision_latency_seconds_bucket", "reviewflow_decision_latency_seconds_sum", "reviewflow_decision_latency_seconds_count",
        "reviewflow_relay_delay_seconds_bucket", "reviewflow_relay_delay_seconds_sum", "reviewflow_relay_delay_seconds_count",
        "reviewflow_review_queue_depth", "reviewflow_review_oldest_task_age_seconds", "reviewflow_relay_lag_seconds",
        "reviewflow_relay_unpublished",
    };

    readonly string _schema = "m" + Guid.NewGuid().ToString("N")[..10];
    string _postgres = "";
    string _rabbit = "";
    AmqpProbe _amqp = null!;

    public async Task InitializeAsync()
    {
        (_postgres, _rabbit) = await Servers.IsolatedAsync(_schema);
        _amqp = await AmqpProbe.ConnectAsync(_rabbit);
    }

    public async Task DisposeAsync() => await _amqp.DisposeAsync();

    [Fact]
    public async Task A_scrape_after_a_known_mix_of_documents_counts_exactly_what_happened()
    {
        using var worker = WorkerProcess.For("w", _postgres, _rabbit, _schema, new()
        {
            ["Operations__GaugeInterval"] = "00:00:01",
            // The claim below breaches its SLA while the test runs.
            ["Routing__DocumentTypes__claim__Sla"] = "00:00:04",
            // Structured logs, as a log shipper reads them (docs/operations.md, "Logs").
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
        });
        worker.Start();
        using var web = WebProcess.For("web", _postgres, _rabbit, _schema);
        using var workerHttp = new HttpClient { BaseAddress = new Uri(worker.Url), Timeout = TimeSpan.FromSeconds(10) };
        using var alice = new HttpClient { BaseAddress = new Uri(web.Url), Timeout = TimeSpan.FromSeconds(30) };
        using var bob = new HttpClient { BaseAddress = new Uri(web.Url), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await worker.WaitUntilAnswersAsync("/health/ready", TimeSpan.FromSeconds(90));
            await web.StartAsync();

            var auto = Enumerable.Range(0, 3).Select(_ => Documents.NewId()).ToList();
            var unsure = Enumerable.Range(0, 2).Select(_ => Documents.NewId()).ToList();
            var claim = Documents.NewId("CLM");
            foreach (var id in auto) await _amqp.PublishRawAsync(Documents.Json(id, confidence: 0.97));
            foreach (var id in unsure) await _amqp.PublishRawAsync(Documents.Json(id, confidence: 0.55));
            await _amqp.PublishRawAsync(Documents.Json(claim, documentType: "claim", label: "water-damage", confidence: 0.5));
            // Refused: an unknown document type (its id is readable: the document shows Invalid), and a body that is not JSON.
            var memo = Documents.NewId("MEMO");
            await _amqp.PublishRawAsync(Documents.Json(memo, documentType: "memo"));
            await _amqp.PublishRawAsync(Encoding.UTF8.GetBytes("not json at all"));
            foreach (var id in auto) await _amqp.WaitForDecisionAsync(id, TimeSpan.FromSeconds(60));

            // A claim conflict at the web node: bob tries to claim what alice holds.
            await alice.SignedInAsAsync("alice");
            await bob.SignedInAsAsync("bob");
            await alice.ForStatusAsync(unsure[0], "AwaitingReview", TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{unsure[0]}/claim", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Conflict, (await bob.PostAsync($"/api/v1/reviews/{unsure[0]}/claim", null)).StatusCode);

            var w = await Waiting.ForAsync(() => PrometheusText.ScrapeAsync(workerHttp),
                m => m.Value("reviewflow_review_queue_depth", "reviewer_group=ap-reviewers") == 2
                     && m.Value("reviewflow_review_queue_depth", "reviewer_group=claims-reviewers") == 1
                     && m.Value("reviewflow_intake_refused_total") == 2
                     && m.Value("reviewflow_sla_breaches_total", "reviewer_group=claims-reviewers") == 1,
                TimeSpan.FromSeconds(60), "the worker's gauges to show the open tasks, and the claim's SLA breach");
            output.WriteLine(string.Join('\n', w.Text.Split('\n').Where(l => l.StartsWith("reviewflow_"))));

            Assert.Equal(5, w.Value("reviewflow_documents_received_total", "document_type=invoice", "channel=amqp"));
            Assert.Equal(1, w.Value("reviewflow_documents_received_total", "document_type=claim", "channel=amqp"));
            Assert.Equal(3, w.Value("reviewflow_documents_routed_total", "document_type=invoice", "route=auto"));
            Assert.Equal(2, w.Value("reviewflow_documents_routed_total", "document_type=invoice", "route=review"));
            Assert.Equal(1, w.Value("reviewflow_documents_routed_total", "document_type=claim", "route=review"));
            Assert.Equal(2, w.Value("reviewflow_reviews_requested_total", "reviewer_group=ap-reviewers"));
            Assert.Equal(1, w.Value("reviewflow_documents_invalid_total", "channel=amqp"));
            Assert.Equal(2, w.Value("reviewflow_intake_refused_total", "queue=reviewflow-classifications_error"));
            // Histograms: one observation per automatic decision, each well under the largest bucket (a minute: a fresh
            // worker beside two other test assemblies took over 5 s for each of its first three in CI).
            Assert.Equal(3, w.Value("reviewflow_decision_latency_seconds_count", "document_type=invoice", "route=auto"));
            Assert.Equal(3, w.Value("reviewflow_decision_latency_seconds_bucket", "document_type=invoice", "route=auto", "le=60"));
            Assert.InRange(w.Value("reviewflow_decision_latency_seconds_sum", "document_type=invoice", "route=auto"), 1e-6, 180);
            Assert.Equal(3, w.Value("reviewflow_relay_delay_seconds_count"));
            Assert.InRange(w.Value("reviewflow_relay_delay_seconds_sum"), 0, 30);
            Assert.InRange(w.Value("reviewflow_review_oldest_task_age_seconds", "reviewer_group=ap-reviewers"), 0.001, 300);
            Assert.True(w.Has("reviewflow_relay_lag_seconds"), "the relay's lag is exported");
            Assert.InRange(w.Value("reviewflow_relay_lag_seconds"), 0, 30);
            // MassTransit's and Npgsql's own instruments come along.
            Assert.Contains(w.Samples, s => s.Name.StartsWith("messaging_masstransit_", StringComparison.Ordinal));
            Assert.Contains(w.Samples, s => s.Name.StartsWith("db_client_", StringComparison.Ordinal));

            // The refusal is one JSON warning line whose scopes name the document.
            var refusal = worker.Tail(400).Split('\n').Select(l => l[(l.IndexOf('{') is var i and >= 0 ? i : 0)..])
                .Where(l => l.StartsWith('{') && l.Contains("Refused a classification result") && l.Contains(memo))
                .Select(l => JsonDocument.Parse(l).RootElement).Single();
            Assert.Equal("Warning", refusal.GetProperty("LogLevel").GetString());
            Assert.Contains(refusal.GetProperty("Scopes").EnumerateArray(),
                s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("DocumentId", out var d) && d.GetString() == memo);

            using var anonymous = new HttpClient { BaseAddress = new Uri(web.Url) };
            var webMetrics = await PrometheusText.ScrapeAsync(anonymous);
            Assert.Equal(1, webMetrics.Value("reviewflow_reviews_refused_total", "command=claim"));
            // Every series of ReviewFlow's is there, on one host or the other, and none that is not in the list.
            var names = w.Samples.Concat(webMetrics.Samples).Select(s => s.Name).Where(n => n.StartsWith("reviewflow_", StringComparison.Ordinal)).ToHashSet();
            Assert.Equal(Exported.Order(), names.Order());
            Assert.Contains(webMetrics.Samples, s => s.Name == "http_server_request_duration_seconds_count"
                && s.Labels.GetValueOrDefault("http_route") == "/api/v1/reviews/{documentId}/claim");
            // No id of a document or a user is ever a label.
            Assert.DoesNotContain(unsure[0], webMetrics.Text);
            Assert.DoesNotContain(unsure[0], w.Text);
            Assert.DoesNotContain("alice", webMetrics.Text);
        }
        catch
        {
            output.WriteLine(worker.Tail(60));
            output.WriteLine(web.Tail(60));
            throw;
        }
    }
}
