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
    const string HostileExcerpt = "<img src=x onerror=alert(1)> Invoice for electricity, November 2026";

    // Its own system: "j" must find this test's document first in alice's queue.
    readonly BrowserSystem _browser = new();

    public Task InitializeAsync() => _browser.InitializeAsync();

    public Task DisposeAsync() => _browser.DisposeAsync();

    Task<IPage> SignedInPageAsync(string user) => _browser.SignedInPageAsync(user);

    [Fact]
    public async Task Reviewers_see_a_task_live_and_alice_decides_it_with_the_keyboard()
    {
        // The page and its script are public; the API behind it is not.
        using (var anonymous = new HttpClient { BaseAddress = _browser.System.BaseAddress })
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("index.html")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("js/reviewer.js")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("js/signin.js")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("js/api.js")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("js/auditor.js")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("api/v1/auth/config")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("lib/signalr/signalr.min.js")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/v1/queue")).StatusCode);
        }

        var alice = await SignedInPageAsync("alice");
        var bob = await SignedInPageAsync("bob");

        var id = $"INV-{Guid.NewGuid():N}"[..24];
        await _browser.System.Amqp.PublishRawAsync(JsonSerializer.Serialize(new
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
        await BrowserSystem.ScreenshotAsync(bob, "queue");

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
        await BrowserSystem.ScreenshotAsync(alice, "review-pane");

        // Untrusted text stayed text: no element was made from the excerpt or the metadata.
        Assert.Equal(0, await alice.Locator("img").CountAsync());
        Assert.Equal(0, await alice.Locator("#metadata b").CountAsync());

        await alice.Keyboard.PressAsync("Enter");
        await Assertions.Expect(aliceRow).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Assertions.Expect(bobRow).ToHaveCountAsync(0, new() { Timeout = 10_000 }); // left bob's open page live
        await Assertions.Expect(alice.Locator("#decided-count")).ToHaveTextAsync("1");

        var decision = (await _browser.System.Amqp.WaitForDecisionAsync(id, TimeSpan.FromSeconds(30))).Body;
        Assert.Equal("confirmed", decision.GetProperty("outcome").GetString());
        Assert.Equal("alice", decision.GetProperty("decidedBy").GetString());
        Assert.Equal("utilities", decision.GetProperty("finalLabel").GetString());

        _browser.AssertCleanPages(); // the onerror=alert(1) never ran
    }
}
