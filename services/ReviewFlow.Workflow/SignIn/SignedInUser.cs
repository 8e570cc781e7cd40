using System.Security.Claims;

namespace ReviewFlow.Workflow.SignIn;

/// <summary>Who is calling, as the endpoints and the hub read it from the validated token.</summary>
public static class SignedInUser
{
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimNames.Subject) ?? throw new InvalidOperationException("a signed-in user without 'sub'");

    public static IReadOnlySet<string> Groups(this ClaimsPrincipal user) =>
        user.FindAll(ClaimNames.Group).Select(c => c.Value).ToHashSet();
}
