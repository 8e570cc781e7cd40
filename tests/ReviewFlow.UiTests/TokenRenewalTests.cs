using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// Tokens end; the page does not: it renews its token before calls and hub connects, so the hub closing a connection at
/// the token's end only means a fresh connection, without a reload and without showing the sign-in.
/// </summary>
public sealed class TokenRenewalTests(BrowserSystem browser) : BrowserTest(browser)
{
    [Fact]
    public async Task With_tokens_of_seconds_the_page_renews_them_and_stays_live_across_the_hubs_closes()
    {
        // A system of its own: development tokens of 6 s (the shared one's last 8 h).
        await using var system = TestSystem.With(new()
        {
            Kestrel = true,
            ClaimLease = null,
            Settings = new Dictionary<string, string?> { ["DevSignIn:TokenLifetime"] = "00:00:06" },
        });
        await system.InitializeAsync();
        var page = await B.SignInAsync(await B.OpenAsync("/", baseAddress: system.BaseAddress), "alice");
        await page.EvaluateAsync("() => { window.__samePage = true; }");
        var first = await page.EvaluateAsync<string>("() => sessionStorage.getItem('reviewflow.token')");

        await page.WaitForTimeoutAsync(10_000); // past the first token's end: the hub has closed that connection
        var id = Documents.NewId("INV");
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.5));
        await Assertions.Expect(page.Locator($"#queue-rows tr[data-id='{id}']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#workspace")).ToBeVisibleAsync();
        Assert.NotEqual(first, await page.EvaluateAsync<string>("() => sessionStorage.getItem('reviewflow.token')"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.__samePage === true"), "the page was reloaded");
        B.AssertCleanPages(e => e.Contains("signalr", StringComparison.OrdinalIgnoreCase) || e.Contains("WebSocket"));
    }
}
