using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;

namespace ReviewFlow.IntegrationTests.Quality;

/// <summary>Every human decision on a claim is drawn for a QA re-check (reviewQaRate 1).</summary>
public sealed class QaCheckSystem() : TestSystem(new SystemOptions
{
    Settings = new Dictionary<string, string?> { ["Routing:DocumentTypes:claim:ReviewQaRate"] = "1" },
});

/// <summary>
/// Reviewer against QA on the real servers: alice decides three claims, each is drawn for a blind re-check, sue (another
/// member of claims-reviewers) records her own labels, one disagreeing; the supervisors' reviewer figures carry the kappa.
/// The decisions taken stay as they were: the documents' streams and reviewflow.decisions get nothing new.
/// </summary>
public sealed class QaCheckTests(QaCheckSystem system) : IClassFixture<QaCheckSystem>
{
    [Fact]
    public async Task A_blind_QA_recheck_by_another_reviewer_feeds_kappa_and_leaves_the_decision_and_its_message_unchanged()
    {
        var alice = await system.ClientAsync("alice");
        var sue = await system.ClientAsync("sue");
        var sam = await system.ClientAsync("sam");
        // alice's final labels: motor, property, motor; sue's QA labels: motor, property, property (the third disagrees).
        var decided = new[] { "motor", "property", "motor" };
        var qa = new[] { "motor", "property", "property" };
        var ids = new List<string>();
        foreach (var final in decided)
        {
            var id = Documents.NewId("CLM");
            await system.Amqp.PublishRawAsync(Documents.Json(id, documentType: "claim", label: "motor", confidence: 0.5));
            await alice.ForStatusAsync(id, "AwaitingReview");
            Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
            var decision = final == "motor" ? (object)new { outcome = "confirm" } : new { outcome = "correct", label = final, reasonCode = "wrong-peril" };
            var response = await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", decision);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            ids.Add(id);
        }
        foreach (var id in ids) await system.Amqp.WaitForDecisionAsync(id);
        var eventsBefore = await EventCountsAsync(ids);

        // sue sees the three checks, blind: the document and the model's label, never alice's answer.
        var open = await Waiting.ForAsync(() => sue.GetFromJsonAsync<JsonElement[]>("/api/v1/qa-checks"),
            c => ids.All(id => c!.Any(x => x.GetProperty("documentId").GetString() == id)), TimeSpan.FromSeconds(30), "three QA checks open");
        var task = open!.First(x => x.GetProperty("documentId").GetString() == ids[1]);
        Assert.Equal(("claim", "motor", "claims-reviewers"), (task.GetProperty("documentType").GetString(), task.GetProperty("predictedLabel").GetString(),
            task.GetProperty("reviewerGroup").GetString()));
        Assert.DoesNotContain("property", task.GetRawText());
        Assert.DoesNotContain("alice", task.GetRawText());

        // Segregation of duties: alice is not offered her own decisions and may not check them.
        var mine = (await alice.GetFromJsonAsync<JsonElement[]>("/api/v1/qa-checks"))!;
        Assert.DoesNotContain(mine, x => ids.Contains(x.GetProperty("documentId").GetString()!));
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PostAsJsonAsync($"/api/v1/qa-checks/{ids[0]}", new { label = "motor" })).StatusCode);

        for (var i = 0; i < ids.Count; i++)
        {
            var recorded = await sue.PostAsJsonAsync($"/api/v1/qa-checks/{ids[i]}", new { label = qa[i] });
            Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
            Assert.Equal(decided[i] == qa[i], (await recorded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("agrees").GetBoolean());
        }
        Assert.Equal(HttpStatusCode.Conflict, (await sam.PostAsJsonAsync($"/api/v1/qa-checks/{ids[2]}", new { label = "motor" })).StatusCode);
        Assert.DoesNotContain((await sue.GetFromJsonAsync<JsonElement[]>("/api/v1/qa-checks"))!, x => ids.Contains(x.GetProperty("documentId").GetString()!));

        // Kappa of alice against QA: pairs (motor, motor), (property, property), (motor, property): p_o = 2/3; alice motor 2/3,
        // property 1/3; QA motor 1/3, property 2/3: p_e = 2/9 + 2/9 = 4/9; kappa = (6/9 − 4/9) / (5/9) = 0.4.
        var groups = (await sam.GetFromJsonAsync<JsonElement[]>("/api/v1/quality/reviewers"))!;
        var claims = groups.Single(g => g.GetProperty("reviewerGroup").GetString() == "claims-reviewers");
        var figures = claims.GetProperty("reviewers").EnumerateArray().Single(r => r.GetProperty("reviewerId").GetString() == "alice");
        Assert.Equal(3, figures.GetProperty("qaChecks").GetInt64());
        Assert.Equal(2.0 / 3, figures.GetProperty("qaAgreement").GetDouble(), 6);
        Assert.Equal(0.4, figures.GetProperty("qaKappa").GetDouble(), 6);
        Assert.Equal(3, claims.GetProperty("qaChecks").GetInt64());

        // The decisions taken are untouched: same status and label, no event on their streams, one message each downstream.
        for (var i = 0; i < ids.Count; i++)
        {
            var doc = await alice.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{ids[i]}");
            Assert.Equal(("Routed", decided[i]), (doc.GetProperty("status").GetString(), doc.GetProperty("finalLabel").GetString()));
        }
        Assert.Equal(eventsBefore, await EventCountsAsync(ids));
        await Task.Delay(TimeSpan.FromSeconds(3)); // a late message would have arrived by now (the relay publishes within ~1 s)
        foreach (var id in ids) Assert.Single(system.Amqp.Decisions, d => d.DocumentId == id);
    }

    async Task<Dictionary<string, int>> EventCountsAsync(IEnumerable<string> ids)
    {
        await using var session = system.Store.QuerySession();
        var counts = new Dictionary<string, int>();
        foreach (var id in ids) counts[id] = (await session.Events.FetchStreamAsync(id)).Count;
        return counts;
    }
}
