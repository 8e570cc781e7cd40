using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReviewFlow.IntegrationTests.Infrastructure;

namespace ReviewFlow.IntegrationTests.Pipeline;

/// <summary>Bad input never vanishes and never crashes a consumer: error queue with the reason, Invalid status, 400.</summary>
[Collection(SystemCollection.Name)]
public sealed class BadInputTests(ReviewFlowSystem system)
{
    const string ErrorQueue = "reviewflow-classifications_error";

    public static TheoryData<string, string> BadFields => new()
    {
        { "missing-label", "label" },
        { "missing-model-version", "model.version" },
        { "confidence-as-string", "confidence" },
        { "confidence-above-one", "confidence" },
        { "confidence-nan", "confidence" },
        { "unknown-type", "documentType" },
        { "huge-excerpt", "excerpt" },
    };

    static string Mutate(string id, string kind)
    {
        var doc = JsonNode.Parse(Documents.Json(id))!.AsObject();
        switch (kind)
        {
            case "missing-label": doc.Remove("label"); break;
            case "missing-model-version": doc["model"]!.AsObject().Remove("version"); break;
            case "confidence-as-string": doc["confidence"] = "0.97"; break;
            case "confidence-above-one": doc["confidence"] = 1.5; break;
            case "confidence-nan": doc["confidence"] = "NaN"; break;
            case "unknown-type": doc["documentType"] = "recipe"; break;
            case "huge-excerpt": doc["excerpt"] = new string('x', 5 * 1024 * 1024); break;
        }
        return doc.ToJsonString();
    }

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Bad_field_over_amqp_lands_in_the_error_queue_with_the_reason_and_the_document_shows_Invalid(string kind, string field)
    {
        var id = Documents.NewId("BAD");
        await system.Amqp.PublishRawAsync(Mutate(id, kind));

        var faulted = await system.Amqp.GetAsync(ErrorQueue, m => Encoding.UTF8.GetString(m.Body.Span).Contains(id));
        var reason = Encoding.UTF8.GetString((byte[])faulted.BasicProperties.Headers!["MT-Fault-Message"]!);
        Assert.Contains(field + ":", reason);

        var doc = await (await system.ClientAsync()).ForStatusAsync(id, "Invalid");
        var reasons = doc.GetProperty("invalidReasons").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Contains(reasons, r => r.StartsWith(field + ":"));
        Assert.Equal(["ClassificationRejected"], await system.Store.EventTypesAsync(id));
    }

    [Theory]
    [InlineData("{\"documentId\": \"BROKEN-1\", ")]
    [InlineData("[1, 2, 3]")]
    [InlineData("this is not json")]
    public async Task Unparseable_payload_lands_in_the_error_queue_with_a_reason(string payload)
    {
        var marker = Guid.NewGuid().ToString("N");
        var body = Encoding.UTF8.GetBytes(payload + " " + marker);
        await system.Amqp.PublishRawAsync(body);

        var faulted = await system.Amqp.GetAsync(ErrorQueue, m => Encoding.UTF8.GetString(m.Body.Span).Contains(marker));
        Assert.True(faulted.BasicProperties.Headers!.ContainsKey("MT-Fault-Message"));
        Assert.NotEmpty(Encoding.UTF8.GetString((byte[])faulted.BasicProperties.Headers["MT-Fault-Message"]!));
    }

    [Fact]
    public async Task The_consumer_keeps_working_after_bad_input()
    {
        await system.Amqp.PublishRawAsync("garbage " + Guid.NewGuid());
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.99));
        await system.Amqp.WaitForDecisionAsync(id);
    }

    [Fact]
    public async Task A_valid_result_after_an_invalid_one_is_routed()
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Mutate(id, "confidence-above-one"));
        await (await system.ClientAsync()).ForStatusAsync(id, "Invalid");
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.99));
        await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal(["ClassificationRejected", "ClassificationReceived", "RoutingDecided", "DocumentRouted"],
            await system.Store.EventTypesAsync(id));
    }

    [Fact]
    public async Task Http_intake_accepts_a_valid_result_with_202_and_routes_it()
    {
        var id = Documents.NewId();
        var response = await (await system.ClientAsync("ap-inbox")).PostAsync("/api/v1/documents",
            new StringContent(Documents.Json(id, confidence: 0.99), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/v1/documents/{id}", response.Headers.Location?.ToString());
        var decision = await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal("auto", decision.Outcome);
        var events = await system.Store.EventsAsync(id);
        Assert.Equal("http", ((ReviewFlow.Workflow.Documents.ClassificationReceived)events[0].Data).Channel);
    }

    [Fact]
    public async Task Http_intake_answers_400_problem_details_naming_each_bad_field()
    {
        var id = Documents.NewId("BAD");
        var doc = JsonNode.Parse(Documents.Json(id))!.AsObject();
        doc["confidence"] = 7;
        doc.Remove("label");
        doc["documentType"] = "recipe";
        var response = await (await system.ClientAsync("ap-inbox")).PostAsync("/api/v1/documents",
            new StringContent(doc.ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");
        Assert.Equal(["confidence", "documentType", "label"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("known: claim, contract, invoice", errors.GetProperty("documentType")[0].GetString());
        await (await system.ClientAsync()).ForStatusAsync(id, "Invalid");
    }

    [Fact]
    public async Task Http_intake_refuses_unparseable_json_with_400()
    {
        var response = await (await system.ClientAsync("ap-inbox")).PostAsync("/api/v1/documents",
            new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("$", out _));
    }
}
