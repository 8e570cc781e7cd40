using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ReviewFlow.Web.SignIn;

public static class Roles
{
    public const string Reviewer = "Reviewer";
    public const string Supervisor = "Supervisor";
    public const string Auditor = "Auditor";
    public const string Admin = "Admin";
    /// <summary>Upstream systems posting classification results over HTTP (client-credentials app role).</summary>
    public const string Ingest = "Ingest";
}

public static class Policies
{
    public const string Review = "review";
    public const string Ingest = "ingest";
    public const string Supervise = "supervise";
}

/// <summary>Claim types: Entra ID app roles arrive as "roles"; reviewer groups as "groups" (group names).</summary>
public static class ClaimNames
{
    public const string Role = "roles";
    public const string Group = "groups";
    public const string Name = "name";
    public const string Subject = "sub";
}

/// <summary>
/// JWT bearer everywhere. Production: Entra ID (Auth:Authority, Auth:Audience from configuration; no secret needed to
/// validate tokens). Development only: a local issuer with a key made at start and seeded users (DevUsers). Every
/// endpoint requires a signed-in caller unless it says otherwise.
/// </summary>
public static class SignInSetup
{
    public static WebApplicationBuilder AddReviewFlowSignIn(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var authentication = services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        if (builder.Environment.IsDevelopment())
        {
            var issuer = new DevelopmentIssuer(builder.Configuration.GetSection("DevUsers").Get<Dictionary<string, DevUser>>() ?? [],
                builder.Configuration["DevSignIn:SigningKey"]);
            services.AddSingleton(issuer);
            authentication.AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = issuer.ValidationParameters;
                o.Events = HubTokenFromQuery;
            });
        }
        else
        {
            var auth = builder.Configuration.GetSection("Auth");
            var authority = auth["Authority"] ?? throw new InvalidOperationException(
                "Auth:Authority is not set: outside Development, sign-in needs an OpenID Connect authority (Entra ID).");
            authentication.AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.Authority = authority;
                o.Audience = auth["Audience"];
                // Only a local stand-in authority (tests) runs on plain HTTP; Entra ID and any real authority use HTTPS.
                o.RequireHttpsMetadata = auth.GetValue("RequireHttpsMetadata", true);
                o.TokenValidationParameters.RoleClaimType = ClaimNames.Role;
                o.TokenValidationParameters.NameClaimType = ClaimNames.Name;
                o.Events = HubTokenFromQuery;
            });
        }

        services.AddTransient<Microsoft.AspNetCore.Authentication.IClaimsTransformation, EntraGroupNames>();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Review, p => p.RequireRole(Roles.Reviewer, Roles.Supervisor))
            .AddPolicy(Policies.Ingest, p => p.RequireRole(Roles.Ingest, Roles.Admin))
            .AddPolicy(Policies.Supervise, p => p.RequireRole(Roles.Supervisor));
        return builder;
    }

    /// <summary>Browsers cannot set headers on WebSockets: the hub alone also takes the token from ?access_token=.</summary>
    static JwtBearerEvents HubTokenFromQuery => new()
    {
        OnMessageReceived = ctx =>
        {
            if (ctx.HttpContext.Request.Path.StartsWithSegments("/hubs") && ctx.Request.Query["access_token"] is [{ } token])
                ctx.Token = token;
            return Task.CompletedTask;
        },
    };

    /// <summary>
    /// GET /api/v1/auth/config (anonymous): how the page signs in. Development: the seeded users. Otherwise the
    /// OpenID Connect authority (Entra ID), the page's own app registration (Auth:ClientId, a public SPA client: no
    /// secret) and the API scope it asks for (Auth:Scope); the page runs the authorization-code flow with PKCE.
    /// </summary>
    public static void MapSignInConfig(this WebApplication app)
    {
        var auth = app.Configuration.GetSection("Auth");
        app.MapGet("/api/v1/auth/config", () => app.Environment.IsDevelopment()
                ? new SignInConfig("development", null, null, null)
                : new SignInConfig("entra", auth["Authority"], auth["ClientId"], auth["Scope"]))
            .AllowAnonymous().WithTags("Sign-in");
    }

    /// <summary>POST /api/v1/dev/token {"user":"alice"}: only mapped in Development.</summary>
    public static void MapDevelopmentSignIn(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) return;
        app.MapGet("/api/v1/dev/users", (DevelopmentIssuer issuer) => issuer.Users.Select(u => new { user = u.Key, u.Value.Name, u.Value.Roles, u.Value.Groups }))
            .AllowAnonymous();
        app.MapPost("/api/v1/dev/token", (DevTokenRequest request, DevelopmentIssuer issuer) =>
                issuer.Users.ContainsKey(request.User)
                    ? Results.Ok(new { accessToken = issuer.Issue(request.User), tokenType = "Bearer" })
                    : Results.Problem(statusCode: 400, title: "Unknown user", detail: $"Known: {string.Join(", ", issuer.Users.Keys)}"))
            .AllowAnonymous();
    }

    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimNames.Subject) ?? throw new InvalidOperationException("a signed-in user without 'sub'");

    public static IReadOnlySet<string> Groups(this ClaimsPrincipal user) =>
        user.FindAll(ClaimNames.Group).Select(c => c.Value).ToHashSet();
}

public sealed record DevTokenRequest(string User);

/// <summary>Mode "development" (seeded users) or "entra" (authority, clientId, scope for the PKCE flow).</summary>
public sealed record SignInConfig(string Mode, string? Authority, string? ClientId, string? Scope);

public sealed class DevUser
{
    public string Name { get; set; } = "";
    public List<string> Roles { get; set; } = [];
    public List<string> Groups { get; set; } = [];
}

/// <summary>
/// Development-only token issuer. The signing key exists only in this process's memory unless DevSignIn:SigningKey
/// (base64, at least 32 bytes) gives one: several development web nodes behind one proxy need the same key, or a page
/// that fails over to another node is refused there (401) and never reconnects (WebNodeFailoverTests).
/// </summary>
public sealed class DevelopmentIssuer(IReadOnlyDictionary<string, DevUser> users, string? sharedKey = null)
{
    const string Issuer = "reviewflow-development";
    const string Audience = "reviewflow";
    readonly SymmetricSecurityKey _key = new(sharedKey is { Length: > 0 } ? SharedKey(sharedKey) : RandomNumberGenerator.GetBytes(32));

    static byte[] SharedKey(string base64)
    {
        var key = Convert.FromBase64String(base64);
        return key.Length >= 32 ? key : throw new InvalidOperationException("DevSignIn:SigningKey must be at least 32 bytes (base64).");
    }

    public IReadOnlyDictionary<string, DevUser> Users { get; } = users;

    public TokenValidationParameters ValidationParameters => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = _key,
        RoleClaimType = ClaimNames.Role,
        NameClaimType = ClaimNames.Name,
    };

    public string Issue(string userId)
    {
        var user = Users[userId];
        var claims = new List<Claim> { new(ClaimNames.Subject, userId), new(ClaimNames.Name, user.Name) };
        claims.AddRange(user.Roles.Select(r => new Claim(ClaimNames.Role, r)));
        claims.AddRange(user.Groups.Select(g => new Claim(ClaimNames.Group, g)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            Expires = DateTime.UtcNow.AddHours(8),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }
}
