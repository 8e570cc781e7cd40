using Microsoft.Playwright;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// The routing policy page (policy.html) in a real Chromium: an admin edits a label threshold of a label of the test's
/// own (so no other test's routing changes), sees the what-if of real decisions beside the edit, adopts it with a
/// reason and finds the version in the history with what changed; a second admin's change first ends in a plain 409
/// and a reload. axe-core clean, readable at a phone's width.
/// </summary>
public sealed class PolicyPageTests(BrowserSystem browser) : BrowserTest(browser)
{
    static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    static string NewLabel() => "pol" + Guid.NewGuid().ToString("N")[..8];

    static ILocator Invoice(IPage page) => page.Locator("fieldset[data-type='invoice']");

    static async Task AddLabelThresholdAsync(IPage page, string label, string threshold)
    {
        await Invoice(page).GetByLabel("New label").FillAsync(label);
        await Invoice(page).GetByLabel("Its threshold").FillAsync(threshold);
        await Invoice(page).GetByRole(AriaRole.Button, new() { Name = "Add label threshold" }).ClickAsync();
        await Expect(Invoice(page).Locator($"tr[data-label='{label}'] input")).ToHaveValueAsync(threshold);
    }

    [Fact]
    public async Task An_admin_edits_a_label_threshold_sees_the_what_if_adopts_it_with_a_reason_and_finds_the_diff_in_the_history()
    {
        // Ten invoices of the test's label between 0.80 and 0.89: all go to review under the invoice threshold (0.90);
        // alice confirms seven and corrects three.
        var label = NewLabel();
        var data = new QualityData(B);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++) ids.Add(await data.PublishAsync(label, 0.80 + i * 0.01));
        for (var i = 0; i < ids.Count; i++) await data.DecideAsync(ids[i], i < 3 ? "telecom" : null);
        await data.WaitUntilCountedAsync("label=" + label, 10);

        var page = await B.SignInAsync(await B.OpenAsync("/policy.html"), "ada", live: false);
        await Expect(page.Locator("#policy-title")).ToContainTextAsync("version");
        var before = int.Parse((await page.Locator("#policy-title").TextContentAsync())!.Split(' ').Last());
        await Expect(page.Locator("#pages a[href='/quality.html']")).ToBeVisibleAsync();
        // Keyboard only: every stop named and visibly focused, down to the invoice type's threshold.
        await Axe.AssertKeyboardWalkAsync(page, 60, "fieldset[data-type='invoice'] input[name='threshold']");

        await AddLabelThresholdAsync(page, label, "0.8");
        await Expect(page.Locator("#changes")).ToContainTextAsync($"documentTypes.invoice.labelThresholds.{label}: — → 0.8");
        // The what-if beside the edit: all ten would now go through; humans had changed three of them.
        var row = page.Locator($"#whatif tr[data-label='{label}']");
        await Expect(row).ToContainTextAsync("10 (humans changed 3 of 10)");
        await Expect(page.Locator("#whatif-summary")).ToContainTextAsync("newly");
        await page.ClickAsync("#s-run");
        await Expect(page.Locator("#suggest-message")).ToContainTextAsync("For an error rate under 2.0 %");
        var invoiceSuggestion = page.Locator("#suggestions tbody tr").Filter(new() { HasText = "(whole type)" }).Filter(new() { HasText = "invoice" });
        await Expect(invoiceSuggestion).ToHaveCountAsync(1);
        await BrowserSystem.ScreenshotAsync(page, "policy-1-edit-what-if");
        await Axe.AssertCleanAsync(page, "the policy page with an edit and its what-if");
        await page.SetViewportSizeAsync(390, 844);
        await Axe.AssertNoHorizontalScrollAsync(page, "the policy page at 390 px");
        await BrowserSystem.ScreenshotAsync(page, "policy-3-phone");
        await page.Locator(".evidence").ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "policy-3-phone-evidence.png") });
        await page.SetViewportSizeAsync(1440, 900);

        // A threshold out of range is refused before anything is sent, the field focused and marked.
        var threshold = Invoice(page).Locator("input[name='threshold']");
        await threshold.FillAsync("1.5");
        await page.ClickAsync("#adopt");
        await Expect(page.Locator("#adopt-message")).ToContainTextAsync("Not adopted:");
        await Expect(threshold).ToBeFocusedAsync();
        await Expect(threshold).ToHaveAttributeAsync("aria-invalid", "true");
        await threshold.FillAsync("0.9");
        await Expect(threshold).ToHaveAttributeAsync("aria-invalid", "false");

        // No reason, no adoption.
        await page.ClickAsync("#adopt");
        await Expect(page.Locator("#adopt-message")).ToContainTextAsync("say why");
        await Expect(page.Locator("#reason")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync($"UI test: {label} is reliable from 0.80");
        await page.ClickAsync("#adopt");
        await Expect(page.Locator("#adopt-message")).ToContainTextAsync($"Adopted: version {before + 1}");
        await Expect(page.Locator("#policy-title")).ToHaveTextAsync($"Routing policy, version {before + 1}");
        await Expect(page.Locator("#changes")).ToContainTextAsync("None yet.");

        // The history, newest first, with what changed.
        var newest = page.Locator("#history tbody tr").First;
        await Expect(newest).ToHaveAttributeAsync("data-version", (before + 1).ToString());
        await Expect(newest).ToContainTextAsync("ada");
        await Expect(newest).ToContainTextAsync($"UI test: {label} is reliable from 0.80");
        await Expect(newest).ToContainTextAsync($"documentTypes.invoice.labelThresholds.{label}: — → 0.8");
        await BrowserSystem.ScreenshotAsync(page, "policy-2-adopted-history");
        B.AssertCleanPages();
    }

    [Fact]
    public async Task Use_puts_a_suggested_label_threshold_into_the_edit_and_the_what_if_beside_it_follows()
    {
        // Thirty invoices of the test's label, three at each of 0.80 … 0.89 (below the invoice threshold 0.90, so all reviewed);
        // alice corrects the three at 0.80 and confirms the rest.
        var label = NewLabel();
        var data = new QualityData(B);
        var ids = new List<string>();
        for (var i = 0; i < 30; i++) ids.Add(await data.PublishAsync(label, 0.80 + i / 3 * 0.01));
        for (var i = 0; i < ids.Count; i++) await data.DecideAsync(ids[i], i < 3 ? "telecom" : null);
        await data.WaitUntilCountedAsync("label=" + label, 30);

        var page = await B.SignInAsync(await B.OpenAsync("/policy.html"), "ada", live: false);
        await Expect(page.Locator("#policy-title")).ToContainTextAsync("version");
        await Expect(page.Locator("#whatif-summary")).ToContainTextAsync("no routing");
        // Target 30 %: from the top down no change until 0.80, where 3 of 30 were changed: Wilson upper bound
        // (0.1 + 0.064 + 1.96·√(0.003 + 0.001067)) / 1.128 = 0.256 < 0.30, so 0.80 is the lowest threshold the label supports.
        await page.FillAsync("#s-target", "0.3");
        await page.ClickAsync("#s-run");
        var suggestion = page.Locator("#suggestions tbody tr").Filter(new() { HasText = label });
        await Expect(suggestion).ToContainTextAsync("0.8");
        await Expect(suggestion).ToContainTextAsync("0.9 (type)");
        await Expect(page.Locator($"#whatif tr[data-label='{label}']")).ToHaveCountAsync(0);

        await suggestion.GetByRole(AriaRole.Button, new() { Name = $"Use 0.8 for invoice {label}" }).ClickAsync();

        // The form holds the label's threshold, the change is listed, and the what-if replays it: all 30 newly without a human.
        await Expect(Invoice(page).Locator($"tr[data-label='{label}'] input")).ToHaveValueAsync("0.8");
        await Expect(page.Locator("#changes")).ToContainTextAsync($"documentTypes.invoice.labelThresholds.{label}: — → 0.8");
        var row = page.Locator($"#whatif tr[data-label='{label}']");
        await Expect(row).ToContainTextAsync("30 (humans changed 3 of 30)");
        await Expect(page.Locator("#whatif-summary")).ToContainTextAsync("newly");
        await page.Locator(".evidence").ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "policy-6-use-suggestion.png") });
        await BrowserSystem.ScreenshotAsync(page, "policy-6-use-suggestion-page");
        await Axe.AssertCleanAsync(page, "the policy page after using a suggestion");
        B.AssertCleanPages();
    }

    [Fact]
    public async Task When_another_admin_adopted_first_the_page_says_so_in_plain_words_and_reloads_the_new_version()
    {
        var page = await B.SignInAsync(await B.OpenAsync("/policy.html"), "ada", live: false);
        await Expect(page.Locator("#policy-title")).ToContainTextAsync("version");
        var read = int.Parse((await page.Locator("#policy-title").TextContentAsync())!.Split(' ').Last());
        await AddLabelThresholdAsync(page, NewLabel(), "0.85");

        // Meanwhile another admin adopts a change based on the same version (a label of its own, every other field as read).
        var other = NewLabel();
        var basedOn = await new QualityData(B).AdoptAsync(p => p["documentTypes"]!["invoice"]!["labelThresholds"]![other] = 0.99, "the other admin's change");
        Assert.Equal(read, basedOn);

        await page.FillAsync("#reason", "my change, made on the old version");
        await page.ClickAsync("#adopt");
        await Expect(page.Locator("#adopt-message")).ToContainTextAsync($"someone else changed the policy first (version {read + 1}");
        await Expect(page.Locator("#adopt-message")).ToContainTextAsync("Reload the current policy");
        await Expect(page.Locator("#reload")).ToBeFocusedAsync();
        await BrowserSystem.ScreenshotAsync(page, "policy-4-conflict");
        await Axe.AssertCleanAsync(page, "the policy page after a 409");

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#policy-title")).ToHaveTextAsync($"Routing policy, version {read + 1}");
        await Expect(Invoice(page).Locator($"tr[data-label='{other}'] input")).ToHaveValueAsync("0.99");
        await Expect(page.Locator("#adopt-message")).ToContainTextAsync("Make your change again");
        await Expect(page.Locator("#history tbody tr").First).ToContainTextAsync("the other admin's change");
        B.AssertCleanPages(e => e.Contains("409 (Conflict)")); // the browser logs the refused PUT
    }

    /// <summary>The history's rendering of a fallback by the system; the history answer is stubbed in the browser.</summary>
    [Fact]
    public async Task A_change_by_the_system_stands_out_in_the_history_with_what_it_switched()
    {
        var page = await B.OpenAsync("/policy.html");
        object Policy(int version, bool invoiceOff) => new
        {
            version, killSwitch = false, qaSampleRate = 0.05, alwaysReviewLabels = new[] { "legal-hold" },
            documentTypes = new { invoice = new { threshold = 0.9, reviewerGroup = "ap-reviewers", killSwitch = invoiceOff,
                killSwitchReason = invoiceOff ? "quality alarm: auto accuracy 91.2 % under 97.0 %" : null } },
        };
        await page.RouteAsync("**/api/v1/admin/routing-policy/history", route => route.FulfillAsync(new()
        {
            ContentType = "application/json",
            Body = System.Text.Json.JsonSerializer.Serialize(new object[]
            {
                new { version = 8, changedBy = "system", at = DateTimeOffset.UtcNow.AddMinutes(-3), reason = "quality alarm on invoice", policy = Policy(8, true) },
                new { version = 7, changedBy = "ada", at = DateTimeOffset.UtcNow.AddHours(-2), reason = "QA at 5 %", policy = Policy(7, false) },
            }),
        }));
        await B.SignInAsync(page, "ada", live: false);

        var system = page.Locator("#history tbody tr[data-version='8']");
        await Expect(system).ToHaveClassAsync("system");
        await Expect(system).ToContainTextAsync("automatic: quality alarm fallback");
        await Expect(system).ToContainTextAsync("documentTypes.invoice.killSwitch: false → true");
        await Expect(system).ToContainTextAsync("documentTypes.invoice.killSwitchReason: — → quality alarm: auto accuracy 91.2 % under 97.0 %");
        await Expect(page.Locator("#history tbody tr[data-version='7']")).Not.ToHaveClassAsync("system");
        await Expect(page.Locator("#history tbody tr[data-version='7']")).ToContainTextAsync("the first version kept");
        await page.Locator("#history").ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "policy-5-history-system.png") });
        await Axe.AssertCleanAsync(page, "the policy page with a system change in the history");
        B.AssertCleanPages();
    }

    [Fact]
    public async Task A_supervisor_is_told_the_page_is_for_admins()
    {
        var page = await B.SignInAsync(await B.OpenAsync("/policy.html"), "sam", live: false);
        await Expect(page.Locator("#role-message")).ToContainTextAsync("only admins change the routing policy");
        await Expect(page.Locator("#policy")).ToBeHiddenAsync();
        await Expect(page.Locator("#pages a[href='/quality.html']")).ToBeVisibleAsync();
        B.AssertCleanPages();
    }
}
