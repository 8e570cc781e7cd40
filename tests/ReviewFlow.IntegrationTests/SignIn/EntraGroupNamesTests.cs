using System.Security.Claims;
using Microsoft.Extensions.Configuration;
using ReviewFlow.Web.SignIn;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.IntegrationTests.SignIn;

/// <summary>Entra ID's group object ids become the reviewer groups the queue and the commands check.</summary>
public sealed class EntraGroupNamesTests
{
    static readonly EntraGroupNames Names = new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Auth:GroupNames:5f1c0c5e-0000-4000-8000-000000000001"] = "ap-reviewers",
    }).Build());

    static ClaimsPrincipal Signed(params string[] groups) => new(new ClaimsIdentity(
        groups.Select(g => new Claim(ClaimNames.Group, g)).Append(new Claim(ClaimNames.Subject, "erin")), "Bearer", ClaimNames.Name, ClaimNames.Role));

    [Fact]
    public async Task A_mapped_group_id_makes_the_user_a_member_of_the_named_group_and_others_stay_out()
    {
        var user = await Names.TransformAsync(Signed("5f1c0c5e-0000-4000-8000-000000000001", "9d9d9d9d-0000-4000-8000-000000000009"));
        user = await Names.TransformAsync(user); // ASP.NET Core may transform more than once per request

        Assert.Equal(["5f1c0c5e-0000-4000-8000-000000000001", "9d9d9d9d-0000-4000-8000-000000000009", "ap-reviewers"], user.Groups().Order().ToArray());
        Assert.Single(user.FindAll(ClaimNames.Group), c => c.Value == "ap-reviewers");
    }

    [Fact]
    public async Task An_anonymous_caller_gains_nothing()
    {
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimNames.Group, "5f1c0c5e-0000-4000-8000-000000000001")]));

        var user = await Names.TransformAsync(anonymous);

        Assert.DoesNotContain("ap-reviewers", user.Groups());
    }
}
