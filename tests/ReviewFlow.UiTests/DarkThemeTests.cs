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

    /// <summary>The computed fill of the chart's first axis label: the theme's ink when it follows the page.</summary>
    static Task<string> ChartInkAsync(IPage page, string chart) =>
        page.EvaluateAsync<string>("id => getComputedStyle(document.querySelector('#' + id + ' svg text')).fill", chart);

    [Fact]
    public async Task The_quality_charts_follow_the_colour_scheme_and_redraw_when_it_changes_and_the_policy_page_is_dark_too()
    {
        // A few human decisions of a model version of the test's own: the reliability diagram and the heatmap have data.
        var model = "ui-dark-" + Guid.NewGuid().ToString("N")[..8];
        var data = new QualityData(B);
        var ids = new List<string>();
        for (var i = 0; i < 4; i++) ids.Add(await data.PublishAsync("utilities", 0.55 + i * 0.08, model));
        for (var i = 0; i < ids.Count; i++) await data.DecideAsync(ids[i], i == 0 ? "telecom" : null);
        await data.WaitUntilCountedAsync("modelVersion=" + model, 4);

        var page = await B.SignInAsync(await B.OpenAsync("/quality.html"), "sam", live: false);
        await page.FillAsync("#f-model", model);
        await page.ClickAsync("#apply");
        await Assertions.Expect(page.Locator("#chart-reliability svg text").First).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#chart-confusion svg text").First).ToBeVisibleAsync(new() { Timeout = 10_000 });
        Assert.Equal("rgb(29, 35, 48)", await ChartInkAsync(page, "chart-reliability")); // light --ink

        // The system turns dark with the page open: the charts are drawn again in the dark theme's colours.
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await Waiting.UntilAsync(async () => await ChartInkAsync(page, "chart-reliability") == "rgb(230, 233, 239)", TimeSpan.FromSeconds(5),
            "the reliability diagram drawn with the dark theme's ink");
        Assert.Equal("rgb(230, 233, 239)", await ChartInkAsync(page, "chart-confusion"));
        // The heatmap's scale runs from the dark theme's empty end to its accent, not from the light theme's pale blue.
        var cells = await page.Locator("#chart-confusion svg path").EvaluateAllAsync<string[]>("ps => ps.map(p => getComputedStyle(p).fill)");
        Assert.DoesNotContain("rgb(238, 243, 255)", cells);
        await DarkAsync(page, "the quality page", "dark-7-quality");
        await page.SetViewportSizeAsync(390, 844);
        // The charts are drawn again for the width once the resize settles (150 ms).
        await Waiting.UntilAsync(async () => await page.EvaluateAsync<bool>(
                "() => [...document.querySelectorAll('.chart svg')].every(s => s.getBoundingClientRect().width <= 390)"),
            TimeSpan.FromSeconds(5), "the charts drawn at the phone's width");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 390"), "the page scrolls sideways at 390 px");
        await DarkAsync(page, "the quality page at 390 px", "dark-8-quality-phone");

        // And back to light without a reload.
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        await Waiting.UntilAsync(async () => await ChartInkAsync(page, "chart-reliability") == "rgb(29, 35, 48)", TimeSpan.FromSeconds(5),
            "the reliability diagram back in the light theme's ink");

        var ada = await B.SignInAsync(await DarkPageAsync(B, "/policy.html"), "ada", live: false);
        await Assertions.Expect(ada.Locator("#policy-title")).ToContainTextAsync("version", new() { Timeout = 10_000 });
        await DarkAsync(ada, "the policy page", "dark-9-policy");
        B.AssertCleanPages();
    }
}
