using System.Net;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

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
