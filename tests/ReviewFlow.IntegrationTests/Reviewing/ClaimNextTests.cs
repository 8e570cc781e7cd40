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
}
