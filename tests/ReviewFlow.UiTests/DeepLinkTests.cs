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
public sealed class DeepLinkTests(BrowserSystem browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_link_opens_the_item_after_sign_in_without_claiming_it_and_a_click_claims_it()
    {
        // A claim is due in seconds: first in alice's queue, whatever earlier tests left there.
        var id = Documents.NewId("CLM");
        await B.PublishAsync(id, "claim", "motor");
        await B.WaitUntilQueuedAsync("alice", id);

        // What a link preview or a mail scanner does: fetch the link, anonymously. It gets the static page, nothing else.
        using (var scanner = new HttpClient { BaseAddress = B.System.BaseAddress })
        {
            var fetched = await scanner.GetAsync($"/?document={Uri.EscapeDataString(id)}");
            Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
            Assert.Contains("<title>ReviewFlow", await fetched.Content.ReadAsStringAsync());
        }

        var alice = await B.OpenAsync($"/?document={Uri.EscapeDataString(id)}");
        await Assertions.Expect(alice.Locator("#sign-in")).ToBeVisibleAsync(); // the link waits through the sign-in
        await B.SignInAsync(alice, "alice");

        await Assertions.Expect(alice.Locator("#doc-id")).ToHaveTextAsync(id, new() { Timeout = 10_000 });
        await Assertions.Expect(alice.Locator($"#queue-rows tr[data-id='{id}']")).ToHaveClassAsync(new Regex("selected"));
        await Assertions.Expect(alice.Locator("#doc-status")).ToHaveTextAsync(new Regex("^AwaitingReview$"));
        await Assertions.Expect(alice.Locator("#btn-claim")).ToBeEnabledAsync();
        await Assertions.Expect(alice.Locator("#history")).ToContainTextAsync("ReviewRequested");
        await Assertions.Expect(alice.Locator("#history")).Not.ToContainTextAsync("ReviewClaimed");
        await BrowserSystem.ScreenshotAsync(alice, "deep-link");
        Assert.DoesNotContain("ReviewClaimed", await B.HistoryAsync(alice, id));

        // Reloading the link does not act either.
        await alice.ReloadAsync();
        await Assertions.Expect(alice.Locator("#doc-id")).ToHaveTextAsync(id, new() { Timeout = 10_000 });
        await Assertions.Expect(alice.Locator("#doc-status")).ToHaveTextAsync(new Regex("^AwaitingReview$"));
        Assert.DoesNotContain("ReviewClaimed", await B.HistoryAsync(alice, id));

        // Only the explicit click claims; the mouse releases it again.
        await alice.Locator("#btn-claim").ClickAsync();
        await Assertions.Expect(alice.Locator("#doc-status")).ToHaveTextAsync("Claimed", new() { Timeout = 10_000 });
        await alice.Locator("#btn-release").ClickAsync();
        await Assertions.Expect(alice.Locator("#doc-status")).ToHaveTextAsync("AwaitingReview", new() { Timeout = 10_000 });
        Assert.Equal(["ReviewClaimed", "ReviewReleased"],
            (await B.HistoryAsync(alice, id)).Where(t => t is "ReviewClaimed" or "ReviewReleased"));
        B.AssertCleanPages();
    }

    [Fact]
    public async Task A_link_to_another_groups_item_finds_nothing_and_one_the_viewer_cannot_claim_is_read_only_with_keys_doing_nothing()
    {
        var contract = Documents.NewId("CON"); // legal-reviewers: not alice's group
        var routed = Documents.NewId("INV");   // confident: routed at once
        await B.PublishAsync(contract, "contract", "nda");
        await B.PublishAsync(routed, "invoice", "utilities", confidence: 0.99);
        await B.WaitUntilQueuedAsync("sam", contract);
        await (await B.ClientAsync("alice")).ForStatusAsync(routed, "Routed");

        // Another group's document is not alice's to see (need to know): the link answers as for an unknown id.
        var outsider = await B.SignInAsync(await B.OpenAsync($"/?document={contract}"), "alice");
        await Assertions.Expect(outsider.Locator("#pane-error")).ToContainTextAsync(contract, new() { Timeout = 10_000 });
        await Assertions.Expect(outsider.Locator("#doc-label")).Not.ToHaveTextAsync("nda");

        // Her group's document, decided already: shown read only, and the keys do nothing.
        var alice = await B.SignInAsync(await B.OpenAsync($"/?document={routed}"), "alice");
        await Assertions.Expect(alice.Locator("#doc-id")).ToHaveTextAsync(routed, new() { Timeout = 10_000 });
        await Assertions.Expect(alice.Locator("#doc-status")).ToHaveTextAsync("Routed");
        await Assertions.Expect(alice.Locator("#read-only")).ToContainTextAsync("not open for review");
        await Assertions.Expect(alice.Locator("#actions")).ToBeHiddenAsync();
        await Assertions.Expect(alice.Locator("#history tbody tr")).Not.ToHaveCountAsync(0);
        await BrowserSystem.ScreenshotAsync(alice, "deep-link-read-only");
        foreach (var key in new[] { "c", "Enter", "1", "r", "e" }) await alice.Keyboard.PressAsync(key);
        await alice.WaitForTimeoutAsync(1_000);
        var history = await B.HistoryAsync(alice, routed);
        Assert.DoesNotContain("ReviewClaimed", history);
        Assert.DoesNotContain("ReviewDecided", history);

        // A decided document: its outcome and final label, read only, for an auditor too.
        var audrey = await B.SignInAsync(await B.OpenAsync($"/?document={routed}"), "audrey", live: false);
        await Assertions.Expect(audrey.Locator("#doc-id")).ToHaveTextAsync(routed, new() { Timeout = 10_000 });
        await Assertions.Expect(audrey.Locator("#doc-status")).ToHaveTextAsync("Routed");
        await Assertions.Expect(audrey.Locator("#doc-decision")).ToContainTextAsync("utilities (auto");
        await Assertions.Expect(audrey.Locator("#read-only")).ToBeVisibleAsync();

        // An unknown id says so.
        var bob = await B.SignInAsync(await B.OpenAsync("/?document=NO-SUCH-DOCUMENT"), "bob");
        await Assertions.Expect(bob.Locator("#pane-error")).ToContainTextAsync("NO-SUCH-DOCUMENT", new() { Timeout = 10_000 });
        B.AssertCleanPages(e => e.Contains("404"));
    }
}
