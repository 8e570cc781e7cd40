using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ReviewFlow.IntegrationTests.Reviewing;

/// <summary>The reviewer API: roles checked server-side, groups respected, the saga's refusals as 409.</summary>
[Collection(SystemCollection.Name)]
public sealed class ReviewApiTests(TestSystem system)
{
    async Task<string> UnsureAsync(string documentType = "invoice", string label = "utilities")
    {
        var id = Documents.NewId(documentType[..3].ToUpperInvariant());
        await system.Amqp.PublishRawAsync(Documents.Json(id, documentType, label, confidence: 0.5));
        await (await system.ClientAsync()).ForStatusAsync(id, "AwaitingReview");
        return id;
    }

    static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Anonymous_callers_are_refused_everywhere_but_health()
    {
        var http = system.Web.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/documents/ANY-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/v1/reviews/ANY-1/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/v1/documents",
            new StringContent(Documents.Json(Documents.NewId()), Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task The_queue_shows_only_the_callers_groups_tasks_oldest_first()
    {
        var invoice1 = await UnsureAsync("invoice");
        var invoice2 = await UnsureAsync("invoice");
        var contract = await UnsureAsync("contract", "nda");

        var alice = await (await system.ClientAsync("alice")).GetFromJsonAsync<JsonElement>("/api/v1/queue?documentType=invoice&pageSize=200");
        var ids = alice.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("documentId").GetString()).ToList();
        Assert.True(ids.IndexOf(invoice1) >= 0 && ids.IndexOf(invoice1) < ids.IndexOf(invoice2), "oldest first");

        var aliceAll = await (await system.ClientAsync("alice")).GetFromJsonAsync<JsonElement>("/api/v1/queue?pageSize=200");
        Assert.DoesNotContain(aliceAll.GetProperty("items").EnumerateArray(), i => i.GetProperty("documentId").GetString() == contract);
        var bob = await (await system.ClientAsync("bob")).GetFromJsonAsync<JsonElement>("/api/v1/queue?documentType=contract&pageSize=200");
        Assert.Contains(bob.GetProperty("items").EnumerateArray(), i => i.GetProperty("documentId").GetString() == contract);
    }

    [Fact]
    public async Task A_reviewer_cannot_claim_another_groups_task_and_an_auditor_cannot_act_at_all()
    {
        var contract = await UnsureAsync("contract", "nda");
        // Another group's task is not alice's to know of: the answer for an id that has no task, naming no group.
        var alice = await (await system.ClientAsync("alice")).PostAsync($"/api/v1/reviews/{contract}/claim", null);
        Assert.Equal(HttpStatusCode.NotFound, alice.StatusCode);
        var problem = await ProblemAsync(alice);
        Assert.Equal(("No such document", $"No review task for '{contract}'."), (problem.GetProperty("title").GetString(), problem.GetProperty("detail").GetString()));

        var audrey = await system.ClientAsync("audrey");
        Assert.Equal(HttpStatusCode.Forbidden, (await audrey.PostAsync($"/api/v1/reviews/{contract}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await audrey.PostAsJsonAsync($"/api/v1/reviews/{contract}/decision", new { outcome = "confirm" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await audrey.GetAsync("/api/v1/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await audrey.PostAsync("/api/v1/documents",
            new StringContent(Documents.Json(Documents.NewId()), Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(["ClassificationReceived", "RoutingDecided", "ReviewRequested"], await system.Store.EventTypesAsync(contract));
    }

    [Fact]
    public async Task Two_reviewers_racing_over_http_exactly_one_wins_and_the_loser_learns_who_holds_it()
    {
        var id = await UnsureAsync();
        var alice = await system.ClientAsync("alice");
        var bob = await system.ClientAsync("bob");
        var responses = await Task.WhenAll(alice.PostAsync($"/api/v1/reviews/{id}/claim", null), bob.PostAsync($"/api/v1/reviews/{id}/claim", null));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Conflict);
        var winner = responses[0].StatusCode == HttpStatusCode.OK ? "alice" : "bob";
        Assert.Equal(winner, (await ProblemAsync(loser)).GetProperty("heldBy").GetString());
    }

    [Fact]
    public async Task Claim_then_correct_over_http_records_it_and_routes_it_downstream()
    {
        var id = await UnsureAsync();
        var alice = await system.ClientAsync("alice");
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);

        var incomplete = await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "correct", label = "telecom" });
        Assert.Equal(HttpStatusCode.BadRequest, incomplete.StatusCode);
        Assert.True((await ProblemAsync(incomplete)).GetProperty("errors").TryGetProperty("reasonCode", out _));

        var decided = await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision",
            new { outcome = "correct", label = "telecom", reasonCode = "wrong-vendor", comment = "<b>phone</b> bill" });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal("Routed", (await decided.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var decision = await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal(("corrected", "telecom", "alice"), (decision.Outcome, decision.FinalLabel, decision.Body.GetProperty("decidedBy").GetString()));

        // The role alice acted in is recorded on her events and shown in the history.
        var history = await alice.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{id}/history");
        var roles = history.EnumerateArray().Where(e => e.GetProperty("actor").GetString() == "alice")
            .Select(e => (e.GetProperty("type").GetString(), e.GetProperty("data").GetProperty("actorRole").GetString())).ToList();
        Assert.Equal(new (string?, string?)[] { ("ReviewClaimed", "Reviewer"), ("ReviewDecided", "Reviewer"), ("DocumentRouted", "Reviewer") }, roles.ToArray());
    }

    [Fact]
    public async Task Deciding_on_a_foreign_claim_is_409_and_records_nothing_but_a_supervisor_can_release_it()
    {
        var id = await UnsureAsync();
        var alice = await system.ClientAsync("alice");
        var bob = await system.ClientAsync("bob");
        await alice.PostAsync($"/api/v1/reviews/{id}/claim", null);

        var foreign = await bob.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "confirm" });
        Assert.Equal(HttpStatusCode.Conflict, foreign.StatusCode);
        Assert.Equal("alice", (await ProblemAsync(foreign)).GetProperty("heldBy").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await bob.PostAsync($"/api/v1/reviews/{id}/release", null)).StatusCode);
        Assert.Equal(["ClassificationReceived", "RoutingDecided", "ReviewRequested", "ReviewClaimed"], await system.Store.EventTypesAsync(id));

        var sam = await system.ClientAsync("sam");
        Assert.Equal(HttpStatusCode.OK, (await sam.PostAsync($"/api/v1/reviews/{id}/release", null)).StatusCode);
        var doc = await sam.ForStatusAsync(id, "AwaitingReview");
        Assert.Equal(JsonValueKind.Null, doc.GetProperty("claimedBy").ValueKind);
        var released = (await system.Store.EventsAsync(id)).Last().Data as ReviewFlow.Workflow.Documents.ReviewReleased;
        Assert.Equal(("alice", "released-by-supervisor", "sam"), (released!.ReviewerId, released.Reason, released.Actor));
    }

    [Fact]
    public async Task Claiming_an_unknown_document_is_404()
    {
        var response = await (await system.ClientAsync("alice")).PostAsync("/api/v1/reviews/NOPE-1/claim", null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_development_token_endpoint_does_not_exist_outside_Development()
    {
        await using var production = new WebApplicationFactory<ReviewFlow.Web.WebHost>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            foreach (var (key, value) in system.Settings) web.UseSetting(key, value);
            web.UseSetting("Auth:Authority", "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0");
            web.UseSetting("Auth:Audience", "api://reviewflow");
        });
        var http = production.CreateClient();
        var token = await http.PostAsJsonAsync("/api/v1/dev/token", new { user = "alice" });
        // Not there at all: 404, anonymous or not (an unknown path is not a sign-in matter).
        Assert.Equal(HttpStatusCode.NotFound, token.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/dev/users")).StatusCode);
    }

    [Fact]
    public async Task Outside_Development_the_web_host_refuses_to_start_without_an_authority()
    {
        await using var production = new WebApplicationFactory<ReviewFlow.Web.WebHost>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            foreach (var (key, value) in system.Settings) web.UseSetting(key, value);
        });
        var error = Assert.ThrowsAny<Exception>(() => production.CreateClient());
        Assert.Contains("Auth:Authority", error.ToString());
    }
}

[Collection(SystemCollection.Name)]
public sealed class BulkConfirmTests(TestSystem system)
{
    [Fact]
    public async Task A_supervisor_confirms_several_tasks_with_one_audited_decision_each_and_held_ones_are_left_alone()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = Documents.NewId();
            await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.5));
            ids.Add(id);
        }
        var sam = await system.ClientAsync("sam");
        foreach (var id in ids) await sam.ForStatusAsync(id, "AwaitingReview");
        var alice = await system.ClientAsync("alice");
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{ids[2]}/claim", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PostAsJsonAsync("/api/v1/reviews/bulk-confirm", new { documentIds = ids })).StatusCode);
        var response = await sam.PostAsJsonAsync("/api/v1/reviews/bulk-confirm", new { documentIds = ids, comment = "batch check" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        Assert.Equal([200, 200, 409], results.Select(r => r.GetProperty("status").GetInt32()));

        foreach (var id in ids.Take(2))
        {
            var decision = await system.Amqp.WaitForDecisionAsync(id);
            Assert.Equal(("confirmed", "sam"), (decision.Outcome, decision.Body.GetProperty("decidedBy").GetString()));
            Assert.Single(await system.Store.EventTypesAsync(id), t => t == "ReviewDecided");
        }
        Assert.Equal("alice", (await sam.ForStatusAsync(ids[2], "Claimed")).GetProperty("claimedBy").GetString());
    }
}

[Collection(SystemCollection.Name)]
public sealed class ReassignTests(TestSystem system)
{
    [Fact]
    public async Task A_supervisor_hands_alices_claim_to_bob_and_alice_can_no_longer_decide()
    {
        var (id, alice) = await system.ClaimedByAsync("alice");
        var sam = await system.ClientAsync("sam");

        // Only supervisors reassign, and only to a member of the task's group.
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/reassign", new { reviewerId = "bob" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await sam.PostAsJsonAsync($"/api/v1/reviews/{id}/reassign", new { reviewerId = "audrey" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await sam.PostAsJsonAsync($"/api/v1/reviews/{id}/reassign", new { reviewerId = "bob", leaseMinutes = 0 })).StatusCode);
        // The supervisor chooses how long it waits for bob (absent: until due, at most 8 h): an hour.
        var before = DateTimeOffset.UtcNow;
        var reassigned = await sam.PostAsJsonAsync($"/api/v1/reviews/{id}/reassign", new { reviewerId = "bob", leaseMinutes = 60 });

        Assert.Equal(HttpStatusCode.OK, reassigned.StatusCode);
        var doc = await alice.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{id}");
        Assert.Equal(("Claimed", "bob"), (doc.GetProperty("status").GetString(), doc.GetProperty("claimedBy").GetString()));
        var lease = doc.GetProperty("leaseExpiresAt").GetDateTimeOffset();
        Assert.InRange(lease, before.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        var stale = await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "confirm" });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var bob = await system.ClientAsync("bob");
        Assert.Equal(HttpStatusCode.OK, (await bob.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "confirm" })).StatusCode);
        var events = (await system.Store.EventsAsync(id)).Select(e => e.Data).ToList();
        var released = events.OfType<ReviewFlow.Workflow.Documents.ReviewReleased>().Single();
        Assert.Equal<(string, string, string, string?)>(("alice", "reassigned", "sam", "Supervisor"), (released.ReviewerId, released.Reason, released.Actor, released.ActorRole));
        // Sam gave bob the claim as a supervisor; bob decided as a reviewer.
        var claims = events.OfType<ReviewFlow.Workflow.Documents.ReviewClaimed>().Select(c => (c.ReviewerId, c.Actor, c.ActorRole)).ToList();
        Assert.Equal(new (string, string, string?)[] { ("alice", "alice", "Reviewer"), ("bob", "sam", "Supervisor") }, claims.ToArray());
        // The auditor's timeline shows the recorded role (it used to guess "Reviewer" for sam's reassignment).
        var timeline = await (await system.ClientAsync("audrey")).GetFromJsonAsync<JsonElement>($"/api/v1/audit/documents/{id}/timeline");
        var bySam = timeline.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("actor").GetString() == "sam")
            .Select(e => $"{e.GetProperty("type").GetString()} {e.GetProperty("role").GetString()}").ToArray();
        Assert.Equal(new[] { "ReviewReleased Supervisor", "ReviewClaimed Supervisor" }, bySam);
        Assert.Equal<(string, string?)>(("bob", "Reviewer"), events.OfType<ReviewFlow.Workflow.Documents.ReviewDecided>().Select(d => (d.Actor, d.ActorRole)).Single());
    }
}

[Collection(SystemCollection.Name)]
public sealed class LeaseTests(TestSystem system)
{
    async Task AssertReleasedOnceByTheLeaseAsync(string id)
    {
        var released = (await system.Store.EventsAsync(id)).Select(e => e.Data).OfType<ReviewFlow.Workflow.Documents.ReviewReleased>().Single();
        Assert.Equal(("alice", "lease-expired", "system"), (released.ReviewerId, released.Reason, released.Actor));
    }

    [Fact]
    public async Task A_lapsed_claim_can_be_taken_by_another_reviewer_and_the_first_can_no_longer_decide()
    {
        var (id, alice) = await system.ClaimedByAsync("alice");
        var bob = await system.ClientAsync("bob");
        Assert.Equal(HttpStatusCode.Conflict, (await bob.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);

        await Task.Delay(TestSystem.ShortClaimLease + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await bob.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
        var stale = await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "confirm" });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("bob", (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("heldBy").GetString());
        await AssertReleasedOnceByTheLeaseAsync(id);
    }

    [Fact]
    public async Task A_claim_nobody_renews_goes_back_to_the_queue_by_itself()
    {
        var (id, alice) = await system.ClaimedByAsync("alice");

        // Nobody claims again: the lease timer alone releases it, shortly after the lease ends.
        var doc = await alice.ForStatusAsync(id, "AwaitingReview", TestSystem.ShortClaimLease + TimeSpan.FromSeconds(6));

        Assert.Equal(JsonValueKind.Null, doc.GetProperty("claimedBy").ValueKind);
        await AssertReleasedOnceByTheLeaseAsync(id);
    }
}

[Collection(SystemCollection.Name)]
public sealed class EscalationTests(TestSystem system)
{
    [Fact]
    public async Task A_reviewer_escalates_with_a_reason_and_only_a_supervisor_can_then_decide()
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.5));
        var alice = await system.ClientAsync("alice");
        await alice.ForStatusAsync(id, "AwaitingReview");
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);

        var noReason = await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "escalate" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var escalated = await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "escalate", reasonCode = "unsure-vendor" });
        Assert.Equal(HttpStatusCode.OK, escalated.StatusCode);
        Assert.Equal("Escalated", (await escalated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.Conflict, (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await (await system.ClientAsync("bob")).PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
        var sam = await system.ClientAsync("sam");
        Assert.Equal(HttpStatusCode.OK, (await sam.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sam.PostAsJsonAsync($"/api/v1/reviews/{id}/decision",
            new { outcome = "correct", label = "telecom", reasonCode = "vendor-checked" })).StatusCode);

        var decision = await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal(("corrected", "telecom", "sam"), (decision.Outcome, decision.FinalLabel, decision.Body.GetProperty("decidedBy").GetString()));
        var history = await sam.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{id}/history");
        Assert.Contains(history.EnumerateArray(), e => e.GetProperty("type").GetString() == "ReviewEscalated"
            && e.GetProperty("data").GetProperty("reasonCode").GetString() == "unsure-vendor");
    }
}

[Collection(SystemCollection.Name)]
public sealed class MyDayTests(TestSystem system)
{
    [Fact]
    public async Task My_work_today_counts_and_lists_what_I_decided_and_holds_what_I_hold()
    {
        var decided = Documents.NewId();
        var held = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(decided, confidence: 0.5));
        await system.Amqp.PublishRawAsync(Documents.Json(held, confidence: 0.5));
        var bob = await system.ClientAsync("bob");
        await bob.ForStatusAsync(decided, "AwaitingReview");
        await bob.ForStatusAsync(held, "AwaitingReview");
        var before = await bob.GetFromJsonAsync<JsonElement>("/api/v1/me/today");

        await bob.PostAsync($"/api/v1/reviews/{decided}/claim", null);
        await bob.PostAsJsonAsync($"/api/v1/reviews/{decided}/decision", new { outcome = "correct", label = "telecom", reasonCode = "r" });
        await bob.PostAsync($"/api/v1/reviews/{held}/claim", null);
        await bob.ForStatusAsync(decided, "Routed");

        var today = await bob.GetFromJsonAsync<JsonElement>("/api/v1/me/today");
        Assert.Equal(before.GetProperty("decided").GetInt32() + 1, today.GetProperty("decided").GetInt32());
        Assert.Equal(before.GetProperty("corrected").GetInt32() + 1, today.GetProperty("corrected").GetInt32());
        Assert.True(today.GetProperty("holding").GetInt32() >= 1);
        var item = today.GetProperty("items").EnumerateArray().First(i => i.GetProperty("documentId").GetString() == decided);
        Assert.Equal(("utilities", "telecom", "corrected", "r"), (item.GetProperty("predictedLabel").GetString(),
            item.GetProperty("finalLabel").GetString(), item.GetProperty("outcome").GetString(), item.GetProperty("reasonCode").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await (await system.ClientAsync("audrey")).GetAsync("/api/v1/me/today")).StatusCode);
    }
}
