using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>n claims the next task of my groups and shows it, ready for a decision; with nothing left it says so.</summary>
public sealed class NextTaskTests(BrowserSystem browser) : BrowserTest(browser)
{
    [Fact]
    public async Task N_claims_the_oldest_waiting_task_and_shows_it_then_says_when_nothing_is_left()
    {
        var first = Documents.NewId("MEM");
        var second = Documents.NewId("MEM");
        await B.PublishAsync(first, "memo", "minutes");
        await B.WaitUntilQueuedAsync("nina", first); // the older task (the saga handles documents concurrently)
        await B.PublishAsync(second, "memo", "minutes");
        await B.WaitUntilQueuedAsync("nina", second);
        var nina = await B.SignedInPageAsync("nina");

        await nina.Keyboard.PressAsync("n");
        // n's own answer first: when it fails, the message says why.
        await Assertions.Expect(nina.Locator("#message")).ToContainTextAsync($"Claimed {first}");
        await Assertions.Expect(nina.Locator("#doc-id")).ToHaveTextAsync(first);
        await Assertions.Expect(nina.Locator("#doc-status")).ToHaveTextAsync("Claimed");
        // Enter and n typed together: n waits for the decision's answer instead of being lost while it is on its way.
        await nina.Keyboard.PressAsync("Enter");
        await nina.Keyboard.PressAsync("n");
        await Assertions.Expect(nina.Locator("#message")).ToContainTextAsync($"Decided {first}: Routed. Claimed {second}");
        await Assertions.Expect(nina.Locator($"#queue-rows tr[data-id='{first}']")).ToHaveCountAsync(0); // the page took it in
        await (await B.ClientAsync("nina")).ForStatusAsync(first, "Routed");
        await Assertions.Expect(nina.Locator("#doc-id")).ToHaveTextAsync(second);
        await Assertions.Expect(nina.Locator("#doc-status")).ToHaveTextAsync("Claimed");
        await nina.Keyboard.PressAsync("Enter");
        await Assertions.Expect(nina.Locator($"#queue-rows tr[data-id='{second}']")).ToHaveCountAsync(0);
        await Assertions.Expect(nina.Locator("#message")).ToContainTextAsync($"Decided {second}");
        await (await B.ClientAsync("nina")).ForStatusAsync(second, "Routed");

        await nina.Keyboard.PressAsync("n");
        await Assertions.Expect(nina.Locator("#message")).ToContainTextAsync("No unclaimed task is waiting in your groups");
    }
}
