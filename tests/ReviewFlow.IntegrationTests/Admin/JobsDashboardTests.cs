using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

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

    static async Task<IReadOnlyList<JsonElement>> DashboardActionsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/dashboard-actions"))!;

    [Fact]
    public async Task An_admins_dashboard_action_is_recorded_with_who_what_and_which_jobs_and_auditors_can_read_it()
    {
        var ada = await system.ClientAsync("ada");
        Assert.Equal(HttpStatusCode.NoContent, (await ada.PostAsync("/api/v1/admin/dashboard-session", null)).StatusCode);
        var page = await (await ada.GetAsync("/hangfire/recurring")).Content.ReadAsStringAsync();
        var header = Regex.Match(page, "<meta name=\"csrf-header\" content=\"([^\"]+)\"").Groups[1].Value;
        var token = Regex.Match(page, "<meta name=\"csrf-token\" content=\"([^\"]+)\"").Groups[1].Value;

        var trigger = new HttpRequestMessage(HttpMethod.Post, "/hangfire/recurring/trigger")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("jobs[]", "sla-sweep")]),
        };
        trigger.Headers.Add(header, token);
        var answer = await ada.SendAsync(trigger);

        Assert.True(answer.IsSuccessStatusCode, $"answered {(int)answer.StatusCode}");
        var actions = await DashboardActionsAsync(await system.ClientAsync("audrey"));
        Assert.Contains(actions, a => a.GetProperty("actor").GetString() == "ada" && a.GetProperty("action").GetString() == "/recurring/trigger"
            && a.GetProperty("jobs").EnumerateArray().Single().GetString() == "sla-sweep" && a.GetProperty("status").GetInt32() < 300);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await system.ClientAsync("alice")).GetAsync("/api/v1/admin/dashboard-actions")).StatusCode);
    }

    [Fact]
    public async Task A_refused_dashboard_action_is_recorded_too()
    {
        var ada = await system.ClientAsync("ada");
        Assert.Equal(HttpStatusCode.NoContent, (await ada.PostAsync("/api/v1/admin/dashboard-session", null)).StatusCode);

        var forged = await ada.PostAsync("/hangfire/jobs/enqueued/delete",
            new FormUrlEncodedContent([new KeyValuePair<string, string>("jobs[]", "no-such-job-42")]));

        Assert.False(forged.IsSuccessStatusCode);
        var actions = await DashboardActionsAsync(ada);
        Assert.Contains(actions, a => a.GetProperty("action").GetString() == "/jobs/enqueued/delete"
            && a.GetProperty("jobs").EnumerateArray().Single().GetString() == "no-such-job-42" && a.GetProperty("status").GetInt32() == (int)forged.StatusCode);
    }
}
