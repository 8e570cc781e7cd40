using System.Security.Claims;
using Microsoft.Extensions.Options;
using GroupDirectory = ReviewFlow.Workflow.Reviewing.GroupDirectory;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Teams;

/// <summary>
/// The Teams user as the page knows them. Teams names the user by <c>from.aadObjectId</c>, their Entra object id — the
/// id the page's token carries as "oid" and the events record — unless Teams:Users maps it to another id (development
/// users). Teams sends no roles or groups, so they come from the one place group membership is configured for people
/// without a token, the <see cref="GroupDirectory"/>: a member of a group is a Reviewer there, a group's supervisor a
/// Supervisor. The principal then goes through the page's own handlers, so every rule of the page applies.
/// </summary>
public sealed class TeamsUsers(IOptions<TeamsOptions> options, GroupDirectory directory)
{
    public const string AuthenticationType = "teams";

    public string UserIdOf(string aadObjectId) => options.Value.Users.GetValueOrDefault(aadObjectId) ?? aadObjectId;

    public ClaimsPrincipal PrincipalFor(string aadObjectId, string? teamsName)
    {
        var userId = UserIdOf(aadObjectId);
        var groups = directory.GroupsOf(userId);
        var name = directory.NameOf(userId) is var known && known != userId ? known : teamsName ?? userId;
        var claims = new List<Claim> { new(ClaimNames.ObjectId, userId), new(ClaimNames.Name, name) };
        claims.AddRange(groups.Select(g => new Claim(ClaimNames.Group, g.Group)));
        if (groups.Any(g => !g.Supervisor)) claims.Add(new Claim(ClaimNames.Role, Roles.Reviewer));
        if (groups.Any(g => g.Supervisor)) claims.Add(new Claim(ClaimNames.Role, Roles.Supervisor));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, ClaimNames.Name, ClaimNames.Role));
    }
}
