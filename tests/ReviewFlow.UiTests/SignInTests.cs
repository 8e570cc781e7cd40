using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.Testing.Processes;
using ReviewFlow.UiTests.Infrastructure;

namespace ReviewFlow.UiTests;

/// <summary>
/// How the page signs in: GET /api/v1/auth/config per environment; outside Development the authorization-code flow
/// with PKCE in the page against an OpenID Connect authority (a local stand-in for Entra ID), the web host validating
/// the tokens it issues (real JwtBearer, keys from its JWKS).
/// </summary>
public sealed class SignInTests(BrowserSystem browser) : BrowserTest(browser)
{
    const string Audience = "api://reviewflow";

    /// <summary>The web host as in production (signing in at <paramref name="authority"/>) on Kestrel at <paramref name="site"/>.</summary>
    WebApplicationFactory<ReviewFlow.Web.WebHost> ProductionSite(StandInAuthority authority, out Uri site)
    {
        var port = HostProcess.FreePort();
        var production = new WebApplicationFactory<ReviewFlow.Web.WebHost>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            foreach (var (key, value) in B.System.Settings) web.UseSetting(key, value);
            web.UseSetting("Auth:Authority", authority.Issuer);
            web.UseSetting("Auth:Audience", Audience);
            web.UseSetting("Auth:ClientId", "reviewflow-page");
            web.UseSetting("Auth:Scope", Audience + "/review");
            web.UseSetting("Auth:RequireHttpsMetadata", "false"); // the stand-in is plain HTTP
        });
        production.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        production.StartServer();
        site = new Uri($"http://127.0.0.1:{port}/");
        return production;
    }

    [Fact]
    public async Task When_the_authoritys_token_expires_and_cannot_be_renewed_the_page_signs_out_and_says_so()
    {
        await using var authority = await StandInAuthority.StartAsync(Audience);
        authority.User = ("erin", "Erin (reviewer)", ["Reviewer"], ["claims-reviewers"]);
        authority.TokenLifetime = TimeSpan.FromSeconds(8); // and no refresh token: the stand-in gives none
        await using var production = ProductionSite(authority, out var site);

        var page = await B.OpenAsync("/", baseAddress: site);
        await page.Locator("#sso").ClickAsync();
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });

        // The hub closes the connection at the token's end; the page cannot renew it and says so instead of reconnecting.
        await Assertions.Expect(page.Locator("#sign-in-error")).ToContainTextAsync("could not be renewed", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("#sso")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#workspace")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('reviewflow.token')"));
        await BrowserSystem.ScreenshotAsync(page, "sign-in-expired");
        B.AssertCleanPages(e => e.Contains("signalr", StringComparison.OrdinalIgnoreCase) || e.Contains("401"));
    }

    [Fact]
    public async Task In_Development_the_config_says_development_and_the_page_lists_the_seeded_users()
    {
        using var http = new HttpClient { BaseAddress = B.System.BaseAddress };
        var config = await http.GetFromJsonAsync<JsonElement>("/api/v1/auth/config");
        Assert.Equal("development", config.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, config.GetProperty("authority").ValueKind);

        var page = await B.OpenAsync();
        await Assertions.Expect(page.Locator("#users button[data-user='alice']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sso")).ToBeHiddenAsync();
        B.AssertCleanPages();
    }

    [Fact]
    public async Task Outside_Development_the_page_signs_in_at_the_authority_with_PKCE_and_a_deep_link_survives_the_trip()
    {
        await using var authority = await StandInAuthority.StartAsync(Audience);
        authority.User = ("erin", "Erin (reviewer)", ["Reviewer"], ["claims-reviewers"]);
        await using var production = ProductionSite(authority, out var site);

        using (var http = new HttpClient { BaseAddress = site })
        {
            var config = await http.GetFromJsonAsync<JsonElement>("/api/v1/auth/config");
            Assert.Equal("entra", config.GetProperty("mode").GetString());
            Assert.Equal(authority.Issuer, config.GetProperty("authority").GetString());
            Assert.Equal("reviewflow-page", config.GetProperty("clientId").GetString());
            Assert.Equal(Audience + "/review", config.GetProperty("scope").GetString());
            Assert.False((await http.PostAsJsonAsync("/api/v1/dev/token", new { user = "alice" })).IsSuccessStatusCode);
        }

        var id = Documents.NewId("CLM"); // due in seconds: on the first page of erin's queue, whatever else is there
        await B.PublishAsync(id, "claim", "motor");
        await B.WaitUntilQueuedAsync("alice", id);

        // A forged answer (no sign-in begun in this tab) is refused.
        var forged = await B.OpenAsync("/?code=stolen&state=forged", baseAddress: site);
        await Assertions.Expect(forged.Locator("#sign-in-error")).ToContainTextAsync("does not belong", new() { Timeout = 10_000 });
        Assert.Empty(authority.TokenRequests);

        var page = await B.OpenAsync($"/?document={id}", baseAddress: site);
        await Assertions.Expect(page.Locator("#sso")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#users")).ToBeHiddenAsync();
        await BrowserSystem.ScreenshotAsync(page, "sign-in-entra");
        await page.Locator("#sso").ClickAsync();

        await Assertions.Expect(page.Locator("#whoami")).ToContainTextAsync("Erin (reviewer)", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#doc-id")).ToHaveTextAsync(id, new() { Timeout = 10_000 }); // the link waited
        await Assertions.Expect(page.Locator($"#queue-rows tr[data-id='{id}']")).ToBeVisibleAsync(); // the API took the token
        Assert.DoesNotMatch("code=|state=", page.Url);
        Assert.Equal($"{site}?document={id}", page.Url); // the page's own address again, the link in it

        var authorize = Assert.Single(authority.AuthorizeRequests);
        Assert.Equal("code", authorize["response_type"]);
        Assert.Equal("S256", authorize["code_challenge_method"]);
        Assert.Equal("reviewflow-page", authorize["client_id"]);
        Assert.Equal(site.ToString(), authorize["redirect_uri"]);
        Assert.Equal(Audience + "/review offline_access", authorize["scope"]); // offline_access: a refresh token to renew with
        Assert.Matches("^[A-Za-z0-9_-]{43}$", authorize["code_challenge"]);
        var exchange = Assert.Single(authority.TokenRequests);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", exchange["code_verifier"]); // 32 random bytes; the authority checked it
        Assert.Equal(Assert.Single(authority.IssuedTokens),
            await page.EvaluateAsync<string>("() => sessionStorage.getItem('reviewflow.token')"));
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('reviewflow.pkce')"));
        await BrowserSystem.ScreenshotAsync(page, "signed-in-entra");
        B.AssertCleanPages();
    }

    [Fact]
    public async Task Outside_Development_the_auditor_page_signs_in_at_the_authority_and_comes_back_to_itself()
    {
        await using var authority = await StandInAuthority.StartAsync(Audience);
        authority.User = ("audrey", "Audrey (auditor)", ["Auditor"], []);
        await using var production = ProductionSite(authority, out var site);

        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        var id = Documents.NewId("INV"); // confident: routed at once, an "auto" decision in the audit
        await B.PublishAsync(id, "invoice", "utilities", confidence: 0.99);
        using (var audrey = await B.ClientAsync("audrey"))
        {
            await Waiting.UntilAsync(async () => (await audrey.GetStringAsync("api/v1/audit/decisions?outcome=auto&pageSize=200")).Contains($"\"{id}\""),
                TimeSpan.FromSeconds(30), $"{id} in the audit");
        }

        // The query is one the page does not read: it is here to come back with the page.
        var page = await B.OpenAsync("/audit.html?kept=yes", "UTC", baseAddress: site);
        await Assertions.Expect(page.Locator("#sso")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#users")).ToBeHiddenAsync();
        await page.Locator("#sso").ClickAsync();

        await Assertions.Expect(page.Locator("#whoami")).ToContainTextAsync("Audrey (auditor)", new() { Timeout = 15_000 });
        Assert.Equal(site + "audit.html?kept=yes", page.Url); // its own path and query, no code or state
        var authorize = Assert.Single(authority.AuthorizeRequests);
        Assert.Equal(site + "audit.html", authorize["redirect_uri"]);
        Assert.Equal("S256", authorize["code_challenge_method"]);
        Assert.Equal(Assert.Single(authority.IssuedTokens),
            await page.EvaluateAsync<string>("() => sessionStorage.getItem('reviewflow.audit.token')"));
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('reviewflow.pkce')"));

        // The audit API takes the authority's token: the search finds the decision.
        await page.FillAsync("#f-from", since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        await page.SelectOptionAsync("#f-outcome", "auto");
        await page.ClickAsync("#btn-search");
        await Assertions.Expect(page.Locator($"#results tbody tr[data-id='{id}']")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#message")).Not.ToHaveAttributeAsync("data-kind", "error");
        await BrowserSystem.ScreenshotAsync(page, "audit-signed-in-entra");
        B.AssertCleanPages();
    }
}
