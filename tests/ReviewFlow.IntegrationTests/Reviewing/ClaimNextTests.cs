using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReviewFlow.IntegrationTests.Reviewing;

/// <summary>One key claims the next task in my groups: breached first, then the closest due time, then the oldest.</summary>
public sealed class ClaimNextTests(ClaimNextTests.WithSlas system) : IClassFixture<ClaimNextTests.WithSlas>
{
    public sealed class WithSlas() : TestSystem(new SystemOptions
    {
        Settings = new Dictionary<string, string?>
        {
            ["Routing:DocumentTypes:invoice:Sla"] = "04:00:00",
            ["Routing:DocumentTypes:invoice:PrioritySla:urgent"] = "01:00:00",
            ["Routing:DocumentTypes:claim:Sla"] = "00:00:02",
            // A team pressing "next" at once: six more reviewers of ap-reviewers.
            ["DevUsers:rev1:Roles:0"] = "Reviewer", ["DevUsers:rev1:Groups:0"] = "ap-reviewers",
            ["DevUsers:rev2:Roles:0"] = "Reviewer", ["DevUsers:rev2:Groups:0"] = "ap-reviewers",
            ["DevUsers:rev3:Roles:0"] = "Reviewer", ["DevUsers:rev3:Groups:0"] = "ap-reviewers",
            ["DevUsers:rev4:Roles:0"] = "Reviewer", ["DevUsers:rev4:Groups:0"] = "ap-reviewers",
            ["DevUsers:rev5:Roles:0"] = "Reviewer", ["DevUsers:rev5:Groups:0"] = "ap-reviewers",
            ["DevUsers:rev6:Roles:0"] = "Reviewer", ["DevUsers:rev6:Groups:0"] = "ap-reviewers",
        },
    });

    async Task<string> UnsureAsync(string documentType, string? priority = null)
    {
        var id = Documents.NewId(documentType[..3].ToUpperInvariant());
        var json = JsonNode.Parse(Documents.Json(id, documentType, documentType == "claim" ? "motor" : "utilities", confidence: 0.5))!;
        if (priority is not null) json["priority"] = priority;
        await system.Amqp.PublishRawAsync(json.ToJsonString());
        await (await system.ClientAsync()).ForStatusAsync(id, "AwaitingReview");
        return id;
    }

    [Fact]
    public async Task Next_claims_the_breached_task_then_the_one_due_first_then_says_nothing_is_left()
    {
        var normal = await UnsureAsync("invoice");
        var urgent = await UnsureAsync("invoice", "urgent");
        var breached = await UnsureAsync("claim"); // due 2 s after it arrived
        var alice = await system.ClientAsync("alice"); // ap-reviewers and claims-reviewers
        await Waiting.UntilAsync(async () => (await alice.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{breached}"))
            .TryGetProperty("breachedAt", out var at) && at.ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(30), "the claim's SLA breach");

        var claimed = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var next = await alice.PostAsync("/api/v1/reviews/next", null);
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            var task = await next.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Claimed", task.GetProperty("status").GetString());
            claimed.Add(task.GetProperty("documentId").GetString()!);
        }

        Assert.Equal([breached, urgent, normal], claimed);
        var none = await alice.PostAsync("/api/v1/reviews/next", null);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Equal("Nothing to review", (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        // bob's groups had the two invoices, now alice's: nothing for him either, and he took nothing of hers.
        Assert.Equal(HttpStatusCode.NotFound, (await (await system.ClientAsync("bob")).PostAsync("/api/v1/reviews/next", null)).StatusCode);
    }

    [Fact]
    public async Task Reviewers_pressing_next_together_each_get_a_different_task_and_no_claim_is_rolled_back()
    {
        var reviewers = Enumerable.Range(1, 6).Select(n => $"rev{n}").ToArray();
        var clients = await Task.WhenAll(reviewers.Select(r => system.ClientAsync(r)));
        var tasks = new List<string>();
        for (var i = 0; i < reviewers.Length; i++) tasks.Add(await UnsureAsync("invoice"));
        var before = await HighestSequenceAsync();

        var answers = await Task.WhenAll(clients.Select(c => c.PostAsync("/api/v1/reviews/next", null)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var claimed = await Task.WhenAll(answers.Select(async a => (await a.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documentId").GetString()!));
        Assert.Equal(reviewers.Length, claimed.Distinct().Count());
        Assert.Subset(tasks.ToHashSet(), claimed.ToHashSet());
        // A claim that lost a race for the same task would have rolled back its append and left a hole in the event
        // sequence, which holds every decision behind it until the daemon gives up on the hole (seconds).
        Assert.Equal(0L, await HolesSinceAsync(before));
    }

    [Fact]
    public async Task Six_claims_of_one_task_at_once_give_it_to_one_reviewer_and_roll_nothing_back()
    {
        var reviewers = Enumerable.Range(1, 6).Select(n => $"rev{n}").ToArray();
        var clients = await Task.WhenAll(reviewers.Select(r => system.ClientAsync(r)));
        var task = await UnsureAsync("invoice");
        var before = await HighestSequenceAsync();

        var answers = await Task.WhenAll(clients.Select(c => c.PostAsync($"/api/v1/reviews/{task}/claim", null)));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(reviewers.Length - 1, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(0L, await HolesSinceAsync(before));
    }

    /// <summary>Sequence numbers after <paramref name="before"/> that hold no event: appends that rolled back.</summary>
    async Task<long> HolesSinceAsync(long before)
    {
        await using var connection = new Npgsql.NpgsqlConnection(system.PostgresConnection);
        await connection.OpenAsync();
        await using var holes = new Npgsql.NpgsqlCommand(
            $"select coalesce((max(seq_id) - min(seq_id) + 1) - count(*), 0) from {system.Schema}.mt_events where seq_id > $1", connection)
        {
            Parameters = { new() { Value = before } },
        };
        return (long)(await holes.ExecuteScalarAsync())!;
    }

    async Task<long> HighestSequenceAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(system.PostgresConnection);
        await connection.OpenAsync();
        await using var highest = new Npgsql.NpgsqlCommand($"select coalesce(max(seq_id), 0) from {system.Schema}.mt_events", connection);
        return (long)(await highest.ExecuteScalarAsync())!;
    }
}
