using System.Net;

namespace ReviewFlow.IntegrationTests.SignIn;

/// <summary>Every answer of the web host carries the headers a browser enforces; the pages' CSP allows no inline script.</summary>
[Collection(SystemCollection.Name)]
public sealed class SecurityHeadersTests(TestSystem system)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/quality.html")]
    [InlineData("/api/v1/queue")]
    [InlineData("/api/v1/documents/NO-SUCH-DOCUMENT")]
    public async Task Pages_and_api_answers_forbid_sniffing_framing_referrers_and_foreign_scripts(string path)
    {
        var response = await (await system.ClientAsync("alice")).GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("img-src 'self' data: blob:;", csp); // the document viewer's images
        Assert.Contains("worker-src 'self';", csp); // and its PDF.js worker, from this host only
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp);
    }

    [Fact]
    public async Task The_teams_tab_is_the_reviewer_page_framed_by_the_teams_and_microsoft_365_hosts_only()
    {
        var client = await system.ClientAsync("alice");
        var tab = await client.GetAsync("/teams");

        Assert.Equal(HttpStatusCode.OK, tab.StatusCode);
        Assert.Equal(await client.GetStringAsync("/"), await tab.Content.ReadAsStringAsync());
        var csp = tab.Headers.GetValues("Content-Security-Policy").Single();
        Assert.EndsWith("frame-ancestors https://*.cloud.microsoft https://teams.microsoft.com https://*.teams.microsoft.com " +
            "https://*.microsoft365.com https://*.office.com https://outlook.office.com https://outlook.office365.com", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("connect-src 'self' https://res.cdn.office.net;", csp); // TeamsJS's list of host origins
        Assert.False(tab.Headers.Contains("X-Frame-Options")); // it cannot name several hosts; frame-ancestors does
        Assert.Equal("nosniff", tab.Headers.GetValues("X-Content-Type-Options").Single());

        // Only that path: the page's own files and every other page stay unframeable.
        foreach (var path in new[] { "/index.html", "/teams/", "/audit.html" })
        {
            var other = await client.GetAsync(path);
            Assert.Equal("DENY", other.Headers.GetValues("X-Frame-Options").Single());
            Assert.EndsWith("frame-ancestors 'none'", other.Headers.GetValues("Content-Security-Policy").Single());
        }
    }

    [Fact]
    public void The_sign_in_authority_is_the_one_other_host_the_pages_may_call() =>
        Assert.Contains("connect-src 'self' https://login.microsoftonline.com;",
            ReviewFlow.Web.Security.SecurityHeaders.Policy("https://login.microsoftonline.com/tenant-id/v2.0"));
}
