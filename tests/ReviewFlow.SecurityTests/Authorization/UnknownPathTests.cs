using System.Net;

namespace ReviewFlow.SecurityTests.Authorization;

/// <summary>
/// A path no endpoint or file answers is 404 to everyone: an anonymous caller is not told to sign in for something that
/// does not exist (the fallback policy used to turn it into 401). The pages stay public; known endpoints keep their
/// policies (EndpointAccessTests).
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class UnknownPathTests(TestSystem system)
{
    static readonly string[] Unknown = ["/nothing-here", "/api/v1/nothing-here", "/api/v2/documents", "/openapi", "/nothing-here.json"];
    static readonly string[] Pages = ["/", "/index.html", "/audit.html", "/quality.html", "/policy.html", "/app.css", "/js/api.js", "/favicon.svg"];

    [Theory]
    [InlineData(Who.Anonymous)]
    [InlineData(Who.Ingest)]
    [InlineData(Who.Reviewer)]
    [InlineData(Who.Auditor)]
    public async Task An_unknown_path_is_not_found_for_anonymous_and_signed_in_callers_alike(Who caller)
    {
        var http = await ((Func<HttpClient>)(() => system.Web.CreateClient(new() { AllowAutoRedirect = false }))).AsAsync(caller, []);
        foreach (var path in Unknown)
        {
            Assert.Equal((path, HttpStatusCode.NotFound), (path, (await http.GetAsync(path)).StatusCode));
            Assert.Equal((path, HttpStatusCode.NotFound), (path, (await http.PostAsync(path, null)).StatusCode));
        }
    }

    [Fact]
    public async Task The_pages_load_without_signing_in()
    {
        var http = system.Web.CreateClient(new() { AllowAutoRedirect = false });
        foreach (var page in Pages)
            Assert.Equal((page, HttpStatusCode.OK), (page, (await http.GetAsync(page)).StatusCode));
    }

    [Fact]
    public async Task A_known_endpoint_still_asks_an_anonymous_caller_to_sign_in()
    {
        var http = system.Web.CreateClient(new() { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/api/v1/documents/{Documents.NewId()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/openapi/v1.json")).StatusCode);
    }
}
