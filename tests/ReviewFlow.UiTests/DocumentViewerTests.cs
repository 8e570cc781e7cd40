using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// The document beside the decision: the demo's three-page PDF, its PNG and its text, fetched by the server through the content
/// proxy and shown on the reviewer page; pages turned with [ and ]; a link the proxy refuses leaves the excerpt with the
/// reason. axe-core finds nothing, at 1440 and at 390 px.
/// </summary>
public sealed class DocumentViewerTests(BrowserSystem browser) : BrowserTest(browser)
{
    string Demo(string file) => $"{B.System.BaseAddress}demo-content/{file}";

    [Fact]
    public async Task A_reviewer_reads_the_pdf_page_by_page_from_the_keyboard_and_sees_the_image_and_the_text()
    {
        var label = "viewer-" + Guid.NewGuid().ToString("N")[..6];
        var pdf = Documents.NewId();
        var image = Documents.NewId();
        await B.PublishAsync(pdf, "invoice", label, excerpt: "Electricity for November 2026", contentUri: Demo("invoice.pdf"));
        await B.PublishAsync(image, "invoice", label, excerpt: "Scanned receipt", contentUri: Demo("claim-photo.png"));
        var text = Documents.NewId();
        await B.PublishAsync(text, "invoice", label, excerpt: "Cover letter", contentUri: Demo("contract.txt"));
        await B.WaitUntilQueuedAsync("alice", text);
        var page = await B.SignedInPageAsync("alice");
        await BrowserSystem.FilterByLabelAsync(page, label);
        await Assertions.Expect(page.Locator("#queue-rows tr")).ToHaveCountAsync(3);

        await page.Locator($"#queue-rows tr[data-id='{pdf}']").ClickAsync();
        var canvas = page.Locator("#viewer-body canvas.viewer-page");
        await Assertions.Expect(canvas).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#viewer-page")).ToHaveTextAsync("Page 1 of 3");
        await Assertions.Expect(canvas).ToHaveAttributeAsync("aria-label", $"Page 1 of 3 of {pdf}");
        await Assertions.Expect(canvas).ToContainTextAsync("Invoice INV-DEMO-1001"); // the page's text, for screen readers
        Assert.True(await PaintedAsync(canvas), "the first page's canvas is blank");
        await Assertions.Expect(page.Locator("#excerpt")).ToHaveTextAsync("Electricity for November 2026"); // the excerpt stays
        await BrowserSystem.ScreenshotAsync(page, "viewer-1-pdf-page-1");

        await page.Keyboard.PressAsync("]");
        await Assertions.Expect(page.Locator("#viewer-page")).ToHaveTextAsync("Page 2 of 3");
        await Assertions.Expect(canvas).ToContainTextAsync("Meter readings");
        await page.Keyboard.PressAsync("]");
        await page.Keyboard.PressAsync("]"); // past the last page: stays there
        await Assertions.Expect(canvas).ToContainTextAsync("Payment terms");
        await Assertions.Expect(page.Locator("#viewer-page")).ToHaveTextAsync("Page 3 of 3");
        await Assertions.Expect(page.Locator("#viewer-next")).ToBeDisabledAsync();
        await BrowserSystem.ScreenshotAsync(page, "viewer-2-pdf-page-3");
        await page.Keyboard.PressAsync("[");
        await Assertions.Expect(page.Locator("#viewer-page")).ToHaveTextAsync("Page 2 of 3");
        await Axe.AssertCleanAsync(page, "the reviewer page showing a PDF");

        await page.Locator($"#queue-rows tr[data-id='{image}']").ClickAsync();
        var img = page.Locator("#viewer-body img.viewer-image");
        await Assertions.Expect(img).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(img).ToHaveAttributeAsync("alt", $"The document {image} (image)");
        Assert.Equal(480, await img.EvaluateAsync<int>("i => i.naturalWidth"));
        Assert.StartsWith("blob:", await img.GetAttributeAsync("src"));
        await Assertions.Expect(page.Locator("#viewer-pager")).ToBeHiddenAsync();
        await BrowserSystem.ScreenshotAsync(page, "viewer-3-image");
        await Axe.AssertCleanAsync(page, "the reviewer page showing an image");

        await page.Locator($"#queue-rows tr[data-id='{text}']").ClickAsync();
        await Assertions.Expect(page.Locator("#viewer-body pre.viewer-text")).ToContainTextAsync("Mutual non-disclosure agreement",
            new() { Timeout = 15_000 });
        await page.Locator($"#queue-rows tr[data-id='{image}']").ClickAsync(); // back to the image for the phone
        await Assertions.Expect(img).ToBeVisibleAsync(new() { Timeout = 15_000 });

        // A phone: the viewer below the decision, as wide as the screen.
        await page.SetViewportSizeAsync(390, 844);
        var actions = await page.Locator("#actions").BoundingBoxAsync();
        var viewer = await page.Locator("#viewer").BoundingBoxAsync();
        Assert.True(viewer!.Y > actions!.Y + actions.Height - 1, $"the viewer (y {viewer.Y}) is not below the decision (y {actions.Y})");
        Assert.True(viewer.Width <= 390, $"the viewer is {viewer.Width} px wide at 390");
        await page.Locator("#viewer").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserSystem.ScreenshotDir, "viewer-4-phone.png") });
        await Axe.AssertCleanAsync(page, "the reviewer page showing an image at 390 px");
        B.AssertCleanPages();
    }

    [Fact]
    public async Task Content_the_proxy_refuses_leaves_the_excerpt_and_says_why()
    {
        var label = "viewer-" + Guid.NewGuid().ToString("N")[..6];
        var id = Documents.NewId();
        // dms.example.test is on no allow-list.
        await B.PublishAsync(id, "invoice", label, excerpt: "Only the excerpt");
        await B.WaitUntilQueuedAsync("alice", id);
        var page = await B.SignedInPageAsync("alice");
        await BrowserSystem.FilterByLabelAsync(page, label);

        await page.Locator($"#queue-rows tr[data-id='{id}']").ClickAsync();

        await Assertions.Expect(page.Locator("#viewer-status")).ToContainTextAsync(
            "not allowed for source system 'ap-inbox': https://dms.example.test", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#viewer-body")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#excerpt")).ToHaveTextAsync("Only the excerpt");
        await BrowserSystem.ScreenshotAsync(page, "viewer-5-refused");
        await Axe.AssertCleanAsync(page, "the reviewer page with refused content");
        B.AssertCleanPages(); // the browser's log line for the refused request is expected (BrowserSystem)
    }

    /// <summary>Whether anything but white was drawn: PDF.js rendered the page, not just sized the canvas.</summary>
    static Task<bool> PaintedAsync(ILocator canvas) => canvas.EvaluateAsync<bool>("""
        c => { const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) return true;
          return false; }
        """);
}
