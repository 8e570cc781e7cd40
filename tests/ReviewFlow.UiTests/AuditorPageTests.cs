using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// The audit page in a real (system) Chromium, in a time zone far from UTC: an auditor finds a corrected document by
/// reviewer and period, opens its timeline (hostile text stays text), and downloads the export whose manifest matches.
/// </summary>
public sealed class AuditorPageTests(BrowserSystem browser) : BrowserTest(browser)
{
    const string Zone = "Pacific/Auckland";
    const string HostileComment = "<img src=x onerror=alert(1)> vendor mismatch";

    /// <summary>A document carol corrected (or rejected), through the real pipeline; returns once the audit read model shows it.</summary>
    async Task<(string Id, DateTimeOffset DecidedAt)> CorrectedDocumentAsync(bool reject = false)
    {
        var id = Documents.NewId();
        await B.System.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.5));
        var carol = await B.ClientAsync("carol");
        await Eventually(async () => (await carol.GetAsync($"api/v1/documents/{id}")).IsSuccessStatusCode);
        await Eventually(async () => (await carol.PostAsync($"api/v1/reviews/{id}/claim", null)).IsSuccessStatusCode);
        var decided = await carol.PostAsJsonAsync($"api/v1/reviews/{id}/decision", reject
            ? new { outcome = "reject", label = (string?)null, reasonCode = "wrong-vendor", comment = HostileComment }
            : new { outcome = "correct", label = (string?)"telecom", reasonCode = "wrong-vendor", comment = HostileComment });
        Assert.True(decided.IsSuccessStatusCode, await decided.Content.ReadAsStringAsync());

        var audrey = await B.ClientAsync("audrey");
        JsonElement item = default;
        await Eventually(async () =>
        {
            var page = await audrey.GetFromJsonAsync<JsonElement>("api/v1/audit/decisions?reviewer=carol&outcome=" + (reject ? "rejected" : "corrected"));
            var found = page.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("id").GetString() == id).ToList();
            if (found.Count == 1) item = found[0];
            return found.Count == 1;
        });
        return (id, item.GetProperty("decidedAt").GetDateTimeOffset());
    }

    static Task Eventually(Func<Task<bool>> condition) => Waiting.UntilAsync(condition, TimeSpan.FromSeconds(30), "the condition");

    [Fact]
    public async Task An_auditor_finds_a_corrected_document_by_reviewer_and_period_opens_its_timeline_and_downloads_the_export()
    {
        var (id, decidedAt) = await CorrectedDocumentAsync();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone);
        var local = TimeZoneInfo.ConvertTime(decidedAt, zone);

        var page = await B.OpenAsync("/audit.html", Zone, locale: "en-US", acceptDownloads: true);
        await page.Locator("#users button[data-user='audrey']").ClickAsync();
        await Assertions.Expect(page.Locator("#whoami")).ToContainTextAsync("Audrey");
        await Assertions.Expect(page.Locator("#zone")).ToContainTextAsync(Zone);

        // The period in the viewer's zone: the hour around the decision.
        // Chromium drops ":00" seconds from the field's value, which Playwright then calls malformed: no seconds then.
        static string Field(DateTimeOffset t) => t.ToString(t.Second == 0 ? "yyyy-MM-dd'T'HH:mm" : "yyyy-MM-dd'T'HH:mm:ss");
        await page.FillAsync("#f-from", Field(local.AddMinutes(-30)));
        await page.FillAsync("#f-to", Field(local.AddMinutes(30)));
        // Under the empty table: what to do before a search, and that nothing matched after one.
        var empty = page.Locator("#results-empty");
        await Assertions.Expect(empty).ToContainTextAsync("Choose a period and search");
        await page.FillAsync("#f-reviewer", "nobody-decided-anything");
        await page.ClickAsync("#btn-search");
        await Assertions.Expect(empty).ToHaveTextAsync("No decisions match this period and these filters.");
        await Assertions.Expect(page.Locator("#result-count")).ToHaveTextAsync("0");
        await page.FillAsync("#f-reviewer", "carol");
        await page.SelectOptionAsync("#f-outcome", "corrected");
        await page.ClickAsync("#btn-search");
        var row = page.Locator($"#results tbody tr[data-id='{id}']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(empty).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(1);
        // Shown in the viewer's zone (Auckland), not in UTC.
        await Assertions.Expect(row.Locator("td").First).ToContainTextAsync(local.ToString("h:mm:ss"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "audit-1-search.png"), FullPage = true });

        await row.ClickAsync();
        await Assertions.Expect(page.Locator("#t-id")).ToHaveTextAsync(id);
        await Assertions.Expect(page.Locator("#t-predicted")).ToHaveTextAsync("utilities");
        await Assertions.Expect(page.Locator("#t-final")).ToHaveTextAsync("telecom");
        await Assertions.Expect(page.Locator("#t-chain")).ToHaveTextAsync("chain intact");
        var decidedRow = page.Locator("#t-events tbody tr", new() { HasText = "ReviewDecided" });
        await Assertions.Expect(decidedRow).ToContainTextAsync("carol");
        await Assertions.Expect(decidedRow).ToContainTextAsync("Reviewer");
        await Assertions.Expect(decidedRow).ToContainTextAsync(HostileComment); // as text
        Assert.Equal(0, await page.Locator("#t-events img").CountAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "audit-2-timeline.png"), FullPage = true });

        await page.SelectOptionAsync("#export-format", "jsonl");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#btn-export"));
        var file = Path.Combine(BrowserSystem.ScreenshotDir, "audit-export.jsonl");
        await download.SaveAsAsync(file);
        await Assertions.Expect(page.Locator("#m-sha")).Not.ToBeEmptyAsync();
        var bytes = await File.ReadAllBytesAsync(file);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), await page.Locator("#m-sha").TextContentAsync());
        var lines = File.ReadAllLines(file);
        Assert.Contains(lines, l => l.Contains($"\"documentId\":\"{id}\"") && l.Contains("\"type\":\"review_decided\""));
        await Assertions.Expect(page.Locator("#m-rows")).ToContainTextAsync($"{lines.Length} rows");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "audit-3-export.png"), FullPage = true });

        B.AssertCleanPages();
    }

    /// <summary>What sticks out past the viewport's right edge, by tag, id and class: empty when nothing does.</summary>
    const string Overflowing = @"() => [...document.querySelectorAll('body *')]
        .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 0.5 && !e.closest('.table-scroll table'))
        .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''))";

    [Fact]
    public async Task At_a_phones_width_the_audit_page_does_not_scroll_sideways_and_its_tables_scroll_in_their_own_boxes()
    {
        var (id, _) = await CorrectedDocumentAsync(reject: true); // not a correction: the search test above counts carol's corrections
        var page = await B.OpenAsync($"/audit.html?document={id}", acceptDownloads: true);
        await page.SetViewportSizeAsync(390, 844);
        await B.SignInAsync(page, "audrey", live: false);
        await Assertions.Expect(page.Locator("#t-id")).ToHaveTextAsync(id, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#t-events tbody tr").First).ToBeVisibleAsync();
        await page.ClickAsync("[data-report='overrides']");
        await Assertions.Expect(page.Locator("#report h3")).ToHaveCountAsync(3, new() { Timeout = 10_000 });
        await page.FillAsync("#f-document", ""); // with an id, Search opens that document: here, the period's decisions
        await page.ClickAsync("#btn-search");
        await Assertions.Expect(page.Locator("#results tbody tr").First).ToBeVisibleAsync(new() { Timeout = 10_000 });

        Assert.Equal(390, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));
        Assert.Empty(await page.EvaluateAsync<string[]>(Overflowing));
        // Every table is in a box of its own that scrolls sideways, reachable and named for the keyboard.
        var boxes = await page.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('#workspace table')].map(t => {
            const box = t.closest('.table-scroll');
            if (!box) return (t.id || t.className || 'a table') + ': no box';
            const s = getComputedStyle(box);
            return s.overflowX === 'auto' && box.tabIndex === 0 && box.getAttribute('aria-label') ? 'ok' : (t.id || 'a table') + ': ' + s.overflowX + ' ' + box.tabIndex;
        })");
        Assert.All(boxes, b => Assert.Equal("ok", b));
        Assert.True(boxes.Length >= 5, $"{boxes.Length} tables");
        // The decisions found scroll inside their box: the box moves, the page does not.
        var scrolled = await page.EvaluateAsync<double[]>(@"() => { const box = document.querySelector('#results').closest('.table-scroll');
            box.scrollLeft = 200; return [box.scrollLeft, document.documentElement.scrollLeft]; }");
        Assert.True(scrolled[0] > 0 && scrolled[1] == 0, $"box {scrolled[0]}, page {scrolled[1]}");
        await page.EvaluateAsync("() => document.querySelector('#results').closest('.table-scroll').scrollLeft = 0");
        // The timeline's events stack as lines within the width: nothing of them is out of sight.
        Assert.True(await page.EvaluateAsync<bool>("() => { const t = document.querySelector('#t-events'); return t.scrollWidth <= t.closest('.table-scroll').clientWidth; }"),
            "the timeline's events are wider than the page");
        await BrowserSystem.ScreenshotAsync(page, "audit-6-phone");
        await Axe.AssertCleanAsync(page, "the audit page at 390 px");
        B.AssertCleanPages();
    }
}

/// <summary>
/// The audit page opened from a link with a document id (the search runs on arrival, showing what the reviewer saw),
/// the manifest downloaded beside the export, and the export checked in the browser against its stored manifest: the
/// file as made is intact, a file changed by one byte is flagged in plain words.
/// </summary>
public sealed class AuditorVerifyTests(BrowserSystem browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_link_opens_the_documents_timeline_and_an_export_verifies_in_the_browser_while_a_tampered_copy_is_flagged()
    {
        var id = Documents.NewId();
        await B.System.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.5));
        var carol = await B.ClientAsync("carol");
        await Waiting.UntilAsync(async () => (await carol.PostAsync($"api/v1/reviews/{id}/claim", null)).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "claimed");
        var decided = await carol.PostAsJsonAsync($"api/v1/reviews/{id}/decision", new { outcome = "reject", reasonCode = "wrong-vendor" });
        Assert.True(decided.IsSuccessStatusCode, await decided.Content.ReadAsStringAsync());
        var audrey = await B.ClientAsync("audrey");
        await Waiting.UntilAsync(async () => (await audrey.GetAsync($"api/v1/audit/documents/{id}/timeline")).IsSuccessStatusCode
            && (await audrey.GetStringAsync($"api/v1/audit/documents/{id}/timeline")).Contains("ReviewDecided"), TimeSpan.FromSeconds(30), "in the audit");

        var page = await B.SignInAsync(await B.OpenAsync($"/audit.html?document={id}", acceptDownloads: true), "audrey", live: false);
        await Assertions.Expect(page.Locator("#t-id")).ToHaveTextAsync(id, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#f-document")).ToHaveValueAsync(id);
        await Assertions.Expect(page.Locator("#t-excerpt")).Not.ToHaveTextAsync("(no excerpt)");
        await Assertions.Expect(page.Locator("#t-alternatives")).ToContainTextAsync("telecom");
        await Assertions.Expect(page.Locator("#t-content")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex(id));
        // The period's fields are wide enough for their time (9em showed the date alone): 24-hour "dd/mm/yyyy, hh:mm:ss".
        foreach (var field in new[] { "#f-from", "#f-to" })
            Assert.True(await page.EvalOnSelectorAsync<double>(field, "e => e.getBoundingClientRect().width") >= 190, $"{field} is too narrow to show its time");
        await BrowserSystem.ScreenshotAsync(page, "audit-4-linked");

        // The overrides report: a rejection is an override; totals and label-to-label rows in separate tables.
        await page.ClickAsync("[data-report='overrides']");
        await Assertions.Expect(page.Locator("#report h3")).ToHaveTextAsync(["By predicted label", "What the model's label became", "By reviewer"]);
        var carolRow = page.Locator("#report table").Nth(2).Locator("tbody tr", new() { HasText = "carol" });
        await Assertions.Expect(carolRow).ToBeVisibleAsync();
        var carolCells = await carolRow.Locator("td").AllTextContentsAsync();
        Assert.True(int.Parse(carolCells[2]) >= 1, "carol's rejection is not counted as an override: " + string.Join(" | ", carolCells));

        // Export, then the manifest beside it.
        await page.SelectOptionAsync("#export-format", "csv");
        var export = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#btn-export"));
        var dir = Path.Combine(BrowserSystem.ScreenshotDir, "verify-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(Path.Combine(dir, "tampered"));
        var file = Path.Combine(dir, export.SuggestedFilename);
        await export.SaveAsAsync(file);
        await Assertions.Expect(page.Locator("#m-sha")).Not.ToBeEmptyAsync();
        var manifestDownload = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#btn-manifest"));
        Assert.EndsWith(".manifest.json", manifestDownload.SuggestedFilename);
        var manifestFile = Path.Combine(dir, manifestDownload.SuggestedFilename);
        await manifestDownload.SaveAsAsync(manifestFile);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifestFile));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))), manifest.RootElement.GetProperty("sha256").GetString());

        // The file as made: intact. A copy with one byte changed: flagged, in words.
        await page.Locator("#verify-id").FillAsync("");
        await page.SetInputFilesAsync("#verify-file", file);
        await Assertions.Expect(page.Locator("#verify-id")).ToHaveValueAsync(manifest.RootElement.GetProperty("exportId").GetString()!);
        await page.ClickAsync("#btn-verify-file");
        await Assertions.Expect(page.Locator("#verify-result")).ToHaveAttributeAsync("data-kind", "intact", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#verify-result")).ToContainTextAsync("Intact:");
        await BrowserSystem.ScreenshotAsync(page, "audit-5-verified");
        var bytes = await File.ReadAllBytesAsync(file);
        var at = Array.IndexOf(bytes, (byte)'r');
        bytes[at] = (byte)'R';
        var tampered = Path.Combine(dir, "tampered", export.SuggestedFilename);
        await File.WriteAllBytesAsync(tampered, bytes);
        await page.SetInputFilesAsync("#verify-file", tampered);
        await page.Keyboard.PressAsync("Tab"); // the keyboard reaches the button
        await page.ClickAsync("#btn-verify-file");
        await Assertions.Expect(page.Locator("#verify-result")).ToHaveAttributeAsync("data-kind", "mismatch", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#verify-result")).ToContainTextAsync("is NOT export");
        await Assertions.Expect(page.Locator("#verify-result")).ToContainTextAsync("Do not rely on this file.");
        await BrowserSystem.ScreenshotAsync(page, "audit-6-tampered");
        await Axe.AssertCleanAsync(page, "the audit page after a failed verification");
        B.AssertCleanPages();
    }
}
