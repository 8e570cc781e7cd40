using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.IntegrationTests.Audit;

/// <summary>
/// Search, timeline and reports against a history seeded through the real pipeline with known answers: an auto-routed
/// document, confirmed / corrected / rejected ones, a four-eyes contract decided by two people, a document decided by
/// the user who submitted it over HTTP, a four-eyes contract first-reviewed by its submitter, an SLA breach, and a
/// policy change by an admin.
/// </summary>
public sealed class AuditHistoryTests(AuditHistoryTests.History history) : IClassFixture<AuditHistoryTests.History>
{
    public sealed class History : IAsyncLifetime
    {
        // A user with two duties, so that segregation of duties has something to find.
        public TestSystem System { get; } = TestSystem.With(new()
        {
            Settings = new Dictionary<string, string?>
            {
                ["DevUsers:mallory:Name"] = "Mallory (reviewer and upstream)",
                ["DevUsers:mallory:Roles:0"] = "Reviewer",
                ["DevUsers:mallory:Roles:1"] = "Ingest",
                ["DevUsers:mallory:Groups:0"] = "ap-reviewers",
                ["DevUsers:mallory:Groups:1"] = "legal-reviewers",
            },
        });
        public DateTimeOffset From { get; private set; }
        public DateTimeOffset To => From.AddHours(1);
        public Dictionary<string, string> Ids { get; } = [];

        public async Task InitializeAsync()
        {
            await System.InitializeAsync();
            From = DateTimeOffset.UtcNow.AddSeconds(-1);
            Ids["auto"] = await System.RoutedAsync();
            Ids["confirmed"] = await DecidedAsync("alice", new { outcome = "confirm" });
            Ids["corrected"] = await DecidedAsync("alice", new { outcome = "correct", label = "telecom", reasonCode = "wrong-vendor" });
            Ids["rejected"] = await DecidedAsync("bob", new { outcome = "reject", reasonCode = "unreadable" });

            var contract = await UnsureAsync("contract", "nda");
            await DecideAsync("bob", contract, new { outcome = "confirm" });
            await DecideAsync("sam", contract, new { outcome = "confirm" });
            Ids["four-eyes"] = contract;

            // Reviews of one's own submission are refused now (DocumentDecisions.Claim); a history from before that rule
            // must still be found by the report: appended as the saga appended it then.
            Ids["own-submission"] = Documents.NewId();
            Ids["own-contract"] = Documents.NewId("CTR");
            await using (var session = System.Store.LightweightSession())
            {
                session.Events.StartStream(Ids["own-submission"], ReviewedBySubmitter(Ids["own-submission"], "invoice", "utilities", "ap-reviewers", 0.90,
                    (id, at) => [
                        new ReviewClaimed(id, "mallory", at.AddMinutes(5), 1, Model, "mallory", at),
                        new ReviewDecided(id, "mallory", "confirmed", "utilities", "utilities", null, null, 1, Model, "mallory", at),
                        new DocumentRouted(id, "invoice", "utilities", "utilities", 0.5, "confirmed", "mallory", at, 1, Model, null, "mallory", at),
                    ]));
                session.Events.StartStream(Ids["own-contract"], ReviewedBySubmitter(Ids["own-contract"], "contract", "nda", "legal-reviewers", 0.95,
                    (id, at) => [
                        new ReviewClaimed(id, "mallory", at.AddMinutes(5), 1, Model, "mallory", at),
                        new FirstReviewRecorded(id, "mallory", "confirmed", "nda", null, null, 1, Model, "mallory", at),
                        new ReviewClaimed(id, "bob", at.AddMinutes(5), 1, Model, "bob", at),
                        new ReviewDecided(id, "bob", "confirmed", "nda", "nda", null, null, 1, Model, "bob", at, FirstReviewerId: "mallory"),
                        new DocumentRouted(id, "contract", "nda", "nda", 0.5, "confirmed", "bob", at, 1, Model, null, "bob", at),
                    ]));
                await session.SaveChangesAsync();
            }

            // The SLA timers append SlaBreached when a task's due time passes; here it is appended as the timer would.
            var late = await UnsureAsync("invoice", "utilities");
            await using (var session = System.Store.LightweightSession())
            {
                session.Events.Append(late, new SlaBreached(late, DateTimeOffset.UtcNow.AddMinutes(-1), "AwaitingReview", "ap-reviewers", null,
                    "system", DateTimeOffset.UtcNow));
                await session.SaveChangesAsync();
            }
            Ids["sla"] = late;

            var ada = await System.ClientAsync("ada");
            // Read, change one threshold, write back: the admin's edit.
            var policy = (await ada.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/v1/admin/routing-policy"))!;
            policy["documentTypes"]!["invoice"]!["threshold"] = 0.6;
            var adopted = await ada.PutAsJsonAsync("/api/v1/admin/routing-policy", new { policy, reason = "model 2026.11 calibrated" });
            Assert.True(adopted.IsSuccessStatusCode, await adopted.Content.ReadAsStringAsync());
            await Task.Delay(TimeSpan.FromSeconds(5.5)); // the workers' policy cache
            Ids["auto-v2"] = await System.RoutedAsync(confidence: 0.7);

            // The read model is asynchronous: wait until the daemon has projected the last decision.
            var auditor = await System.ClientAsync("audrey");
            await Waiting.ForAsync(
                () => auditor.GetFromJsonAsync<JsonElement>($"/api/v1/audit/decisions?{Period}&pageSize=100"),
                page => page.GetProperty("items").GetArrayLength() == 8);
        }

        public string Period => $"from={Uri.EscapeDataString(From.ToString("O"))}&to={Uri.EscapeDataString(To.ToString("O"))}";

        const string Model = "2026.11.1";

        /// <summary>A result mallory submitted over HTTP that went to review, followed by the review events.</summary>
        static object[] ReviewedBySubmitter(string id, string type, string label, string group, double threshold,
            Func<string, DateTimeOffset, IDocumentEvent[]> review)
        {
            var at = DateTimeOffset.UtcNow;
            var classified = new DocumentClassified(id, type, label, 0.5, new ModelInfo(Model, "doc-classifier"), "ap-inbox");
            return [
                new ClassificationReceived(id, classified, "http", Model, "system", at, SubmittedBy: "mallory"),
                new RoutingDecided(id, "review", "below-threshold", threshold, 0.5, 1, Model, "system", at),
                new ReviewRequested(id, type, group, label, 0.5, "below-threshold", 1, Model, "system", at, FourEyes: type == "contract"),
                .. review(id, at),
            ];
        }

        async Task<string> UnsureAsync(string type, string label)
        {
            var id = Documents.NewId(type[..3].ToUpperInvariant());
            await System.Amqp.PublishRawAsync(Documents.Json(id, type, label, confidence: 0.5));
            await (await System.ClientAsync()).ForStatusAsync(id, "AwaitingReview");
            return id;
        }

        async Task<string> DecidedAsync(string user, object decision)
        {
            var id = await UnsureAsync("invoice", "utilities");
            await DecideAsync(user, id, decision);
            await (await System.ClientAsync()).ForStatusAsync(id, "Routed");
            return id;
        }

        async Task DecideAsync(string user, string id, object decision)
        {
            var http = await System.ClientAsync(user);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
            var response = await http.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", decision);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        public Task DisposeAsync() => System.DisposeAsync();
    }

    async Task<JsonElement> GetAsync(string path) => await (await history.System.ClientAsync("audrey")).GetFromJsonAsync<JsonElement>(path);

    static List<string> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task A_csv_export_neutralises_a_cell_a_spreadsheet_would_run_as_a_formula()
    {
        // An actor id is whatever the identity provider says; one shaped like a formula must reach the auditor as text.
        var id = Documents.NewId();
        var at = DateTimeOffset.UtcNow;
        const string formula = "=HYPERLINK(\"https://evil.test\",\"open\")";
        await using (var session = history.System.Store.LightweightSession())
        {
            session.Events.StartStream(id, new ReviewClaimed(id, formula, at.AddMinutes(5), 1, "2026.11.1", formula, at));
            await session.SaveChangesAsync();
        }
        var auditor = await history.System.ClientAsync("audrey");
        var csv = await auditor.GetStringAsync($"/api/v1/audit/export?from={Uri.EscapeDataString(at.AddMinutes(-1).ToString("O"))}" +
                                               $"&to={Uri.EscapeDataString(at.AddMinutes(1).ToString("O"))}&format=csv");

        var row = csv.Split("\r\n").Single(l => l.Contains(id));
        Assert.Contains(",\"'=HYPERLINK(\"\"https://evil.test\"\",\"\"open\"\")\",", row);
        Assert.DoesNotContain(",=HYPERLINK", row);
    }

    [Fact]
    public async Task Search_by_reviewer_and_outcome_in_a_period_finds_exactly_the_corrected_document()
    {
        var page = await GetAsync($"/api/v1/audit/decisions?{history.Period}&reviewer=alice&outcome=corrected");
        Assert.Equal([history.Ids["corrected"]], Ids(page));
        var item = page.GetProperty("items")[0];
        Assert.Equal(("utilities", "telecom", "corrected"), (item.GetProperty("predictedLabel").GetString(),
            item.GetProperty("finalLabel").GetString(), item.GetProperty("outcome").GetString()));
        Assert.Equal(1, item.GetProperty("policyVersion").GetInt32());
        Assert.Equal("2026.11.1", item.GetProperty("modelVersion").GetString());

        Assert.Equal([history.Ids["auto-v2"]], Ids(await GetAsync($"/api/v1/audit/decisions?{history.Period}&policyVersion=2")));
        Assert.Equal([history.Ids["auto-v2"], history.Ids["auto"]], Ids(await GetAsync($"/api/v1/audit/decisions?{history.Period}&outcome=auto")));
        Assert.Equal([history.Ids["own-contract"], history.Ids["four-eyes"]], Ids(await GetAsync($"/api/v1/audit/decisions?{history.Period}&documentType=contract")));
        Assert.Empty(Ids(await GetAsync($"/api/v1/audit/decisions?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z")));
    }

    [Fact]
    public async Task Keyset_paging_walks_every_decision_once_newest_first()
    {
        var seen = new List<string>();
        var times = new List<DateTimeOffset>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await GetAsync($"/api/v1/audit/decisions?{history.Period}&pageSize=2" + (next is null ? "" : "&after=" + next));
            seen.AddRange(Ids(page));
            times.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("decidedAt").GetDateTimeOffset()));
            next = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
            pages++;
        } while (next is not null);
        Assert.Equal(4, pages);
        Assert.Equal(8, seen.Distinct().Count());
        Assert.Equal(8, seen.Count);
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.DoesNotContain(history.Ids["sla"], seen); // not decided
    }

    [Fact]
    public async Task The_timeline_shows_every_event_with_actor_role_reason_and_versions_and_the_prediction_beside_the_final_label()
    {
        var timeline = await GetAsync($"/api/v1/audit/documents/{history.Ids["corrected"]}/timeline");
        var summary = timeline.GetProperty("summary");
        Assert.Equal(("utilities", "telecom", "corrected", "alice"), (summary.GetProperty("predictedLabel").GetString(),
            summary.GetProperty("finalLabel").GetString(), summary.GetProperty("outcome").GetString(), summary.GetProperty("decidedBy").GetString()));
        Assert.True(timeline.GetProperty("chain").GetProperty("intact").GetBoolean());
        var events = timeline.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["ClassificationReceived", "RoutingDecided", "ReviewRequested", "ReviewClaimed", "ReviewDecided", "DocumentRouted"],
            events.Select(e => e.GetProperty("type").GetString()));
        var decided = events[4];
        Assert.Equal(("alice", "Reviewer"), (decided.GetProperty("actor").GetString(), decided.GetProperty("role").GetString()));
        Assert.Contains("wrong-vendor", decided.GetProperty("reason").GetString());
        Assert.Equal(1, decided.GetProperty("policyVersion").GetInt32());
        Assert.Equal("2026.11.1", decided.GetProperty("modelVersion").GetString());
        Assert.Equal(64, decided.GetProperty("hash").GetString()!.Length);
        Assert.Contains("below-threshold", events[1].GetProperty("reason").GetString());
        Assert.Equal("system", events[1].GetProperty("role").GetString());

        var own = await GetAsync($"/api/v1/audit/documents/{history.Ids["own-submission"]}/timeline");
        Assert.Equal(("mallory", "Ingest"), (own.GetProperty("events")[0].GetProperty("actor").GetString(), own.GetProperty("events")[0].GetProperty("role").GetString()));
    }

    [Fact]
    public async Task Nobody_can_claim_nor_be_given_what_they_submitted()
    {
        var mallory = await history.System.ClientAsync("mallory");
        var id = Documents.NewId();
        var submitted = await mallory.PostAsync("/api/v1/documents",
            new StringContent(Documents.Json(id, confidence: 0.5), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        await mallory.ForStatusAsync(id, "AwaitingReview");

        var claim = await mallory.PostAsync($"/api/v1/reviews/{id}/claim", null);
        var given = await (await history.System.ClientAsync("sam")).PostAsJsonAsync($"/api/v1/reviews/{id}/reassign", new { reviewerId = "mallory" });

        Assert.Equal(HttpStatusCode.Conflict, claim.StatusCode);
        Assert.Contains("you submitted this document", await claim.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, given.StatusCode);
        Assert.DoesNotContain(nameof(ReviewClaimed), await history.System.Store.EventTypesAsync(id));
    }

    [Fact]
    public async Task The_overrides_report_counts_corrections_and_rejections_as_overrides_per_label_and_per_reviewer()
    {
        var report = await GetAsync($"/api/v1/audit/reports/overrides?{history.Period}");
        var byLabel = report.GetProperty("byLabel").EnumerateArray()
            .ToDictionary(r => (r.GetProperty("key").GetString(), r.GetProperty("finalLabel").GetString()),
                r => (r.GetProperty("decided").GetInt64(), r.GetProperty("corrected").GetInt64(), r.GetProperty("rejected").GetInt64(), r.GetProperty("rate").GetDouble()));
        Assert.Equal((4L, 1L, 1L, 0.5), byLabel[("utilities", null)]); // confirmed, corrected, rejected, mallory's confirm: 2 of 4 overridden
        Assert.Equal((2L, 0L, 0L, 0.0), byLabel[("nda", null)]);
        // What the label became, apart from the totals: one correction to telecom, one rejection.
        Assert.Equal((1L, 1L, 0L, 1.0), byLabel[("utilities", "telecom")]);
        Assert.Equal((1L, 0L, 1L, 1.0), byLabel[("utilities", "(rejected)")]);
        var byReviewer = report.GetProperty("byReviewer").EnumerateArray()
            .ToDictionary(r => r.GetProperty("key").GetString()!, r => (r.GetProperty("decided").GetInt64(), r.GetProperty("corrected").GetInt64(), r.GetProperty("rejected").GetInt64()));
        Assert.Equal(new Dictionary<string, (long, long, long)> { ["alice"] = (2, 1, 0), ["bob"] = (2, 0, 1), ["sam"] = (1, 0, 0), ["mallory"] = (1, 0, 0) }, byReviewer);
    }

    [Fact]
    public async Task The_segregation_report_finds_the_documents_reviewed_by_their_submitter_and_counts_four_eyes_decisions_by_two_people()
    {
        var report = await GetAsync($"/api/v1/audit/reports/segregation?{history.Period}");
        Assert.Equal(2, report.GetProperty("fourEyesDecisions").GetInt64());
        Assert.Equal(2, report.GetProperty("fourEyesWithTwoPeople").GetInt64());
        var violations = report.GetProperty("violations").EnumerateArray()
            .Select(v => (v.GetProperty("documentId").GetString(), v.GetProperty("rule").GetString(), v.GetProperty("user").GetString())).ToList();
        Assert.Equal([(history.Ids["own-submission"], "decided-own-submission", "mallory"),
            (history.Ids["own-contract"], "first-review-own-submission", "mallory")], violations);
    }

    [Fact]
    public async Task The_sla_report_lists_the_breached_document()
    {
        var report = await GetAsync($"/api/v1/audit/reports/sla-breaches?{history.Period}");
        var row = Assert.Single(report.EnumerateArray());
        Assert.Equal(history.Ids["sla"], row.GetProperty("documentId").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("outcome").ValueKind);
        // Still open: the decision search (decided documents only) does not list it yet.
        Assert.Empty(Ids(await GetAsync($"/api/v1/audit/decisions?{history.Period}&slaBreached=true")));
    }

    [Fact]
    public async Task The_policy_history_shows_who_changed_which_threshold_when_and_how_documents_were_routed_under_each_version()
    {
        var versions = (await GetAsync("/api/v1/audit/reports/policy-history")).EnumerateArray().ToList();
        Assert.Equal([1, 2], versions.Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal("system:configuration", versions[0].GetProperty("changedBy").GetString());
        Assert.Equal((1L, 7L), (versions[0].GetProperty("routedAuto").GetInt64(), versions[0].GetProperty("routedReview").GetInt64()));
        var v2 = versions[1];
        Assert.Equal(("ada", "model 2026.11 calibrated"), (v2.GetProperty("changedBy").GetString(), v2.GetProperty("reason").GetString()));
        var change = Assert.Single(v2.GetProperty("changes").EnumerateArray());
        Assert.Equal(("documentTypes.invoice.threshold", "0.9", "0.6"), (change.GetProperty("path").GetString(),
            change.GetProperty("before").GetString(), change.GetProperty("after").GetString()));
        Assert.Equal((1L, 0L), (v2.GetProperty("routedAuto").GetInt64(), v2.GetProperty("routedReview").GetInt64()));
    }

    [Fact]
    public async Task A_policy_change_needs_a_reason_and_an_admin()
    {
        var ada = await history.System.ClientAsync("ada");
        var noReason = await ada.PutAsJsonAsync("/api/v1/admin/routing-policy", new { policy = TestPolicy.WithInvoiceThreshold(0.5), reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var badThreshold = await ada.PutAsJsonAsync("/api/v1/admin/routing-policy", new { policy = TestPolicy.WithInvoiceThreshold(1.5), reason = "typo" });
        Assert.Equal(HttpStatusCode.BadRequest, badThreshold.StatusCode);
        foreach (var user in new[] { "audrey", "sam", "alice" })
        {
            var response = await (await history.System.ClientAsync(user)).PutAsJsonAsync("/api/v1/admin/routing-policy",
                new { policy = TestPolicy.WithInvoiceThreshold(0.5), reason = "not mine to change" });
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        Assert.Equal(2, (await GetAsync("/api/v1/audit/reports/policy-history")).GetArrayLength());
    }
}
