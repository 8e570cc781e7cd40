using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.SecurityTests.SignIn;

/// <summary>
/// Production sign-in against a local stand-in for Entra ID: a token signed for our audience still needs the API's
/// delegated scope (scp) or an app role (roles), and the actor the host records is the user's object id (oid), not
/// Entra's per-application "sub".
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class EntraTokenTests(TestSystem system) : IAsyncLifetime
{
    const string Audience = "api://reviewflow";
    StandInAuthority _authority = null!;
    WebApplicationFactory<ReviewFlow.Web.WebHost> _site = null!;

    public async Task InitializeAsync()
    {
        _authority = await StandInAuthority.StartAsync(Audience);
        _site = new WebApplicationFactory<ReviewFlow.Web.WebHost>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            foreach (var (key, value) in system.Settings) web.UseSetting(key, value);
            web.UseSetting("Auth:Authority", _authority.Issuer);
            web.UseSetting("Auth:Audience", Audience);
            web.UseSetting("Auth:Scope", Audience + "/review");
            web.UseSetting("Auth:RequireHttpsMetadata", "false"); // the stand-in is plain HTTP
        });
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _authority.DisposeAsync();
    }

    HttpClient With(params Claim[] claims)
    {
        var http = _site.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _authority.Issue(claims));
        return http;
    }

    // Any signed-in caller may ask; an unknown id is 404 past sign-in, 401 before it.
    async Task<HttpStatusCode> ReadUnknownDocumentAsync(HttpClient http) =>
        (await http.GetAsync($"/api/v1/documents/{Documents.NewId()}")).StatusCode;

    [Theory]
    [InlineData("neither scope nor role", HttpStatusCode.Unauthorized, "oid=erin", "groups=ap-reviewers")]
    [InlineData("another API's scopes", HttpStatusCode.Unauthorized, "oid=erin", "scp=User.Read mail.send")]
    [InlineData("a user's token with the API's scope", HttpStatusCode.NotFound, "oid=erin", "scp=openid review")]
    [InlineData("an application's token with an app role", HttpStatusCode.NotFound, "oid=upstream-app", "roles=Ingest")]
    public async Task A_token_needs_the_APIs_scope_or_an_app_role(string token, HttpStatusCode expected, params string[] claims)
    {
        var http = With(claims.Select(c => new Claim(c[..c.IndexOf('=')], c[(c.IndexOf('=') + 1)..])).ToArray());
        Assert.True(expected == await ReadUnknownDocumentAsync(http), token);
    }

    [Fact]
    public async Task The_actor_of_a_claim_is_the_users_object_id_not_the_per_app_subject()
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.5));
        var erin = With(new("oid", "5e1c0c5e-erin-oid"), new("sub", "pairwise-Xq93"), new("name", "Erin"),
            new("scp", "review"), new("roles", "Reviewer"), new("groups", "ap-reviewers"));
        await erin.ForStatusAsync(id, "AwaitingReview");
        Assert.Equal(HttpStatusCode.OK, (await erin.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);

        var claimed = await Waiting.ForAsync(async () => (await system.Store.EventsAsync(id)).Select(e => e.Data).OfType<ReviewClaimed>().FirstOrDefault(),
            c => c is not null, TimeSpan.FromSeconds(15), "the claim recorded");
        Assert.Equal(("5e1c0c5e-erin-oid", "5e1c0c5e-erin-oid"), (claimed!.ReviewerId, claimed.Actor));
        // The same id is the holder the page compares with its own (signin.js reads oid first).
        var doc = await Waiting.ForAsync(async () => await erin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/documents/{id}"),
            d => d.GetProperty("claimedBy").ValueKind == System.Text.Json.JsonValueKind.String, TimeSpan.FromSeconds(15), "the holder shown");
        Assert.Equal("5e1c0c5e-erin-oid", doc.GetProperty("claimedBy").GetString());
    }
}
