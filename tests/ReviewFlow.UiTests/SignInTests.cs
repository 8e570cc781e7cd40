using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;
using ReviewFlow.Testing;
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
        var port = UiSystem.FreePort();
        await using var production = new WebApplicationFactory<ReviewFlow.Web.Documents.DocumentView>().WithWebHostBuilder(web =>
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
        var site = new Uri($"http://127.0.0.1:{port}/");

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

        var authorize = Assert.Single(authority.AuthorizeRequests);
        Assert.Equal("code", authorize["response_type"]);
        Assert.Equal("S256", authorize["code_challenge_method"]);
        Assert.Equal("reviewflow-page", authorize["client_id"]);
        Assert.Equal(site.ToString(), authorize["redirect_uri"]);
        Assert.Equal(Audience + "/review", authorize["scope"]);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", authorize["code_challenge"]);
        var exchange = Assert.Single(authority.TokenRequests);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", exchange["code_verifier"]); // 32 random bytes; the authority checked it
        Assert.Equal(Assert.Single(authority.IssuedTokens),
            await page.EvaluateAsync<string>("() => sessionStorage.getItem('reviewflow.token')"));
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('reviewflow.pkce')"));
        await BrowserSystem.ScreenshotAsync(page, "signed-in-entra");
        B.AssertCleanPages();
    }
}
