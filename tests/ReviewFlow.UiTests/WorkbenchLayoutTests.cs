using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// The reviewer page's layout: the queue's sticky head hides the rows scrolled under it; at a phone's 390 px the list,
/// then the item, and back (key b or the button), rows focusable and named, nothing scrolling sideways; auto-advance
/// opens the next task after a decision and is remembered.
/// </summary>
public sealed class WorkbenchLayoutTests(BrowserSystem browser) : BrowserTest(browser)
{
    static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    async Task<List<string>> QueuedAsync(string user, string type, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = Documents.NewId(type[..3].ToUpperInvariant());
            await B.PublishAsync(id, type, "minutes", excerpt: "A short " + type + " about the car park, number " + i);
            await B.WaitUntilQueuedAsync(user, id); // in this order (the saga handles documents concurrently)
            ids.Add(id);
        }
        return ids;
    }

    [Fact]
    public async Task The_queue_head_hides_the_rows_under_it_and_a_phone_shows_the_list_then_the_item_and_back()
    {
        var ids = await QueuedAsync("lena", "letter", 12);
        var page = await B.OpenAsync();
        await page.SetViewportSizeAsync(1440, 420);
        await B.SignInAsync(page, "lena");
        await Expect(page.Locator("#queue-rows tr")).ToHaveCountAsync(12, new() { Timeout = 10_000 });

        // Scrolled: nothing of a row shows between the panel's top edge and the head's bottom line.
        await page.EvalOnSelectorAsync(".queue", "q => q.scrollTop = 250");
        var throughHead = await page.EvaluateAsync<string[]>("""
            () => { const q = document.querySelector(".queue").getBoundingClientRect(), th = document.querySelector("#queue-table thead").getBoundingClientRect();
              const seen = [];
              for (let y = q.top + 2; y < th.bottom; y += 2) for (const x of [q.left + 20, th.left + th.width / 2]) {
                const e = document.elementFromPoint(x, y); if (e && e.closest("tbody")) seen.push(Math.round(y) + ": " + e.tagName + " " + e.textContent.slice(0, 20)); }
              return seen; }
            """);
        Assert.True(throughHead.Length == 0, "rows show through the queue's head: " + string.Join("; ", throughHead));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "layout-1-sticky-head.png") });

        // A phone: the list alone, readable as cards, no sideways scrolling.
        await page.SetViewportSizeAsync(390, 844);
        await Expect(page.Locator("#pane")).ToBeHiddenAsync();
        await Expect(page.Locator($"#queue-rows tr[data-id='{ids[0]}']")).ToBeVisibleAsync();
        await Axe.AssertNoHorizontalScrollAsync(page, "the reviewer page's list at 390 px");
        await BrowserSystem.ScreenshotAsync(page, "layout-2-phone-list");
        await Axe.AssertCleanAsync(page, "the reviewer page's list at 390 px");

        // j moves the focus along the rows (each named with what it holds); Enter opens one; the list goes away.
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        var second = page.Locator($"#queue-rows tr[data-id='{ids[1]}']");
        await Expect(second).ToBeFocusedAsync();
        await Expect(second).ToHaveAttributeAsync("aria-label", $"{ids[1]}: letter, predicted minutes 42.0%, AwaitingReview");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#doc-id")).ToHaveTextAsync(ids[1]);
        await Expect(page.Locator("#queue-table")).ToBeHiddenAsync();
        await Expect(page.Locator("#back")).ToBeVisibleAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync("Press c to claim.");
        await Axe.AssertNoHorizontalScrollAsync(page, "the reviewer page's item at 390 px");
        await BrowserSystem.ScreenshotAsync(page, "layout-3-phone-item");
        await Axe.AssertCleanAsync(page, "the reviewer page's item at 390 px");

        // b goes back to the list, on the row it came from; Enter on the list never decides what it cannot show.
        await page.Keyboard.PressAsync("b");
        await Expect(page.Locator("#pane")).ToBeHiddenAsync();
        await Expect(second).ToBeFocusedAsync();
        await Expect(second).ToHaveAttributeAsync("aria-current", "true");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#doc-id")).ToHaveTextAsync(ids[1]);
        await Expect(page.Locator("#doc-status")).ToHaveTextAsync("AwaitingReview");

        // The mouse (a finger): a row opens the item, the visible button goes back.
        await page.Locator("#back").ClickAsync();
        await page.Locator($"#queue-rows tr[data-id='{ids[2]}']").ClickAsync();
        await Expect(page.Locator("#doc-id")).ToHaveTextAsync(ids[2]);
        await page.Locator("#back").ClickAsync();
        await Expect(page.Locator("#queue-table")).ToBeVisibleAsync();

        // Wide again: both side by side, rows are one Tab stop that the arrows move.
        await page.SetViewportSizeAsync(1440, 900);
        await Expect(page.Locator("#pane")).ToBeVisibleAsync();
        await Expect(page.Locator("#back")).ToBeHiddenAsync();
        await page.Locator($"#queue-rows tr[data-id='{ids[2]}']").FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.Locator("#doc-id")).ToHaveTextAsync(ids[3]);
        await Expect(page.Locator($"#queue-rows tr[data-id='{ids[3]}']")).ToBeFocusedAsync();
        Assert.Equal(1, await page.Locator("#queue-rows tr[tabindex='0']").CountAsync());
        B.AssertCleanPages();
    }

    [Fact]
    public async Task With_auto_advance_a_decision_opens_the_next_task_and_the_setting_is_remembered()
    {
        var ids = await QueuedAsync("nora", "note", 2);
        var page = await B.SignedInPageAsync("nora");
        var box = page.Locator("#auto-advance");
        await Expect(box).Not.ToBeCheckedAsync();
        await box.CheckAsync();
        await page.ReloadAsync(); // the tab keeps its sign-in, the browser the setting
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });
        await Expect(box).ToBeCheckedAsync();
        await Expect(box).Not.ToBeFocusedAsync();

        await page.Keyboard.PressAsync("n");
        await Expect(page.Locator("#message")).ToContainTextAsync($"Claimed {ids[0]}", new() { Timeout = 10_000 });
        // The item's own load, not only n's words: Enter acts on what the pane has loaded.
        await Expect(page.Locator("#doc-id")).ToHaveTextAsync(ids[0]);
        await Expect(page.Locator("#doc-status")).ToHaveTextAsync("Claimed");
        await Expect(page.Locator("#btn-claim")).ToBeDisabledAsync();
        await page.Keyboard.PressAsync("Enter");
        // The decision's words stay, and the next task is open and claimed, ready for Enter.
        await Expect(page.Locator("#message")).ToContainTextAsync($"Decided {ids[0]}: Routed. Claimed {ids[1]}", new() { Timeout = 10_000 });
        await Expect(page.Locator("#doc-id")).ToHaveTextAsync(ids[1]);
        await Expect(page.Locator("#doc-status")).ToHaveTextAsync("Claimed");
        await Expect(page.Locator("#btn-claim")).ToBeDisabledAsync();
        await BrowserSystem.ScreenshotAsync(page, "layout-4-auto-advance");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#message")).ToContainTextAsync($"Decided {ids[1]}: Routed. No unclaimed task is waiting in your groups",
            new() { Timeout = 10_000 });
        await (await B.ClientAsync("nora")).ForStatusAsync(ids[1], "Routed");

        // Off again: remembered too.
        await box.UncheckAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("#whoami")).ToContainTextAsync("nora");
        await Expect(box).Not.ToBeCheckedAsync();
        B.AssertCleanPages(e => e.Contains("/api/v1/reviews/next")); // "nothing waiting" is a 404 the browser logs
    }
}
