using System.Diagnostics;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NpgsqlTypes;
using ReviewFlow.Testing;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.Quality;
using ReviewFlow.Workflow.Routing;
using static ReviewFlow.Benchmarks.Stats;

namespace ReviewFlow.Benchmarks;

/// <summary>
/// `-- quality [--decisions N]`: the quality summary, the policy what-if and the threshold suggestion over N recorded
/// decisions (default 1,000,000: 30 days, 3 types × 10 labels, 2 model versions, a confident model with a tail), as the
/// worker's counter stores them (rf_quality, by type, label, model version, day and percentile), seeded with COPY. The
/// baseline, measured in the same run, is one aggregate (the override rate) over the same decisions as one row each —
/// what answering from unaggregated records would cost at the least.
/// </summary>
public static class QualityBenchmark
{
    public static async Task<int> RunAsync(int decisions, CancellationToken ct)
    {
        var database = "rfbench_quality_" + Guid.NewGuid().ToString("N")[..8];
        var connection = await Servers.IsolatedPostgresAsync((await Servers.GetAsync()).Postgres, database);
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Benchmark" });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = connection,
                ["ConnectionStrings:RabbitMq"] = "amqp://unused/",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            builder.AddEventStore();
            builder.AddQuality();
            using var host = builder.Build();
            var store = host.Services.GetRequiredService<IDocumentStore>();
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            var schema = store.Options.Events.DatabaseSchemaName;

            var seeding = Stopwatch.StartNew();
            var (buckets, raw) = await SeedAsync(connection, schema, decisions, ct);
            Console.Error.WriteLine($"[bench] seeded {N0(decisions)} decisions: {N0(buckets)} count rows, {N0(raw)} raw rows, {seeding.Elapsed.TotalSeconds:N1} s");

            var summaries = host.Services.GetRequiredService<QualitySummaries>();
            var to = DateTimeOffset.UtcNow.Date.AddDays(1);
            var from = to.AddDays(-30);
            var active = Policy(0.90);
            var proposed = Policy(0.85);
            var baseline = await TimeAsync(() => RawOverrideRateAsync(connection, schema, ct));
            var summary = await TimeAsync(() => summaries.SummarizeAsync(new QualityFilter(null, null, null, from, to), ct));
            var filtered = await TimeAsync(() => summaries.SummarizeAsync(new QualityFilter("invoice", null, "m1", from, to), ct));
            var series = await TimeAsync(() => summaries.SeriesAsync(new QualityFilter("invoice", null, null, from, to), ct));
            var counts = host.Services.GetRequiredService<QualityStore>();
            var whatIf = await TimeAsync(async () => PolicyWhatIf.Evaluate(active, proposed, await counts.CountsAsync(from, to, ct)));
            var suggestion = await TimeAsync(async () => ThresholdSuggestions.Suggest(await counts.CountsAsync(from, to, ct), 0.02));

            Console.WriteLine();
            Console.WriteLine($"ReviewFlow quality benchmark ({N0(decisions)} decisions over 30 days; median of 5 after one warm-up, 2 cores)");
            Console.WriteLine($"baseline  override rate scanning one row per decision : {N1(baseline)} ms");
            Console.WriteLine($"summary   all types                                   : {N1(summary)} ms   ({Ratio(summary, baseline)})");
            Console.WriteLine($"summary   invoice, one model version                  : {N1(filtered)} ms   ({Ratio(filtered, baseline)})");
            Console.WriteLine($"series    invoice, 30 days by day and model version   : {N1(series)} ms   ({Ratio(series, baseline)})");
            Console.WriteLine($"what-if   invoice threshold 0.90 -> 0.85             : {N1(whatIf)} ms   ({Ratio(whatIf, baseline)})");
            Console.WriteLine($"suggest   target error rate 2 %                       : {N1(suggestion)} ms   ({Ratio(suggestion, baseline)})");
            return 0;
        }
        finally
        {
            await BenchDatabase.DropAsync(database);
        }
    }

    static string Ratio(double ms, double baseline) => $"{ms / baseline:P1} of the baseline";

    static RoutingPolicy Policy(double invoice) => new()
    {
        Version = 1,
        DocumentTypes = new Dictionary<string, DocumentTypePolicy>
        {
            ["invoice"] = new() { Threshold = invoice, ReviewerGroup = "ap" },
            ["contract"] = new() { Threshold = 0.95, ReviewerGroup = "legal" },
            ["claim"] = new() { Threshold = 0.85, ReviewerGroup = "claims" },
        },
    };

    static async Task<double> TimeAsync<T>(Func<Task<T>> query)
    {
        await query();
        var times = new double[5];
        for (var i = 0; i < times.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await query();
            times[i] = Ms(started, Stopwatch.GetTimestamp());
        }
        Array.Sort(times);
        return times[2];
    }

    /// <summary>
    /// N synthetic decisions: confidence mostly high (a beta-like skew), auto above 0.9 except a 2 % QA sample, humans
    /// changing more of the unsure ones. Counted into rf_quality exactly as the counter would, and also kept as one raw
    /// row each (the baseline's table).
    /// </summary>
    static async Task<(int Buckets, int Raw)> SeedAsync(string connectionString, string schema, int decisions, CancellationToken ct)
    {
        string[] types = ["invoice", "contract", "claim"];
        var random = new Random(42);
        var today = DateTimeOffset.UtcNow.Date;
        var counts = new Dictionary<(string, string, string, DateTime, int), long[]>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var create = new NpgsqlCommand($"create table {schema}.raw_decision (document_type text, outcome text, confidence double precision)", connection))
            await create.ExecuteNonQueryAsync(ct);
        await using (var raw = await connection.BeginBinaryImportAsync($"copy {schema}.raw_decision from stdin (format binary)", ct))
        {
            for (var i = 0; i < decisions; i++)
            {
                var type = types[random.Next(types.Length)];
                var label = $"label-{random.Next(10)}";
                var model = i < decisions / 2 ? "m1" : "m2";
                var day = today.AddDays(-random.Next(30));
                var confidence = Math.Min(0.999, 1 - Math.Pow(random.NextDouble(), 3) * 0.6);
                var qa = confidence >= 0.9 && random.NextDouble() < 0.02;
                var human = confidence < 0.9 || qa;
                var changed = human && random.NextDouble() < (1 - confidence) * 0.8;
                var outcome = !human ? "auto" : changed ? (random.NextDouble() < 0.8 ? "corrected" : "rejected") : "confirmed";
                var bin = QualityMath.Bin(confidence, QualityCounter.Bins);
                var key = (type, label, model, day, bin);
                if (!counts.TryGetValue(key, out var c)) counts[key] = c = new long[10];
                c[0]++; // decided
                if (!human) c[1]++;
                else
                {
                    c[2]++;
                    if (outcome == "confirmed") c[3]++;
                    if (outcome == "corrected") c[4]++;
                    if (outcome == "rejected") c[5]++;
                    if (qa) { c[6]++; if (outcome == "confirmed") c[7]++; }
                }
                c[8] += (long)(confidence * 1_000_000);
                if (human) c[9] += (long)(confidence * 1_000_000);
                await raw.StartRowAsync(ct);
                await raw.WriteAsync(type, NpgsqlDbType.Text, ct);
                await raw.WriteAsync(outcome, NpgsqlDbType.Text, ct);
                await raw.WriteAsync(confidence, NpgsqlDbType.Double, ct);
            }
            await raw.CompleteAsync(ct);
        }
        await using (var import = await connection.BeginBinaryImportAsync($"""
            copy {schema}.{QualityCounter.Table} (document_type, predicted_label, model_version, day, bin, decided, auto, human, agreed,
                corrected, rejected, qa_decided, qa_agreed, confidence_sum, human_confidence_sum) from stdin (format binary)
            """, ct))
        {
            foreach (var ((type, label, model, day, bin), c) in counts)
            {
                await import.StartRowAsync(ct);
                await import.WriteAsync(type, NpgsqlDbType.Text, ct);
                await import.WriteAsync(label, NpgsqlDbType.Text, ct);
                await import.WriteAsync(model, NpgsqlDbType.Text, ct);
                await import.WriteAsync(new DateTimeOffset(day, TimeSpan.Zero), NpgsqlDbType.TimestampTz, ct);
                await import.WriteAsync(bin, NpgsqlDbType.Integer, ct);
                for (var k = 0; k < 8; k++) await import.WriteAsync(c[k], NpgsqlDbType.Bigint, ct);
                await import.WriteAsync(c[8] / 1_000_000.0, NpgsqlDbType.Double, ct);
                await import.WriteAsync(c[9] / 1_000_000.0, NpgsqlDbType.Double, ct);
            }
            await import.CompleteAsync(ct);
        }
        await using (var analyze = new NpgsqlCommand($"analyze {schema}.{QualityCounter.Table}; analyze {schema}.raw_decision", connection))
            await analyze.ExecuteNonQueryAsync(ct);
        return (counts.Count, decisions);
    }

    static async Task<double> RawOverrideRateAsync(string connectionString, string schema, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            select count(*) filter (where outcome in ('corrected', 'rejected'))::float / nullif(count(*) filter (where outcome <> 'auto'), 0)
            from {schema}.raw_decision
            """, connection);
        return await cmd.ExecuteScalarAsync(ct) is double d ? d : 0;
    }
}
