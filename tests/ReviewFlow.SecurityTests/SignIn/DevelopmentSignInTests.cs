using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ReviewFlow.SecurityTests.SignIn;

/// <summary>
/// Development sign-in needs the Development environment and DevSignIn:Enabled=true, and the host refuses to start with
/// it when an Entra authority is configured or when it listens beyond loopback. Development alone is production sign-in.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class DevelopmentSignInTests(TestSystem system)
{
    const string Entra = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0";

    WebApplicationFactory<ReviewFlow.Web.WebHost> Host(params (string Key, string? Value)[] settings) =>
        new WebApplicationFactory<ReviewFlow.Web.WebHost>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            foreach (var (key, value) in system.Settings) web.UseSetting(key, value);
            foreach (var (key, value) in settings) web.UseSetting(key, value);
        });

    [Fact]
    public async Task With_an_Entra_authority_configured_the_host_refuses_to_start()
    {
        await using var host = Host(("Auth:Authority", Entra), ("Auth:Audience", "api://reviewflow"));
        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        Assert.Contains("DevSignIn:Enabled=true with Auth:Authority set", error.ToString());
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:5080")]
    [InlineData("urls", "http://127.0.0.1:5080;http://*:5081")]
    [InlineData("urls", "http://+:5080")]
    [InlineData("urls", "http://reviewflow.example.com:5080")]
    [InlineData("http_ports", "8080")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://10.1.2.3:5080")]
    public async Task Listening_beyond_loopback_the_host_refuses_to_start(string key, string value)
    {
        await using var host = Host((key, value));
        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        Assert.Contains("listening beyond loopback", error.ToString());
    }

    [Fact]
    public async Task On_loopback_addresses_the_host_starts_with_development_sign_in()
    {
        await using var host = Host(("urls", "http://127.0.0.1:5080;http://localhost:5081;http://[::1]:5082"),
            ("Kestrel:Endpoints:Http:Url", "http://127.0.0.2:5083"));
        var config = await host.CreateClient().GetFromJsonAsync<JsonElement>("/api/v1/auth/config");
        Assert.Equal("development", config.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Development_without_the_switch_is_production_sign_in()
    {
        await using var authority = await StandInAuthority.StartAsync("api://reviewflow");
        await using var host = Host(("DevSignIn:Enabled", "false"), ("Auth:Authority", authority.Issuer),
            ("Auth:Audience", "api://reviewflow"), ("Auth:RequireHttpsMetadata", "false"));
        var http = host.CreateClient();
        var config = await http.GetFromJsonAsync<JsonElement>("/api/v1/auth/config");
        Assert.Equal("entra", config.GetProperty("mode").GetString());
        // The endpoint is not there, for anonymous callers and signed-in ones alike.
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/api/v1/dev/token", new { user = "ada" })).StatusCode);
        http.DefaultRequestHeaders.Authorization = new("Bearer", authority.Issue([new("oid", "erin"), new("scp", "review")]));
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/api/v1/dev/token", new { user = "ada" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/dev/users")).StatusCode);
    }

    [Fact]
    public async Task Development_without_the_switch_and_without_an_authority_refuses_to_start()
    {
        await using var host = Host(("DevSignIn:Enabled", null));
        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        Assert.Contains("Auth:Authority is not set", error.ToString());
    }
}
