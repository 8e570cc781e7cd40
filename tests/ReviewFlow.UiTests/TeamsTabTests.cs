using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// The Teams tab (/teams) inside a stand-in Teams: a page served as https://teams.microsoft.com (Playwright answers that
/// origin, so the browser applies frame-ancestors to the real origin) frames the tab and answers TeamsJS's host protocol
/// (postMessage: initialize, getContext with a deep link's subEntityId) like Teams does. Development sign-in, as in the
/// other browser tests: nested app authentication needs a real Entra ID and Teams (docs/teams.md says how to check it).
/// Chromium's test contexts, like a private window, deny storage to a frame of another site: the tab then keeps its
/// token in memory (js/storage.js), which these tests therefore cover too.
/// </summary>
public sealed class TeamsTabTests(BrowserSystem browser) : BrowserTest(browser)
{
    const string Teams = "https://teams.microsoft.com";
    const string Stranger = "https://reviewflow-lookalike.example";

    [Fact]
    public async Task Inside_teams_the_tab_initialises_teamsjs_and_opens_the_deep_linked_item_after_sign_in()
    {
        var id = Documents.NewId("CLM");
        await B.PublishAsync(id, "claim", "motor");
        await B.WaitUntilQueuedAsync("alice", id);

        var host = await HostAsync(Teams, "/teams", subEntityId: id);
        var tab = host.FrameLocator("#tab");

        // TeamsJS asked the host for its initialisation and context, and the page knows it is in Teams.
        await Assertions.Expect(tab.Locator("html")).ToHaveAttributeAsync("data-host", "teams", new() { Timeout = 15_000 });
        var calls = await HostCallsAsync(host);
        Assert.Equal("initialize", calls[0]);
        Assert.Contains("getContext", calls);
        await Assertions.Expect(tab.Locator("#users button[data-user='alice']")).ToBeVisibleAsync(); // development sign-in, unchanged

        await tab.Locator("#users button[data-user='alice']").ClickAsync();
        await Assertions.Expect(tab.Locator("#doc-id")).ToHaveTextAsync(id, new() { Timeout = 10_000 });
        await Assertions.Expect(tab.Locator("#doc-status")).ToHaveTextAsync(new Regex("^AwaitingReview$"));
        await Assertions.Expect(tab.Locator("#live")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });
        await Assertions.Expect(tab.Locator("#top-message")).ToBeEmptyAsync();

        var frame = host.Frames.Single(f => f != host.MainFrame);
        await Axe.AssertCleanAsync(frame, "the reviewer page in the Teams tab");
        await BrowserSystem.ScreenshotAsync(host, "teams-tab");
        var history = await (await B.ClientAsync("alice")).GetStringAsync($"api/v1/documents/{Uri.EscapeDataString(id)}/history");
        Assert.DoesNotContain("ReviewClaimed", history); // opening a link never acts
        B.AssertCleanPages();
    }

    [Fact]
    public async Task The_tab_loads_for_the_teams_host_and_is_refused_to_another_origin_and_the_other_pages_to_teams()
    {
        var framed = await HostAsync(Teams, "/teams");
        await Assertions.Expect(framed.FrameLocator("#tab").Locator("#sign-in")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        var stranger = await HostAsync(Stranger, "/teams");
        await AssertRefusedAsync(stranger, "frame-ancestors https://*.cloud.microsoft https://teams.microsoft.com");
        await BrowserSystem.ScreenshotAsync(stranger, "teams-tab-refused");

        var page = await HostAsync(Teams, "/"); // the reviewer page itself stays unframeable, Teams or not
        await AssertRefusedAsync(page, "frame-ancestors 'none'");
        B.AssertCleanPages(e => e.StartsWith("Framing ", StringComparison.Ordinal)); // the refusals, above
    }

    /// <summary>Outside a frame /teams is the plain page: no TeamsJS loaded, nothing waits for a host.</summary>
    [Fact]
    public async Task Opened_directly_the_tab_is_the_plain_reviewer_page_and_loads_no_teamsjs()
    {
        var page = await B.SignInAsync(await B.OpenAsync("/teams"), "alice");

        Assert.False(await page.EvaluateAsync<bool>("() => 'microsoftTeams' in window"));
        await Assertions.Expect(page.Locator("html")).Not.ToHaveAttributeAsync("data-host", "teams");
        await Assertions.Expect(page.Locator("#top-message")).ToBeEmptyAsync();
        B.AssertCleanPages();
    }

    /// <summary>
    /// Chromium refused the frame because of <paramref name="directive"/> (it says so in the console) and put its error
    /// page where ReviewFlow would be.
    /// </summary>
    async Task AssertRefusedAsync(IPage host, string directive)
    {
        await host.WaitForFunctionAsync("() => window.tabLoaded === true", null, new() { Timeout = 15_000 });
        await Waiting.UntilAsync(() => Task.FromResult(Refused(directive)), TimeSpan.FromSeconds(10), "the browser's refusal: " + directive);
        var frame = host.Frames.Single(f => f != host.MainFrame);
        Assert.DoesNotContain(B.System.BaseAddress.Authority, frame.Url); // the browser put its error page in place of the page
        Assert.Equal(0, await host.FrameLocator("#tab").Locator("#sign-in").CountAsync());
    }

    /// <summary>
    /// A page on <paramref name="origin"/> framing this system's <paramref name="path"/>, answering TeamsJS as Teams does:
    /// initialize (frame context, client type, runtime config, SDK version) and getContext (the legacy context, whose
    /// subEntityId a deep link sets). Every call it gets is in window.hostCalls.
    /// </summary>
    async Task<IPage> HostAsync(string origin, string path, string? subEntityId = null)
    {
        var page = await B.OpenAsync("about:blank");
        var tabUrl = new Uri(B.System.BaseAddress, path).ToString();
        var context = JsonSerializer.Serialize(new
        {
            entityId = "review", subEntityId, locale = "en-gb", theme = "default", frameContext = "content", hostClientType = "web",
            loginHint = "alice@contoso.test", userPrincipalName = "alice@contoso.test",
        });
        var runtime = JsonSerializer.Serialize(new { apiVersion = 4, supports = new { pages = new { appButton = new { }, tabs = new { } }, teamsCore = new { } } });
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Teams (stand-in host)</title>
            <style>body{margin:0;font:14px sans-serif}header{background:#464775;color:#fff;padding:8px 16px}iframe{border:0;width:100%;height:calc(100vh - 36px)}</style>
            </head><body><header>Stand-in host at {{origin}} (tests)</header>
            <iframe id="tab" title="ReviewFlow" src="{{tabUrl}}"></iframe>
            <script>
              window.hostCalls = [];
              const tab = document.getElementById("tab");
              tab.addEventListener("load", () => { window.tabLoaded = true; });
              const answers = {
                initialize: ["content", "web", {{JsonSerializer.Serialize(runtime)}}, "2.58.0"],
                getContext: [{{context}}],
              };
              window.addEventListener("message", (e) => {
                const m = e.data;
                if (e.source !== tab.contentWindow || !m || typeof m.func !== "string") return;
                window.hostCalls.push(m.func);
                e.source.postMessage({ id: m.id, uuid: m.uuid, args: answers[m.func] || [true] }, e.origin);
              });
            </script></body></html>
            """;
        await page.Context.RouteAsync(origin + "/**", route => route.FulfillAsync(new() { ContentType = "text/html", Body = html }));
        // TeamsJS fetches its list of valid host origins when it loads; this is Microsoft's answer, in short.
        await page.Context.RouteAsync("https://res.cdn.office.net/**", route => route.FulfillAsync(new()
        {
            ContentType = "application/json", Body = """{"validOrigins":["teams.microsoft.com","*.teams.microsoft.com","*.cloud.microsoft"]}""",
            Headers = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*" },
        }));
        // This system is on loopback, Teams on the internet: Chromium asks before a public page reaches the local network
        // (Local Network Access). Granted for every host here, so that a refusal below is frame-ancestors' alone.
        await page.Context.GrantPermissionsAsync(["local-network-access"], new() { Origin = origin });
        await page.GotoAsync(origin + "/l/entity/app/review");
        return page;
    }

    bool Refused(string directive)
    {
        lock (B.ConsoleErrors)
            return B.ConsoleErrors.Any(e => e.StartsWith($"Framing '{B.System.BaseAddress}", StringComparison.Ordinal)
                && e.Contains("violates the following Content Security Policy directive: \"" + directive, StringComparison.Ordinal)
                && e.Contains("The request has been blocked", StringComparison.Ordinal));
    }

    static async Task<string[]> HostCallsAsync(IPage host) => await host.EvaluateAsync<string[]>("() => window.hostCalls");
}
