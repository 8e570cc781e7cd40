using System.Security.Claims;

namespace ReviewFlow.Workflow.SignIn;

/// <summary>Who is calling, as the endpoints and the hub read it from the validated token.</summary>
public static class SignedInUser
{
    /// <summary>
    /// The actor recorded in events and compared for four-eyes, claims and notifications: Entra's object id ("oid"), the
    /// same in every app and token; "sub" only for an authority that issues no oid.
    /// </summary>
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimNames.ObjectId) ?? user.FindFirstValue(ClaimNames.Subject)
        ?? throw new InvalidOperationException("a signed-in user without 'oid' or 'sub'");

    /// <summary>
    /// The role a reviewer command is authorized under, recorded on its events: the review policy admits Reviewers and
    /// Supervisors, and a Supervisor acts as one (escalations, disagreements, another's claim).
    /// </summary>
    public static string ReviewRole(this ClaimsPrincipal user) => user.IsInRole(Roles.Supervisor) ? Roles.Supervisor : Roles.Reviewer;

    /// <summary>The name others read ("Alice is working on this"): the token's display name, else the user id.</summary>
    public static string DisplayName(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimNames.Name) is { Length: > 0 } name ? name : user.UserId();

    public static IReadOnlySet<string> Groups(this ClaimsPrincipal user) =>
        user.FindAll(ClaimNames.Group).Select(c => c.Value).ToHashSet();
}
