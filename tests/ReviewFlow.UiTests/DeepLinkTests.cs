using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// /?document={id}, the link in Teams cards and Outlook mails: it opens the item after sign-in and never acts on it
/// (link previews and mail scanners fetch links); the viewer claims only with an explicit key or click.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DeepLinkTests
{
    readonly BrowserSystem _b;

    public DeepLinkTests(BrowserSystem browser)
    {
        _b = browser;
        _b.ResetWatch();
    }

    [Fact]
    public async Task A_link_opens_the_item_after_sign_in_without_claiming_it_and_a_click_claims_it()
    {
        var id = Documents.NewId("INV");
        await _b.PublishAsync(id, "invoice", "utilities");
        await _b.WaitUntilQueuedAsync("bob", id);

        // What a link preview or a mail scanner does: fetch the link, anonymously. It gets the static page, nothing else.
        using (var scanner = new HttpClient { BaseAddress = _b.System.BaseAddress })
        {
            var fetched = await scanner.GetAsync($"/?document={Uri.EscapeDataString(id)}");
            Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
            Assert.Contains("<title>ReviewFlow", await fetched.Content.ReadAsStringAsync());
        }

        var bob = await _b.OpenAsync($"/?document={Uri.EscapeDataString(id)}");
        await Assertions.Expect(bob.Locator("#sign-in")).ToBeVisibleAsync(); // the link waits through the sign-in
        await _b.SignInAsync(bob, "bob");

        await Assertions.Expect(bob.Locator("#doc-id")).ToHaveTextAsync(id, new() { Timeout = 10_000 });
        await Assertions.Expect(bob.Locator($"#queue-rows tr[data-id='{id}']")).ToHaveClassAsync(new Regex("selected"));
        await Assertions.Expect(bob.Locator("#doc-status")).ToHaveTextAsync("AwaitingReview");
        await Assertions.Expect(bob.Locator("#btn-claim")).ToBeEnabledAsync();
        await Assertions.Expect(bob.Locator("#history tbody tr")).ToHaveCountAsync(3); // received, routed, requested
        await BrowserSystem.ScreenshotAsync(bob, "deep-link");
        Assert.DoesNotContain("ReviewClaimed", await _b.HistoryAsync(bob, id));

        // Reloading the link does not act either.
        await bob.ReloadAsync();
        await Assertions.Expect(bob.Locator("#doc-id")).ToHaveTextAsync(id, new() { Timeout = 10_000 });
        await Assertions.Expect(bob.Locator("#doc-status")).ToHaveTextAsync("AwaitingReview");
        Assert.DoesNotContain("ReviewClaimed", await _b.HistoryAsync(bob, id));

        // Only the explicit click claims; the mouse releases it again.
        await bob.Locator("#btn-claim").ClickAsync();
        await Assertions.Expect(bob.Locator("#doc-status")).ToHaveTextAsync("Claimed", new() { Timeout = 10_000 });
        await bob.Locator("#btn-release").ClickAsync();
        await Assertions.Expect(bob.Locator("#doc-status")).ToHaveTextAsync("AwaitingReview", new() { Timeout = 10_000 });
        Assert.Equal(["ReviewClaimed", "ReviewReleased"],
            (await _b.HistoryAsync(bob, id)).Where(t => t is "ReviewClaimed" or "ReviewReleased"));
        _b.AssertCleanPages();
    }

    [Fact]
    public async Task A_link_to_an_item_the_viewer_cannot_claim_shows_it_read_only_and_keys_do_nothing()
    {
        var contract = Documents.NewId("CON"); // legal-reviewers: not alice's group
        var routed = Documents.NewId("INV");   // confident: routed at once
        await _b.PublishAsync(contract, "contract", "nda");
        await _b.PublishAsync(routed, "invoice", "utilities", confidence: 0.99);
        await _b.WaitUntilQueuedAsync("sam", contract);

        var alice = await _b.SignInAsync(await _b.OpenAsync($"/?document={contract}"), "alice");
        await Assertions.Expect(alice.Locator("#doc-id")).ToHaveTextAsync(contract, new() { Timeout = 10_000 });
        await Assertions.Expect(alice.Locator("#doc-status")).ToHaveTextAsync("AwaitingReview");
        await Assertions.Expect(alice.Locator("#doc-label")).ToHaveTextAsync("nda");
        await Assertions.Expect(alice.Locator("#read-only")).ToContainTextAsync("legal-reviewers");
        await Assertions.Expect(alice.Locator("#actions")).ToBeHiddenAsync();
        await Assertions.Expect(alice.Locator("#history tbody tr")).Not.ToHaveCountAsync(0);
        await BrowserSystem.ScreenshotAsync(alice, "deep-link-read-only");
        foreach (var key in new[] { "c", "Enter", "1", "r", "e" }) await alice.Keyboard.PressAsync(key);
        await alice.WaitForTimeoutAsync(1_000);
        var history = await _b.HistoryAsync(alice, contract);
        Assert.DoesNotContain("ReviewClaimed", history);
        Assert.DoesNotContain("ReviewDecided", history);

        // A decided document: its outcome and final label, read only, for anyone signed in (here an auditor).
        var audrey = await _b.SignInAsync(await _b.OpenAsync($"/?document={routed}"), "audrey", live: false);
        await Assertions.Expect(audrey.Locator("#doc-id")).ToHaveTextAsync(routed, new() { Timeout = 10_000 });
        await Assertions.Expect(audrey.Locator("#doc-status")).ToHaveTextAsync("Routed");
        await Assertions.Expect(audrey.Locator("#doc-decision")).ToContainTextAsync("utilities (auto");
        await Assertions.Expect(audrey.Locator("#read-only")).ToBeVisibleAsync();

        // An unknown id says so.
        var bob = await _b.SignInAsync(await _b.OpenAsync("/?document=NO-SUCH-DOCUMENT"), "bob");
        await Assertions.Expect(bob.Locator("#pane-error")).ToContainTextAsync("NO-SUCH-DOCUMENT", new() { Timeout = 10_000 });
        _b.AssertCleanPages(e => e.Contains("404"));
    }
}
