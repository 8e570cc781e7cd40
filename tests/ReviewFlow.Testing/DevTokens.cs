using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ReviewFlow.Testing;

/// <summary>
/// The web host's development sign-in (Development only): a bearer token for a seeded or configured user, as the
/// page's user list gets one (alice, bob: reviewers; sam: supervisor; audrey: auditor; ada: admin; ap-inbox: upstream).
/// </summary>
public static class DevTokens
{
    /// <summary>POST /api/v1/dev/token on <paramref name="http"/>'s base address, or on <paramref name="site"/>.</summary>
    public static async Task<string> GetAsync(HttpClient http, string user, Uri? site = null, CancellationToken cancellationToken = default)
    {
        var path = site is null ? "/api/v1/dev/token" : new Uri(site, "/api/v1/dev/token").ToString();
        using var response = await http.PostAsJsonAsync(path, new { user }, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"POST /api/v1/dev/token for {user} answered {(int)response.StatusCode}", null, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return body.GetProperty("accessToken").GetString()!;
    }

    /// <summary>Signs <paramref name="http"/> in as <paramref name="user"/>: every later request carries the token.</summary>
    public static async Task<HttpClient> SignedInAsAsync(this HttpClient http, string user)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await GetAsync(http, user));
        return http;
    }
}
