using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// The SLA countdown in the queue and the review pane: invoices are due in 2 h, claims in 20 s (amber after 1 s, breached
/// by the worker's Hangfire timer during the test), contracts have no SLA (BrowserSystem's settings).
/// </summary>
public sealed class SlaCountdownTests(BrowserSystem browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Queue_and_pane_count_down_to_the_SLA_in_the_viewers_zone_and_a_breach_shows_the_badge()
    {
        const string zone = "Pacific/Auckland"; // far from the server's UTC
        var invoice = Documents.NewId("INV");
        var contract = Documents.NewId("CON");
        var claim = Documents.NewId("CLM");
        // The claim is in the queue before the page loads it (with its reminder time); the others arrive live.
        await B.PublishAsync(claim, "claim", "motor");
        await B.WaitUntilQueuedAsync("sam", claim);
        var sam = await B.SignedInPageAsync("sam", timezoneId: zone);
        Func<string, ILocator> row = id => sam.Locator($"#queue-rows tr[data-id='{id}']");
        Func<string, ILocator> sla = id => row(id).Locator(".sla");

        // Claim first (its SLA runs from the moment it was published): amber under its reminder lead (19 s of 20), ticking
        // every second.
        await Assertions.Expect(sla(claim)).ToHaveAttributeAsync("data-level", "soon", new() { Timeout = 5_000 });
        var before = await sla(claim).TextContentAsync();
        Assert.Matches(@"^due in \d+ s$", before);
        await Assertions.Expect(sla(claim)).Not.ToHaveTextAsync(before!, new() { Timeout = 2_000 });
        await sam.ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "sla-amber.png") });

        await B.PublishAsync(invoice, "invoice", "utilities");
        await B.PublishAsync(contract, "contract", "nda");

        // Invoice: two hours ahead, ticking every second, not yet amber.
        await Assertions.Expect(sla(invoice)).ToHaveTextAsync(new Regex(@"^due in (1 h 59 min|2 h)$"), new() { Timeout = 10_000 });
        await Assertions.Expect(sla(invoice)).ToHaveAttributeAsync("data-level", "ok");
        await Assertions.Expect(row(contract)).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(sla(contract)).ToHaveTextAsync(""); // no SLA, nothing shown
        await Assertions.Expect(sla(contract)).Not.ToHaveAttributeAsync("data-due", new Regex("."));

        // Claim: the worker's breach timer fires and the live "breached" message marks the row (data-breached comes from the
        // server, not from the browser's clock).
        await Assertions.Expect(row(claim)).ToHaveAttributeAsync("data-breached", "true", new() { Timeout = 30_000 });
        await Assertions.Expect(sla(claim)).ToHaveAttributeAsync("data-level", "breached");
        await Assertions.Expect(sla(claim).Locator(".badge")).ToHaveTextAsync("Breached");
        await Assertions.Expect(sla(claim)).ToContainTextAsync("overdue");
        Assert.Contains("SlaBreached", await B.HistoryAsync(sam, claim));
        // The queue puts breached tasks first (closest to their SLA): the claim comes before the invoice and the contract,
        // behind nothing but other breached tasks (earlier tests of this shared system may have left some in sam's queue).
        var rows = await sam.Locator("#queue-rows tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.id, r.dataset.breached || 'false'])");
        var order = rows.Select(r => r[0]).ToList();
        Assert.True(order.IndexOf(claim) < order.IndexOf(invoice) && order.IndexOf(claim) < order.IndexOf(contract),
            "breached claim not ahead: " + string.Join(", ", order));
        Assert.All(rows.Take(order.IndexOf(claim)), r => Assert.Equal("true", r[1]));

        // Pane: the breached claim shows the badge; the invoice's due time is in the viewer's zone.
        await row(claim).ClickAsync();
        await Assertions.Expect(sam.Locator("#doc-sla .badge")).ToHaveTextAsync("Breached");
        await BrowserSystem.ScreenshotAsync(sam, "sla-breached");
        await row(invoice).ClickAsync();
        await Assertions.Expect(sam.Locator("#doc-id")).ToHaveTextAsync(invoice);
        await Assertions.Expect(sam.Locator("#doc-sla")).ToHaveTextAsync(new Regex(@"^due in (1 h 59 min|2 h)$"));

        var dueAt = (await B.GetJsonAsync(sam, $"/api/v1/documents/{invoice}")).GetProperty("dueAt").GetDateTimeOffset();
        var local = TimeZoneInfo.ConvertTime(dueAt, TimeZoneInfo.FindSystemTimeZoneById(zone));
        await Assertions.Expect(sam.Locator("#doc-sla")).ToHaveAttributeAsync("title",
            new Regex(Regex.Escape(local.ToString("HH:mm", CultureInfo.InvariantCulture)) + ".*" + Regex.Escape(zone)));
        B.AssertCleanPages();
    }
}
