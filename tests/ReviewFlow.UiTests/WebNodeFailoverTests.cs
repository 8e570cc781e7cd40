using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.Testing.Processes;
using ReviewFlow.UiTests.Infrastructure;
using Xunit.Abstractions;

namespace ReviewFlow.UiTests;

/// <summary>
/// Issue 14's fault "kill a web node while reviewers are connected": two web hosts as real processes (on the browser
/// system's database and virtual host, its worker in the test process) behind a TCP failover proxy standing in for the
/// load balancer. Node A is killed with SIGKILL under two pages and three .NET hub clients; they must reconnect to
/// node B by themselves, catch up and stay live, and a claim must still work.
/// </summary>
public sealed class WebNodeFailoverTests(BrowserSystem browser, ITestOutputHelper output) : BrowserTest(browser)
{
    // Each state the #live badge takes, with the browser's clock (the same machine's clock as the test's).
    const string RecordLiveStates = """
        () => {
          window.__samePage = true; // gone after any reload or navigation
          window.__live = [];
          const live = document.getElementById("live");
          const note = () => window.__live.push({ s: live.dataset.state, t: Date.now() });
          note();
          new MutationObserver(note).observe(live, { attributes: true, attributeFilter: ["data-state"] });
        }
        """;

    [Fact]
    public async Task Pages_and_hub_clients_on_a_killed_web_node_reconnect_to_the_other_catch_up_and_stay_live()
    {
        var system = B.System;
        var settings = system.Settings;
        using var nodeA = WebProcess.For("web-a", system.PostgresConnection, system.RabbitMqUri, system.Schema, settings);
        using var nodeB = WebProcess.For("web-b", system.PostgresConnection, system.RabbitMqUri, system.Schema, settings);
        var hubClients = new List<HubConnection>();
        IPage? alice = null, bob = null;
        long killedAt = 0;
        try
        {
            await Task.WhenAll(nodeA.StartAsync(), nodeB.StartAsync());
            await using var proxy = new FailoverProxy(new Uri(nodeA.Url), new Uri(nodeB.Url));
            var label = "failover-" + Guid.NewGuid().ToString("N")[..8];

            // Two reviewers' pages and three hub clients, all through the proxy: on node A while it lives.
            alice = await ReviewerPageAsync(proxy, "alice", label);
            bob = await ReviewerPageAsync(proxy, "bob", label);
            var seen = new ConcurrentDictionary<(int Client, string Document), int>(); // hub messages
            var reconnectedAt = new ConcurrentBag<TimeSpan>(); // after the kill
            var clock = new Stopwatch();
            for (var i = 0; i < 3; i++)
            {
                var hub = await HubClientAsync(proxy, "alice", i, seen);
                hub.Reconnected += _ => { reconnectedAt.Add(clock.Elapsed); return Task.CompletedTask; };
                hubClients.Add(hub);
            }
            var before = Documents.NewId("INV");
            await B.PublishAsync(before, "invoice", label);
            foreach (var page in new[] { alice, bob }) await ExpectRowAsync(page, before);
            await WaitForAsync(() => Enumerable.Range(0, 3).All(c => seen.ContainsKey((c, before))), "the hub clients did not receive the first task");
            Assert.Equal(0, proxy.Forwarded[1]); // everything went to node A so far

            // Bob's reconnect is held back (his page's negotiate waits) so that a task is surely published while a
            // page is cut off; Alice's is not, so hers measures the failover itself.
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await bob.RouteAsync(new Regex("/hubs/review/negotiate"), async route => { await release.Task; await route.ContinueAsync(); });

            killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            clock.Start();
            nodeA.KillHard(); // returns once the process has exited
            var killed = clock.Elapsed;
            var whileAway = Documents.NewId("INV");
            await B.PublishAsync(whileAway, "invoice", label);

            // Alice: lost the connection, back on node B, the task published meanwhile shown, no reload.
            var aliceLive = await LiveAgainAfterAsync(alice, killedAt);
            await ExpectRowAsync(alice, whileAway);
            var aliceCaughtUp = clock.Elapsed;
            Assert.True(await alice.EvaluateAsync<bool>("() => window.__samePage === true"), "alice's page was reloaded");

            // Bob: cut off while the task is queued (the API of the in-process node says so), then let through.
            await Assertions.Expect(bob.Locator("#live")).Not.ToHaveAttributeAsync("data-state", "live", new() { Timeout = 10_000 });
            await B.WaitUntilQueuedAsync("bob", whileAway);
            await bob.WaitForTimeoutAsync(1_000);
            await Assertions.Expect(bob.Locator($"#queue-rows tr[data-id='{whileAway}']")).ToHaveCountAsync(0); // really cut off
            await BrowserSystem.ScreenshotAsync(bob, "web-node-killed");
            release.SetResult();
            await LiveAgainAfterAsync(bob, killedAt);
            await ExpectRowAsync(bob, whileAway);
            Assert.True(await bob.EvaluateAsync<bool>("() => window.__samePage === true"), "bob's page was reloaded");

            // Live again everywhere: the next task arrives by itself, on both pages and every hub client.
            await WaitForAsync(() => reconnectedAt.Count == 3, "not every hub client reconnected");
            var after = Documents.NewId("INV");
            await B.PublishAsync(after, "invoice", label);
            foreach (var page in new[] { alice, bob }) await ExpectRowAsync(page, after);
            await WaitForAsync(() => Enumerable.Range(0, 3).All(c => seen.ContainsKey((c, after))), "the hub clients did not receive the next task");
            Assert.True(proxy.Forwarded[1] > 0, "nothing reached node B");

            // An action after the failover: Alice claims the new task with the keyboard (node B takes the claim), and
            // Bob's page, on node B too, sees it taken.
            for (var i = 0; i < 5 && await alice.Locator("#doc-id").TextContentAsync() != after; i++) await alice.Keyboard.PressAsync("j");
            await Assertions.Expect(alice.Locator("#doc-id")).ToHaveTextAsync(after);
            await alice.Keyboard.PressAsync("c");
            await Assertions.Expect(alice.Locator("#doc-status")).ToHaveTextAsync("Claimed", new() { Timeout = 10_000 });
            Assert.Equal("alice", (await B.GetJsonAsync(alice, $"/api/v1/documents/{after}")).GetProperty("claimedBy").GetString());
            await Assertions.Expect(bob.Locator($"#queue-rows tr[data-id='{after}']")).ToContainTextAsync("alice", new() { Timeout = 10_000 });
            await BrowserSystem.ScreenshotAsync(alice, "web-node-failover-claimed");

            output.WriteLine($"node A killed (SIGKILL; exited after {killed.TotalMilliseconds:0} ms): alice's page live again on node B after {aliceLive} ms (states {await StatesAsync(alice, killedAt)}), " +
                $"the task published meanwhile shown after {aliceCaughtUp.TotalMilliseconds:0} ms; 3 hub clients reconnected after " +
                $"{string.Join(", ", reconnectedAt.Order().Select(t => $"{t.TotalMilliseconds:0}"))} ms; bob's page (held back on purpose) states {await StatesAsync(bob, killedAt)}; " +
                $"proxy connections: {proxy.Forwarded[0]} to A, {proxy.Forwarded[1]} to B");
            // The browser logs the failed socket and the refused requests of the dead node; nothing else may fail.
            B.AssertCleanPages(e => e.Contains("WebSocket") || e.Contains("signalr") || e.Contains("ERR_CONNECTION") || e.Contains("ERR_EMPTY_RESPONSE"));
        }
        catch
        {
            foreach (var (name, page) in new[] { ("alice", alice), ("bob", bob) })
            {
                if (page is null || page.IsClosed) continue;
                await BrowserSystem.ScreenshotAsync(page, "web-node-failover-failed-" + name);
                output.WriteLine($"{name}: {await StatesAsync(page, killedAt)}; message: {await page.Locator("#message").TextContentAsync()}; " +
                    $"sign-in shown: {await page.Locator("#sign-in").IsVisibleAsync()}");
            }
            output.WriteLine(string.Join("\n", B.ConsoleErrors));
            output.WriteLine(nodeA.Tail());
            output.WriteLine(nodeB.Tail());
            throw;
        }
        finally
        {
            foreach (var hub in hubClients) await hub.DisposeAsync();
        }
    }

    async Task<IPage> ReviewerPageAsync(FailoverProxy proxy, string user, string label)
    {
        var page = await B.SignInAsync(await B.OpenAsync(baseAddress: proxy.Address), user);
        await BrowserSystem.FilterByLabelAsync(page, label);
        await page.EvaluateAsync(RecordLiveStates);
        return page;
    }

    static async Task ExpectRowAsync(IPage page, string id) =>
        await Assertions.Expect(page.Locator($"#queue-rows tr[data-id='{id}']")).ToBeVisibleAsync(new() { Timeout = 15_000 });

    /// <summary>Waits until the page left "live" after <paramref name="since"/> and came back; returns ms from <paramref name="since"/> to live.</summary>
    static async Task<long> LiveAgainAfterAsync(IPage page, long since)
    {
        var handle = await page.WaitForFunctionAsync("""
            since => {
              const after = window.__live.filter(x => x.t >= since);
              const lost = after.findIndex(x => x.s !== "live");
              const back = lost < 0 ? undefined : after.slice(lost).find(x => x.s === "live");
              return back ? back.t - since : null;
            }
            """, since, new() { Timeout = 40_000, PollingInterval = 20 });
        return await handle.JsonValueAsync<long>();
    }

    static async Task<string> StatesAsync(IPage page, long since) =>
        string.Join(" → ", await page.EvaluateAsync<string[]>(
            "since => window.__live.filter(x => x.t >= since).map(x => x.s + ' +' + (x.t - since) + ' ms')", since));

    static async Task<HubConnection> HubClientAsync(FailoverProxy proxy, string user, int client,
        ConcurrentDictionary<(int, string), int> seen)
    {
        using var http = new HttpClient { BaseAddress = proxy.Address };
        var token = await DevTokens.GetAsync(http, user);
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(proxy.Address, "hubs/review"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .WithAutomaticReconnect()
            .Build();
        hub.On<JsonElement>("taskChanged", t => seen.AddOrUpdate((client, t.GetProperty("documentId").GetString()!), 1, (_, n) => n + 1));
        await hub.StartAsync();
        return hub;
    }

    static Task WaitForAsync(Func<bool> condition, string failure) =>
        Waiting.UntilAsync(() => Task.FromResult(condition()), TimeSpan.FromSeconds(40), failure, interval: TimeSpan.FromMilliseconds(20));
}
