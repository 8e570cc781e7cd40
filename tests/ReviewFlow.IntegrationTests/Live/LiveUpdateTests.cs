using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using ReviewFlow.Contracts;
using Xunit.Abstractions;

namespace ReviewFlow.IntegrationTests.Live;

/// <summary>The hub: a task that appears, is claimed or decided shows up on every open page of its group.</summary>
[Collection(SystemCollection.Name)]
public sealed class LiveUpdateTests(TestSystem system, ITestOutputHelper output)
{
    async Task<(HubConnection Hub, ConcurrentQueue<(ReviewTaskChanged Change, long At)> Seen)> ConnectAsync(string user, Stopwatch clock)
    {
        var token = await DevTokens.GetAsync(system.Web.CreateClient(), user);
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(system.Web.Server.BaseAddress, "hubs/review"), o =>
            {
                o.HttpMessageHandlerFactory = _ => system.Web.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling; // the in-process test server has no WebSockets
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        var seen = new ConcurrentQueue<(ReviewTaskChanged, long)>();
        hub.On<ReviewTaskChanged>("taskChanged", change => seen.Enqueue((change, clock.ElapsedMilliseconds)));
        await hub.StartAsync();
        return (hub, seen);
    }

    static Task<(ReviewTaskChanged Change, long At)> WaitAsync(ConcurrentQueue<(ReviewTaskChanged Change, long At)> seen,
        Func<ReviewTaskChanged, bool> match) =>
        Waiting.ForAsync(() => Task.FromResult(seen.FirstOrDefault(s => match(s.Change))), hit => hit.Change is not null,
            TimeSpan.FromSeconds(10), "a matching taskChanged", interval: TimeSpan.FromMilliseconds(20));

    [Fact]
    public async Task A_new_task_and_its_claim_reach_every_open_page_of_the_group_and_no_other()
    {
        var clock = Stopwatch.StartNew();
        var (aliceHub, alice) = await ConnectAsync("alice", clock);  // ap-reviewers, claims-reviewers
        var (bobHub, bob) = await ConnectAsync("bob", clock);        // ap-reviewers, legal-reviewers
        await using var _ = aliceHub;
        await using var __ = bobHub;

        var invoice = Documents.NewId();
        var published = clock.ElapsedMilliseconds;
        await system.Amqp.PublishRawAsync(Documents.Json(invoice, label: "utilities", confidence: 0.4));
        var appeared = await WaitAsync(bob, c => c.DocumentId == invoice && c.Change == "requested");
        Assert.Equal(("AwaitingReview", "ap-reviewers", "utilities"), (appeared.Change.Status, appeared.Change.ReviewerGroup, appeared.Change.PredictedLabel));
        await WaitAsync(alice, c => c.DocumentId == invoice && c.Change == "requested");
        output.WriteLine($"publish -> on bob's page: {appeared.At - published} ms");

        var claimAt = clock.ElapsedMilliseconds;
        var claim = await (await system.ClientAsync("alice")).PostAsync($"/api/v1/reviews/{invoice}/claim", null);
        claim.EnsureSuccessStatusCode();
        var claimed = await WaitAsync(bob, c => c.DocumentId == invoice && c.Change == "claimed");
        Assert.Equal(("Claimed", "alice"), (claimed.Change.Status, claimed.Change.ClaimedBy));
        output.WriteLine($"claim -> on bob's page: {claimed.At - claimAt} ms");

        var claimDoc = Documents.NewId("CLM");
        await system.Amqp.PublishRawAsync(Documents.Json(claimDoc, "claim", "motor", confidence: 0.4));
        await WaitAsync(alice, c => c.DocumentId == claimDoc);
        await Task.Delay(500);
        Assert.DoesNotContain(bob, s => s.Change.DocumentId == claimDoc); // bob is not a claims reviewer
    }

    [Fact]
    public async Task An_auditor_cannot_open_the_hub()
    {
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync("audrey", clock));
        Assert.Contains("403", error.Message);
    }
}
