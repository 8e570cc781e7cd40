using Microsoft.Playwright;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// A user without a review role lands on a home of the pages their roles open (an admin: policy, quality, operations
/// and the jobs dashboard), not on an empty review queue; nothing they may not open is linked.
/// </summary>
public sealed class AdminHomeTests(BrowserSystem browser) : BrowserTest(browser)
{
    static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [Fact]
    public async Task An_admin_lands_on_a_home_of_policy_quality_operations_and_jobs_and_others_see_only_their_pages()
    {
        var ada = await B.SignInAsync(await B.OpenAsync(), "ada", live: false);
        await Expect(ada.Locator("#home")).ToBeVisibleAsync();
        await Expect(ada.Locator("#workspace")).ToBeHiddenAsync();
        await Expect(ada.Locator("#queue-title")).ToBeHiddenAsync();
        await Expect(ada.Locator("#home-links a")).ToHaveTextAsync(["Quality", "Routing policy", "Operations"]);
        await Expect(ada.Locator("#home-jobs")).ToBeVisibleAsync();
        await Expect(ada.Locator("#home-links a").First).ToBeFocusedAsync();
        await BrowserSystem.ScreenshotAsync(ada, "home-1-admin");
        await Axe.AssertKeyboardWalkAsync(ada, 15, "#home-jobs");
        await Axe.AssertCleanAsync(ada, "the admin's home");
        await ada.SetViewportSizeAsync(390, 844);
        await Axe.AssertNoHorizontalScrollAsync(ada, "the admin's home at 390 px");
        await BrowserSystem.ScreenshotAsync(ada, "home-2-admin-phone");
        await ada.SetViewportSizeAsync(1440, 900);

        // A link goes where it says, signed in still.
        await ada.Locator("#home-links a", new() { HasText = "Operations" }).ClickAsync();
        await Expect(ada.Locator("#pages a[aria-current='page']")).ToHaveTextAsync("Operations");

        // An auditor: the audit and quality pages, no jobs; an operator: operations alone.
        var audrey = await B.SignInAsync(await B.OpenAsync(), "audrey", live: false);
        await Expect(audrey.Locator("#home-links a")).ToHaveTextAsync(["Audit", "Quality"]);
        await Expect(audrey.Locator("#home-jobs")).ToHaveCountAsync(0);
        var otto = await B.SignInAsync(await B.OpenAsync(), "otto", live: false);
        await Expect(otto.Locator("#home-links a")).ToHaveTextAsync(["Operations"]);

        // Signed out, the home goes with the sign-in.
        await otto.Locator("#sign-out").ClickAsync();
        await Expect(otto.Locator("#home")).ToBeHiddenAsync();
        await Expect(otto.Locator("#users")).ToBeVisibleAsync();
        B.AssertCleanPages();
    }
}
