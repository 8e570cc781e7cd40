using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Audit;
using ReviewFlow.Workflow.Queue;

namespace ReviewFlow.IntegrationTests.Queue;

/// <summary>
/// Documents in review before the queue had its read model: a database as the previous version left it is this one with
/// their items (and the backfill's mark) deleted.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ReviewQueueBackfillTests(TestSystem system)
{
    /// <summary>Two unsure invoices, the second claimed by alice, as the previous version left them: no queue items.</summary>
    async Task<(string Waiting, string Claimed, string Label)> InReviewBeforeTheReadModelAsync(bool keepTheMark = false)
    {
        var label = "b" + Guid.NewGuid().ToString("N")[..10];
        var (waiting, claimed) = (Documents.NewId(), Documents.NewId());
        var alice = await system.ClientAsync("alice");
        foreach (var id in new[] { waiting, claimed }) // one after the other: the queue lists the older first
        {
            await system.Amqp.PublishRawAsync(Documents.Json(id, label: label, confidence: 0.5));
            await alice.ForStatusAsync(id, "AwaitingReview");
        }
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{claimed}/claim", null)).StatusCode);

        await using var session = system.Store.LightweightSession();
        session.Delete<ReviewQueueItem>(waiting);
        session.Delete<ReviewQueueItem>(claimed);
        if (!keepTheMark) session.Delete<ReviewQueueBackfillRun>(ReviewQueueBackfillRun.TheId);
        await session.SaveChangesAsync();
        Assert.Empty(await QueueAsync(label));
        return (waiting, claimed, label);
    }

    /// <summary>Alice's queue, filtered down to the test's documents: (id, status, claimed by).</summary>
    async Task<List<(string?, string?, string?)>> QueueAsync(string label)
    {
        var page = await (await system.ClientAsync("alice")).GetFromJsonAsync<JsonElement>($"/api/v1/queue?label={label}&pageSize=200");
        return page.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("documentId").GetString(),
            i.GetProperty("status").GetString(), i.GetProperty("claimedBy").GetString())).ToList();
    }

    [Fact]
    public async Task Documents_in_review_before_the_read_model_existed_are_in_the_queue_once_a_worker_that_migrates_has_started()
    {
        var (waiting, claimed, label) = await InReviewBeforeTheReadModelAsync();

        await system.RestartWorkerAsync(TimeSpan.Zero);

        Assert.Equal([(waiting, "AwaitingReview", null), (claimed, "Claimed", "alice")], await QueueAsync(label));
        await using var session = system.Store.QuerySession();
        var mark = await session.LoadAsync<ReviewQueueBackfillRun>(ReviewQueueBackfillRun.TheId);
        Assert.True(mark!.Added >= 2, $"{mark.Added} added");
    }

    [Fact]
    public async Task The_migration_backfills_whatever_has_no_item_even_after_a_first_backfill_and_a_second_run_adds_nothing()
    {
        var (waiting, claimed, label) = await InReviewBeforeTheReadModelAsync(keepTheMark: true);

        await DatabaseMigration.RunAsync(system.Worker.Services);

        Assert.Equal([(waiting, "AwaitingReview", null), (claimed, "Claimed", "alice")], await QueueAsync(label));
        Assert.Equal(0, await system.Worker.Services.GetRequiredService<ReviewQueueBackfill>().RunAsync(CancellationToken.None));
        var bob = await system.ClientAsync("bob");
        Assert.Equal(HttpStatusCode.OK, (await bob.PostAsync($"/api/v1/reviews/{waiting}/claim", null)).StatusCode);
        Assert.Equal([(waiting, "Claimed", "bob"), (claimed, "Claimed", "alice")], await QueueAsync(label));
    }
}
