using ReviewFlow.Testing;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// The reviewer page in a real (system) Chromium: two reviewers' pages update live, one reviews with the keyboard only,
/// the decision leaves on reviewflow.decisions, and untrusted text stays text.
/// </summary>
public sealed class ReviewerPageTests : IAsyncLifetime
{
    const string Chromium = "/usr/bin/chromium";
    const string HostileExcerpt = "<img src=x onerror=alert(1)> Invoice for electricity, November 2026";

    readonly UiSystem _system = new();
    IPlaywright _playwright = null!;
    IBrowser _browser = null!;
    readonly List<string> _dialogs = [];
    readonly List<string> _consoleErrors = [];

    static string ScreenshotDir => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        await _system.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(ScreenshotDir);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        await _system.DisposeAsync();
    }

    async Task<IPage> SignedInPageAsync(string user)
    {
        var context = await _browser.NewContextAsync(new()
        {
            BaseURL = _system.BaseAddress.ToString(),
            ViewportSize = new() { Width = 1440, Height = 900 },
        });
        var page = await context.NewPageAsync();
        page.Dialog += (_, d) => { lock (_dialogs) _dialogs.Add(d.Message); _ = d.DismissAsync(); };
        page.Console += (_, m) => { if (m.Type == "error") lock (_consoleErrors) _consoleErrors.Add(user + ": " + m.Text + " @ " + m.Location); };
        page.PageError += (_, e) => { lock (_consoleErrors) _consoleErrors.Add(user + ": " + e); };
        await page.GotoAsync("/");
        await page.Locator($"#users button[data-user='{user}']").ClickAsync();
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#whoami")).ToContainTextAsync(user == "alice" ? "Alice" : "Bob");
        return page;
    }

    [Fact]
    public async Task Reviewers_see_a_task_live_and_alice_decides_it_with_the_keyboard()
    {
        // The page and its script are public; the API behind it is not.
        using (var anonymous = new HttpClient { BaseAddress = _system.BaseAddress })
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("index.html")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("app.js")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("lib/signalr/signalr.min.js")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/v1/queue")).StatusCode);
        }

        var alice = await SignedInPageAsync("alice");
        var bob = await SignedInPageAsync("bob");

        var id = $"INV-{Guid.NewGuid():N}"[..24];
        await _system.Amqp.PublishRawAsync(JsonSerializer.Serialize(new
        {
            documentId = id,
            sourceSystem = "ap-inbox",
            documentType = "invoice",
            label = "utilities",
            confidence = 0.42, // below the invoice threshold (0.90): ap-reviewers review it
            alternatives = new[] { new { label = "telecom", confidence = 0.31 }, new { label = "rent", confidence = 0.12 } },
            model = new { name = "doc-classifier", version = "2026.11.1" },
            contentUri = $"https://dms.example.test/{id}",
            excerpt = HostileExcerpt,
            metadata = new Dictionary<string, string> { ["amount"] = "1200.00", ["vendor"] = "<b>Acme Power</b>" },
            correlationId = "corr-" + id,
            classifiedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        }));

        // Live, no reload: the row appears in both open pages.
        var aliceRow = alice.Locator($"#queue-rows tr[data-id='{id}']");
        var bobRow = bob.Locator($"#queue-rows tr[data-id='{id}']");
        await Assertions.Expect(aliceRow).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(bobRow).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(bobRow).ToContainTextAsync("utilities");
        await bob.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, "queue.png"), FullPage = true });

        // Keyboard only on alice's page: j selects, c claims, Enter confirms.
        await alice.Keyboard.PressAsync("j");
        await Assertions.Expect(alice.Locator("#doc-id")).ToHaveTextAsync(id);
        await Assertions.Expect(aliceRow).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("selected"));
        await Assertions.Expect(alice.Locator("#excerpt")).ToHaveTextAsync(HostileExcerpt);
        await Assertions.Expect(alice.Locator("#alternatives li")).ToHaveCountAsync(2);
        await Assertions.Expect(alice.Locator("#metadata")).ToContainTextAsync("<b>Acme Power</b>");
        await Assertions.Expect(alice.Locator("#content-link")).ToHaveAttributeAsync("href", $"https://dms.example.test/{id}");

        await alice.Keyboard.PressAsync("c");
        await Assertions.Expect(alice.Locator("#doc-status")).ToHaveTextAsync("Claimed", new() { Timeout = 10_000 });
        await Assertions.Expect(bobRow).ToContainTextAsync("alice", new() { Timeout = 10_000 }); // bob sees the claim live
        await Assertions.Expect(alice.Locator("#history tbody tr")).Not.ToHaveCountAsync(0);
        await alice.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, "review-pane.png"), FullPage = true });

        // Untrusted text stayed text: no element was made from the excerpt or the metadata.
        Assert.Equal(0, await alice.Locator("img").CountAsync());
        Assert.Equal(0, await alice.Locator("#metadata b").CountAsync());

        await alice.Keyboard.PressAsync("Enter");
        await Assertions.Expect(aliceRow).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Assertions.Expect(bobRow).ToHaveCountAsync(0, new() { Timeout = 10_000 }); // left bob's open page live
        await Assertions.Expect(alice.Locator("#decided-count")).ToHaveTextAsync("1");

        var decision = (await _system.Amqp.WaitForDecisionAsync(id, TimeSpan.FromSeconds(30))).Body;
        Assert.Equal("confirmed", decision.GetProperty("outcome").GetString());
        Assert.Equal("alice", decision.GetProperty("decidedBy").GetString());
        Assert.Equal("utilities", decision.GetProperty("finalLabel").GetString());

        Assert.Empty(_dialogs); // the onerror=alert(1) never ran
        Assert.True(_consoleErrors.Count == 0, string.Join("\n", _consoleErrors));
    }
}
