using System.Net.Http.Headers;

namespace ReviewFlow.SecurityTests.Authorization;

/// <summary>The roles an endpoint may be reached by, and the development user who holds each (appsettings.Development.json).</summary>
[Flags]
public enum Who
{
    None = 0,
    Anonymous = 1,
    Ingest = 2,
    Reviewer = 4,
    Supervisor = 8,
    Admin = 16,
    Auditor = 32,
    Operator = 64,
    SignedIn = Ingest | Reviewer | Supervisor | Admin | Auditor | Operator,
    Anyone = Anonymous | SignedIn,
}

public static class Callers
{
    public static readonly IReadOnlyDictionary<Who, string?> Users = new Dictionary<Who, string?>
    {
        [Who.Anonymous] = null,
        [Who.Ingest] = "ap-inbox",
        [Who.Reviewer] = "alice",
        [Who.Supervisor] = "sam",
        [Who.Admin] = "ada",
        [Who.Auditor] = "audrey",
        [Who.Operator] = "otto",
    };

    /// <summary>An HTTP client of <paramref name="http"/>'s host as the role's user (tokens fetched once per role).</summary>
    public static async Task<HttpClient> AsAsync(this Func<HttpClient> http, Who role, Dictionary<Who, string> tokens)
    {
        var client = http();
        if (Users[role] is not { } user) return client;
        if (!tokens.TryGetValue(role, out var token)) tokens[role] = token = await DevTokens.GetAsync(http(), user);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
