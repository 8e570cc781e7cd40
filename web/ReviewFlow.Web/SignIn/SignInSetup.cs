using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;

using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Web.SignIn;

/// <summary>
/// JWT bearer everywhere. Production: Entra ID (Auth:Authority, Auth:Audience from configuration; no secret needed to
/// validate tokens), and a token must carry the API's scope or an app role (<see cref="ApiPermission"/>). Development
/// sign-in only with both switches (<see cref="DevelopmentSignIn"/>): a local issuer and seeded users (DevUsers).
/// Every endpoint requires a signed-in caller unless it says otherwise.
/// </summary>
public static class SignInSetup
{
    public static WebApplicationBuilder AddSignIn(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var authentication = services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        if (DevelopmentSignIn.IsEnabled(builder.Environment, builder.Configuration))
        {
            var issuer = new DevelopmentIssuer(DevUser.FromConfiguration(builder.Configuration),
                builder.Configuration["DevSignIn:SigningKey"], builder.Configuration.GetValue<TimeSpan?>("DevSignIn:TokenLifetime"));
            services.AddSingleton(issuer);
            authentication.AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = issuer.ValidationParameters;
                o.Events = Events(null);
            });
        }
        else
        {
            var auth = builder.Configuration.GetSection("Auth");
            var authority = auth["Authority"] ?? throw new InvalidOperationException(
                "Auth:Authority is not set: sign-in needs an OpenID Connect authority (Entra ID), or, on a developer's " +
                $"machine only, ASPNETCORE_ENVIRONMENT=Development and {DevelopmentSignIn.Switch}=true.");
            authentication.AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.Authority = authority;
                o.Audience = auth["Audience"];
                // Only a local stand-in authority (tests) runs on plain HTTP; Entra ID and any real authority use HTTPS.
                o.RequireHttpsMetadata = auth.GetValue("RequireHttpsMetadata", true);
                o.TokenValidationParameters.RoleClaimType = ClaimNames.Role;
                o.TokenValidationParameters.NameClaimType = ClaimNames.Name;
                o.Events = Events(new ApiPermission(auth["Scope"]));
            });
        }

        services.AddTransient<Microsoft.AspNetCore.Authentication.IClaimsTransformation, EntraGroupNames>();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(SignedInOrNoEndpoint)
            .AddPolicy(Policies.Review, p => p.RequireRole(Roles.Reviewer, Roles.Supervisor))
            .AddPolicy(Policies.Ingest, p => p.RequireRole(Roles.Ingest))
            .AddPolicy(Policies.Supervise, p => p.RequireRole(Roles.Supervisor));
        return builder;
    }

    /// <summary>
    /// The policy of every endpoint that names none: a signed-in caller. A path no endpoint matches passes through, to
    /// answer 404 to everyone alike (the fallback policy also runs there, and made it a 401 for anonymous callers).
    /// </summary>
    static readonly AuthorizationPolicy SignedInOrNoEndpoint = new AuthorizationPolicyBuilder()
        .RequireAssertion(c => c.User.Identities.Any(i => i.IsAuthenticated) || c.Resource is HttpContext http && http.GetEndpoint() is null)
        .Build();

    /// <summary>
    /// Browsers cannot set headers on WebSockets: the hub alone also takes the token from ?access_token=. A token the
    /// authority signed for this audience but that grants no permission of this API (<paramref name="permission"/>) fails.
    /// </summary>
    static JwtBearerEvents Events(ApiPermission? permission) => new()
    {
        OnMessageReceived = ctx =>
        {
            if (ctx.HttpContext.Request.Path.StartsWithSegments("/hubs") && ctx.Request.Query["access_token"] is [{ } token])
                ctx.Token = token;
            return Task.CompletedTask;
        },
        OnTokenValidated = ctx =>
        {
            if (permission is not null && !permission.IsGrantedTo(ctx.Principal!)) ctx.Fail(ApiPermission.Missing);
            return Task.CompletedTask;
        },
    };

    /// <summary>
    /// GET /api/v1/auth/config (anonymous): how the page signs in. Development sign-in: the seeded users. Otherwise the
    /// OpenID Connect authority (Entra ID), the page's own app registration (Auth:ClientId, a public SPA client: no
    /// secret) and the API scope it asks for (Auth:Scope); the page runs the authorization-code flow with PKCE.
    /// </summary>
    public static void MapSignInConfig(this WebApplication app)
    {
        var auth = app.Configuration.GetSection("Auth");
        var development = app.Services.GetService<DevelopmentIssuer>() is not null;
        app.MapGet("/api/v1/auth/config", () => development
                ? new SignInConfig("development", null, null, null)
                : new SignInConfig("entra", auth["Authority"], auth["ClientId"], auth["Scope"]))
            .AllowAnonymous().WithTags("Sign-in").WithSummary("How a client signs in: the authority, client id and scope");
    }

    /// <summary>POST /api/v1/dev/token {"user":"alice"}: only mapped with development sign-in (both switches).</summary>
    public static void MapDevelopmentSignIn(this WebApplication app)
    {
        if (app.Services.GetService<DevelopmentIssuer>() is null) return;
        app.MapGet("/api/v1/dev/users", (DevelopmentIssuer issuer) => issuer.Users.Select(u => new { user = u.Key, u.Value.Name, u.Value.Roles, u.Value.Groups }))
            .AllowAnonymous().ExcludeFromDescription(); // a developer's machine only: not part of the API
        app.MapPost("/api/v1/dev/token", (DevTokenRequest request, DevelopmentIssuer issuer) =>
                request.User is { } user && issuer.Users.ContainsKey(user) // no "user" in the body: 400, not a 500
                    ? Results.Ok(new { accessToken = issuer.Issue(user), tokenType = "Bearer" })
                    : Results.Problem(statusCode: 400, title: "Unknown user", detail: $"Known: {string.Join(", ", issuer.Users.Keys)}"))
            .AllowAnonymous().ExcludeFromDescription();
    }
}

public sealed record DevTokenRequest(string? User);

/// <summary>Mode "development" (seeded users) or "entra" (authority, clientId, scope for the PKCE flow).</summary>
public sealed record SignInConfig(string Mode, string? Authority, string? ClientId, string? Scope);
