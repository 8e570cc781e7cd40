using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ReviewFlow.SecurityTests.Authorization;

/// <summary>
/// Callers narrower than the seeded ones: a supervisor of ap-reviewers only (lee) and a second upstream system
/// (claims-inbox), so that need-to-know is tested across groups and across upstream callers, not only across roles.
/// </summary>
public sealed class NarrowCallersSystem() : TestSystem(new SystemOptions
{
    Settings = new Dictionary<string, string?>
    {
        ["DevUsers:lee:Name"] = "Lee (supervisor of ap-reviewers only)",
        ["DevUsers:lee:Roles:0"] = "Supervisor",
        ["DevUsers:lee:Groups:0"] = "ap-reviewers",
        ["DevUsers:claims-inbox:Name"] = "Claims inbox (another upstream system)",
        ["DevUsers:claims-inbox:Roles:0"] = "Ingest",
    },
});

/// <summary>
/// IDOR across groups and callers, beyond DocumentAccessTests (reads by role) and ReviewApiTests (claiming another group's
/// unclaimed task): every review command on another group's claimed task, by a reviewer and by a supervisor of other
/// groups, answers exactly as for an unknown id and changes nothing; an upstream system cannot follow another's documents.
/// </summary>
public sealed class CrossGroupTests(NarrowCallersSystem system) : IClassFixture<NarrowCallersSystem>
{
    static readonly string[] Reads = ["", "/history", "/notifications"];

    [Fact]
    public async Task Every_command_on_another_groups_claimed_task_is_answered_as_for_an_unknown_id_and_changes_nothing()
    {
        // A contract goes to legal-reviewers: bob (legal) holds it; alice (ap, claims) and lee (supervises ap only) do not.
        var id = Documents.NewId("CTR");
        await system.Amqp.PublishRawAsync(Documents.Json(id, documentType: "contract", label: "nda", confidence: 0.5));
        var bob = await system.ClientAsync("bob");
        await bob.ForStatusAsync(id, "AwaitingReview");
        Assert.Equal(HttpStatusCode.OK, (await bob.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
        var before = await system.Store.EventTypesAsync(id);

        foreach (var user in new[] { "alice", "lee" })
        {
            var http = await system.ClientAsync(user);
            var unknown = Documents.NewId("CTR");
            foreach (var (command, body) in Commands(user))
            {
                var refused = await http.PostAsJsonAsync($"/api/v1/reviews/{id}/{command}", body);
                var baseline = await http.PostAsJsonAsync($"/api/v1/reviews/{unknown}/{command}", body);
                Assert.True(refused.StatusCode == HttpStatusCode.NotFound, $"{user} {command}: {(int)refused.StatusCode}");
                Assert.Equal(await ProblemAsync(baseline, unknown), await ProblemAsync(refused, id));
            }
            foreach (var read in Reads)
                Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/documents/{id}{read}")).StatusCode);
        }

        var lee = await system.ClientAsync("lee");
        var bulk = await (await lee.PostAsJsonAsync("/api/v1/reviews/bulk-confirm", new { documentIds = new[] { id } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, bulk[0].GetProperty("status").GetInt32());
        // The supervisor overview lists lee's groups only: neither the task nor who is in legal-reviewers.
        var overview = await lee.GetFromJsonAsync<JsonElement>("/api/v1/supervisor/overview");
        Assert.DoesNotContain(id, overview.GetRawText());
        Assert.Equal(["ap-reviewers"], overview.GetProperty("members").EnumerateObject().Select(g => g.Name));
        Assert.Equal(0, overview.GetProperty("workload").EnumerateArray().Single(w => w.GetProperty("id").GetString() == "bob")
            .GetProperty("openClaims").GetInt32()); // bob holds the legal task; in lee's groups he holds none

        Assert.Equal(before, await system.Store.EventTypesAsync(id));
        Assert.Equal("bob", (await bob.ForStatusAsync(id, "Claimed")).GetProperty("claimedBy").GetString());
    }

    /// <summary>What a problem answer says (status, title, detail with the id blanked); the trace id differs per request.</summary>
    static async Task<string> ProblemAsync(HttpResponseMessage response, string id)
    {
        var p = await response.Content.ReadFromJsonAsync<JsonElement>();
        return $"{p.GetProperty("status")} {p.GetProperty("title")} {p.GetProperty("detail").GetString()!.Replace(id, "ID")}";
    }

    static IEnumerable<(string Command, object Body)> Commands(string user)
    {
        yield return ("claim", new { });
        yield return ("release", new { });
        yield return ("decision", new { outcome = "confirm" });
        if (user == "lee") yield return ("reassign", new { reviewerId = "alice" });
    }

    [Fact]
    public async Task An_upstream_system_cannot_follow_another_upstream_systems_document()
    {
        var id = Documents.NewId();
        var inbox = await system.ClientAsync("ap-inbox");
        Assert.Equal(HttpStatusCode.Accepted, (await inbox.PostAsync("/api/v1/documents",
            new StringContent(Documents.Json(id, confidence: 0.99), Encoding.UTF8, "application/json"))).StatusCode);
        await inbox.ForStatusAsync(id, "Routed");

        var other = await system.ClientAsync("claims-inbox");
        foreach (var read in Reads)
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/documents/{id}{read}")).StatusCode);
    }
}
