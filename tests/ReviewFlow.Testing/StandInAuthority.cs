using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReviewFlow.Testing.Processes;

namespace ReviewFlow.Testing;

/// <summary>
/// A local OpenID Connect authority standing in for Entra ID: discovery, JWKS, an authorize endpoint that signs the
/// configured user in at once, and a token endpoint that honours PKCE (S256) and issues RS256 access tokens. It
/// records what the browser sent, with CORS open like Entra's token endpoint for single-page apps. Like Entra, a
/// signed-in user's token carries the short names of the API scopes asked for in "scp"; <see cref="Issue(IEnumerable{Claim}, TimeSpan?)"/>
/// signs any claims (tokens Entra would never issue, for the host to refuse).
/// </summary>
public sealed class StandInAuthority : IAsyncDisposable
{
    readonly RSA _rsa = RSA.Create(2048);
    readonly ConcurrentDictionary<string, (string Challenge, string ClientId, string RedirectUri, string Scope)> _codes = new();
    readonly string _audience;
    WebApplication _app = null!;

    public string Issuer { get; private set; } = "";
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> AuthorizeRequests { get; } = new();
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> TokenRequests { get; } = new();
    public ConcurrentQueue<string> IssuedTokens { get; } = new();
    /// <summary>How long the tokens of the sign-in flow last (a test of expiry sets seconds).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Who signs in: sub, name, roles, groups.</summary>
    public (string Sub, string Name, string[] Roles, string[] Groups) User { get; set; } = ("erin", "Erin (reviewer)", ["Reviewer"], []);

    StandInAuthority(string audience) => _audience = audience;

    public static async Task<StandInAuthority> StartAsync(string audience)
    {
        var authority = new StandInAuthority(audience);
        await authority.StartAsync();
        return authority;
    }

    async Task StartAsync()
    {
        var port = HostProcess.FreePort();
        Issuer = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.Use((ctx, next) => { ctx.Response.Headers.AccessControlAllowOrigin = "*"; return next(); });
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = Issuer + "/authorize",
            ["token_endpoint"] = Issuer + "/token",
            ["jwks_uri"] = Issuer + "/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "pairwise" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        _app.MapGet("/jwks", () =>
        {
            var p = _rsa.ExportParameters(false);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = "stand-in",
                n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } });
        });
        _app.MapGet("/authorize", (HttpRequest request) =>
        {
            var q = request.Query.ToDictionary(x => x.Key, x => x.Value.ToString());
            AuthorizeRequests.Enqueue(q);
            if (q.GetValueOrDefault("response_type") != "code" || q.GetValueOrDefault("code_challenge_method") != "S256"
                || !q.TryGetValue("code_challenge", out var challenge) || !q.TryGetValue("redirect_uri", out var redirect))
                return Results.BadRequest("authorization code with PKCE (S256) only");
            var code = Guid.NewGuid().ToString("N");
            _codes[code] = (challenge, q.GetValueOrDefault("client_id", ""), redirect, q.GetValueOrDefault("scope", ""));
            return Results.Redirect($"{redirect}?code={code}&state={Uri.EscapeDataString(q.GetValueOrDefault("state", ""))}");
        });
        _app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = (await request.ReadFormAsync()).ToDictionary(x => x.Key, x => x.Value.ToString());
            TokenRequests.Enqueue(form);
            if (form.GetValueOrDefault("grant_type") != "authorization_code"
                || !_codes.TryRemove(form.GetValueOrDefault("code", ""), out var issued)) // single use
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            var verifier = form.GetValueOrDefault("code_verifier", "");
            if (Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != issued.Challenge
                || form.GetValueOrDefault("client_id") != issued.ClientId || form.GetValueOrDefault("redirect_uri") != issued.RedirectUri)
                return Results.Json(new { error = "invalid_grant", error_description = "PKCE verifier, client or redirect URI mismatch" }, statusCode: 400);
            var token = Issue(issued.Scope);
            IssuedTokens.Enqueue(token);
            return Results.Json(new { access_token = token, token_type = "Bearer", expires_in = 3600 });
        });
        await _app.StartAsync();
    }

    string Issue(string scope)
    {
        var claims = new List<Claim> { new("sub", User.Sub), new("name", User.Name) };
        var apiScopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => s.StartsWith(_audience + "/", StringComparison.Ordinal))
            .Select(s => s[(_audience.Length + 1)..]).ToList();
        if (apiScopes.Count > 0) claims.Add(new Claim("scp", string.Join(' ', apiScopes)));
        claims.AddRange(User.Roles.Select(r => new Claim("roles", r)));
        claims.AddRange(User.Groups.Select(g => new Claim("groups", g)));
        return Issue(claims, TokenLifetime);
    }

    /// <summary>An access token for the audience with exactly <paramref name="claims"/>, signed by this authority.</summary>
    public string Issue(IEnumerable<Claim> claims, TimeSpan? lifetime = null)
    {
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = _audience,
            Subject = new ClaimsIdentity(claims),
            Expires = DateTime.UtcNow.Add(lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = "stand-in" }, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _rsa.Dispose();
    }
}
