using System.Net.Http.Json;
using System.Text.Json;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.IntegrationTests.Routing;

[Collection(SystemCollection.Name)]
public sealed class RoutingTests(TestSystem system)
{
    [Fact]
    public async Task Confident_raw_json_is_routed_downstream_as_raw_json_with_the_stored_event_id()
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, label: "utilities", confidence: 0.97));

        var decision = await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal("invoice.utilities", decision.RoutingKey);
        Assert.Equal("application/json", decision.ContentType);
        Assert.Equal("auto", decision.Outcome);
        Assert.Equal("utilities", decision.Body.GetProperty("predictedLabel").GetString());
        Assert.Equal("utilities", decision.FinalLabel);
        Assert.Equal(0.97, decision.Body.GetProperty("confidence").GetDouble());
        Assert.Equal("system", decision.Body.GetProperty("decidedBy").GetString());
        Assert.Equal(1, decision.Body.GetProperty("policyVersion").GetInt32());
        Assert.Equal("2026.11.1", decision.Body.GetProperty("modelVersion").GetString());
        Assert.Equal("corr-" + id, decision.Body.GetProperty("correlationId").GetString());
        Assert.False(decision.Body.TryGetProperty("message", out _), "raw JSON, not a MassTransit envelope");

        var events = await system.Store.EventsAsync(id);
        Assert.Equal(["ClassificationReceived", "RoutingDecided", "DocumentRouted"], events.Select(e => e.Data.GetType().Name));
        var routed = events.Single(e => e.Data is DocumentRouted);
        Assert.Equal(routed.Id, Guid.Parse(decision.MessageId!));
        var why = (RoutingDecided)events[1].Data;
        Assert.Equal(("auto", "above-threshold", 0.90, 1), (why.Route, why.Rule, why.Threshold!.Value, why.PolicyVersion));

        var http = (await system.ClientAsync());
        var doc = await http.ForStatusAsync(id, "Routed");
        Assert.Equal("auto", doc.GetProperty("outcome").GetString());
        Assert.Equal("utilities", doc.GetProperty("finalLabel").GetString());
    }

    [Fact]
    public async Task Unsure_result_opens_a_review_task_in_the_document_types_group_and_sends_nothing_downstream()
    {
        var id = Documents.NewId("CLM");
        await system.Amqp.PublishRawAsync(Documents.Json(id, documentType: "claim", label: "motor", confidence: 0.62));

        var doc = await (await system.ClientAsync()).ForStatusAsync(id, "AwaitingReview");
        Assert.Equal("claims-reviewers", doc.GetProperty("reviewerGroup").GetString());
        Assert.Equal("motor", doc.GetProperty("predictedLabel").GetString());
        Assert.Equal("below-threshold", doc.GetProperty("routingRule").GetString());
        Assert.Equal(JsonValueKind.Null, doc.GetProperty("outcome").ValueKind);
        Assert.Equal(["ClassificationReceived", "RoutingDecided", "ReviewRequested"], await system.Store.EventTypesAsync(id));

        await Task.Delay(1500); // the relay would have published by now
        Assert.DoesNotContain(system.Amqp.Decisions, d => d.DocumentId == id);
    }

    [Fact]
    public async Task Always_review_label_goes_to_review_whatever_the_confidence()
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, label: "legal-hold", confidence: 0.99));
        var doc = await (await system.ClientAsync()).ForStatusAsync(id, "AwaitingReview");
        Assert.Equal("always-review-label", doc.GetProperty("routingRule").GetString());
    }

    [Fact]
    public async Task The_same_result_delivered_twice_changes_nothing()
    {
        var id = Documents.NewId();
        var json = Documents.Json(id, confidence: 0.95);
        await system.Amqp.PublishRawAsync(json);
        await system.Amqp.PublishRawAsync(json);
        await system.Amqp.WaitForDecisionAsync(id);
        await Task.Delay(1500);

        Assert.Single(system.Amqp.Decisions, d => d.DocumentId == id);
        Assert.Equal(["ClassificationReceived", "RoutingDecided", "DocumentRouted"], await system.Store.EventTypesAsync(id));
    }

    [Fact]
    public async Task A_burst_of_new_documents_each_sent_twice_and_some_by_a_later_model_is_received_and_decided_once_each()
    {
        // The worker writes new documents' first transactions together, as many as are in flight (FirstReceipts):
        // repeats of a document in the same transaction or the next must come to what the saga makes of a repeat.
        var ids = Enumerable.Range(0, 30).Select(_ => Documents.NewId("BRST")).ToList();
        var review = ids.Take(6).ToHashSet();
        var relabelled = ids.Skip(3).Take(8).ToHashSet(); // 3 needing review, 5 routed
        string Json(string id, string model) => Documents.Json(id, confidence: review.Contains(id) ? 0.55 : 0.97, modelVersion: model);
        var bodies = ids.SelectMany(id => relabelled.Contains(id)
            ? new[] { Json(id, "2026.11.1"), Json(id, "2026.12.0"), Json(id, "2026.11.1") }
            : [Json(id, "2026.11.1"), Json(id, "2026.11.1")]).ToList();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async lane =>
        {
            for (var i = lane; i < bodies.Count; i += 4) await system.Amqp.PublishRawAsync(bodies[i]);
        }));

        var routed = ids.Where(id => !review.Contains(id)).ToHashSet();
        await system.Amqp.WaitForDecisionsAsync(d => routed.Contains(d.DocumentId), routed.Count, TimeSpan.FromSeconds(60));
        var http = await system.ClientAsync();
        foreach (var id in review) await http.ForStatusAsync(id, "AwaitingReview");
        // Every repeat handled: two results of a relabelled document are recorded, the other repeats change nothing.
        foreach (var id in ids)
        {
            string[] first = review.Contains(id)
                ? ["ClassificationReceived", "RoutingDecided", "ReviewRequested"]
                : ["ClassificationReceived", "RoutingDecided", "DocumentRouted"];
            string[] expected = relabelled.Contains(id) ? [.. first, "LaterClassificationIgnored"] : first;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await system.Store.EventTypesAsync(id)).Count < expected.Length && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.Equal(expected, await system.Store.EventTypesAsync(id));
        }
        await Task.Delay(1500); // the relay would have published a second decision by now
        Assert.All(routed, id => Assert.Single(system.Amqp.Decisions, d => d.DocumentId == id));
        Assert.DoesNotContain(system.Amqp.Decisions, d => review.Contains(d.DocumentId));
    }

    [Fact]
    public async Task A_later_model_version_is_recorded_but_does_not_reroute()
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.95, modelVersion: "2026.11.1"));
        await system.Amqp.WaitForDecisionAsync(id);
        await system.Amqp.PublishRawAsync(Documents.Json(id, label: "telecom", confidence: 0.99, modelVersion: "2026.12.0"));
        await system.Amqp.PublishRawAsync(Documents.Json(id, label: "telecom", confidence: 0.99, modelVersion: "2026.12.0"));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await system.Store.EventTypesAsync(id)).Count < 4 && DateTime.UtcNow < deadline) await Task.Delay(50);
        await Task.Delay(1000);
        Assert.Equal(["ClassificationReceived", "RoutingDecided", "DocumentRouted", "LaterClassificationIgnored"],
            await system.Store.EventTypesAsync(id));
        Assert.Single(system.Amqp.Decisions, d => d.DocumentId == id);
    }

    [Fact]
    public async Task History_lists_the_events_in_order_with_type_time_actor_and_data()
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.99));
        await system.Amqp.WaitForDecisionAsync(id);

        var history = await (await system.ClientAsync()).GetFromJsonAsync<JsonElement>($"/api/v1/documents/{id}/history");
        var entries = history.EnumerateArray().ToList();
        Assert.Equal(["ClassificationReceived", "RoutingDecided", "DocumentRouted"], entries.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L, 3L], entries.Select(e => e.GetProperty("version").GetInt64()));
        Assert.All(entries, e => Assert.Equal("system", e.GetProperty("actor").GetString()));
        Assert.Equal("above-threshold", entries[1].GetProperty("data").GetProperty("rule").GetString());
    }

    [Fact]
    public async Task Unknown_document_answers_404_problem_details()
    {
        var response = await (await system.ClientAsync()).GetAsync("/api/v1/documents/NOPE-404");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
