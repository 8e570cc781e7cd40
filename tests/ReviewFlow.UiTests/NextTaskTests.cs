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
        await Assertions.Expect(nina.Locator("#doc-id")).ToHaveTextAsync(first, new() { Timeout = 10_000 });
        await Assertions.Expect(nina.Locator("#doc-status")).ToHaveTextAsync("Claimed");
        await Assertions.Expect(nina.Locator("#message")).ToContainTextAsync($"Claimed {first}");
        await nina.Keyboard.PressAsync("Enter"); // confirmed
        await Assertions.Expect(nina.Locator($"#queue-rows tr[data-id='{first}']")).ToHaveCountAsync(0, new() { Timeout = 10_000 }); // the page took it in
        await (await B.ClientAsync("nina")).ForStatusAsync(first, "Routed");

        await nina.Keyboard.PressAsync("n");
        await Assertions.Expect(nina.Locator("#doc-id")).ToHaveTextAsync(second, new() { Timeout = 10_000 });
        await Assertions.Expect(nina.Locator("#doc-status")).ToHaveTextAsync("Claimed");
        // n's own answer: the live "claimed" can show the status before it, while the page still ignores keys.
        await Assertions.Expect(nina.Locator("#message")).ToContainTextAsync($"Claimed {second}");
        await nina.Keyboard.PressAsync("Enter");
        await Assertions.Expect(nina.Locator($"#queue-rows tr[data-id='{second}']")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        // The page's own answer, not only the live message: n must not arrive while the decision is still on its way.
        await Assertions.Expect(nina.Locator("#message")).ToContainTextAsync($"Decided {second}", new() { Timeout = 10_000 });
        await (await B.ClientAsync("nina")).ForStatusAsync(second, "Routed");

        await nina.Keyboard.PressAsync("n");
        await Assertions.Expect(nina.Locator("#message")).ToContainTextAsync("No unclaimed task is waiting in your groups");
    }
}
