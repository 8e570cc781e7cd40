using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// With the system set to dark, every page is dark (the colours are CSS custom properties that app.css swaps) and
/// axe-core finds no contrast or other WCAG AA fault in it, as in the light theme.
/// </summary>
public sealed class DarkThemeTests(BrowserSystem browser) : BrowserTest(browser)
{
    static async Task DarkAsync(IPage page, string what, string screenshot)
    {
        var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.True(background == "rgb(18, 21, 25)", $"{what}: the background is {background}, not the dark theme's");
        await BrowserSystem.ScreenshotAsync(page, screenshot);
        await Axe.AssertCleanAsync(page, what + " (dark theme)");
    }

    static async Task<IPage> DarkPageAsync(BrowserSystem b, string path)
    {
        var page = await b.OpenAsync(path);
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        return page;
    }

    [Fact]
    public async Task Every_page_follows_a_dark_system_setting_and_passes_axe_core()
    {
        var id = Documents.NewId("INV");
        var label = "dark-" + Guid.NewGuid().ToString("N")[..8];
        await B.PublishAsync(id, "invoice", label, excerpt: "Electricity, November 2026");
        await B.WaitUntilQueuedAsync("bob", id);

        var signIn = await DarkPageAsync(B, "/");
        await Assertions.Expect(signIn.Locator("#users button").First).ToBeVisibleAsync();
        await DarkAsync(signIn, "the sign-in list", "dark-0-sign-in");

        // The queue and an item claimed (the primary button filled, the live badge, a breach badge's colours).
        var bob = await B.SignInAsync(signIn, "bob");
        await BrowserSystem.FilterByLabelAsync(bob, label); // the test's own task among the others of the group
        await bob.Locator($"#queue-rows tr[data-id='{id}']").ClickAsync();
        await Assertions.Expect(bob.Locator("#message")).ToHaveTextAsync("Press c to claim."); // the item is loaded
        await bob.Keyboard.PressAsync("c");
        await Assertions.Expect(bob.Locator("#doc-status")).ToHaveTextAsync("Claimed", new() { Timeout = 10_000 });
        await DarkAsync(bob, "the reviewer page", "dark-1-reviewer");
        await bob.SetViewportSizeAsync(390, 844);
        await DarkAsync(bob, "the reviewer page at 390 px", "dark-2-reviewer-phone");

        var sam = await B.SignInAsync(await DarkPageAsync(B, "/supervisor.html"), "sam", live: false);
        await Assertions.Expect(sam.Locator($"tr[data-id='{id}']")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await DarkAsync(sam, "the supervisor page", "dark-3-supervisor");

        var audrey = await B.SignInAsync(await DarkPageAsync(B, $"/audit.html"), "audrey", live: false);
        await DarkAsync(audrey, "the audit page", "dark-4-audit");

        var otto = await B.SignInAsync(await DarkPageAsync(B, "/operations.html"), "otto", live: false);
        await Assertions.Expect(otto.Locator("#operations")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await DarkAsync(otto, "the operations page", "dark-5-operations");

        var ada = await B.SignInAsync(await DarkPageAsync(B, "/"), "ada", live: false);
        await DarkAsync(ada, "the admin's home", "dark-6-home");

        await (await B.ClientAsync("bob")).PostAsync($"api/v1/reviews/{id}/release", null);
        B.AssertCleanPages();
    }
}
