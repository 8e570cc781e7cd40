using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// The "Jobs (Hangfire)" button: admins only; it asks POST /api/v1/admin/dashboard-session with the bearer token and
/// then navigates to /hangfire, or shows why not. That endpoint and the dashboard are built on main, not in this
/// branch: the browser's routing stands in for them here, so the test checks what the page sends and does.
/// </summary>
public sealed class AdminJobsTests(BrowserSystem browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Admins_get_a_jobs_button_that_opens_a_dashboard_session_then_goes_to_hangfire_or_shows_the_error()
    {
        var alice = await B.SignedInPageAsync("alice");
        await Assertions.Expect(alice.Locator("#jobs")).ToBeHiddenAsync();

        var ada = await B.SignInAsync(await B.OpenAsync(), "ada", live: false);
        await Assertions.Expect(ada.Locator("#jobs")).ToBeVisibleAsync();
        var token = await ada.EvaluateAsync<string>("() => sessionStorage.getItem('reviewflow.token')");

        // Refused: the page stays and says why.
        await ada.RouteAsync("**/api/v1/admin/dashboard-session", route => route.FulfillAsync(new()
        {
            Status = 403,
            ContentType = "application/problem+json",
            Body = """{"title":"Forbidden","status":403,"detail":"Admins only."}""",
        }));
        await ada.Locator("#jobs").ClickAsync();
        await Assertions.Expect(ada.Locator("#top-message")).ToHaveTextAsync("Jobs dashboard: Admins only.");
        await BrowserSystem.ScreenshotAsync(ada, "jobs-refused");
        await ada.UnrouteAsync("**/api/v1/admin/dashboard-session");

        // Accepted: POST with the bearer token, then the browser goes to /hangfire.
        IRequest? sent = null;
        await ada.RouteAsync("**/api/v1/admin/dashboard-session", route =>
        {
            sent = route.Request;
            return route.FulfillAsync(new() { Status = 204 });
        });
        await ada.RouteAsync("**/hangfire", route => route.FulfillAsync(new()
        {
            ContentType = "text/html",
            Body = "<!doctype html><title>Hangfire (stand-in)</title><h1>Hangfire (stand-in)</h1>",
        }));
        await ada.Locator("#jobs").ClickAsync();
        await Assertions.Expect(ada).ToHaveURLAsync(new Regex("/hangfire$"));
        Assert.NotNull(sent);
        Assert.Equal("POST", sent!.Method);
        Assert.Equal("Bearer " + token, (await sent.AllHeadersAsync())["authorization"]);
        B.AssertCleanPages(e => e.Contains("status of 403"));
    }
}
