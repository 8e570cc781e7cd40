using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using ReviewFlow.Workflow.Quality;

namespace ReviewFlow.IntegrationTests.Quality;

/// <summary>A system of its own that samples half the confident documents for QA, with a model version of its own.</summary>
public sealed class QualitySystem() : TestSystem(new SystemOptions { Settings = new Dictionary<string, string?> { ["Routing:QaSampleRate"] = "0.5" } });

/// <summary>
/// GET /api/v1/quality/summary on real decisions: confident invoices, half of them QA-sampled and checked by a reviewer,
/// and unsure ones a reviewer corrected. The figures are what those decisions say, computed here by hand.
/// </summary>
public sealed class QualitySummaryTests(QualitySystem system) : IClassFixture<QualitySystem>
{
    const string Model = "2026.12-quality";

    [Fact]
    public async Task The_summary_shows_override_rate_auto_accuracy_from_QA_samples_and_calibration_by_band()
    {
        var alice = await system.ClientAsync("alice");
        var confident = Enumerable.Range(0, 20).Select(_ => Documents.NewId()).ToList();
        var unsure = Enumerable.Range(0, 4).Select(_ => Documents.NewId()).ToList();
        foreach (var id in confident) await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.97, modelVersion: Model));
        foreach (var id in unsure) await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.55, modelVersion: Model));

        // Which confident ones the QA draw sent to review (the draw is keyed, so the test asks rather than predicts).
        var sampled = new List<string>();
        foreach (var id in confident)
            if (await SettledAsync(alice, id) == "AwaitingReview") sampled.Add(id);
        Assert.True(sampled.Count >= 2, $"{sampled.Count} of 20 sampled at a rate of 0.5");

        // QA samples: all confirmed but one, corrected. Unsure ones: one confirmed, two corrected, one rejected.
        await DecideAsync(alice, sampled[0], new { outcome = "correct", label = "telecom", reasonCode = "wrong-vendor" });
        foreach (var id in sampled.Skip(1)) await DecideAsync(alice, id, new { outcome = "confirm" });
        await DecideAsync(alice, unsure[0], new { outcome = "confirm" });
        await DecideAsync(alice, unsure[1], new { outcome = "correct", label = "telecom", reasonCode = "wrong-vendor" });
        await DecideAsync(alice, unsure[2], new { outcome = "correct", label = "telecom", reasonCode = "wrong-vendor" });
        await DecideAsync(alice, unsure[3], new { outcome = "reject", reasonCode = "unreadable" });

        var audrey = await system.ClientAsync("audrey"); // auditors read it
        var summary = await Waiting.ForAsync(() => audrey.GetFromJsonAsync<JsonElement>($"/api/v1/quality/summary?modelVersion={Model}"),
            s => s.GetProperty("decided").GetInt64() == 24, what: "all 24 decisions counted");

        // q = QA samples. Human-decided: q + 4; overridden: 1 + 3 = 4; auto-routed: 20 − q.
        var q = sampled.Count;
        Assert.Equal(20 - q, summary.GetProperty("autoRouted").GetInt64());
        Assert.Equal(q + 4, summary.GetProperty("humanDecided").GetInt64());
        Assert.Equal(4, summary.GetProperty("overrides").GetInt64());
        Assert.Equal(4.0 / (q + 4), summary.GetProperty("overrideRate").GetDouble(), 6);

        // Auto accuracy: one band (0.9–1.0) holds all confident traffic, its evidence the q samples, q − 1 agreed.
        var accuracy = summary.GetProperty("autoAccuracy");
        Assert.Equal(q, accuracy.GetProperty("samples").GetInt64());
        Assert.Equal((q - 1.0) / q, accuracy.GetProperty("estimate").GetDouble(), 6);
        Assert.True(accuracy.GetProperty("low").GetDouble() < (q - 1.0) / q && accuracy.GetProperty("high").GetDouble() > (q - 1.0) / q);

        // Calibration: bin 0.5–0.6 has the 4 unsure ones (1 agreed), filled by escalated items only; bin 0.9–1.0 the q samples.
        var bins = summary.GetProperty("calibration").EnumerateArray().ToList();
        Assert.Equal((4, 1, true), (bins[5].GetProperty("count").GetInt64(), bins[5].GetProperty("agreed").GetInt64(),
            bins[5].GetProperty("onlyEscalated").GetBoolean()));
        Assert.Equal((q, q - 1, false), ((int)bins[9].GetProperty("count").GetInt64(), (int)bins[9].GetProperty("agreed").GetInt64(),
            bins[9].GetProperty("onlyEscalated").GetBoolean()));
        // ECE = 4/(q+4)·|0.25 − 0.55| + q/(q+4)·|(q−1)/q − 0.97|.
        var ece = 4.0 / (q + 4) * 0.30 + (double)q / (q + 4) * Math.Abs((q - 1.0) / q - 0.97);
        Assert.Equal(ece, summary.GetProperty("ece").GetDouble(), 6);
        // The period is the model version's first week: no drift against itself.
        Assert.Equal(0, summary.GetProperty("psi").GetDouble(), 6);

        // The same decisions by day: one point (today, this version) with the same figures as the summary.
        var series = await audrey.GetFromJsonAsync<JsonElement>($"/api/v1/quality/series?modelVersion={Model}");
        var point = Assert.Single(series.GetProperty("points").EnumerateArray());
        Assert.Equal((DateTime.UtcNow.Date, Model, 24L, 20L - q), (point.GetProperty("day").GetDateTimeOffset().UtcDateTime, point.GetProperty("modelVersion").GetString(),
            point.GetProperty("decided").GetInt64(), point.GetProperty("autoRouted").GetInt64()));
        Assert.Equal(4.0 / (q + 4), point.GetProperty("overrideRate").GetDouble(), 6);
        Assert.Equal((q - 1.0) / q, point.GetProperty("autoAccuracy").GetProperty("estimate").GetDouble(), 6);

        // Confusion (human decisions, predicted → final): utilities → telecom for the three corrected, → unclassifiable for
        // the rejected one, → utilities for the q − 1 confirmed samples and the confirmed unsure one.
        var confusion = await audrey.GetFromJsonAsync<JsonElement>($"/api/v1/quality/confusion?modelVersion={Model}");
        var cells = confusion.GetProperty("cells").EnumerateArray()
            .Select(c => (c.GetProperty("predicted").GetString(), c.GetProperty("final").GetString(), c.GetProperty("count").GetInt64())).ToList();
        Assert.Equal([("utilities", "telecom", 3L), ("utilities", "unclassifiable", 1L), ("utilities", "utilities", q - 1L + 1L)], cells);
    }

    [Fact]
    public async Task The_what_if_of_a_lower_threshold_counts_what_would_go_through_and_how_often_a_human_changed_it()
    {
        // Ten "telecom" invoices at 0.88, under the invoice threshold 0.90: all reviewed, nine confirmed, one corrected.
        var alice = await system.ClientAsync("alice");
        var ids = Enumerable.Range(0, 10).Select(_ => Documents.NewId()).ToList();
        foreach (var id in ids) await system.Amqp.PublishRawAsync(Documents.Json(id, label: "telecom", confidence: 0.88, modelVersion: "2026.12-whatif"));
        await DecideAsync(alice, ids[0], new { outcome = "correct", label = "utilities", reasonCode = "wrong-vendor" });
        foreach (var id in ids.Skip(1)) await DecideAsync(alice, id, new { outcome = "confirm" });

        var ada = await system.ClientAsync("ada");
        var policy = (await ada.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/v1/admin/routing-policy"))!;
        policy["documentTypes"]!["invoice"]!["threshold"] = 0.85;
        policy["qaSampleRate"] = 0;
        var row = await Waiting.ForAsync(async () =>
            {
                var answer = await (await ada.PostAsJsonAsync("/api/v1/admin/routing-policy/what-if", new { policy })).Content.ReadFromJsonAsync<JsonElement>();
                return answer.GetProperty("rows").EnumerateArray()
                    .FirstOrDefault(r => r.GetProperty("documentType").GetString() == "invoice" && r.GetProperty("label").GetString() == "telecom");
            },
            r => r.ValueKind == JsonValueKind.Object && r.GetProperty("documents").GetInt64() == 10, what: "the ten decisions counted");

        // Now (0.90): none straight through. Proposed (0.85): all ten, all decided by humans, one changed: 1 of 10 wrong.
        Assert.Equal((0L, 10L, 10L, 10L, 1L), (row.GetProperty("autoNow").GetInt64(), row.GetProperty("autoProposed").GetInt64(),
            row.GetProperty("newlyAuto").GetInt64(), row.GetProperty("newlyAutoHumanDecided").GetInt64(), row.GetProperty("newlyAutoChanged").GetInt64()));
        Assert.Equal(0.1, row.GetProperty("proposedAutoError").GetProperty("estimate").GetDouble(), 9);

        var audrey = await system.ClientAsync("audrey"); // auditors read quality, but the what-if is the admins' tool
        Assert.Equal(HttpStatusCode.Forbidden, (await audrey.PostAsJsonAsync("/api/v1/admin/routing-policy/what-if", new { policy })).StatusCode);
    }

    [Fact]
    public async Task The_training_data_export_streams_each_human_decision_as_a_json_line_and_is_recorded()
    {
        const string model = "2026.12-training";
        var alice = await system.ClientAsync("alice");
        var unsure = Enumerable.Range(0, 3).Select(_ => Documents.NewId()).ToList();
        foreach (var id in unsure) await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.55, modelVersion: model, excerpt: "Water bill " + id));
        var routed = Documents.NewId(); // a confident one: auto-routed (QA rate 0.5 may sample it: then it is decided by alice below)
        await system.Amqp.PublishRawAsync(Documents.Json(routed, confidence: 0.97, modelVersion: model));
        await DecideAsync(alice, unsure[0], new { outcome = "confirm" });
        await DecideAsync(alice, unsure[1], new { outcome = "correct", label = "telecom", reasonCode = "wrong-vendor" });
        await DecideAsync(alice, unsure[2], new { outcome = "reject", reasonCode = "unreadable" });
        var sampled = await SettledAsync(alice, routed) == "AwaitingReview";
        if (sampled) await DecideAsync(alice, routed, new { outcome = "confirm" });

        var ada = await system.ClientAsync("ada");
        var response = await ada.GetAsync($"/api/v1/quality/training-data?modelVersion={model}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();

        // One line per human decision, in the order they were decided; an auto-routed document is not training evidence.
        Assert.Equal(sampled ? [.. unsure, routed] : unsure, lines.Select(l => l.GetProperty("documentId").GetString()!));
        Assert.Equal([("utilities", "confirmed"), ("telecom", "corrected"), ("unclassifiable", "rejected")],
            lines.Take(3).Select(l => (l.GetProperty("finalLabel").GetString(), l.GetProperty("outcome").GetString())));
        var first = lines[0];
        Assert.Equal(("utilities", 0.55, model, "Water bill " + unsure[0], $"https://dms.example.test/{unsure[0]}"),
            (first.GetProperty("predictedLabel").GetString(), first.GetProperty("confidence").GetDouble(), first.GetProperty("modelVersion").GetString(),
             first.GetProperty("excerpt").GetString(), first.GetProperty("contentUri").GetString()));
        Assert.Equal(JsonValueKind.Null, first.GetProperty("reviewersAgreed").ValueKind); // one reviewer, nothing to agree on
        Assert.False(first.TryGetProperty("decidedBy", out _));

        // Only admins export, and each export is recorded with who asked.
        foreach (var user in new[] { "alice", "sam", "audrey" })
            Assert.Equal(HttpStatusCode.Forbidden, (await (await system.ClientAsync(user)).GetAsync("/api/v1/quality/training-data")).StatusCode);
        await using var session = system.Store.QuerySession();
        var exports = (await session.Events.FetchStreamAsync(TrainingData.StreamKey)).Select(e => e.Data)
            .OfType<TrainingDataExported>().ToList();
        Assert.Contains(exports, e => e.RequestedBy == "ada" && e.ModelVersion == model);
    }

    [Fact]
    public async Task Model_versions_of_a_type_are_compared_side_by_side()
    {
        // Claims (threshold 0.85) at 0.6: all reviewed. The old version's four confirmed, the new one's two of four corrected.
        var alice = await system.ClientAsync("alice");
        foreach (var (version, corrected) in new[] { ("claim-2026.11", 0), ("claim-2026.12", 2) })
        {
            var ids = Enumerable.Range(0, 4).Select(_ => Documents.NewId("CLM")).ToList();
            foreach (var id in ids)
                await system.Amqp.PublishRawAsync(Documents.Json(id, documentType: "claim", label: "motor", confidence: 0.6, modelVersion: version));
            foreach (var id in ids.Take(corrected)) await DecideAsync(alice, id, new { outcome = "correct", label = "property", reasonCode = "wrong-type" });
            foreach (var id in ids.Skip(corrected)) await DecideAsync(alice, id, new { outcome = "confirm" });
        }

        var sam = await system.ClientAsync("sam");
        var versions = await Waiting.ForAsync(() => sam.GetFromJsonAsync<JsonElement[]>("/api/v1/quality/versions?documentType=claim"),
            v => v!.Sum(x => x.GetProperty("summary").GetProperty("decided").GetInt64()) == 8, what: "eight claim decisions counted");

        Assert.Equal([("claim-2026.11", 4L, 0.0), ("claim-2026.12", 4L, 0.5)], versions!.Select(v => (v.GetProperty("modelVersion").GetString(),
            v.GetProperty("summary").GetProperty("humanDecided").GetInt64(), v.GetProperty("summary").GetProperty("overrideRate").GetDouble())));
        // Within the versions' first week there is nothing new against the reference.
        Assert.All(versions!, v => Assert.Empty(v.GetProperty("summary").GetProperty("newLabels").EnumerateArray()));
        Assert.Equal(HttpStatusCode.BadRequest, (await sam.GetAsync("/api/v1/quality/versions")).StatusCode);
    }

    [Fact]
    public async Task Supervisors_see_how_the_reviewers_of_their_groups_work_and_no_one_else_does()
    {
        var bob = await system.ClientAsync("bob");
        var ids = Enumerable.Range(0, 3).Select(_ => Documents.NewId()).ToList();
        foreach (var id in ids) await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.5, modelVersion: "2026.12-reviewers"));
        foreach (var id in ids) await DecideAsync(bob, id, new { outcome = "confirm" });

        var sam = await system.ClientAsync("sam");
        var groups = (await sam.GetFromJsonAsync<JsonElement[]>("/api/v1/quality/reviewers"))!;
        var ap = groups.Single(g => g.GetProperty("reviewerGroup").GetString() == "ap-reviewers");
        var figures = ap.GetProperty("reviewers").EnumerateArray().Single(r => r.GetProperty("reviewerId").GetString() == "bob");
        // Bob decided only these three in this system, each right after claiming it.
        Assert.Equal((3L, 1.0), (figures.GetProperty("decisions").GetInt64(), figures.GetProperty("confirmRate").GetDouble()));
        Assert.InRange(figures.GetProperty("medianHandlingSeconds").GetDouble(), 0, 10);
        Assert.False(figures.GetProperty("rubberStamp").GetBoolean()); // three decisions are too few to say anything

        foreach (var user in new[] { "alice", "audrey", "ada" })
            Assert.Equal(HttpStatusCode.Forbidden, (await (await system.ClientAsync(user)).GetAsync("/api/v1/quality/reviewers")).StatusCode);
    }

    [Fact]
    public async Task Reviewers_may_not_read_the_quality_summary_and_only_admins_get_suggestions()
    {
        var alice = await system.ClientAsync("alice");
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/api/v1/quality/summary")).StatusCode);
        var sam = await system.ClientAsync("sam");
        Assert.Equal(HttpStatusCode.OK, (await sam.GetAsync("/api/v1/quality/summary")).StatusCode);
        // The threshold suggestion is the admins' (with a target), like the what-if.
        Assert.Equal(HttpStatusCode.Forbidden, (await sam.GetAsync("/api/v1/admin/routing-policy/suggestion?targetErrorRate=0.02")).StatusCode);
        var ada = await system.ClientAsync("ada");
        Assert.Equal(HttpStatusCode.BadRequest, (await ada.GetAsync("/api/v1/admin/routing-policy/suggestion")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ada.GetAsync("/api/v1/admin/routing-policy/suggestion?targetErrorRate=0.02")).StatusCode);
    }

    [Fact]
    public async Task Each_quality_endpoint_answers_only_its_roles_and_refuses_anonymous_callers()
    {
        var policy = (await (await system.ClientAsync("ada")).GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/v1/admin/routing-policy"))!;
        // Who may: the summary is read by admins, supervisors and auditors; the what-if and the suggestion are the admins' tools.
        var endpoints = new (string Name, Func<HttpClient, Task<HttpResponseMessage>> Call, string[] Allowed)[]
        {
            ("summary", http => http.GetAsync("/api/v1/quality/summary"), ["ada", "sam", "audrey"]),
            ("series", http => http.GetAsync("/api/v1/quality/series"), ["ada", "sam", "audrey"]),
            ("confusion", http => http.GetAsync("/api/v1/quality/confusion"), ["ada", "sam", "audrey"]),
            ("alerts", http => http.GetAsync("/api/v1/quality/alerts"), ["ada", "sam", "audrey"]),
            ("versions", http => http.GetAsync("/api/v1/quality/versions?documentType=invoice"), ["ada", "sam", "audrey"]),
            ("policy history", http => http.GetAsync("/api/v1/admin/routing-policy/history"), ["ada"]),
            ("what-if", http => http.PostAsJsonAsync("/api/v1/admin/routing-policy/what-if", new { policy }), ["ada"]),
            ("suggestion", http => http.GetAsync("/api/v1/admin/routing-policy/suggestion?targetErrorRate=0.02"), ["ada"]),
        };
        foreach (var user in new[] { "alice", "bob", "sam", "audrey", "ada", "ap-inbox" })
        {
            var http = await system.ClientAsync(user);
            foreach (var (name, call, allowed) in endpoints)
            {
                var expected = allowed.Contains(user) ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
                Assert.True(expected == (await call(http)).StatusCode, $"{user} {name}: expected {expected}");
            }
        }
        var anonymous = system.Web.CreateClient();
        foreach (var (name, call, _) in endpoints)
            Assert.True(HttpStatusCode.Unauthorized == (await call(anonymous)).StatusCode, $"anonymous {name}");
    }

    /// <summary>Where a confident document went: "Routed", or "AwaitingReview" when the QA draw sampled it.</summary>
    static async Task<string> SettledAsync(HttpClient http, string id)
    {
        var doc = await Waiting.ForAsync(async () =>
            {
                var response = await http.GetAsync($"/api/v1/documents/{id}");
                return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
            },
            d => d.ValueKind == JsonValueKind.Object && d.GetProperty("status").GetString() is "Routed" or "AwaitingReview");
        var status = doc.GetProperty("status").GetString()!;
        if (status == "AwaitingReview") Assert.Equal("qa-sample", doc.GetProperty("routingRule").GetString());
        return status;
    }

    static async Task DecideAsync(HttpClient reviewer, string id, object decision)
    {
        await reviewer.ForStatusAsync(id, "AwaitingReview");
        var claim = await reviewer.PostAsync($"/api/v1/reviews/{id}/claim", null);
        Assert.True(claim.IsSuccessStatusCode, await claim.Content.ReadAsStringAsync());
        var decided = await reviewer.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", decision);
        Assert.True(decided.IsSuccessStatusCode, await decided.Content.ReadAsStringAsync());
    }
}
