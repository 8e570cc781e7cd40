using System.Net;

namespace ReviewFlow.IntegrationTests.Admin;

/// <summary>Hangfire's dashboard: Admins only, through a short-lived cookie that a cross-site form cannot use.</summary>
[Collection(SystemCollection.Name)]
public sealed class JobsDashboardTests(TestSystem system)
{
    [Fact]
    public async Task Nobody_reaches_the_dashboard_without_the_admin_session_cookie()
    {
        var anonymous = system.Web.CreateClient();
        var ada = await system.ClientAsync("ada"); // a bearer token alone does not open it

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ada.GetAsync("/hangfire")).StatusCode);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("sam")]
    [InlineData("audrey")]
    public async Task Only_an_admin_gets_a_dashboard_session(string user)
    {
        var http = await system.ClientAsync(user);

        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync("/api/v1/admin/dashboard-session", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/hangfire")).StatusCode);
    }

    [Fact]
    public async Task An_admin_opens_the_dashboard_with_a_strict_http_only_cookie_scoped_to_it()
    {
        var ada = await system.ClientAsync("ada");

        var session = await ada.PostAsync("/api/v1/admin/dashboard-session", null);

        Assert.Equal(HttpStatusCode.NoContent, session.StatusCode);
        var cookie = Assert.Single(session.Headers.GetValues("Set-Cookie"));
        Assert.Contains("path=/hangfire", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        var page = await ada.GetAsync("/hangfire/recurring");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("ReviewFlow jobs", html);
        Assert.Contains("sla-sweep", html);
    }

    [Fact]
    public async Task A_dashboard_action_without_the_antiforgery_token_is_refused()
    {
        var ada = await system.ClientAsync("ada");
        Assert.Equal(HttpStatusCode.NoContent, (await ada.PostAsync("/api/v1/admin/dashboard-session", null)).StatusCode);

        // What a cross-site form would send along with the cookie: no antiforgery token.
        var forged = await ada.PostAsync("/hangfire/recurring/remove",
            new FormUrlEncodedContent([new KeyValuePair<string, string>("jobs[]", "sla-sweep")]));

        Assert.False(forged.IsSuccessStatusCode, $"answered {(int)forged.StatusCode}");
        var page = await (await ada.GetAsync("/hangfire/recurring")).Content.ReadAsStringAsync();
        Assert.Contains("sla-sweep", page);
    }
}
