using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// A page that lost its connection catches up when it is back: what was published meanwhile appears without a reload
/// (hub messages sent while it was away are not replayed; the page reloads the queue on reconnect).
/// </summary>
public sealed class ReconnectTests(BrowserSystem browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_task_published_while_the_page_was_offline_appears_when_it_is_back_without_a_reload()
    {
        var sue = await B.SignedInPageAsync("sue");
        await sue.EvaluateAsync("() => { window.__samePage = true; }"); // gone after any reload or navigation
        var before = Documents.NewId("INV");
        await B.PublishAsync(before, "invoice", "utilities");
        await Assertions.Expect(sue.Locator($"#queue-rows tr[data-id='{before}']")).ToBeVisibleAsync(new() { Timeout = 10_000 });

        await sue.Context.SetOfflineAsync(true);
        await Assertions.Expect(sue.Locator("#live")).Not.ToHaveAttributeAsync("data-state", "live", new() { Timeout = 40_000 });
        var whileAway = Documents.NewId("INV");
        await B.PublishAsync(whileAway, "invoice", "utilities");
        await B.WaitUntilQueuedAsync("sue", whileAway);
        await sue.WaitForTimeoutAsync(1_000);
        await Assertions.Expect(sue.Locator($"#queue-rows tr[data-id='{whileAway}']")).ToHaveCountAsync(0); // it really was cut off
        await BrowserSystem.ScreenshotAsync(sue, "offline");

        await sue.Context.SetOfflineAsync(false);
        await Assertions.Expect(sue.Locator("#live")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });
        await Assertions.Expect(sue.Locator($"#queue-rows tr[data-id='{whileAway}']")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        Assert.True(await sue.EvaluateAsync<bool>("() => window.__samePage === true"), "the page was reloaded");

        // And live again: the next task arrives by itself.
        var after = Documents.NewId("INV");
        await B.PublishAsync(after, "invoice", "utilities");
        await Assertions.Expect(sue.Locator($"#queue-rows tr[data-id='{after}']")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        B.AssertCleanPages(e => e.Contains("ERR_INTERNET_DISCONNECTED") || e.Contains("WebSocket") || e.Contains("signalr"));
    }
}
