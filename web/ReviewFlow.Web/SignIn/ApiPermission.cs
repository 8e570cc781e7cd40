using System.Security.Claims;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Web.SignIn;

/// <summary>
/// What an Entra token must grant beyond being signed for our audience: a user's token the API's delegated scope
/// ("scp" holding the name of Auth:Scope, e.g. "review" of "api://reviewflow/review"), an application's token an app
/// role ("roles"). Without Auth:Scope any delegated scope passes: Entra puts only this API's scopes in a token for it.
/// </summary>
public sealed class ApiPermission(string? configuredScope)
{
    public const string Missing = "The token grants neither this API's scope (scp) nor an app role (roles).";

    // Auth:Scope is what the page asks for (full URIs, space-separated, maybe with OpenID scopes); "scp" holds short names.
    readonly HashSet<string> _names = (configuredScope ?? "")
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Where(s => s.Contains('/'))
        .Select(s => s[(s.LastIndexOf('/') + 1)..])
        .ToHashSet(StringComparer.Ordinal);

    public bool IsGrantedTo(ClaimsPrincipal user)
    {
        if (user.HasClaim(c => c.Type == ClaimNames.Role && c.Value.Length > 0)) return true;
        var granted = user.FindAll(ClaimNames.Scope).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        return _names.Count == 0 ? granted.Count > 0 : granted.Any(_names.Contains);
    }
}
