using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ReviewFlow.IntegrationTests.Reviewing;

/// <summary>Contracts need four eyes: a second, different reviewer agrees, or a supervisor settles a disagreement.</summary>
[Collection(SystemCollection.Name)]
public sealed class FourEyesTests(TestSystem system)
{
    async Task<string> UnsureContractAsync()
    {
        var id = Documents.NewId("CTR");
        await system.Amqp.PublishRawAsync(Documents.Json(id, "contract", "nda", confidence: 0.6));
        await (await system.ClientAsync()).ForStatusAsync(id, "AwaitingReview");
        return id;
    }

    static async Task DecideAsync(HttpClient http, string id, object decision)
    {
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
        var response = await http.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", decision);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_second_different_reviewer_who_agrees_routes_the_document_and_the_first_cannot_decide_twice()
    {
        var id = await UnsureContractAsync();
        var bob = await system.ClientAsync("bob");
        await DecideAsync(bob, id, new { outcome = "confirm" });
        var doc = await bob.ForStatusAsync(id, "AwaitingSecondReview");
        Assert.Equal("bob", doc.GetProperty("firstReviewerId").GetString());

        var again = await bob.PostAsync($"/api/v1/reviews/{id}/claim", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already reviewed", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        await Task.Delay(1000);
        Assert.DoesNotContain(system.Amqp.Decisions, d => d.DocumentId == id);

        await DecideAsync(await system.ClientAsync("sam"), id, new { outcome = "confirm" });
        var decision = await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal(("confirmed", "nda", "sam"), (decision.Outcome, decision.FinalLabel, decision.Body.GetProperty("decidedBy").GetString()));
        Assert.Equal(["ClassificationReceived", "RoutingDecided", "ReviewRequested", "ReviewClaimed", "FirstReviewRecorded",
            "ReviewClaimed", "ReviewDecided", "DocumentRouted"], await system.Store.EventTypesAsync(id));
    }

    [Fact]
    public async Task A_disagreement_goes_to_a_supervisor_who_was_not_one_of_the_two()
    {
        var id = await UnsureContractAsync();
        await DecideAsync(await system.ClientAsync("bob"), id, new { outcome = "confirm" });
        await DecideAsync(await system.ClientAsync("sam"), id, new { outcome = "correct", label = "msa", reasonCode = "wrong-type" });
        var sam = await system.ClientAsync("sam");
        await sam.ForStatusAsync(id, "Escalated");

        var bobQueue = await (await system.ClientAsync("bob")).GetFromJsonAsync<JsonElement>("/api/v1/queue?documentType=contract&pageSize=200");
        Assert.DoesNotContain(bobQueue.GetProperty("items").EnumerateArray(), i => i.GetProperty("documentId").GetString() == id);
        var samAgain = await sam.PostAsync($"/api/v1/reviews/{id}/claim", null);
        Assert.Equal(HttpStatusCode.Conflict, samAgain.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await (await system.ClientAsync("bob")).PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);

        var sue = await system.ClientAsync("sue");
        var sueQueue = await sue.GetFromJsonAsync<JsonElement>("/api/v1/queue?documentType=contract&pageSize=200");
        Assert.Contains(sueQueue.GetProperty("items").EnumerateArray(), i => i.GetProperty("documentId").GetString() == id);
        await DecideAsync(sue, id, new { outcome = "correct", label = "msa", reasonCode = "wrong-type" });
        var decision = await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal(("corrected", "msa", "sue"), (decision.Outcome, decision.FinalLabel, decision.Body.GetProperty("decidedBy").GetString()));
    }
}
