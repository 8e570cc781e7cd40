using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using ReviewFlow.Workflow.Queue;

namespace ReviewFlow.IntegrationTests.Queue;

/// <summary>The review queue reads its own read model, written in the saga's transaction.</summary>
[Collection(SystemCollection.Name)]
public sealed class ReviewQueueTests(TestSystem system)
{
    /// <summary>An unsure invoice with a label of its own (so that the queue can be filtered down to it), waiting for review.</summary>
    async Task<(string Id, string Label)> UnsureAsync()
    {
        var (id, label) = (Documents.NewId(), "q" + Guid.NewGuid().ToString("N")[..10]);
        await system.Amqp.PublishRawAsync(Documents.Json(id, label: label, confidence: 0.5));
        await (await system.ClientAsync()).ForStatusAsync(id, "AwaitingReview");
        return (id, label);
    }

    /// <summary>The document's entry in the caller's queue, or null.</summary>
    static async Task<JsonElement?> InQueueAsync(HttpClient http, string id, string label)
    {
        var page = await http.GetFromJsonAsync<JsonElement>($"/api/v1/queue?label={label}&pageSize=200");
        return page.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("documentId").GetString() == id)
            .Select(i => (JsonElement?)i).SingleOrDefault();
    }

    async Task<ReviewQueueItem?> ItemAsync(string id)
    {
        await using var session = system.Store.QuerySession();
        return await session.LoadAsync<ReviewQueueItem>(id);
    }

    [Fact]
    public async Task A_claim_answered_200_is_in_the_queue_at_once_and_so_are_its_release_and_the_decision()
    {
        var (id, label) = await UnsureAsync();
        var alice = await system.ClientAsync("alice");
        var waiting = (await InQueueAsync(alice, id, label))!.Value;
        Assert.Equal(("AwaitingReview", "invoice", 0.5), (waiting.GetProperty("status").GetString(),
            waiting.GetProperty("documentType").GetString(), waiting.GetProperty("confidence").GetDouble()));

        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
        var claimed = (await InQueueAsync(alice, id, label))!.Value;
        Assert.Equal(("Claimed", "alice"), (claimed.GetProperty("status").GetString(), claimed.GetProperty("claimedBy").GetString()));

        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{id}/release", null)).StatusCode);
        var released = (await InQueueAsync(alice, id, label))!.Value;
        Assert.Equal(("AwaitingReview", JsonValueKind.Null), (released.GetProperty("status").GetString(), released.GetProperty("claimedBy").ValueKind));

        await alice.PostAsync($"/api/v1/reviews/{id}/claim", null);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "confirm" })).StatusCode);
        Assert.Null(await InQueueAsync(alice, id, label));
        var item = await ItemAsync(id);
        Assert.Equal(("Routed", "confirmed", "alice", label), (item!.Status, item.Outcome, item.DecidedBy, item.FinalLabel));
    }

    [Fact]
    public async Task A_document_routed_automatically_has_no_queue_item_and_no_review_task_to_claim()
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.97));
        var alice = await system.ClientAsync("alice");
        await alice.ForStatusAsync(id, "Routed");

        Assert.Null(await ItemAsync(id));
        var claim = await alice.PostAsync($"/api/v1/reviews/{id}/claim", null);
        Assert.Equal(HttpStatusCode.NotFound, claim.StatusCode);
        Assert.Contains("No review task", (await claim.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_missing_item_is_folded_from_the_documents_history_at_its_next_event()
    {
        var (id, label) = await UnsureAsync();
        var alice = await system.ClientAsync("alice");
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
        // As a document that went to review before the read model existed, not backfilled yet.
        await using (var session = system.Store.LightweightSession())
        {
            session.Delete<ReviewQueueItem>(id);
            await session.SaveChangesAsync();
        }
        Assert.Null(await InQueueAsync(alice, id, label));

        // The next event is the lease timer's release: the projection folds the stream, then the release.
        await alice.ForStatusAsync(id, "AwaitingReview", TestSystem.ShortClaimLease + TimeSpan.FromSeconds(6));

        var item = (await InQueueAsync(alice, id, label))!.Value;
        Assert.Equal(("AwaitingReview", JsonValueKind.Null), (item.GetProperty("status").GetString(), item.GetProperty("claimedBy").ValueKind));
        Assert.Equal(label, item.GetProperty("predictedLabel").GetString());
    }
}
