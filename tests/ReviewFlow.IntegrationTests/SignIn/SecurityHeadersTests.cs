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
    public void The_sign_in_authority_is_the_one_other_host_the_pages_may_call() =>
        Assert.Contains("connect-src 'self' https://login.microsoftonline.com;",
            ReviewFlow.Web.Security.SecurityHeaders.Policy("https://login.microsoftonline.com/tenant-id/v2.0"));
}
