using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Web.SignIn;

/// <summary>
/// Development-only token issuer (<see cref="DevelopmentSignIn"/> decides when). The signing key exists only in this
/// process's memory unless DevSignIn:SigningKey (base64, at least 32 bytes) gives one: several development web nodes
/// behind one proxy need the same key, or a page that fails over to another node is refused there (401) and never
/// reconnects (WebNodeFailoverTests). Tokens last DevSignIn:TokenLifetime (8 h; a test of expiry sets seconds).
/// </summary>
public sealed class DevelopmentIssuer(IReadOnlyDictionary<string, DevUser> users, string? sharedKey = null, TimeSpan? lifetime = null)
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
    public TimeSpan Lifetime { get; } = lifetime ?? TimeSpan.FromHours(8);

    public TokenValidationParameters ValidationParameters => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = _key,
        RoleClaimType = ClaimNames.Role,
        NameClaimType = ClaimNames.Name,
        ClockSkew = TimeSpan.Zero, // a token of a few seconds (tests of expiry) must end when it says
    };

    public string Issue(string userId)
    {
        var user = Users[userId];
        // Like Entra ID: "oid" the user's stable id, "sub" a per-application pairwise id the host must not use as the actor.
        var claims = new List<Claim> { new(ClaimNames.ObjectId, userId), new(ClaimNames.Subject, "dev-" + userId), new(ClaimNames.Name, user.Name) };
        claims.AddRange(user.Roles.Select(r => new Claim(ClaimNames.Role, r)));
        claims.AddRange(user.Groups.Select(g => new Claim(ClaimNames.Group, g)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = DateTime.UtcNow,
            Expires = DateTime.UtcNow.Add(Lifetime),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }
}
