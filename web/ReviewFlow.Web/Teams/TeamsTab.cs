namespace ReviewFlow.Web.Teams;

/// <summary>
/// The Teams personal tab (docs/teams.md, "The tab"): <c>/teams</c> is the reviewer page (index.html) as Teams and
/// Microsoft 365 host it in a frame. Only this path may be framed, and only by those hosts; every other page keeps
/// <c>frame-ancestors 'none'</c>. The page itself tells it runs in the tab by its path (js/teams.js).
/// </summary>
public static class TeamsTab
{
    public const string Path = "/teams";

    /// <summary>
    /// The hosts that frame a Teams personal tab, Microsoft's list in "Prerequisites" of the tab docs (2026): all hosts as
    /// they move to *.cloud.microsoft, Teams, the Microsoft 365 app and Outlook (its -sdf test rings left out). HTTPS only.
    /// </summary>
    public static readonly string[] FrameAncestors =
    [
        "https://*.cloud.microsoft", "https://teams.microsoft.com", "https://*.teams.microsoft.com",
        "https://*.microsoft365.com", "https://*.office.com", "https://outlook.office.com", "https://outlook.office365.com",
    ];

    /// <summary>TeamsJS fetches its list of valid host origins from here when it loads (it falls back to its own copy).</summary>
    public const string ValidOriginsList = "https://res.cdn.office.net";

    /// <summary>/teams answers with the reviewer page: the static files below serve index.html for it.</summary>
    public static IApplicationBuilder UseTeamsTab(this WebApplication app) => app.Use((context, next) =>
    {
        if (IsTab(context.Request.Path)) context.Request.Path = "/index.html";
        return next(context);
    });

    public static bool IsTab(PathString path) => path.Equals(Path, StringComparison.OrdinalIgnoreCase);
}
