using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Testing.Graph;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.IntegrationTests.Quality;

/// <summary>
/// Invoices with quality limits and the fallback on, every confident one QA-sampled, the alarms checked every second,
/// and a fake Graph that records the mails.
/// </summary>
public sealed class QualityAlarmSystem() : GraphSystem(new SystemOptions
{
    Settings = new Dictionary<string, string?>
    {
        ["Routing:QaSampleRate"] = "1",
        ["Routing:DocumentTypes:invoice:Alarms:MinAutoAccuracy"] = "0.9",
        ["Routing:DocumentTypes:invoice:Alarms:MaxOverrideRate"] = "0.2",
        ["Routing:DocumentTypes:invoice:Alarms:MinSamples"] = "6",
        ["Routing:DocumentTypes:invoice:Alarms:FallbackOnAlert"] = "true",
        ["Quality:AlarmCron"] = "* * * * * *",
        ["Timers:SweepCron"] = "0 0 1 1 *",
    },
})
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings() => new Dictionary<string, string?>(Graph.ConfigurationFor(
        [new RecorderGroup("ap-reviewers", Reviewers: ["alice"], Supervisors: ["sam"])],
        people: new Dictionary<string, string> { ["alice"] = "alice@reviewflow.test", ["sam"] = "sam@reviewflow.test", ["ada"] = "ada@reviewflow.test" }))
    {
        ["Notifications:Admins:0"] = "ada",
    };
}

/// <summary>
/// The quality loop end to end on the real servers: a model version whose confident labels reviewers keep correcting
/// raises the alarms, the fallback policy version (actor system) sends every invoice to review with the reason, the
/// supervisor and the admin are mailed, an admin restores auto-routing, and the recovery clears the alarm without the
/// system switching auto-routing back on.
/// </summary>
public sealed class QualityAlarmTests(QualityAlarmSystem system) : IClassFixture<QualityAlarmSystem>
{
    const string Drifting = "2026.12-drifting";

    [Fact]
    public async Task A_drifting_model_raises_the_alarm_falls_back_to_review_and_only_an_admin_restores_auto_routing()
    {
        var alice = await system.ClientAsync("alice");
        var ada = await system.ClientAsync("ada");
        var before = await PolicyAsync(ada);

        // Six confident invoices, all QA-sampled (rate 1); reviewers correct three: 3 of 6 wrong.
        var sampled = await ConfidentInvoicesAsync(alice, 6, "qa-sample");
        foreach (var id in sampled.Take(3)) await DecideAsync(alice, id, new { outcome = "correct", label = "telecom", reasonCode = "wrong-vendor" });
        foreach (var id in sampled.Skip(3)) await DecideAsync(alice, id, new { outcome = "confirm" });

        // Override rate 3/6 = 0.5 > 0.2; auto accuracy 3/6 with Wilson lower bound 0.188 < 0.9 (6 samples, the minimum).
        var alerts = await Waiting.ForAsync(() => ada.GetFromJsonAsync<JsonElement[]>("/api/v1/quality/alerts"),
            a => a!.Length == 2 && a.All(x => x.GetProperty("fallbackPolicyVersion").ValueKind == JsonValueKind.Number),
            TimeSpan.FromSeconds(30), "two alerts with the fallback in force");
        var overrides = alerts!.Single(a => a.GetProperty("metric").GetString() == "override-rate");
        Assert.Equal(("invoice", Drifting, 0.5, 0.2, 6L), (overrides.GetProperty("documentType").GetString(), overrides.GetProperty("modelVersion").GetString(),
            overrides.GetProperty("value").GetDouble(), overrides.GetProperty("limit").GetDouble(), overrides.GetProperty("samples").GetInt64()));
        var accuracy = alerts!.Single(a => a.GetProperty("metric").GetString() == "auto-accuracy");
        Assert.Equal(0.188, accuracy.GetProperty("value").GetDouble(), 3);

        // One fallback version, by the system, that only switches the invoice kill switch on.
        var history = (await ada.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/routing-policy/history"))!;
        var fallback = history[0];
        Assert.Equal("system", fallback.GetProperty("changedBy").GetString());
        Assert.Equal(before.Version + 1, fallback.GetProperty("version").GetInt32());
        Assert.Contains("Quality alarm", fallback.GetProperty("reason").GetString());
        Assert.All(alerts!, a => Assert.Equal(before.Version + 1, a.GetProperty("fallbackPolicyVersion").GetInt32()));
        var adopted = fallback.GetProperty("policy").Deserialize<RoutingPolicy>(JsonSerializerOptions.Web)!;
        Assert.True(adopted.DocumentTypes["invoice"].KillSwitch);
        Assert.True(before.SameRulesAs(adopted with
        {
            DocumentTypes = new Dictionary<string, DocumentTypePolicy>(adopted.DocumentTypes)
            {
                ["invoice"] = adopted.DocumentTypes["invoice"] with { KillSwitch = false, KillSwitchReason = null },
            },
        }), "the fallback changes nothing but the invoice kill switch");

        // The group's supervisor and the admin are told, by mail, once per alarm.
        foreach (var who in new[] { "sam@reviewflow.test", "ada@reviewflow.test" })
            foreach (var what in new[] { "override rate", "auto-routed accuracy" })
                await Waiting.ForAsync(() => Task.FromResult(system.Graph.Mails.Count(m => m.To.Contains(who) && m.Subject == $"Quality alarm: invoice ({Drifting}), {what}")),
                    n => n == 1, TimeSpan.FromSeconds(15), $"one {what} alarm mail to {who}");
        Assert.Equal(4, system.Graph.Mails.Count(m => m.Subject.StartsWith("Quality alarm:")));

        // Every worker routes by the new version within its refresh interval: a confident invoice goes to review, saying why.
        await Task.Delay(system.Worker.Services.GetRequiredService<MartenRoutingPolicySource>().RefreshInterval);
        var held = (await ConfidentInvoicesAsync(alice, 1, "type-kill-switch"))[0];
        var view = await alice.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{held}");
        Assert.StartsWith("Every document of this type goes to review: Quality alarm: invoice (2026.12-drifting)", view.GetProperty("why").GetString());
        var queued = await alice.GetFromJsonAsync<JsonElement>("/api/v1/queue?pageSize=200");
        Assert.Contains(queued.GetProperty("items").EnumerateArray(), i => i.GetProperty("documentId").GetString() == held
            && i.GetProperty("why").GetString()!.Contains("Quality alarm"));

        // Reviewers may neither read the alarms nor change the policy; an admin restores auto-routing, with a reason.
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/api/v1/quality/alerts")).StatusCode);
        var current = await PolicyAsync(ada);
        var restored = current with
        {
            DocumentTypes = new Dictionary<string, DocumentTypePolicy>(current.DocumentTypes)
            {
                ["invoice"] = current.DocumentTypes["invoice"] with { KillSwitch = false, KillSwitchReason = null },
            },
        };
        Assert.Equal(HttpStatusCode.Forbidden, (await PutPolicyAsync(alice, restored, "alice wants it back")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PutPolicyAsync(ada, restored, " ")).StatusCode);
        var put = await PutPolicyAsync(ada, restored, "retrained model checked by the ML team");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var restoredVersion = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();

        // Evidence that the model is fine again: 12 more QA samples confirmed, 3 of 18 changed (0.167 ≤ 0.2) clears the
        // override-rate alarm; 15 of 18 is not enough for an auto-accuracy lower bound of 0.9, so that alarm stays open.
        await Task.Delay(system.Worker.Services.GetRequiredService<MartenRoutingPolicySource>().RefreshInterval);
        foreach (var id in await ConfidentInvoicesAsync(alice, 12, "qa-sample")) await DecideAsync(alice, id, new { outcome = "confirm" });
        var after = await Waiting.ForAsync(() => ada.GetFromJsonAsync<JsonElement[]>("/api/v1/quality/alerts?all=true"),
            a => a!.Any(x => x.GetProperty("metric").GetString() == "override-rate" && x.GetProperty("clearedAt").ValueKind == JsonValueKind.String),
            TimeSpan.FromSeconds(30), "the override-rate alarm cleared");
        Assert.Equal(JsonValueKind.Null, after!.Single(a => a.GetProperty("metric").GetString() == "auto-accuracy").GetProperty("clearedAt").ValueKind);
        await Waiting.ForAsync(() => Task.FromResult(system.Graph.Mails.Count(m => m.To.Contains("sam@reviewflow.test")
            && m.Subject == $"Quality alarm cleared: invoice ({Drifting}), override rate")), n => n == 1, TimeSpan.FromSeconds(15), "the all-clear mail");

        // The alarm still open does not switch auto-routing off again: the admin's version stays the active one.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(restoredVersion, (await PolicyAsync(ada)).Version);
    }

    async Task<List<string>> ConfidentInvoicesAsync(HttpClient http, int count, string expectedRule)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Documents.NewId()).ToList();
        foreach (var id in ids) await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.97, modelVersion: Drifting));
        foreach (var id in ids)
        {
            var doc = await http.ForStatusAsync(id, "AwaitingReview");
            Assert.Equal(expectedRule, doc.GetProperty("routingRule").GetString());
        }
        return ids;
    }

    static async Task DecideAsync(HttpClient http, string id, object decision)
    {
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
        var response = await http.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", decision);
        Assert.True(response.IsSuccessStatusCode, $"{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    static async Task<RoutingPolicy> PolicyAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<RoutingPolicy>("/api/v1/admin/routing-policy", JsonSerializerOptions.Web))!;

    static Task<HttpResponseMessage> PutPolicyAsync(HttpClient http, RoutingPolicy policy, string reason)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/admin/routing-policy")
        {
            Content = JsonContent.Create(new { policy, reason }, options: JsonSerializerOptions.Web),
        };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{policy.Version}\""));
        return http.SendAsync(request);
    }
}
