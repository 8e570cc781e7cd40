using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// The reviewer's decisions with the keyboard only: correct to an alternative by its number (reason code), reject and
/// escalate (reason codes), release; a supervisor then finds the escalated task and decides it.
/// </summary>
public sealed class ReviewActionsTests(BrowserSystem browser) : BrowserTest(browser)
{
    const string HostileExcerpt = "<img src=x onerror=alert(document.domain)> Invoice for electricity";

    [Fact]
    public async Task A_reviewer_corrects_rejects_escalates_and_releases_with_the_keyboard_and_a_supervisor_takes_the_escalation()
    {
        var label = "kbd-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 4).Select(_ => Documents.NewId("INV")).ToList();
        foreach (var id in ids) await B.PublishAsync(id, "invoice", label, excerpt: HostileExcerpt, alternatives: ["telecom", "rent"]);
        foreach (var id in ids) await B.WaitUntilQueuedAsync("bob", id);

        var bob = await B.SignedInPageAsync("bob");
        await BrowserSystem.FilterByLabelAsync(bob, label);
        await Assertions.Expect(bob.Locator("#queue-rows tr")).ToHaveCountAsync(4, new() { Timeout = 10_000 });

        // 1. j selects, c claims, 2 corrects to the second alternative: the reason field takes the code, Enter sends.
        await bob.Keyboard.PressAsync("j");
        var corrected = await SelectedAsync(bob);
        await Assertions.Expect(bob.Locator("#excerpt")).ToHaveTextAsync(HostileExcerpt); // text, not markup
        Assert.Equal(0, await bob.Locator("img").CountAsync());
        await bob.Keyboard.PressAsync("c");
        await Assertions.Expect(bob.Locator("#doc-status")).ToHaveTextAsync("Claimed", new() { Timeout = 10_000 });
        await bob.Keyboard.PressAsync("2");
        await Assertions.Expect(bob.Locator("#reason")).ToBeFocusedAsync();
        await Assertions.Expect(bob.Locator("#message")).ToContainTextAsync("rent");
        await bob.Keyboard.TypeAsync("wrong-vendor");
        await BrowserSystem.ScreenshotAsync(bob, "keyboard-correct");
        await bob.Keyboard.PressAsync("Enter");
        await Assertions.Expect(bob.Locator($"#queue-rows tr[data-id='{corrected}']")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        var decision = (await B.System.Amqp.WaitForDecisionAsync(corrected, TimeSpan.FromSeconds(30))).Body;
        Assert.Equal("corrected", decision.GetProperty("outcome").GetString());
        Assert.Equal("rent", decision.GetProperty("finalLabel").GetString());
        Assert.Equal("bob", decision.GetProperty("decidedBy").GetString());
        Assert.Equal("wrong-vendor", (await EventAsync(bob, corrected, "ReviewDecided")).GetProperty("reasonCode").GetString());

        // 2. The next task is selected already: c claims, r asks for the reason, Enter rejects.
        var rejected = await SelectedAsync(bob, not: corrected);
        await ClaimThenAsync(bob, "r", "unreadable-scan");
        decision = (await B.System.Amqp.WaitForDecisionAsync(rejected, TimeSpan.FromSeconds(30))).Body;
        Assert.Equal("rejected", decision.GetProperty("outcome").GetString());
        Assert.Equal("unclassifiable", decision.GetProperty("finalLabel").GetString());
        Assert.Equal("unreadable-scan", (await EventAsync(bob, rejected, "ReviewDecided")).GetProperty("reasonCode").GetString());

        // 3. c, e, reason, Enter: escalated to the supervisors; it leaves the reviewer's queue.
        var escalated = await SelectedAsync(bob, not: rejected);
        await ClaimThenAsync(bob, "e", "needs-supervisor");
        await Assertions.Expect(bob.Locator($"#queue-rows tr[data-id='{escalated}']")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        Assert.Equal("needs-supervisor", (await EventAsync(bob, escalated, "ReviewEscalated")).GetProperty("reasonCode").GetString());

        // 4. c then x: claimed and released, back in the queue for anyone.
        var released = await SelectedAsync(bob, not: escalated);
        await ClaimThenAsync(bob, "x");
        await Assertions.Expect(bob.Locator("#doc-status")).ToHaveTextAsync("AwaitingReview", new() { Timeout = 10_000 });
        await Assertions.Expect(bob.Locator($"#queue-rows tr[data-id='{released}']")).Not.ToHaveClassAsync(new Regex("mine"));
        Assert.Contains("ReviewReleased", await B.HistoryAsync(bob, released));
        Assert.Equal(new[] { corrected, rejected, escalated, released }.Order(), ids.Order());

        // A supervisor sees the escalation (status Escalated) beside the released task, and decides it with the keyboard.
        var sam = await B.SignedInPageAsync("sam");
        await BrowserSystem.FilterByLabelAsync(sam, label);
        await Assertions.Expect(sam.Locator("#queue-rows tr")).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        var escalatedRow = sam.Locator($"#queue-rows tr[data-id='{escalated}']");
        await Assertions.Expect(escalatedRow).ToContainTextAsync("Escalated");
        await BrowserSystem.ScreenshotAsync(sam, "supervisor-escalated");
        var order = await sam.Locator("#queue-rows tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)");
        for (var i = 0; i <= Array.IndexOf(order, escalated); i++) await sam.Keyboard.PressAsync("j");
        await Assertions.Expect(sam.Locator("#doc-id")).ToHaveTextAsync(escalated);
        await sam.Keyboard.PressAsync("c");
        await Assertions.Expect(sam.Locator("#doc-claimed")).ToContainTextAsync("sam", new() { Timeout = 10_000 });
        await sam.Keyboard.PressAsync("Enter");
        decision = (await B.System.Amqp.WaitForDecisionAsync(escalated, TimeSpan.FromSeconds(30))).Body;
        Assert.Equal("confirmed", decision.GetProperty("outcome").GetString());
        Assert.Equal("sam", decision.GetProperty("decidedBy").GetString());
        await Assertions.Expect(escalatedRow).ToHaveCountAsync(0, new() { Timeout = 10_000 });

        B.AssertCleanPages(); // the excerpt's onerror never ran
    }

    /// <summary>c, then the action's key; with a reason: the field has the focus, the code is typed, Enter sends.</summary>
    static async Task ClaimThenAsync(IPage page, string key, string? reason = null)
    {
        await page.Keyboard.PressAsync("c");
        await Assertions.Expect(page.Locator("#doc-status")).ToHaveTextAsync("Claimed", new() { Timeout = 10_000 });
        await page.Keyboard.PressAsync(key);
        if (reason is null) return;
        await Assertions.Expect(page.Locator("#reason")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(reason);
        await page.Keyboard.PressAsync("Enter");
    }

    /// <summary>The id in the review pane once it shows an open task (other than <paramref name="not"/>).</summary>
    static async Task<string> SelectedAsync(IPage page, string? not = null)
    {
        if (not is not null) await Assertions.Expect(page.Locator("#doc-id")).Not.ToHaveTextAsync(not, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#doc-status")).ToHaveTextAsync("AwaitingReview", new() { Timeout = 10_000 });
        return (await page.Locator("#doc-id").TextContentAsync())!;
    }

    async Task<JsonElement> EventAsync(IPage page, string id, string type) =>
        (await B.GetJsonAsync(page, $"/api/v1/documents/{id}/history")).EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == type).GetProperty("data");
}
