using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ReviewFlow.UiTests.Infrastructure;
using ReviewFlow.Workflow.Quality;

namespace ReviewFlow.UiTests;

/// <summary>
/// The quality page (quality.html) over decisions made the real way, isolated by a model version of the test's own:
/// the headline numbers, the verdict on routing without a human, the charts with their data tables, axe-core clean, and
/// readable at a phone's width; a reviewer gets the role message.
/// </summary>
public sealed class QualityPageTests(BrowserSystem browser) : BrowserTest(browser)
{
    static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [Fact]
    public async Task A_supervisor_sees_the_numbers_and_charts_of_real_decisions_with_their_data_tables()
    {
        var model = "ui-q-" + Guid.NewGuid().ToString("N")[..8];
        var data = new QualityData(B);
        // 4 confident invoices go through without a human (threshold 0.90); 8 unsure ones go to alice, who confirms 5
        // and corrects 3 to telecom.
        for (var i = 0; i < 4; i++) await data.PublishAsync("utilities", 0.95 + i * 0.01, model);
        var reviewed = new List<string>();
        for (var i = 0; i < 8; i++) reviewed.Add(await data.PublishAsync("utilities", 0.55 + i * 0.04, model));
        for (var i = 0; i < reviewed.Count; i++) await data.DecideAsync(reviewed[i], i < 3 ? "telecom" : null);
        await data.WaitUntilCountedAsync("modelVersion=" + model, 12);

        var page = await B.SignInAsync(await B.OpenAsync("/quality.html"), "sam", live: false);
        await page.FillAsync("#f-model", model);
        await page.ClickAsync("#apply");
        // No QA sample yet (the test policy's rate is 0): the page says there is no evidence, not a number.
        await Expect(page.Locator("#n-decided")).ToHaveTextAsync("12");
        await Expect(page.Locator("#verdict")).ToContainTextAsync("No evidence yet");
        await Expect(page.Locator("#n-accuracy")).ToContainTextAsync("no evidence yet");

        // With every confident document sampled for a while, 6 more go to alice as QA samples: she confirms 5, corrects 1.
        var qa = new List<string>();
        await data.AdoptAsync(p => p["qaSampleRate"] = 1.0, "UI test: sample everything for the quality page");
        try
        {
            await Task.Delay(QualityData.PolicyRefresh);
            for (var i = 0; i < 6; i++) qa.Add(await data.PublishAsync("utilities", 0.93 + i * 0.01, model));
        }
        finally
        {
            await data.AdoptAsync(p => p["qaSampleRate"] = 0.0, "UI test: sampling back off");
            await Task.Delay(QualityData.PolicyRefresh);
        }
        for (var i = 0; i < qa.Count; i++) await data.DecideAsync(qa[i], i == 0 ? "telecom" : null);
        await data.WaitUntilCountedAsync("modelVersion=" + model, 18);

        await page.ClickAsync("#apply");
        await Expect(page.Locator("#n-decided")).ToHaveTextAsync("18");
        await Expect(page.Locator("#n-auto")).ToContainTextAsync("4");
        await Expect(page.Locator("#n-auto")).ToContainTextAsync("22.2 %");
        await Expect(page.Locator("#n-human")).ToContainTextAsync("14");
        await Expect(page.Locator("#n-overrides")).ToContainTextAsync("4");
        await Expect(page.Locator("#n-overrides")).ToContainTextAsync("28.6 % of human decisions");
        // Now there is evidence: the estimate with its interval, from 6 QA samples, and the advice to trust the lower end.
        await Expect(page.Locator("#verdict")).ToContainTextAsync("judged from 6 QA samples");
        await Expect(page.Locator("#verdict")).ToContainTextAsync("rely on the lower figure");
        await Expect(page.Locator("#n-accuracy")).ToContainTextAsync("95 % interval");

        // The reliability diagram: an image with words, and its ten bins as a table; the reviewed-only bins marked biased.
        await Expect(page.Locator("#chart-reliability")).ToHaveAttributeAsync("role", "img");
        await Expect(page.Locator("#chart-reliability")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("Reliability diagram"));
        await Expect(page.Locator("#chart-reliability svg")).ToBeVisibleAsync();
        await page.ClickAsync("#table-reliability summary");
        await Expect(page.Locator("#table-reliability tbody tr")).ToHaveCountAsync(10);
        await Expect(page.Locator("#table-reliability tbody")).ToContainTextAsync("biased");
        await BrowserSystem.ScreenshotAsync(page, "quality-0-summary");

        await page.SetViewportSizeAsync(390, 844);
        await page.WaitForTimeoutAsync(300); // the charts redraw on resize
        await Axe.AssertNoHorizontalScrollAsync(page, "the quality page at 390 px");
        await BrowserSystem.ScreenshotAsync(page, "quality-2-phone");
        await page.EvaluateAsync("() => document.getElementById('chart-reliability').scrollIntoView({ block: 'center' })");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "quality-2-phone-screen.png") });
        await page.SetViewportSizeAsync(1440, 900);

        // Over time (one UTC day, one model version) and the confusion heatmap: utilities stayed 5 times, became telecom 3 times.
        await Expect(page.Locator("#chart-overrides svg")).ToBeVisibleAsync();
        await page.ClickAsync("#table-overrides summary");
        await Expect(page.Locator("#table-overrides tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#table-overrides tbody tr")).ToContainTextAsync("28.6 %");
        await Expect(page.Locator("#chart-accuracy svg")).ToBeVisibleAsync();
        await page.ClickAsync("#table-accuracy summary");
        await Expect(page.Locator("#table-accuracy tbody tr")).ToContainTextAsync("6");
        await Expect(page.Locator("#chart-confusion svg")).ToBeVisibleAsync();
        await page.ClickAsync("#table-confusion summary");
        await Expect(page.Locator("#table-confusion tbody tr", new() { HasText = "agreed" })).ToContainTextAsync("10");
        await Expect(page.Locator("#table-confusion tbody tr", new() { HasText = "changed" })).ToContainTextAsync("4");
        // A tooltip is chart text, not HTML (labels come from upstream systems): hover the changed cell.
        var heatmap = (await page.Locator("#chart-confusion").BoundingBoxAsync())!;
        await page.Locator("#chart-confusion").HoverAsync(new() { Position = new() { X = 96 + (heatmap.Width - 114) * 0.25f, Y = heatmap.Height / 2 - 30 } });
        await Expect(page.Locator("#chart-confusion svg")).ToContainTextAsync("utilities → telecom: 4");
        Assert.Equal(1, await page.Locator("#chart-confusion > div").CountAsync()); // the SVG painter alone; an HTML tooltip would be a second div
        // A supervisor also sees how the reviewers of their groups work: alice decided every review here.
        await Expect(page.Locator("#reviewers tbody tr[data-reviewer='alice']").First).ToBeVisibleAsync();
        await BrowserSystem.ScreenshotAsync(page, "quality-1-desktop");
        await Axe.AssertKeyboardWalkAsync(page, 40, "#table-confusion summary");
        await Axe.AssertCleanAsync(page, "the quality page");

        // One type: its model versions side by side, the test's among them with its own figures.
        await page.FillAsync("#f-type", "invoice");
        await page.ClickAsync("#apply");
        var version = page.Locator("#versions tbody tr", new() { HasText = model });
        await Expect(version).ToContainTextAsync("18");
        await Expect(version).ToContainTextAsync("28.6 %");
        await BrowserSystem.ScreenshotAsync(page, "quality-6-one-type");

        B.AssertCleanPages();
    }

    /// <summary>
    /// A real alarm: claims get an override-rate limit with the fallback on (and every confident claim QA-sampled) for the
    /// length of the test; alice corrects two of four confident claims of the test's model version; the alarm job runs
    /// (as its recurring schedule would). The quality page's banner says what was breached and that claims now go to
    /// review; the policy history shows the system's change standing out. The policy is restored in finally.
    /// </summary>
    [Fact]
    public async Task A_real_alarm_shows_in_the_banner_and_its_fallback_stands_out_in_the_policy_history()
    {
        var model = "ui-alarm-" + Guid.NewGuid().ToString("N")[..8];
        var data = new QualityData(B);
        JsonNode? alarms = null, qaRate = null;
        await data.AdoptAsync(p =>
        {
            qaRate = p["qaSampleRate"]!.DeepClone();
            alarms = p["documentTypes"]!["claim"]!["alarms"]?.DeepClone();
            p["qaSampleRate"] = 1.0;
            p["documentTypes"]!["claim"]!["alarms"] = new JsonObject { ["maxPsi"] = null, ["maxOverrideRate"] = 0.2, ["minSamples"] = 4, ["fallbackOnAlert"] = true };
        }, "UI test: an override-rate alarm on claims");
        try
        {
            await Task.Delay(QualityData.PolicyRefresh);
            var ids = new List<string>();
            for (var i = 0; i < 4; i++) ids.Add(await data.PublishAsync("medical", 0.90 + i * 0.02, model, "claim"));
            for (var i = 0; i < ids.Count; i++) await data.DecideAsync(ids[i], i < 2 ? "dental" : null);
            await data.WaitUntilCountedAsync($"documentType=claim&modelVersion={model}", 4);
            await ActivatorUtilities.CreateInstance<QualityAlarmJob>(B.System.Worker.Services).EvaluateAsync(CancellationToken.None);

            var page = await B.SignInAsync(await B.OpenAsync("/quality.html"), "sam", live: false);
            var alarm = page.Locator($"#alerts [role=alert] li[data-metric='override-rate']", new() { HasText = model });
            await Expect(alarm).ToContainTextAsync($"claim, model {model}: humans changed the label of 50.0 % of the confident documents they decided, over the limit of 20.0 % (4 decisions)");
            await Expect(alarm).ToContainTextAsync("The fallback sent every claim document to review (routing policy version");
            await BrowserSystem.ScreenshotAsync(page, "quality-5-real-alarm");

            var policy = await B.SignInAsync(await B.OpenAsync("/policy.html"), "ada", live: false);
            var fallback = policy.Locator("#history tbody tr.system").First;
            await Expect(fallback).ToContainTextAsync("automatic: quality alarm fallback");
            await Expect(fallback).ToContainTextAsync("documentTypes.claim.killSwitch: false → true");
            await Expect(policy.Locator("fieldset[data-type='claim'] input[name='typeKillSwitch']")).ToBeCheckedAsync();
            await policy.Locator("#history").ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "policy-6-real-fallback.png") });
            B.AssertCleanPages();
        }
        finally
        {
            await data.AdoptAsync(p =>
            {
                p["qaSampleRate"] = qaRate?.DeepClone();
                var claim = p["documentTypes"]!["claim"]!;
                claim["alarms"] = alarms?.DeepClone();
                claim["killSwitch"] = false;
                claim["killSwitchReason"] = null;
            }, "UI test: claims back to normal");
            await Task.Delay(QualityData.PolicyRefresh);
        }

        // The alert stays open until the figures recover; the policy page (which knows the active policy) says the
        // kill switch is off again.
        var after = await B.SignInAsync(await B.OpenAsync("/policy.html"), "ada", live: false);
        await Expect(after.Locator($"#alerts li[data-metric='override-rate']", new() { HasText = model }))
            .ToContainTextAsync("an admin has switched the claim kill switch off again since");
        B.AssertCleanPages();
    }

    /// <summary>The banner's words for an open alert; the alerts answer is stubbed in the browser (the alarm job is the server's to test).</summary>
    [Fact]
    public async Task An_open_alarm_says_what_was_breached_the_value_the_limit_and_that_the_fallback_sent_the_type_to_review()
    {
        const string hostile = "<img src=x onerror=alert(1)>invoice";
        var page = await B.OpenAsync("/quality.html");
        await page.RouteAsync("**/api/v1/quality/alerts", route => route.FulfillAsync(new()
        {
            ContentType = "application/json",
            Body = System.Text.Json.JsonSerializer.Serialize(new object[]
            {
                new { alertId = "a1", documentType = hostile, modelVersion = "2026.11.1", metric = "auto-accuracy", value = 0.912, limit = 0.97,
                      samples = 120, raisedAt = DateTimeOffset.UtcNow.AddMinutes(-20), clearedAt = (DateTimeOffset?)null, fallbackPolicyVersion = (int?)7, message = "the server's words" },
                new { alertId = "a2", documentType = "claim", modelVersion = "2026.11.1", metric = "psi", value = 0.31, limit = 0.25,
                      samples = 400, raisedAt = DateTimeOffset.UtcNow.AddMinutes(-5), clearedAt = (DateTimeOffset?)null, fallbackPolicyVersion = (int?)null, message = "the server's words" },
            }),
        }));
        await B.SignInAsync(page, "audrey", live: false);

        var banner = page.Locator("#alerts [role=alert]");
        await Expect(banner).ToContainTextAsync("2 quality alarms");
        var accuracy = banner.Locator("li[data-metric='auto-accuracy']");
        await Expect(accuracy).ToContainTextAsync($"{hostile}, model 2026.11.1: the accuracy of what is routed without a human could be as low as 91.2 % (95 % lower bound), under the limit of 97.0 % (120 QA samples)");
        await Expect(accuracy).ToContainTextAsync($"The fallback sent every {hostile} document to review (routing policy version 7)");
        Assert.Equal(0, await page.Locator("#alerts img").CountAsync());
        var psi = banner.Locator("li[data-metric='psi']");
        await Expect(psi).ToContainTextAsync("claim, model 2026.11.1: the confidence distribution drifted: PSI 0.31, over the limit of 0.25 (400 decisions)");
        await Expect(psi).ToContainTextAsync("No fallback: these documents are still routed without a human.");
        await BrowserSystem.ScreenshotAsync(page, "quality-4-alarm");
        await Axe.AssertCleanAsync(page, "the quality page with an alarm");
        B.AssertCleanPages();
    }

    /// <summary>
    /// An admin pins the claims' drift reference to days of their choosing on the quality page and clears it again: each a
    /// policy version with the admin's reason (the policy change path: If-Match, reason required). Supervisors do not see it.
    /// </summary>
    [Fact]
    public async Task An_admin_pins_a_types_drift_reference_window_with_a_reason_and_clears_it_again()
    {
        var ada = await B.ClientAsync("ada");
        try
        {
            var page = await B.SignInAsync(await B.OpenAsync("/quality.html"), "ada", live: false);
            await Expect(page.Locator("#pin-section")).ToBeHiddenAsync(); // no type chosen
            await page.FillAsync("#f-type", "claim");
            await page.ClickAsync("#apply");
            await Expect(page.Locator("#pin-now")).ToContainTextAsync("against each model version's first 7 days");
            await Expect(page.Locator("#unpin")).ToBeHiddenAsync();

            await page.FillAsync("#pin-from", "2026-11-01");
            await page.FillAsync("#pin-to", "2026-11-07");
            await page.ClickAsync("#pin");
            await Expect(page.Locator("#pin-message")).ToContainTextAsync("say why");
            await Expect(page.Locator("#pin-reason")).ToBeFocusedAsync();
            await page.FillAsync("#pin-reason", "UI test: the first week of November was checked by hand");
            await page.ClickAsync("#pin");
            await Expect(page.Locator("#pin-message")).ToContainTextAsync("Pinned: claim drift compares against 2026-11-01 to 2026-11-07 from policy version");
            await Expect(page.Locator("#pin-now")).ToContainTextAsync("against the pinned days 2026-11-01 to 2026-11-07");
            await Expect(page.Locator("#unpin")).ToBeVisibleAsync();
            await page.Locator("#pin-section").ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "quality-7-pinned-reference.png") });
            await Axe.AssertCleanAsync(page, "the quality page with a pinned reference window");

            // The policy holds the window (the last day included: to is the next midnight), adopted by ada with her reason.
            var policy = (await ada.GetFromJsonAsync<JsonObject>("api/v1/admin/routing-policy"))!;
            var alarms = policy["documentTypes"]!["claim"]!["alarms"]!;
            Assert.Equal((new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 8, 0, 0, 0, TimeSpan.Zero)),
                (alarms["referenceFrom"]!.GetValue<DateTimeOffset>(), alarms["referenceTo"]!.GetValue<DateTimeOffset>()));
            var newest = (await ada.GetFromJsonAsync<JsonArray>("api/v1/admin/routing-policy/history"))![0]!;
            Assert.Equal(("ada", "UI test: the first week of November was checked by hand"), ((string)newest["changedBy"]!, (string)newest["reason"]!));

            await page.FillAsync("#pin-reason", "UI test: back to the model versions' first week");
            await page.ClickAsync("#unpin");
            await Expect(page.Locator("#pin-message")).ToContainTextAsync("Cleared: claim drift compares against each model version's first 7 days again");
            await Expect(page.Locator("#unpin")).ToBeHiddenAsync();
            alarms = (await ada.GetFromJsonAsync<JsonObject>("api/v1/admin/routing-policy"))!["documentTypes"]!["claim"]!["alarms"]!;
            Assert.Null(alarms["referenceFrom"]);
            Assert.Null(alarms["referenceTo"]);

            // A supervisor reads the figures but changes no policy: no reference form.
            var sam = await B.SignInAsync(await B.OpenAsync("/quality.html"), "sam", live: false);
            await sam.FillAsync("#f-type", "claim");
            await sam.ClickAsync("#apply");
            await Expect(sam.Locator("#versions-note")).Not.ToBeEmptyAsync();
            await Expect(sam.Locator("#pin-section")).ToBeHiddenAsync();
            B.AssertCleanPages();
        }
        finally
        {
            var alarms = (await ada.GetFromJsonAsync<JsonObject>("api/v1/admin/routing-policy"))!["documentTypes"]!["claim"]!["alarms"]!;
            if (alarms["referenceFrom"] is not null)
                await new QualityData(B).AdoptAsync(p => { p["documentTypes"]!["claim"]!["alarms"]!["referenceFrom"] = null; p["documentTypes"]!["claim"]!["alarms"]!["referenceTo"] = null; },
                    "UI test clean-up: no pinned claim reference");
        }
    }

    [Fact]
    public async Task The_pages_link_each_other_for_the_roles_that_may_use_them()
    {
        // An admin on the queue page: links to quality, policy and operations; following one keeps the sign-in (same tab, same token).
        var index = await B.SignInAsync(await B.OpenAsync("/"), "ada", live: false);
        await Expect(index.Locator("#pages a")).ToHaveTextAsync(["Quality", "Routing policy", "Operations"]);
        await index.Locator("#pages a", new() { HasText = "Routing policy" }).ClickAsync();
        await Expect(index.Locator("#policy-title")).ToContainTextAsync("Routing policy, version");
        await Expect(index.Locator("#pages a[aria-current='page']")).ToHaveTextAsync("Routing policy");

        // An auditor on the audit page: the audit (here) and quality.
        var audit = await B.SignInAsync(await B.OpenAsync("/audit.html"), "audrey", live: false);
        await Expect(audit.Locator("#pages a")).ToHaveTextAsync(["Audit", "Quality"]);
        // A supervisor's queue page: the queue (here), the supervisor page and quality; a reviewer's: no other page, so no links.
        var sam = await B.SignInAsync(await B.OpenAsync("/"), "sam");
        await Expect(sam.Locator("#pages a")).ToHaveTextAsync(["Review queue", "Supervisor", "Quality"]);
        await BrowserSystem.ScreenshotAsync(sam, "nav-queue-supervisor");
        var alice = await B.SignInAsync(await B.OpenAsync("/"), "alice");
        await Expect(alice.Locator("#pages")).ToBeHiddenAsync();
        B.AssertCleanPages();
    }

    [Fact]
    public async Task A_reviewer_is_told_in_plain_words_that_the_page_is_not_for_their_role()
    {
        var page = await B.SignInAsync(await B.OpenAsync("/quality.html"), "alice", live: false);
        await Expect(page.Locator("#role-message")).ToBeVisibleAsync();
        await Expect(page.Locator("#role-message")).ToContainTextAsync("not for your role");
        await Expect(page.Locator("#quality")).ToBeHiddenAsync();
        await Expect(page.Locator("#pages a[href='/quality.html']")).ToHaveCountAsync(0);
        await Expect(page.Locator("#pages a")).ToHaveTextAsync(["Review queue"]); // the way back to their work
        await Axe.AssertCleanAsync(page, "the quality page for a reviewer");
        await BrowserSystem.ScreenshotAsync(page, "quality-3-reviewer");
        B.AssertCleanPages();
    }
}
