using ReviewFlow.Web.Teams;

namespace ReviewFlow.Web.Security;

/// <summary>
/// Response headers browsers enforce: no MIME sniffing, no referrer, never framed (but the Teams tab, /teams, by the Teams and
/// Microsoft 365 hosts only: docs/teams.md), and a Content-Security-Policy that lets
/// the pages run only their own scripts (no inline script exists to allow) and talk only to this host and the sign-in
/// authority (the PKCE exchange). Styles allow inline: the charts set element styles. The document viewer's images are
/// blob: URLs and its PDF.js worker a file of this host (worker-src). HSTS outside Development, behind
/// HTTPS. The Hangfire dashboard (/hangfire) brings its own inline scripts: it gets every header but the CSP.
/// </summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this WebApplication app)
    {
        var csp = Policy(app.Configuration["Auth:Authority"]);
        var tabCsp = TabPolicy(app.Configuration["Auth:Authority"]);
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        return app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            // X-Frame-Options cannot name several hosts (ALLOW-FROM is gone): the tab leaves it out and relies on frame-ancestors.
            if (TeamsTab.IsTab(context.Request.Path)) headers.ContentSecurityPolicy = tabCsp;
            else
            {
                headers.XFrameOptions = "DENY";
                if (!context.Request.Path.StartsWithSegments("/hangfire")) headers.ContentSecurityPolicy = csp;
            }
            return next(context);
        });
    }

    /// <summary>The policy, with the sign-in authority's origin (if configured) as the one other host the pages may call.</summary>
    public static string Policy(string? authority) => Policy(authority, [], "'none'");

    /// <summary>The Teams tab's policy: framed by the Teams and Microsoft 365 hosts only; TeamsJS may fetch its list of host origins.</summary>
    public static string TabPolicy(string? authority) =>
        Policy(authority, [TeamsTab.ValidOriginsList], string.Join(" ", TeamsTab.FrameAncestors));

    static string Policy(string? authority, string[] alsoConnect, string frameAncestors)
    {
        var connect = "'self'";
        if (Uri.TryCreate(authority, UriKind.Absolute, out var uri)) connect += " " + uri.GetLeftPart(UriPartial.Authority);
        foreach (var origin in alsoConnect) connect += " " + origin;
        return string.Join("; ",
            "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
            "worker-src 'self'", $"connect-src {connect}", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
            $"frame-ancestors {frameAncestors}");
    }
}
