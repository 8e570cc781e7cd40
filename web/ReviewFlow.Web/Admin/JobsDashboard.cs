using System.Security.Claims;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Web.Admin;

/// <summary>
/// Hangfire's dashboard at /hangfire, for Admins only. A browser cannot put a bearer token on a page navigation, so
/// an Admin's page first calls POST /api/v1/admin/dashboard-session with its token; that sets a short-lived cookie
/// (HttpOnly, SameSite=Strict, path /hangfire only) which is the dashboard's only way in. The dashboard's own
/// buttons (retry, delete, trigger) are POSTs: they also need ASP.NET Core's antiforgery token, which the dashboard
/// puts in its pages — so a cross-site form cannot use the cookie (CSRF). Each POST is recorded (<see cref="DashboardAudit"/>).
/// </summary>
public static class JobsDashboard
{
    public const string Path = "/hangfire";
    public const string Scheme = "jobs-dashboard";
    const string Policy = "jobs-dashboard";
    static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    public static WebApplicationBuilder AddJobsDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddAntiforgery();
        builder.Services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "reviewflow-jobs";
            o.Cookie.Path = Path;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = Lifetime;
            o.SlidingExpiration = false;
            // An API-style answer, not a redirect to a login page that does not exist.
            o.Events.OnRedirectToLogin = ctx => { ctx.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = ctx => { ctx.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireRole(Roles.Admin));
        return builder;
    }

    public static void MapJobsDashboard(this WebApplication app)
    {
        app.MapPost("/api/v1/admin/dashboard-session", async (HttpContext http, ClaimsPrincipal user) =>
            {
                var identity = new ClaimsIdentity(user.Claims, Scheme, ClaimNames.Name, ClaimNames.Role);
                await http.SignInAsync(Scheme, new ClaimsPrincipal(identity),
                    new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow + Lifetime });
                return TypedResults.NoContent();
            })
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithTags("Admin").WithSummary("Open a jobs dashboard session (a cookie for /hangfire, 30 minutes)");
        // Authorization is the endpoint's policy above; Hangfire's own filter (local requests only) is replaced.
        app.MapHangfireDashboard(Path, new DashboardOptions
        {
            Authorization = [],
            DashboardTitle = "ReviewFlow jobs",
            AppPath = "/",
        }).RequireAuthorization(Policy).Add(DashboardAudit.Record);
        app.MapGet("/api/v1/admin/dashboard-actions", DashboardAudit.ListAsync)
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Auditor))
            .WithTags("Admin").WithSummary("The actions taken on the jobs dashboard (latest 500)");
    }
}
