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
