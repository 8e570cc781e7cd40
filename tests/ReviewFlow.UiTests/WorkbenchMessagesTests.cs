using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// What the reviewer page says in words: whose claim stops you (and nothing is sent that would earn a 409), the same
/// sentence after a race, the reasons of an invalid document and the escalation's comment in the history, and the list
/// of what I decided today.
/// </summary>
public sealed class WorkbenchMessagesTests(BrowserSystem browser) : BrowserTest(browser)
{
    const string Zone = "America/New_York";

    [Fact]
    public async Task Someone_elses_claim_is_named_with_its_end_in_my_zone_its_actions_are_not_sent_and_its_release_shows_live()
    {
        var id = await QueuedAsync("bob");
        using var alice = await B.ClientAsync("alice");
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"api/v1/reviews/{id}/claim", null)).StatusCode);
        var lease = (await alice.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}")).GetProperty("leaseExpiresAt").GetDateTimeOffset();
        var until = TimeZoneInfo.ConvertTime(lease, TimeZoneInfo.FindSystemTimeZoneById(Zone)).ToString("HH:mm", CultureInfo.InvariantCulture);

        var bob = await B.SignInAsync(await B.OpenAsync($"/?document={id}", Zone), "bob");
        var sentence = $"Alice is working on this until {until}.";
        await Assertions.Expect(bob.Locator("#held-by")).ToContainTextAsync(sentence, new() { Timeout = 10_000 });
        foreach (var button in new[] { "#btn-claim", "#btn-confirm", "#btn-reject", "#btn-escalate", "#btn-correct" })
            await Assertions.Expect(bob.Locator(button)).ToHaveAttributeAsync("aria-disabled", "true");
        await Assertions.Expect(bob.Locator("#btn-claim")).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("Alice is working on this"));
        await Assertions.Expect(bob.Locator("#queue-rows tr[data-id='" + id + "'] .status-cell")).ToHaveTextAsync("Claimed · Alice (alice)");

        // c, Enter, 1 and l send nothing: the page says whose it is instead.
        var sent = new List<string>();
        bob.Request += (_, r) => { if (r.Method == "POST" && r.Url.Contains("/api/v1/reviews/")) lock (sent) sent.Add(r.Url); };
        foreach (var key in new[] { "c", "Enter", "1", "l", "r" })
        {
            await bob.Keyboard.PressAsync(key);
            await Assertions.Expect(bob.Locator("#message")).ToHaveTextAsync(sentence);
        }
        await Assertions.Expect(bob.Locator("#label-pick-row")).ToBeHiddenAsync();
        await Assertions.Expect(bob.Locator("#reason")).Not.ToBeFocusedAsync();
        await bob.Locator("#btn-confirm").ClickAsync(new() { Force = true }); // aria-disabled: clickable, still not sent
        lock (sent) Assert.Empty(sent);
        await BrowserSystem.ScreenshotAsync(bob, "held-by-someone-else");
        await Axe.AssertCleanAsync(bob, "the reviewer page on a task someone else holds");
        await bob.SetViewportSizeAsync(375, 812);
        await bob.Locator("#held-by").ScrollIntoViewIfNeededAsync();
        await bob.ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "held-by-someone-else-375.png") });
        await Axe.AssertCleanAsync(bob, "the reviewer page on a task someone else holds, at 375 px");
        await bob.SetViewportSizeAsync(1440, 900);

        // Alice lets go: bob's page changes as soon as the live message arrives, and c claims.
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"api/v1/reviews/{id}/release", null)).StatusCode);
        await Assertions.Expect(bob.Locator("#held-by")).ToBeHiddenAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(bob.Locator("#btn-claim")).Not.ToHaveAttributeAsync("aria-disabled", "true");
        await bob.Keyboard.PressAsync("c");
        await Assertions.Expect(bob.Locator("#doc-status")).ToHaveTextAsync("Claimed", new() { Timeout = 10_000 });
        await Assertions.Expect(bob.Locator("#doc-claimed")).ToContainTextAsync("Bob (bob)");
        B.AssertCleanPages();
    }

    [Fact]
    public async Task A_claim_lost_in_a_race_says_who_won_in_the_same_words()
    {
        var id = await QueuedAsync("bob");
        using var alice = await B.ClientAsync("alice");
        var bob = await B.SignInAsync(await B.OpenAsync($"/?document={id}", Zone), "bob");
        await Assertions.Expect(bob.Locator("#doc-status")).ToHaveTextAsync("AwaitingReview", new() { Timeout = 10_000 });
        await Assertions.Expect(bob.Locator("#btn-claim")).Not.ToHaveAttributeAsync("aria-disabled", "true");

        // Alice's claim lands between bob's key and his request reaching the server: the server answers 409.
        await bob.RouteAsync($"**/api/v1/reviews/{id}/claim", async route =>
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"api/v1/reviews/{id}/claim", null)).StatusCode);
            await route.ContinueAsync();
        });
        var conflict = bob.WaitForResponseAsync(r => r.Url.EndsWith($"/api/v1/reviews/{id}/claim") && r.Status == 409);
        await bob.Keyboard.PressAsync("c");
        await conflict;
        await Assertions.Expect(bob.Locator("#message")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Alice is working on this until \d\d:\d\d\.$"),
            new() { Timeout = 10_000 });
        await Assertions.Expect(bob.Locator("#btn-confirm")).ToHaveAttributeAsync("aria-disabled", "true");
        B.AssertCleanPages(e => e.Contains("409"));
    }

    [Fact]
    public async Task The_history_shows_an_escalations_reason_and_comment_and_an_invalid_document_its_reasons()
    {
        var escalated = await QueuedAsync("alice");
        using var alice = await B.ClientAsync("alice");
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"api/v1/reviews/{escalated}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"api/v1/reviews/{escalated}/decision",
            new { outcome = "escalate", reasonCode = "needs-supervisor", comment = "Vendor name differs from the PO" })).StatusCode);
        var invalid = Documents.NewId("INV");
        await B.System.Amqp.PublishRawAsync(Documents.Json(invalid, confidence: 1.5));
        using var ada = await B.ClientAsync("ada");
        await ada.ForStatusAsync(invalid, "Invalid");

        var sam = await B.SignInAsync(await B.OpenAsync($"/?document={escalated}"), "sam");
        var row = sam.Locator("#history tr[data-type='ReviewEscalated']");
        await Assertions.Expect(row).ToContainTextAsync("escalated; reason needs-supervisor, \u201CVendor name differs from the PO\u201D", new() { Timeout = 10_000 });
        await Assertions.Expect(sam.Locator("#history tr[data-type='ReviewClaimed']")).ToContainTextAsync("Alice until");
        await sam.Locator("#history").ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "history-escalation.png") });
        await Axe.AssertCleanAsync(sam, "the reviewer page with an escalation's history");

        // An invalid result has no type to give it a group: admins and auditors read it (DocumentAccess).
        var admin = await B.SignInAsync(await B.OpenAsync($"/?document={invalid}"), "ada", live: false);
        await Assertions.Expect(admin.Locator("#doc-status")).ToHaveTextAsync("Invalid", new() { Timeout = 10_000 });
        await Assertions.Expect(admin.Locator("#doc-invalid")).ToContainTextAsync("confidence");
        await Assertions.Expect(admin.Locator("#history tr[data-type='ClassificationRejected']")).ToContainTextAsync("invalid: ");
        await BrowserSystem.ScreenshotAsync(admin, "history-invalid");
        await Axe.AssertCleanAsync(admin, "the reviewer page with an invalid document");
        B.AssertCleanPages();
    }

    [Fact]
    public async Task Recently_decided_by_me_lists_what_was_recorded_and_opens_it_from_the_keyboard()
    {
        var label = "recent-" + Guid.NewGuid().ToString("N")[..8];
        var id = Documents.NewId("INV");
        await B.PublishAsync(id, "invoice", label, alternatives: ["telecom", "rent"]);
        await B.WaitUntilQueuedAsync("alice", id);
        var alice = await B.SignedInPageAsync("alice");
        await BrowserSystem.FilterByLabelAsync(alice, label);
        await Assertions.Expect(alice.Locator("#queue-rows tr")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await alice.Keyboard.PressAsync("j");
        await Assertions.Expect(alice.Locator("#doc-status")).ToHaveTextAsync("AwaitingReview", new() { Timeout = 10_000 });
        await alice.Keyboard.PressAsync("c");
        await Assertions.Expect(alice.Locator("#doc-status")).ToHaveTextAsync("Claimed", new() { Timeout = 10_000 });
        await alice.Keyboard.PressAsync("2");
        await Assertions.Expect(alice.Locator("#reason")).ToBeFocusedAsync();
        await alice.Keyboard.TypeAsync("wrong-vendor");
        await alice.Keyboard.PressAsync("Enter");

        var entry = alice.Locator($"#recent-list li[data-id='{id}']");
        await Assertions.Expect(entry).ToContainTextAsync($"Corrected {label} \u2192 rent, reason wrong-vendor", new() { Timeout = 10_000 });
        await Assertions.Expect(entry.Locator("a")).ToHaveAttributeAsync("href", $"/?document={id}");
        await Assertions.Expect(alice.Locator("#recent-list li").First).ToHaveAttributeAsync("data-id", id); // newest first

        await alice.Keyboard.PressAsync("d");
        await Assertions.Expect(entry.Locator("a")).ToBeFocusedAsync();
        await alice.Keyboard.PressAsync("Enter");
        await Assertions.Expect(alice.Locator("#doc-id")).ToHaveTextAsync(id, new() { Timeout = 10_000 });
        await Assertions.Expect(alice.Locator("#doc-status")).ToHaveTextAsync("Routed", new() { Timeout = 10_000 });
        await Assertions.Expect(alice.Locator("#doc-decision")).ToContainTextAsync("rent");
        await BrowserSystem.ScreenshotAsync(alice, "recently-decided");
        await Axe.AssertCleanAsync(alice, "the reviewer page with the recently decided list");
        await alice.SetViewportSizeAsync(375, 812); // a phone shows the item alone; d goes to the list's recent decisions
        await alice.Keyboard.PressAsync("d");
        await Assertions.Expect(entry.Locator("a")).ToBeFocusedAsync();
        await alice.Locator("#recent").ScrollIntoViewIfNeededAsync();
        await alice.ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "recently-decided-375.png") });
        B.AssertCleanPages();
    }

    /// <summary>An unsure invoice, once it is in <paramref name="reviewer"/>'s queue.</summary>
    async Task<string> QueuedAsync(string reviewer)
    {
        var id = Documents.NewId("INV");
        await B.PublishAsync(id, "invoice", "utilities");
        await B.WaitUntilQueuedAsync(reviewer, id);
        return id;
    }
}
