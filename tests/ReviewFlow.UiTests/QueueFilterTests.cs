using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>The queue's document type and label filters and "Load more" (pages of 25), and live updates that respect them.</summary>
public sealed class QueueFilterTests(BrowserSystem browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Filters_and_load_more_drive_the_API_and_live_updates_respect_them()
    {
        var label = "lbl-" + Guid.NewGuid().ToString("N")[..8];
        var matching = Enumerable.Range(0, 27).Select(_ => Documents.NewId("INV")).ToList();
        foreach (var id in matching) await B.PublishAsync(id, "invoice", label);
        var otherType = Documents.NewId("CLM");
        await B.PublishAsync(otherType, "claim", label);
        await B.WaitUntilQueuedAsync("sue", otherType);
        await B.WaitUntilQueuedAsync("sue", matching[^1]);

        var sue = await B.SignedInPageAsync("sue");
        var rows = sue.Locator("#queue-rows tr");

        // Keyboard: f to the filter, type, Tab, label, Enter applies.
        await sue.Keyboard.PressAsync("f");
        await sue.Keyboard.TypeAsync("invoice");
        await sue.Keyboard.PressAsync("Tab");
        await sue.Keyboard.TypeAsync(label);
        await sue.Keyboard.PressAsync("Enter");
        // The unfiltered first page has 25 rows too: wait for the filtered one to replace it, then count.
        await Assertions.Expect(rows.Filter(new() { HasNotText = "invoice" })).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Assertions.Expect(rows.Filter(new() { HasNotText = label })).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Assertions.Expect(rows).ToHaveCountAsync(25, new() { Timeout = 10_000 });
        await Assertions.Expect(sue.Locator("#queue-count")).ToHaveTextAsync("25+");
        await Assertions.Expect(sue.Locator("#load-more")).ToBeVisibleAsync();
        foreach (var text in await rows.AllInnerTextsAsync())
        {
            Assert.Contains("invoice", text);
            Assert.Contains(label, text);
        }
        await BrowserSystem.ScreenshotAsync(sue, "queue-filtered");

        // A new matching task due after the loaded page waits for "Load more"; one of another type never shows.
        var late = Documents.NewId("INV");
        await B.PublishAsync(late, "invoice", label);
        var claim = Documents.NewId("CLM");
        await B.PublishAsync(claim, "claim", label);
        await B.WaitUntilQueuedAsync("sue", late);
        await B.WaitUntilQueuedAsync("sue", claim);
        await sue.WaitForTimeoutAsync(500); // the live messages were pushed before the API answered
        await Assertions.Expect(rows).ToHaveCountAsync(25);
        await Assertions.Expect(sue.Locator($"#queue-rows tr[data-id='{late}']")).ToHaveCountAsync(0);

        await sue.Locator("#load-more").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(28, new() { Timeout = 10_000 });
        await Assertions.Expect(sue.Locator("#load-more")).ToBeHiddenAsync();
        await Assertions.Expect(sue.Locator("#queue-count")).ToHaveTextAsync("28");

        // All loaded now: a new matching task appears live, one with another label does not.
        var live = Documents.NewId("INV");
        var otherLabel = Documents.NewId("INV");
        await B.PublishAsync(otherLabel, "invoice", "utilities");
        await B.PublishAsync(live, "invoice", label);
        await Assertions.Expect(sue.Locator($"#queue-rows tr[data-id='{live}']")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await B.WaitUntilQueuedAsync("sue", otherLabel);
        await Assertions.Expect(sue.Locator($"#queue-rows tr[data-id='{otherLabel}']")).ToHaveCountAsync(0);
        Assert.Equal(0, await sue.Locator($"#queue-rows tr[data-id='{claim}']").CountAsync());

        // Clear with the mouse: everything of sue's groups again, the other type and label included.
        await sue.Locator("#filter-clear").ClickAsync();
        await Assertions.Expect(sue.Locator($"#queue-rows tr[data-id='{otherType}']")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(sue.Locator("#filter-type")).ToHaveValueAsync("");
        B.AssertCleanPages();
    }
}
