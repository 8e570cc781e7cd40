using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Audit;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Hosting;
using Xunit.Abstractions;

namespace ReviewFlow.FaultTests.Operations;

/// <summary>
/// A stalled relay is visible: with the broker down, decisions stored meanwhile wait, and the worker's readiness turns
/// 503 naming the relay (and the bus) once the oldest waits longer than the limit; it recovers by itself. With
/// PostgreSQL down it names the database and Hangfire's storage, and recovers likewise.
/// </summary>
public sealed class WorkerHealthTests(ITestOutputHelper output) : IAsyncLifetime
{
    PrivateServers _servers = null!;

    public async Task InitializeAsync() => _servers = await PrivateServers.StartAsync();

    public async Task DisposeAsync() => await _servers.DisposeAsync();

    [Fact]
    public async Task The_worker_turns_unready_naming_the_relay_when_decisions_wait_and_ready_again_when_they_flow()
    {
        using var worker = WorkerProcess.For("w", _servers.Postgres, _servers.RabbitMq, "reviewflow",
            new() { ["Operations__RelayLagLimit"] = "00:00:03" });
        worker.Start();
        using var http = new HttpClient { BaseAddress = new Uri(worker.Url), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            await ReadyAsync(http, HttpStatusCode.OK, TimeSpan.FromSeconds(90));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);

            await _servers.StopAsync(Server.RabbitMq);
            var stored = await StoreDecisionAsync(Documents.NewId("LAG"));
            // The bus fails at once; the relay once the stored decision has waited past the limit (3 s here).
            var unready = await ReadyAsync(http, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), failing: "decision-relay");
            output.WriteLine(unready.ToString());
            Assert.Contains("masstransit-bus", Failing(unready));

            await _servers.StartAsync(Server.RabbitMq);
            await ReadyAsync(http, HttpStatusCode.OK, TimeSpan.FromSeconds(90));
            output.WriteLine($"decision {stored} published after the broker came back");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);

            // PostgreSQL stopped: unready naming the database and the timers' storage; live all along; ready once it is back.
            await _servers.StopAsync(Server.Postgres);
            var noDatabase = await ReadyAsync(http, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), failing: "postgres");
            output.WriteLine(noDatabase.ToString());
            Assert.Contains("hangfire", Failing(noDatabase));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
            await _servers.StartAsync(Server.Postgres);
            await ReadyAsync(http, HttpStatusCode.OK, TimeSpan.FromSeconds(90));
        }
        catch
        {
            output.WriteLine(worker.Tail(60));
            throw;
        }
    }

    static IReadOnlyList<string> Failing(JsonElement report) =>
        report.ValueKind != JsonValueKind.Object ? [] : report.GetProperty("checks").EnumerateArray()
            .Where(c => c.GetProperty("status").GetString() != "Healthy").Select(c => c.GetProperty("name").GetString()!).ToList();

    static async Task<JsonElement> ReadyAsync(HttpClient http, HttpStatusCode expected, TimeSpan timeout, string? failing = null)
    {
        var answer = await Waiting.ForAsync(async () =>
            {
                try
                {
                    var response = await http.GetAsync("/health/ready");
                    return (StatusCode: response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>());
                }
                catch (HttpRequestException)
                {
                    return (StatusCode: HttpStatusCode.BadGateway, Body: default(JsonElement)); // not listening yet
                }
            }, r => r.StatusCode == expected && (failing is null || Failing(r.Body).Contains(failing)), timeout,
            $"/health/ready answering {(int)expected}{(failing is null ? "" : " naming " + failing)}", interval: TimeSpan.FromMilliseconds(500));
        return answer.Body;
    }

    /// <summary>A decision committed as the saga would (the hosts' own Marten configuration), while nobody can publish it.</summary>
    async Task<string> StoreDecisionAsync(string id)
    {
        using var host = TestSystem.BuildWorker(new Dictionary<string, string?>(TestPolicy.Settings)
        {
            ["ConnectionStrings:Postgres"] = _servers.Postgres,
            ["ConnectionStrings:RabbitMq"] = _servers.RabbitMq,
            ["Database:Migrate"] = "false",
        }); // not started: no bus, just the store
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        var now = DateTimeOffset.UtcNow;
        session.Events.StartStream(id, new DocumentRouted(id, "invoice", "utilities", "utilities", 0.99, "auto", "system", now, 1,
            "2026.11.1", null, "system", now));
        await session.SaveChangesAsync();
        return id;
    }
}
