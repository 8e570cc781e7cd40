using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ReviewFlow.SecurityTests.RateLimiting;

/// <summary>A web host with small budgets: 5 requests per user or address, 8 submissions per upstream caller, per minute.</summary>
public sealed class SmallBudgetSystem() : TestSystem(new SystemOptions
{
    Worker = false,
    Settings = new Dictionary<string, string?>
    {
        ["RateLimits:Window"] = "00:01:00",
        ["RateLimits:PermitLimit"] = "5",
        ["RateLimits:IngestPermitLimit"] = "8",
    },
})
{
    /// <summary>Tokens fetched once: the development token requests are anonymous and count against one address's budget.</summary>
    public Dictionary<string, string> Tokens { get; } = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var user in new[] { "alice", "bob", "ap-inbox" })
            Tokens[user] = await DevTokens.GetAsync(Web.CreateClient(), user);
    }

    public HttpClient As(string user)
    {
        var http = Web.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens[user]);
        return http;
    }
}

/// <summary>Each caller has a budget of its own; over it, 429 problem details with Retry-After, and nobody else notices.</summary>
public sealed class RateLimitTests(SmallBudgetSystem system) : IClassFixture<SmallBudgetSystem>
{
    [Fact]
    public async Task A_user_over_the_limit_gets_429_with_Retry_After_and_other_users_are_unaffected()
    {
        var alice = system.As("alice");
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/v1/queue")).StatusCode);

        var refused = await alice.GetAsync("/api/v1/queue");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.InRange(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After"))), 1, 60);

        Assert.Equal(HttpStatusCode.OK, (await system.As("bob").GetAsync("/api/v1/queue")).StatusCode);
    }

    [Fact]
    public async Task Health_probes_and_the_pages_files_are_never_limited()
    {
        var http = system.Web.CreateClient();
        for (var i = 0; i < 12; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await http.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/js/api.js")).StatusCode);
        }
    }

    [Fact]
    public async Task Anonymous_callers_are_limited_per_address()
    {
        async Task<HttpStatusCode> ConfigFromAsync(string address) => (HttpStatusCode)(await system.Web.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/api/v1/auth/config";
            c.Connection.RemoteIpAddress = IPAddress.Parse(address);
        })).Response.StatusCode;

        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, await ConfigFromAsync("10.9.8.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await ConfigFromAsync("10.9.8.7"));
        Assert.Equal(HttpStatusCode.OK, await ConfigFromAsync("10.9.8.6"));
    }

    [Fact]
    public async Task Submissions_have_a_higher_budget_of_their_own()
    {
        var inbox = system.As("ap-inbox");
        for (var i = 0; i < 8; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await SubmitAsync(inbox)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SubmitAsync(inbox)).StatusCode);
        // Its other calls still have their own five.
        Assert.Equal(HttpStatusCode.NotFound, (await inbox.GetAsync($"/api/v1/documents/{Documents.NewId()}")).StatusCode);
    }

    static Task<HttpResponseMessage> SubmitAsync(HttpClient http) =>
        http.PostAsync("/api/v1/documents", new StringContent(Documents.Json(Documents.NewId(), confidence: 0.99), Encoding.UTF8, "application/json"));
}
