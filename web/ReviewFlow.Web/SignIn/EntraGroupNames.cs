using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Web.SignIn;

/// <summary>
/// Entra ID puts security groups in the token as object ids; ReviewFlow's reviewer groups have names
/// (ap-reviewers, …). Auth:GroupNames maps one to the other ({"&lt;object id&gt;": "ap-reviewers"}); a mapped id gains a
/// "groups" claim with the name. Tokens that carry names already (the development issuer, or Entra configured to
/// emit cloud group names) pass unchanged.
/// </summary>
public sealed class EntraGroupNames(IConfiguration configuration) : IClaimsTransformation
{
    readonly Dictionary<string, string> _names =
        configuration.GetSection("Auth:GroupNames").Get<Dictionary<string, string>>() ?? new Dictionary<string, string>();

    public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (_names.Count == 0 || principal.Identity is not ClaimsIdentity { IsAuthenticated: true } identity) return Task.FromResult(principal);
        foreach (var id in identity.FindAll(ClaimNames.Group).Select(c => c.Value).ToList())
            if (_names.TryGetValue(id, out var name) && !identity.HasClaim(ClaimNames.Group, name))
                identity.AddClaim(new Claim(ClaimNames.Group, name));
        return Task.FromResult(principal);
    }
}
