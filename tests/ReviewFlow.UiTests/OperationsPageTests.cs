using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// The operations page (operations.html) in a real Chromium, as an operator (otto): refused results of two unknown
/// types listed with their reasons and counts, a hostile body shown as text; the type added to the policy and all of
/// its reason replayed (the documents route); one discarded with a reason asked for in a dialog; the history and the
/// Invalid documents by source system. Keyboard usable, axe-core clean, readable at 375 px.
/// </summary>
public sealed class OperationsPageTests(BrowserSystem browser) : BrowserTest(browser)
{
    static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [Fact]
    public async Task An_operator_replays_a_reason_after_the_fix_discards_one_with_a_reason_and_finds_both_in_the_history()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string fixedType = "uiops" + suffix, otherType = "uiother" + suffix, source = "ui-upstream-" + suffix;
        var replayIds = new[] { Documents.NewId("UOA"), Documents.NewId("UOB") };
        var discardId = Documents.NewId("UOC");
        foreach (var id in replayIds)
            await B.System.Amqp.PublishRawAsync(Documents.Json(id, documentType: fixedType, sourceSystem: source, excerpt: "<img src=x onerror=alert(1)>")
                .Replace("\\u003C", "<").Replace("\\u003E", ">")); // markup as a publisher may send it, not escaped
        await B.System.Amqp.PublishRawAsync(Documents.Json(discardId, documentType: otherType, sourceSystem: source));
        var otto = await B.ClientAsync("otto");
        var reason = await WaitForReasonAsync(otto, replayIds[0]);
        await WaitForReasonAsync(otto, discardId);
        // Invalid first (the saga's turn after the error queue): the list below shows all three.
        var ada = await B.ClientAsync("ada"); // an operator reads the queue, not documents
        foreach (var id in replayIds.Append(discardId)) await ada.ForStatusAsync(id, "Invalid");

        var page = await B.SignInAsync(await B.OpenAsync("/operations.html"), "otto", live: false);
        await Expect(page.Locator("#pages a[href='/operations.html']")).ToHaveAttributeAsync("aria-current", "page");
        foreach (var id in replayIds.Append(discardId)) await Expect(page.Locator($"#queue tr[data-document='{id}']")).ToBeVisibleAsync();
        await Expect(page.Locator("#reasons")).ToContainTextAsync("2 " + reason);
        // The body is text: the excerpt's markup is shown, never made an element.
        await Expect(page.Locator($"#queue tr[data-document='{replayIds[0]}'] code")).ToContainTextAsync("<img src=x onerror=alert(1)>");
        Assert.Equal(0, await page.Locator("#queue img").CountAsync());
        await Axe.AssertKeyboardWalkAsync(page, 30, "#queue input[type=checkbox]");
        await BrowserSystem.ScreenshotAsync(page, "operations-1-queue");
        await Axe.AssertCleanAsync(page, "the operations page with refused results");

        // After the fix, all of the reason replayed: both route, and leave the list.
        await B.System.AddDocumentTypeAsync(fixedType);
        await page.Locator("#f-reason").SelectOptionAsync(reason);
        await Expect(page.Locator("#queue tbody tr")).ToHaveCountAsync(2);
        await page.ClickAsync("#replay-reason");
        await Expect(page.Locator("#queue-message")).ToContainTextAsync("Replayed 2 results");
        foreach (var id in replayIds)
        {
            await ada.ForStatusAsync(id, "Routed");
            await Expect(page.Locator($"#queue tr[data-document='{id}']")).ToHaveCountAsync(0);
        }

        // Discard one: the dialog asks why, and refuses to go on without a reason.
        await page.Locator("#f-reason").SelectOptionAsync("");
        await page.Locator($"#queue tr[data-document='{discardId}'] input[type=checkbox]").CheckAsync();
        await page.ClickAsync("#discard");
        await Expect(page.Locator("#discard-dialog")).ToBeVisibleAsync();
        await Expect(page.Locator("#discard-reason")).ToBeFocusedAsync();
        await Expect(page.Locator("#discard-title")).ToHaveTextAsync("Discard 1 result?");
        await BrowserSystem.ScreenshotAsync(page, "operations-2-discard-dialog");
        await Axe.AssertCleanAsync(page, "the discard dialog");
        await page.Keyboard.TypeAsync("a test sender; nothing to fix upstream");
        await page.ClickAsync("#discard-confirm");
        await Expect(page.Locator("#discard-dialog")).ToBeHiddenAsync();
        await Expect(page.Locator("#queue-message")).ToContainTextAsync("Discarded 1 result.");
        await Expect(page.Locator($"#queue tr[data-document='{discardId}']")).ToHaveCountAsync(0);

        // What operators did, newest first, with who and why.
        var newest = page.Locator("#history tbody tr").First;
        await Expect(newest).ToContainTextAsync("otto");
        await Expect(newest).ToContainTextAsync("Discarded 1");
        await Expect(newest).ToContainTextAsync("a test sender; nothing to fix upstream");
        await Expect(page.Locator("#history tbody tr").Nth(1)).ToContainTextAsync("Replayed 2 (reason: ");

        // The upstream team's view: the discarded one is still Invalid, the replayed ones are not.
        await page.FillAsync("#f-source", source.ToUpperInvariant());
        await page.Locator("#f-source").PressAsync("Enter");
        await Expect(page.Locator("#invalid tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#invalid tbody tr")).ToContainTextAsync(discardId);
        await Expect(page.Locator("#invalid tbody tr")).ToContainTextAsync($"unknown document type '{otherType}'");
        await BrowserSystem.ScreenshotAsync(page, "operations-3-after");

        await page.SetViewportSizeAsync(375, 812);
        await Axe.AssertNoHorizontalScrollAsync(page, "the operations page at 375 px");
        await BrowserSystem.ScreenshotAsync(page, "operations-4-phone");
        await Axe.AssertCleanAsync(page, "the operations page at 375 px");
        B.AssertCleanPages();
    }

    [Fact]
    public async Task A_reviewer_is_told_the_page_is_not_for_them_and_gets_no_link_to_it()
    {
        var page = await B.SignInAsync(await B.OpenAsync("/operations.html"), "alice", live: false);
        await Expect(page.Locator("#role-message")).ToContainTextAsync("only operators and admins");
        await Expect(page.Locator("#operations")).ToBeHiddenAsync();
        Assert.Equal(0, await page.Locator("#pages a[href='/operations.html']").CountAsync());
        B.AssertCleanPages();
    }

    /// <summary>The reason the error queue lists for the document's refused result, once it is there.</summary>
    static async Task<string> WaitForReasonAsync(HttpClient otto, string documentId)
    {
        var message = await Waiting.ForAsync(async () => (await otto.GetFromJsonAsync<JsonElement>("/api/v1/operations/error-queue"))
                .GetProperty("messages").EnumerateArray().FirstOrDefault(m => m.GetProperty("documentId").GetString() == documentId),
            m => m.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(30), "the refused result in the error queue");
        return message.GetProperty("reasons")[0].GetString()!;
    }
}
