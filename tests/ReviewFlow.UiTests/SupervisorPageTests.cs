using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;
using ReviewFlow.Workflow.Supervising;

namespace ReviewFlow.UiTests;

/// <summary>
/// The supervisor page with the keyboard: the open tasks with who holds each and since when, the workload, a
/// reassignment from the group's people (the assignee's page shows it as theirs, live), and a bulk confirmation with
/// what happened to each task — including one it refused.
/// </summary>
public sealed class SupervisorPageTests(BrowserSystem browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_supervisor_sees_holders_and_workload_reassigns_with_the_picker_and_confirms_a_selection_from_the_keyboard()
    {
        var label = "sup-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 4).Select(_ => Documents.NewId("INV")).ToList();
        foreach (var id in ids) await B.PublishAsync(id, "invoice", label);
        foreach (var id in ids) await B.WaitUntilQueuedAsync("sam", id);
        var (toReassign, toConfirm, alsoToConfirm, heldByAlice) = (ids[0], ids[1], ids[2], ids[3]);
        using var alice = await B.ClientAsync("alice");
        foreach (var id in new[] { toReassign, heldByAlice })
            Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"api/v1/reviews/{id}/claim", null)).StatusCode);

        var bob = await B.SignedInPageAsync("bob");
        await BrowserSystem.FilterByLabelAsync(bob, label);
        await Assertions.Expect(bob.Locator("#queue-rows tr")).ToHaveCountAsync(4, new() { Timeout = 10_000 });

        var sam = await B.SignedInPageAsync("sam", "/supervisor.html");
        var row = (string id) => sam.Locator($"#task-rows tr[data-id='{id}']");
        await Assertions.Expect(row(toReassign).Locator(".holder-cell")).ToHaveTextAsync("Alice (alice)", new() { Timeout = 10_000 });
        await Assertions.Expect(row(toConfirm).Locator(".holder-cell")).ToHaveTextAsync("nobody");
        await Assertions.Expect(sam.Locator("#workload tbody tr", new() { HasText = "Alice (alice)" })).ToBeVisibleAsync();
        await Assertions.Expect(sam.Locator("#pages a[href='/supervisor.html']")).ToHaveAttributeAsync("aria-current", "page");
        await BrowserSystem.ScreenshotAsync(sam, "supervisor-1-overview");
        await Axe.AssertCleanAsync(sam, "the supervisor page");

        // Reassign: j to the task, r to its picker (only the group's people), choose bob, Enter.
        await GoToAsync(sam, toReassign);
        await sam.Keyboard.PressAsync("r");
        var picker = row(toReassign).Locator("select");
        await Assertions.Expect(picker).ToBeFocusedAsync();
        var people = await picker.Locator("option").AllTextContentsAsync();
        Assert.Contains("Bob (bob)", people);
        Assert.DoesNotContain(people, p => p.StartsWith("Alice")); // she holds it already
        Assert.DoesNotContain(people, p => p.StartsWith("Nina")); // memo-reviewers only
        await picker.SelectOptionAsync("bob");
        await sam.Keyboard.PressAsync("Enter");
        await Assertions.Expect(row(toReassign).Locator(".holder-cell")).ToHaveTextAsync("Bob (bob)", new() { Timeout = 10_000 });
        await Assertions.Expect(row(toReassign).Locator(".result")).ToHaveTextAsync("given to Bob");
        await Assertions.Expect(sam.Locator("#message")).ToContainTextAsync($"Reassigned {toReassign} to Bob");
        // The assignee's open page shows it as theirs as soon as the live message arrives.
        await Assertions.Expect(bob.Locator($"#queue-rows tr[data-id='{toReassign}']")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mine"), new() { Timeout = 10_000 });
        await Assertions.Expect(bob.Locator("#notice")).ToHaveTextAsync($"sam reassigned {toReassign} to you: it is yours now, open it from the queue.");
        await BrowserSystem.ScreenshotAsync(bob, "supervisor-2-assignee-told");

        // Bulk: x on two unclaimed tasks and on alice's, b confirms; each task says what happened to it.
        foreach (var id in new[] { toConfirm, alsoToConfirm, heldByAlice })
        {
            await GoToAsync(sam, id);
            await sam.Keyboard.PressAsync("x");
            await Assertions.Expect(row(id).Locator("input[type=checkbox]")).ToBeCheckedAsync();
        }
        await Assertions.Expect(sam.Locator("#selected-count")).ToHaveTextAsync("3");
        await BrowserSystem.ScreenshotAsync(sam, "supervisor-2-selected");
        await sam.Keyboard.PressAsync("b");
        var results = sam.Locator("#bulk-results");
        await Assertions.Expect(results.Locator("li[data-kind='ok']")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await Assertions.Expect(results).ToContainTextAsync($"{toConfirm}: confirmed");
        await Assertions.Expect(results).ToContainTextAsync($"{alsoToConfirm}: confirmed");
        await Assertions.Expect(results.Locator("li[data-kind='error']")).ToContainTextAsync($"{heldByAlice}: not confirmed: Alice is working on this until");
        await Assertions.Expect(sam.Locator("#message")).ToContainTextAsync("2 confirmed, 1 not");
        await Assertions.Expect(row(toConfirm)).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Assertions.Expect(row(heldByAlice).Locator(".result")).ToContainTextAsync("not confirmed");
        foreach (var id in new[] { toConfirm, alsoToConfirm })
        {
            var decision = (await B.System.Amqp.WaitForDecisionAsync(id, TimeSpan.FromSeconds(30))).Body;
            Assert.Equal(("confirmed", "sam"), (decision.GetProperty("outcome").GetString(), decision.GetProperty("decidedBy").GetString()));
        }
        await BrowserSystem.ScreenshotAsync(sam, "supervisor-3-confirmed");
        await Axe.AssertCleanAsync(sam, "the supervisor page after a bulk confirmation");

        await sam.SetViewportSizeAsync(375, 812);
        await Axe.AssertNoHorizontalScrollAsync(sam, "the supervisor page at 375 px");
        await sam.ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "supervisor-4-375.png") });
        await Axe.AssertCleanAsync(sam, "the supervisor page at 375 px");
        B.AssertCleanPages();
    }

    static async Task DecideAsync(HttpClient http, string id, object decision)
    {
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"api/v1/reviews/{id}/claim", null)).StatusCode);
        var response = await http.PostAsJsonAsync($"api/v1/reviews/{id}/decision", decision);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Escalations_say_why_a_disagreement_shows_both_reviews_side_by_side_and_the_filters_narrow_the_list()
    {
        var label = "why-" + Guid.NewGuid().ToString("N")[..8];
        var (escalated, held, contract) = (Documents.NewId("INV"), Documents.NewId("INV"), Documents.NewId("CON"));
        await B.PublishAsync(escalated, "invoice", label);
        await B.PublishAsync(held, "invoice", label);
        await B.System.Amqp.PublishRawAsync(Documents.Json(contract, "contract", "nda", confidence: 0.6));
        foreach (var id in new[] { escalated, held, contract }) await B.WaitUntilQueuedAsync("sam", id);
        using var alice = await B.ClientAsync("alice");
        await DecideAsync(alice, escalated, new { outcome = "escalate", reasonCode = "wrong-vendor", comment = "Vendor not in the master data" });
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"api/v1/reviews/{held}/claim", null)).StatusCode);
        // Four-eyes: bob confirms, sue corrects: they disagree, and the task goes to a supervisor.
        await DecideAsync(await B.ClientAsync("bob"), contract, new { outcome = "confirm" });
        using var sue = await B.ClientAsync("sue");
        await sue.ForStatusAsync(contract, "AwaitingSecondReview");
        await DecideAsync(sue, contract, new { outcome = "correct", label = "msa", reasonCode = "wrong-type" });
        await sue.ForStatusAsync(contract, "Escalated");

        var sam = await B.SignedInPageAsync("sam", "/supervisor.html");
        var row = (string id) => sam.Locator($"#task-rows tr[data-id='{id}']");
        await Assertions.Expect(row(escalated).Locator(".why")).ToHaveTextAsync(
            "Escalated by alice: reason wrong-vendor, \u201CVendor not in the master data\u201D.", new() { Timeout = 10_000 });
        var reviews = row(contract).Locator(".four-eyes > div");
        await Assertions.Expect(reviews.Locator("dt")).ToHaveTextAsync(["First review, bob", "Second review, sue"]);
        await Assertions.Expect(reviews.Locator("dd")).ToHaveTextAsync(["confirmed as nda", "corrected as msa; reason wrong-type"]);
        var (first, second) = ((await reviews.Nth(0).BoundingBoxAsync())!, (await reviews.Nth(1).BoundingBoxAsync())!);
        Assert.True(Math.Abs(first.Y - second.Y) < 1 && second.X > first.X + first.Width - 1, "the two reviews are not side by side");
        await BrowserSystem.ScreenshotAsync(sam, "supervisor-5-why");
        await Axe.AssertCleanAsync(sam, "the supervisor page with an escalation and a disagreement");

        // Filters, from the keyboard's reach (selects): escalations only; a group; who holds it; due time.
        await sam.SelectOptionAsync("#f-status", "Escalated");
        await Assertions.Expect(row(held)).ToHaveCountAsync(0);
        await Assertions.Expect(row(escalated)).ToBeVisibleAsync();
        await Assertions.Expect(row(contract)).ToBeVisibleAsync();
        await Assertions.Expect(sam.Locator("#filter-count")).ToContainTextAsync("Showing");
        // "Select all" takes what is shown only; a filter that hides a selected task drops it from the selection.
        await sam.Locator("#select-all").CheckAsync();
        var shownCount = await sam.Locator("#task-rows tr").CountAsync();
        await Assertions.Expect(sam.Locator("#selected-count")).ToHaveTextAsync(shownCount.ToString());
        await sam.SelectOptionAsync("#f-group", "legal-reviewers");
        await Assertions.Expect(row(escalated)).ToHaveCountAsync(0);
        await Assertions.Expect(row(contract)).ToBeVisibleAsync();
        Assert.Equal(await sam.Locator("#task-rows tr").CountAsync(), int.Parse(await sam.Locator("#selected-count").TextContentAsync() ?? "-1"));
        await sam.Locator("#f-clear").ClickAsync();
        await sam.Locator("#select-all").UncheckAsync();
        await sam.SelectOptionAsync("#f-holder", "alice");
        await Assertions.Expect(row(held)).ToBeVisibleAsync();
        await Assertions.Expect(row(escalated)).ToHaveCountAsync(0);
        await sam.SelectOptionAsync("#f-holder", "-");
        await Assertions.Expect(row(held)).ToHaveCountAsync(0);
        await Assertions.Expect(row(escalated)).ToBeVisibleAsync();
        await sam.Locator("#f-clear").ClickAsync();
        await sam.SelectOptionAsync("#f-due", "none"); // contracts have no SLA here, invoices are due in 2 h
        await Assertions.Expect(row(contract)).ToBeVisibleAsync();
        await Assertions.Expect(row(held)).ToHaveCountAsync(0);
        await sam.SelectOptionAsync("#f-due", "today");
        await Assertions.Expect(row(contract)).ToHaveCountAsync(0);
        await BrowserSystem.ScreenshotAsync(sam, "supervisor-6-filtered");
        await Axe.AssertCleanAsync(sam, "the supervisor page filtered");
        await sam.Locator("#f-clear").ClickAsync();
        await Assertions.Expect(sam.Locator("#filter-count")).ToHaveTextAsync("");

        await sam.SetViewportSizeAsync(390, 844);
        await Axe.AssertNoHorizontalScrollAsync(sam, "the supervisor page with filters at 390 px");
        await row(contract).ScrollIntoViewIfNeededAsync();
        await sam.ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "supervisor-7-why-390.png") });
        await alice.PostAsync($"api/v1/reviews/{held}/release", null);
        B.AssertCleanPages();
    }

    [Fact]
    public async Task The_picker_marks_who_is_out_of_office_and_still_lets_the_supervisor_choose_them()
    {
        // What the worker's member-presence job records from Outlook (tested against the fake Graph in NotificationTests).
        var until = DateTimeOffset.UtcNow.AddDays(3);
        await using (var session = B.System.Store.LightweightSession())
        {
            session.Store(new MemberPresence { Id = "bob", Scheduled = true, From = DateTimeOffset.UtcNow.AddHours(-2), Until = until, CheckedAt = DateTimeOffset.UtcNow });
            await session.SaveChangesAsync();
        }
        try
        {
            var id = Documents.NewId("INV");
            await B.PublishAsync(id, "invoice", "away-" + Guid.NewGuid().ToString("N")[..8]);
            await B.WaitUntilQueuedAsync("sam", id);

            var sam = await B.SignedInPageAsync("sam", "/supervisor.html");
            var picker = sam.Locator($"#task-rows tr[data-id='{id}'] select");
            await Assertions.Expect(picker).ToBeVisibleAsync(new() { Timeout = 10_000 });
            var day = await sam.EvaluateAsync<string>("u => new Date(u).toLocaleDateString([], { day: 'numeric', month: 'short' })", until.ToString("O"));
            await Assertions.Expect(picker.Locator("option[value='bob']")).ToHaveTextAsync($"Bob (bob) — away until {day}");
            await Assertions.Expect(picker.Locator("option[value='bob']")).ToHaveAttributeAsync("data-away", "true");
            await Assertions.Expect(picker.Locator("option[value='alice']")).ToHaveTextAsync("Alice (alice)");
            await Assertions.Expect(sam.Locator("#workload tbody tr", new() { HasText = "Bob (bob)" })).ToContainTextAsync($"away until {day}");

            await GoToAsync(sam, id);
            await sam.Keyboard.PressAsync("r");
            await picker.SelectOptionAsync("bob");
            await Assertions.Expect(sam.Locator("#message")).ToContainTextAsync($"away until {day}: you can still give {id} to them");
            await BrowserSystem.ScreenshotAsync(sam, "supervisor-4-away-in-picker");
            await Axe.AssertCleanAsync(sam, "the supervisor page with someone away");
            await sam.Keyboard.PressAsync("Enter");
            await Assertions.Expect(sam.Locator($"#task-rows tr[data-id='{id}'] .holder-cell")).ToHaveTextAsync("Bob (bob)", new() { Timeout = 10_000 });
            await Assertions.Expect(sam.Locator("#message")).ToContainTextAsync($"They are away until {day}.");
            B.AssertCleanPages();
        }
        finally
        {
            await using var session = B.System.Store.LightweightSession();
            session.Delete<MemberPresence>("bob");
            await session.SaveChangesAsync();
        }
    }

    [Fact]
    public async Task The_supervisor_page_tells_a_reviewer_it_is_not_for_them()
    {
        var alice = await B.SignInAsync(await B.OpenAsync("/supervisor.html"), "alice", live: false);
        await Assertions.Expect(alice.Locator("#role-message")).ToContainTextAsync("This page is for supervisors");
        await Assertions.Expect(alice.Locator("#supervisor")).ToBeHiddenAsync();
        await Axe.AssertCleanAsync(alice, "the supervisor page for a reviewer");
        B.AssertCleanPages();
    }

    /// <summary>j (or k) until the keyboard is on the task's row (other tests' tasks share the list).</summary>
    static async Task GoToAsync(IPage page, string id)
    {
        var order = await page.Locator("#task-rows tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)");
        var target = Array.IndexOf(order, id);
        Assert.True(target >= 0, $"{id} is not listed");
        var current = await page.EvaluateAsync<string?>("() => document.querySelector('#task-rows tr.focused')?.dataset.id ?? null");
        var at = current is null ? -1 : Array.IndexOf(order, current);
        var key = target > at ? "j" : "k";
        for (var i = 0; i < Math.Abs(target - at); i++) await page.Keyboard.PressAsync(key);
        await Assertions.Expect(page.Locator($"#task-rows tr[data-id='{id}']")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("focused"));
    }
}
