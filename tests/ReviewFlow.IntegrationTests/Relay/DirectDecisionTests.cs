using System.Net;
using System.Text;
using Marten;
using Npgsql;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Relay;
using Xunit.Abstractions;

namespace ReviewFlow.IntegrationTests.Relay;

/// <summary>
/// The relay polls every 5 minutes here and the reconciler takes over claims after 10: a decision that leaves within
/// seconds was sent by the worker that committed it.
/// </summary>
public sealed class SlowRelaySystem() : TestSystem(new SystemOptions
{
    Settings = new Dictionary<string, string?> { ["Relay:PollingInterval"] = "00:05:00", ["Relay:ClaimTimeout"] = "00:10:00" },
});

/// <summary>
/// A new document's automatic decision is sent by the worker that committed it, right after the commit (docs/adr/0027),
/// not a polling interval later by the relay; under its event id, as the relay would send it.
/// </summary>
public sealed class DirectDecisionTests(SlowRelaySystem system, ITestOutputHelper output) : IClassFixture<SlowRelaySystem>
{
    [Fact]
    public async Task A_new_documents_automatic_decision_leaves_right_after_its_commit_under_its_event_id()
    {
        var id = Documents.NewId("DIRECT");
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.99));

        var decision = await system.Amqp.WaitForDecisionAsync(id, TimeSpan.FromSeconds(30));
        Assert.Equal("auto", decision.Outcome);
        var routed = Assert.Single(await system.Store.EventsAsync(id), e => e.Data is DocumentRouted);
        Assert.Equal(routed.Id.ToString(), decision.MessageId);
        // Its claim is marked sent, so the reconciler will not send it again.
        await Waiting.UntilAsync(async () => await PublishedAsync(id) == true, TimeSpan.FromSeconds(10), "the claim marked published");
    }

    [Fact]
    public async Task A_reviewers_decision_still_goes_through_the_relay()
    {
        // The control: a document decided by a person is the relay's to send, so with the relay polling every 5 minutes
        // nothing leaves within the seconds the direct path takes.
        var (id, alice) = await system.ClaimedByAsync("alice");
        var response = await alice.PostAsync($"/api/v1/reviews/{id}/decision",
            new StringContent("""{"outcome":"confirm"}""", Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(system.Amqp.Decisions, d => d.DocumentId == id);
    }

    [Fact]
    public async Task A_worker_stopped_mid_flight_sends_the_decisions_it_committed_before_it_goes()
    {
        // A rolling deployment stops a busy worker: what it committed must leave now, not a claim timeout later from
        // another worker.
        var ids = Enumerable.Range(0, 300).Select(_ => Documents.NewId("STOPPING")).ToList();
        var publishing = Task.WhenAll(ids.Select(id => system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.99))));
        await Waiting.UntilAsync(() => Task.FromResult(system.Amqp.Decisions.Any(d => d.DocumentId.StartsWith("STOPPING"))),
            TimeSpan.FromSeconds(30), "the first decisions");
        await system.Worker.StopAsync();
        await publishing;
        try
        {
            var committed = await CommittedAsync(ids);
            output.WriteLine($"{committed.Count} of {ids.Count} committed before the stop; " +
                             $"{system.Amqp.Decisions.Count(d => d.DocumentId.StartsWith("STOPPING"))} of their decisions out right after it");
            Assert.NotEmpty(committed);
            await Waiting.UntilAsync(() => Task.FromResult(committed.All(id => system.Amqp.Decisions.Any(d => d.DocumentId == id))),
                TimeSpan.FromSeconds(10), $"the decisions of the {committed.Count} documents committed before the stop");
        }
        finally
        {
            await system.RestartWorkerAsync(TimeSpan.Zero); // the others still queued are decided by the next worker
        }
    }

    async Task<List<string>> CommittedAsync(IEnumerable<string> ids)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnection);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select stream_id from {system.Schema}.{DirectDecisions.Table} where stream_id = any($1)", connection)
        {
            Parameters = { new() { Value = ids.ToArray() } },
        };
        var committed = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) committed.Add(reader.GetString(0));
        return committed;
    }

    async Task<bool?> PublishedAsync(string documentId)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnection);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select published from {system.Schema}.{DirectDecisions.Table} where stream_id = $1", connection)
        {
            Parameters = { new() { Value = documentId } },
        };
        return await cmd.ExecuteScalarAsync() as bool?;
    }
}

/// <summary>Claims time out after 10 s here (30 s in production), with 2 s for the broker to confirm (10 s).</summary>
public sealed class ShortClaimSystem() : TestSystem(new SystemOptions
{
    Settings = new Dictionary<string, string?> { ["Relay:ClaimTimeout"] = "00:00:10", ["Relay:PublishTimeout"] = "00:00:02" },
});

/// <summary>
/// A worker that dies between the commit of a first receipt and sending its decision: the decision is claimed, so the
/// relay passes it by, and the reconciler sends it once the claim has timed out, once, under its event id.
/// </summary>
public sealed class OrphanedClaimTests(ShortClaimSystem system) : IClassFixture<ShortClaimSystem>
{
    [Fact]
    public async Task A_claimed_decision_its_worker_never_sent_is_sent_once_by_the_reconciler_after_the_claim_times_out()
    {
        var orphan = Documents.NewId("ORPHAN");
        var now = DateTimeOffset.UtcNow;
        Guid eventId;
        await using (var session = system.Store.LightweightSession())
        {
            // What the first receipts commit, then the worker is gone: the decision and its claim, never sent.
            var stream = session.Events.StartStream(orphan, new DocumentRouted(orphan, "invoice", "utilities", "utilities", 0.99, "auto",
                "system", now, 1, "2026.11.1", "corr-" + orphan, "system", now));
            DirectDecisions.Claim(session, [(orphan, 1)]);
            await session.SaveChangesAsync();
            eventId = stream.Events[0].Id;
        }

        // A later decision that only the relay sends (the HTTP intake's go through the saga): once it is out, the relay
        // has passed the orphan, and left it alone.
        var later = Documents.NewId();
        var response = await (await system.ClientAsync("ap-inbox")).PostAsync("/api/v1/documents",
            new StringContent(Documents.Json(later, confidence: 0.99), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await system.Amqp.WaitForDecisionAsync(later, TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(system.Amqp.Decisions, d => d.DocumentId == orphan);
        // Meanwhile readiness and the relay-lag gauge count it as a decision waiting to go out.
        var lag = await RelayLag.MeasureAsync(system.Store, CancellationToken.None);
        Assert.True(lag.Unpublished >= 1, $"{lag.Unpublished} decisions counted as waiting");

        var sent = await system.Amqp.WaitForDecisionAsync(orphan, TimeSpan.FromSeconds(60));
        Assert.Equal(eventId.ToString(), sent.MessageId);
        Assert.Equal("invoice.utilities", sent.RoutingKey);
        // Sent and passed by the relay: the claim goes, and nothing sends the decision again.
        await Waiting.UntilAsync(async () => await ClaimsAsync(orphan) == 0, TimeSpan.FromSeconds(20), "the orphan's claim removed");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(system.Amqp.Decisions, d => d.DocumentId == orphan);
    }

    async Task<long> ClaimsAsync(string documentId)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnection);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select count(*) from {system.Schema}.{DirectDecisions.Table} where stream_id = $1", connection)
        {
            Parameters = { new() { Value = documentId } },
        };
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
