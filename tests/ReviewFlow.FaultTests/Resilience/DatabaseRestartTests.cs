using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Npgsql;
using Xunit.Abstractions;

namespace ReviewFlow.FaultTests.Resilience;

/// <summary>
/// PostgreSQL restarted under the web host and the worker while documents flow: first a clean stop (every session
/// ends with 57P01), then a SIGKILL of the postmaster and its backends (sockets just close). Each time the web host's
/// pools are full of connections to the old server; the burst of reads right after the restart lands on them and must
/// answer as before (200 or 404, never 500), and every document published before, during and after is decided once,
/// none in an _error queue. Own servers (infra/servers.sh in a throw-away folder), so the restarts disturb no other test.
/// </summary>
public sealed class DatabaseRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int Readers = 32; // parallel requests: far more stale pooled connections than Marten's 3 read retries
    const int DocumentsPerSecond = 40;
    static readonly TimeSpan Down = TimeSpan.FromSeconds(2);
    static readonly TimeSpan LongDown = TimeSpan.FromSeconds(15);
    static readonly string[] ErrorQueues = ["reviewflow-documents_error", "reviewflow-classifications_error"];
    readonly PrivateServerSystem _system = new();

    public Task InitializeAsync() => _system.InitializeAsync();
    public Task DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task After_PostgreSQL_restarts_or_is_killed_every_request_answers_as_before_and_every_document_is_decided_once()
    {
        var sam = await _system.ClientAsync("sam");
        var alice = await _system.ClientAsync("alice");
        var audrey = await _system.ClientAsync("audrey");
        var published = new ConcurrentQueue<string>();
        var unsure = Documents.NewId("PGU"); // waits in the queue: the queue page has a row to read
        await _system.Amqp.PublishRawAsync(Documents.Json(unsure, confidence: 0.5));
        await alice.ForStatusAsync(unsure, "AwaitingReview");

        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var id = Documents.NewId("PGR");
                await _system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.97));
                published.Enqueue(id);
                await Task.Delay(1000 / DocumentsPerSecond);
            }
        });
        await Waiting.ForAsync(() => Task.FromResult(_system.Amqp.Decisions.Count), n => n >= 20, TimeSpan.FromSeconds(60), "the first decisions");

        var reads = new (string Name, Func<Task<HttpStatusCode>> Send)[]
        {
            ("document", async () => (await sam.GetAsync($"/api/v1/documents/{published.Last()}")).StatusCode),
            ("unknown document", async () => (await sam.GetAsync($"/api/v1/documents/{Documents.NewId("NONE")}")).StatusCode),
            ("queue", async () => (await alice.GetAsync("/api/v1/queue")).StatusCode),
            ("audit search", async () => (await audrey.GetAsync("/api/v1/audit/decisions?pageSize=20")).StatusCode),
        };
        var failures = new List<string>();
        // The last one outlasts the endpoints' own short retries: the workers wait a database outage out.
        foreach (var (fault, kill, down) in new[] { ("clean stop", false, Down), ("SIGKILL", true, Down), ("clean stop, 15 s down", false, LongDown) })
        {
            var filled = await BurstAsync(reads);
            Assert.True(filled.All(r => r.Status is HttpStatusCode.OK or HttpStatusCode.NotFound), "before the restart: " + Summary(filled));
            var before = published.Count;

            await _system.Private.RestartAsync(Server.Postgres, down, kill);
            var up = Stopwatch.StartNew();
            var during = published.Skip(before).ToList(); // published while the database was down
            var after = await BurstAsync(reads); // each first read takes a connection to the old server
            var answered = up.Elapsed;
            var bad = after.Where(r => r.Status is not (HttpStatusCode.OK or HttpStatusCode.NotFound)).ToList();
            if (bad.Count > 0) failures.Add($"{fault}: {bad.Count} of {after.Count} reads failed: {Summary(bad)}");

            var next = Documents.NewId("PGN");
            await _system.Amqp.PublishRawAsync(Documents.Json(next, confidence: 0.97));
            await DecidedAsync([next], TimeSpan.FromSeconds(60));
            var newDecided = up.Elapsed;
            await DecidedAsync(during, TimeSpan.FromSeconds(60));
            output.WriteLine($"{fault}: {after.Count} reads right after the restart in {answered.TotalMilliseconds:0} ms, " +
                             $"{bad.Count} failed ({Summary(after)}); a new document decided {newDecided.TotalSeconds:0.0} s after the " +
                             $"database was back; the {during.Count} published while it was down all decided after {up.Elapsed.TotalSeconds:0.0} s");
        }

        await stop.CancelAsync();
        await publishing;
        var all = published.ToList();
        await DecidedAsync(all, TimeSpan.FromSeconds(60));
        await Task.Delay(1000); // a redelivery, if any, arrives before counting
        var received = _system.Amqp.Decisions.Where(d => all.Contains(d.DocumentId)).ToList();
        var conflicting = received.GroupBy(d => d.DocumentId).Where(g => g.Select(d => d.MessageId).Distinct().Count() > 1).ToList();
        output.WriteLine($"{all.Count} documents, {received.Count} deliveries ({received.Count - all.Count} redeliveries of the same message id)");
        Assert.True(conflicting.Count == 0, $"{conflicting.Count} documents were sent as two decisions, e.g. {conflicting.FirstOrDefault()?.Key}");
        var routed = await CountAsync($"select count(*), count(distinct stream_id) from {_system.Schema}.mt_events where type = 'document_routed' and stream_id like 'PGR-%'");
        Assert.Equal((all.Count, all.Count), routed);
        foreach (var queue in ErrorQueues) Assert.Equal(0u, await _system.Amqp.MessageCountAsync(queue));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Every reader sends each read once, all readers at the same moment.</summary>
    static async Task<List<(string Name, HttpStatusCode Status)>> BurstAsync((string Name, Func<Task<HttpStatusCode>> Send)[] reads)
    {
        var results = new ConcurrentBag<(string, HttpStatusCode)>();
        await Task.WhenAll(Enumerable.Range(0, Readers).Select(reader => Task.Run(async () =>
        {
            for (var i = 0; i < reads.Length; i++)
            {
                var read = reads[(reader + i) % reads.Length];
                results.Add((read.Name, await read.Send()));
            }
        })));
        return results.ToList();
    }

    static string Summary(IEnumerable<(string Name, HttpStatusCode Status)> results) =>
        string.Join(", ", results.GroupBy(r => $"{r.Name} {(int)r.Status}").OrderBy(g => g.Key).Select(g => $"{g.Key} ×{g.Count()}"));

    Task DecidedAsync(IReadOnlyCollection<string> ids, TimeSpan timeout) =>
        Waiting.ForAsync(() =>
            {
                var seen = _system.Amqp.Decisions.Select(d => d.DocumentId).ToHashSet();
                return Task.FromResult(ids.Count(id => !seen.Contains(id)));
            }, missing => missing == 0, timeout, $"a decision for each of {ids.Count} documents (count of those missing)",
            interval: TimeSpan.FromMilliseconds(100));

    async Task<(long, long)> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_system.PostgresConnection);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}

/// <summary>A whole system on a PostgreSQL and a RabbitMQ of its own, which its test may stop, kill and restart.</summary>
public sealed class PrivateServerSystem : TestSystem
{
    public PrivateServers Private { get; private set; } = null!;

    protected override async Task<(string Postgres, string RabbitMq)> ServersAsync()
    {
        Private = await PrivateServers.StartAsync();
        return (Private.Postgres, Private.RabbitMq);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Private.DisposeAsync();
    }
}
