using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ReviewFlow.IntegrationTests.Supervising;

/// <summary>
/// GET /api/v1/supervisor/overview: a supervisor's open tasks with who holds each (by name) and since when, the
/// members of their groups, and each person's workload; the holder's name travels with the claim to the document too.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class SupervisorOverviewTests(TestSystem system)
{
    [Fact]
    public async Task A_supervisor_sees_who_holds_each_task_since_when_the_group_members_and_everyones_workload()
    {
        var sam = await system.ClientAsync("sam");
        var before = await sam.GetFromJsonAsync<JsonElement>("/api/v1/supervisor/overview");
        var (held, alice) = await system.ClaimedByAsync("alice");
        var decided = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(decided, confidence: 0.5));
        var bob = await system.ClientAsync("bob");
        await bob.ForStatusAsync(decided, "AwaitingReview");
        Assert.Equal(HttpStatusCode.OK, (await bob.PostAsync($"/api/v1/reviews/{decided}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.PostAsJsonAsync($"/api/v1/reviews/{decided}/decision", new { outcome = "confirm" })).StatusCode);

        var overview = await sam.GetFromJsonAsync<JsonElement>("/api/v1/supervisor/overview");
        var task = overview.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("documentId").GetString() == held);
        Assert.Equal(("alice", "Alice", "Claimed"), (task.GetProperty("claimedBy").GetString(), task.GetProperty("claimedByName").GetString(),
            task.GetProperty("status").GetString()));
        Assert.True(DateTimeOffset.UtcNow - task.GetProperty("claimedAt").GetDateTimeOffset() < TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(overview.GetProperty("tasks").EnumerateArray(), t => t.GetProperty("documentId").GetString() == decided);

        // The picker's people: the group's reviewers, then its supervisors, by name.
        var members = overview.GetProperty("members").GetProperty("ap-reviewers").EnumerateArray()
            .Select(m => (m.GetProperty("id").GetString(), m.GetProperty("name").GetString(), m.GetProperty("supervisor").GetBoolean())).ToList();
        Assert.Contains(("alice", "Alice", false), members);
        Assert.Contains(("bob", "Bob", false), members);
        Assert.Contains(("sam", "Sam", true), members);
        Assert.True(members.FindIndex(m => m.Item1 == "sam") > members.FindIndex(m => m.Item1 == "bob"));

        // Workload: alice holds one more task than before, bob decided one more today.
        Assert.Equal(Work(before, "alice").OpenClaims + 1, Work(overview, "alice").OpenClaims);
        Assert.Equal(Work(before, "bob").DecidedToday + 1, Work(overview, "bob").DecidedToday);

        // The document says who holds it, by name, for the sentence others read.
        var document = await alice.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{held}");
        Assert.Equal("Alice", document.GetProperty("claimedByName").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/api/v1/supervisor/overview")).StatusCode);
    }

    [Fact]
    public async Task A_reassigned_task_carries_the_new_holders_name()
    {
        var (id, _) = await system.ClaimedByAsync("alice");
        var sam = await system.ClientAsync("sam");
        Assert.Equal(HttpStatusCode.OK, (await sam.PostAsJsonAsync($"/api/v1/reviews/{id}/reassign", new { reviewerId = "bob" })).StatusCode);
        var overview = await sam.GetFromJsonAsync<JsonElement>("/api/v1/supervisor/overview");
        var task = overview.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("documentId").GetString() == id);
        Assert.Equal(("bob", "Bob"), (task.GetProperty("claimedBy").GetString(), task.GetProperty("claimedByName").GetString()));
    }

    static (int OpenClaims, int DecidedToday) Work(JsonElement overview, string id) =>
        overview.GetProperty("workload").EnumerateArray().Where(w => w.GetProperty("id").GetString() == id)
            .Select(w => (w.GetProperty("openClaims").GetInt32(), w.GetProperty("decidedToday").GetInt32()))
            .DefaultIfEmpty((0, 0)).Single();
}
