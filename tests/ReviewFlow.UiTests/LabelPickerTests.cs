using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// Correcting to any label of the type's catalogue, not only the model's alternatives, from the keyboard: l opens the
/// picker (alternatives first, then the catalogue), Enter chooses, the reason field asks for the code, Enter sends.
/// </summary>
public sealed class LabelPickerTests(BrowserSystem browser) : BrowserTest(browser)
{
    /// <summary>A new unsure invoice (alternatives telecom, rent) that bob selected with j and claimed with c.</summary>
    async Task<(string Id, IPage Bob)> ClaimedByBobAsync()
    {
        var label = "pick-" + Guid.NewGuid().ToString("N")[..8];
        var id = Documents.NewId("INV");
        await B.PublishAsync(id, "invoice", label, alternatives: ["telecom", "rent"]);
        await B.WaitUntilQueuedAsync("bob", id);
        var bob = await B.SignedInPageAsync("bob");
        await BrowserSystem.FilterByLabelAsync(bob, label);
        await Assertions.Expect(bob.Locator("#queue-rows tr")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await bob.Keyboard.PressAsync("j");
        await Assertions.Expect(bob.Locator("#doc-id")).ToHaveTextAsync(id);
        await bob.Keyboard.PressAsync("c");
        await Assertions.Expect(bob.Locator("#doc-status")).ToHaveTextAsync("Claimed", new() { Timeout = 10_000 });
        return (id, bob);
    }

    [Fact]
    public async Task A_reviewer_corrects_to_a_catalogue_label_that_is_not_among_the_alternatives_with_the_keyboard()
    {
        var (id, bob) = await ClaimedByBobAsync();
        await bob.Keyboard.PressAsync("l");

        await Assertions.Expect(bob.Locator("#label-pick")).ToBeFocusedAsync();
        var offered = await bob.Locator("#label-options option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)");
        Assert.Equal(["telecom", "rent", "utilities", "travel", "office-supplies"], offered);
        await bob.Keyboard.TypeAsync("travel");
        await Axe.AssertCleanAsync(bob, "the reviewer page with the label picker open");
        await BrowserSystem.ScreenshotAsync(bob, "label-picker");
        await bob.Keyboard.PressAsync("Enter");
        await Assertions.Expect(bob.Locator("#reason")).ToBeFocusedAsync();
        await Assertions.Expect(bob.Locator("#message")).ToContainTextAsync("travel");
        await bob.Keyboard.TypeAsync("wrong-vendor");
        await bob.Keyboard.PressAsync("Enter");

        var decision = (await B.System.Amqp.WaitForDecisionAsync(id, TimeSpan.FromSeconds(30))).Body;
        Assert.Equal(("corrected", "travel"), (decision.GetProperty("outcome").GetString(), decision.GetProperty("finalLabel").GetString()));
    }

    [Fact]
    public async Task A_label_outside_the_catalogue_is_refused_on_the_page_saying_which_labels_are_allowed()
    {
        var (_, bob) = await ClaimedByBobAsync();

        await bob.Keyboard.PressAsync("l");
        await Assertions.Expect(bob.Locator("#label-pick")).ToBeFocusedAsync();
        await bob.Keyboard.TypeAsync("groceries");
        await bob.Keyboard.PressAsync("Enter");
        await bob.Keyboard.TypeAsync("wrong-vendor");
        await bob.Keyboard.PressAsync("Enter");

        await Assertions.Expect(bob.Locator("#message")).ToContainTextAsync("'groceries' is not a label of invoice documents; choose one of: utilities, telecom, rent, travel, office-supplies");
        await Assertions.Expect(bob.Locator("#doc-status")).ToHaveTextAsync("Claimed");
    }
}
