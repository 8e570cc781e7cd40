using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using ReviewFlow.Audit.Export;
using Xunit.Abstractions;

namespace ReviewFlow.IntegrationTests.Audit;

/// <summary>
/// The audit at volume, on a web host of its own (no worker: nothing else writes) over a database seeded in SQL:
/// 200,000 events (20,000 documents × 10, chained by the real trigger) and 200,000 decision records.
/// </summary>
public sealed class AuditScaleTests(AuditScaleTests.Seeded seeded, ITestOutputHelper output) : IClassFixture<AuditScaleTests.Seeded>
{
    public const int Streams = 20_000, EventsPerStream = 10, Decisions = 200_000;

    /// <summary>The system without its worker; the seeding runs once the web host has installed the schema.</summary>
    public sealed class Seeded() : TestSystem(new SystemOptions { Worker = false })
    {
        public DateTimeOffset SeededAt { get; private set; }
        public TimeSpan EventSeeding { get; private set; }

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync(); // schema, chain trigger and indexes installed at start

            var clock = Stopwatch.StartNew();
            SeededAt = DateTimeOffset.UtcNow;
            await ExecuteAsync($"""
                INSERT INTO {Schema}.mt_streams (id, version, timestamp, created)
                SELECT 'EXP-' || lpad(s::text, 6, '0'), {EventsPerStream}, now(), now() FROM generate_series(1, {Streams}) s;
                INSERT INTO {Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type)
                SELECT nextval('{Schema}.mt_events_sequence'), gen_random_uuid(), 'EXP-' || lpad(s::text, 6, '0'), v,
                       jsonb_build_object('documentId', 'EXP-' || lpad(s::text, 6, '0'), 'reviewerId', 'alice', 'outcome', 'corrected',
                           'predictedLabel', 'utilities', 'finalLabel', 'telecom', 'reasonCode', 'wrong-vendor',
                           'comment', 'seeded row ' || v || ', with a comma, a "quote" and a line' || chr(10) || 'break',
                           'policyVersion', 1, 'modelVersion', '2026.11.1', 'actor', 'alice', 'at', now()),
                       'review_decided', now(), '*DEFAULT*', 'ReviewFlow.Workflow.Documents.ReviewDecided, ReviewFlow.Workflow'
                  FROM generate_series(1, {EventsPerStream}) v, generate_series(1, {Streams}) s ORDER BY v, s;
                """);
            EventSeeding = clock.Elapsed;
            await ExecuteAsync($"""
                INSERT INTO {Schema}.mt_doc_audit_decision (id, data, mt_dotnet_type, decided_at, decided_by, document_type, predicted_label,
                                                            final_label, outcome, policy_version, model_version, sla_breached)
                SELECT d.id, jsonb_build_object('id', d.id, 'decidedAt', d.at, 'decidedBy', d.reviewer, 'outcome', d.outcome),
                       'ReviewFlow.Audit.Decisions.DecisionRecord', d.at, d.reviewer, 'invoice', 'utilities',
                       CASE WHEN d.outcome = 'corrected' THEN 'telecom' ELSE 'utilities' END, d.outcome, 1, '2026.11.1', false
                  FROM (SELECT 'DEC-' || lpad(i::text, 7, '0') AS id, timestamptz '2026-01-01' + i * interval '37 seconds' AS at,
                               CASE WHEN i % 10000 = 0 THEN 'zoe' ELSE (ARRAY['alice', 'bob', 'carol', 'dave', 'erin'])[1 + i % 5] END AS reviewer,
                               (ARRAY['auto', 'auto', 'auto', 'confirmed', 'corrected', 'rejected'])[1 + i % 6] AS outcome
                          FROM generate_series(1, {Decisions}) i) d;
                ANALYZE {Schema}.mt_doc_audit_decision;
                ANALYZE {Schema}.rf_event_chain;
                """);
        }

        public async Task ExecuteAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(PostgresConnection);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
            await command.ExecuteNonQueryAsync();
        }

        public async Task<string> ScalarTextAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(PostgresConnection);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return (string)(await command.ExecuteScalarAsync())!;
        }

        public Task<HttpClient> AuditorAsync() => ClientAsync("audrey", timeout: TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task An_export_of_200000_events_streams_in_bounded_memory_and_its_manifest_checks_out()
    {
        output.WriteLine($"seeding {Streams * EventsPerStream} chained events took {seeded.EventSeeding.TotalSeconds:F1} s");
        var auditor = await seeded.AuditorAsync();
        var from = seeded.SeededAt.AddMinutes(-1);
        var to = DateTimeOffset.UtcNow.AddMinutes(1);
        var url = $"/api/v1/audit/export?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}&format=jsonl";

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(true);
        var baselineWorkingSet = Environment.WorkingSet;
        long peak = baseline, peakWorkingSet = baselineWorkingSet;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
                await Task.Delay(20);
            }
        });

        var clock = Stopwatch.StartNew();
        using var response = await auditor.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var exportId = response.Headers.GetValues("X-Export-Id").Single();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var heads = new Dictionary<string, (long Version, string Hash)>();
        long rows = 0, bytes = 0;
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            // Hash the bytes as they come; read the rows from a second, line-by-line view of the same bytes.
            var pipe = new System.IO.Pipelines.Pipe();
            var reading = Task.Run(async () =>
            {
                using var lines = new StreamReader(pipe.Reader.AsStream(), Encoding.UTF8);
                while (await lines.ReadLineAsync() is { } line)
                {
                    rows++;
                    using var row = JsonDocument.Parse(line);
                    var r = row.RootElement;
                    var stream = r.GetProperty("documentId").GetString()!;
                    var version = r.GetProperty("version").GetInt64();
                    if (!heads.TryGetValue(stream, out var head) || head.Version < version) heads[stream] = (version, r.GetProperty("hash").GetString()!);
                }
            });
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                bytes += read;
                await pipe.Writer.WriteAsync(buffer.AsMemory(0, read));
            }
            await pipe.Writer.CompleteAsync();
            await reading;
        }
        var elapsed = clock.Elapsed;
        await sampling.CancelAsync();
        await sampler;

        var growthMb = (peak - baseline) / 1048576.0;
        output.WriteLine($"export: {rows} rows, {bytes / 1048576.0:F1} MiB in {elapsed.TotalSeconds:F1} s = {rows / elapsed.TotalSeconds:F0} rows/s; " +
                         $"managed heap peak +{growthMb:F1} MiB, working set peak +{(peakWorkingSet - baselineWorkingSet) / 1048576.0:F1} MiB");
        Assert.Equal(Streams * EventsPerStream, rows);
        Assert.True(bytes > 100L * 1024 * 1024, $"the export is {bytes} bytes: large enough that buffering it would show");
        Assert.True(growthMb < 50, $"managed memory grew {growthMb:F1} MiB while streaming {bytes / 1048576.0:F1} MiB");

        var manifest = await auditor.GetFromJsonAsync<JsonElement>($"/api/v1/audit/exports/{exportId}/manifest");
        Assert.Equal(rows, manifest.GetProperty("rows").GetInt64());
        Assert.Equal(bytes, manifest.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(sha.GetHashAndReset()), manifest.GetProperty("sha256").GetString());
        Assert.Equal(Streams, manifest.GetProperty("headCount").GetInt64());
        var fromFile = AuditExporter.HeadsDigest(heads.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => (h.Key, h.Value.Version, h.Value.Hash)));
        Assert.Equal(fromFile, manifest.GetProperty("headsDigest").GetString());
        // The exported heads are the chain heads the database holds now: a later rewrite of both tables would not match.
        var head = await seeded.ScalarTextAsync($"SELECT encode(hash, 'hex') FROM {seeded.Schema}.rf_event_chain WHERE stream_id = 'EXP-000042' AND version = {EventsPerStream}");
        Assert.Equal(head, heads["EXP-000042"].Hash);
    }

    [Fact]
    public async Task A_csv_export_quotes_commas_quotes_and_line_breaks_and_its_manifest_matches_the_bytes()
    {
        var auditor = await seeded.AuditorAsync();
        var from = seeded.SeededAt.AddMinutes(-1);
        var to = DateTimeOffset.UtcNow.AddMinutes(1);
        using var response = await auditor.GetAsync(
            $"/api/v1/audit/export?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}&format=csv",
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var manifest = await auditor.GetFromJsonAsync<JsonElement>($"/api/v1/audit/exports/{response.Headers.GetValues("X-Export-Id").Single()}/manifest");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), manifest.GetProperty("sha256").GetString());
        Assert.Equal(Streams * EventsPerStream, manifest.GetProperty("rows").GetInt64());
        var text = Encoding.UTF8.GetString(bytes);
        Assert.StartsWith("seq_id,document_id,version,type,recorded_at,event_id,actor,prev_hash,hash,data\r\n", text);
        Assert.Contains("\"{\"\"at\"\": ", text); // the JSON column quoted, its quotes doubled
        Assert.Contains("a \\\"\"quote\\\"\" and a line\\nbreak", text);
    }

    [Fact]
    public async Task Decision_search_stays_on_its_indexes_over_200000_records_and_a_deep_page_costs_what_the_first_does()
    {
        var auditor = await seeded.AuditorAsync();
        var search = new ReviewFlow.Audit.Decisions.DecisionSearch(new ReviewFlow.Audit.AuditDatabase(NpgsqlDataSource.Create(seeded.PostgresConnection), seeded.Schema));
        var january = DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture);
        var march = DateTimeOffset.Parse("2026-03-01T00:00:00Z", CultureInfo.InvariantCulture);
        foreach (var (filter, index) in new (ReviewFlow.Audit.Decisions.DecisionFilter, string)[]
        {
            // A common reviewer or outcome: newest first along a decided_at index, filtering as it goes; a rare one: its own index.
            (new(From: january, To: march), "Index Scan Backward using rf_"),
            (new(Reviewer: "carol", From: january), "Index Scan Backward using rf_"),
            (new(Outcome: "corrected"), "Index Scan Backward using rf_"),
            // (an index scan or a bitmap scan of it, as the planner likes: either way, its index)
            (new(Reviewer: "zoe"), "rf_decision_decided_by"),
        })
        {
            var plan = await search.ExplainAsync(filter, null, 50, CancellationToken.None);
            output.WriteLine(plan);
            Assert.Contains(index, plan);
            Assert.DoesNotContain("Seq Scan", plan);
        }

        // Walk 40 pages of 500 (20,000 rows deep) for one reviewer; the last page is no slower than the first in kind.
        var timings = new List<double>();
        string? next = null;
        for (var page = 0; page < 40; page++)
        {
            var clock = Stopwatch.StartNew();
            var body = await auditor.GetFromJsonAsync<JsonElement>("/api/v1/audit/decisions?reviewer=carol&pageSize=500" + (next is null ? "" : "&after=" + next));
            timings.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal(500, body.GetProperty("items").GetArrayLength());
            next = body.GetProperty("next").GetString();
        }
        output.WriteLine($"pages of 500: first {timings[0]:F0} ms, median {timings.Order().ElementAt(20):F0} ms, 40th {timings[^1]:F0} ms");
        var deep = await search.ExplainAsync(new(Reviewer: "carol"), next, 500, CancellationToken.None);
        output.WriteLine(deep);
        Assert.Contains("Index Scan Backward using rf_", deep);
        Assert.DoesNotContain("Seq Scan", deep);
        Assert.True(timings.Skip(30).Average() < 500, $"deep pages took {timings.Skip(30).Average():F0} ms on average");
    }
}
