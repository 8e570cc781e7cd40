using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using ReviewFlow.Workflow.Intake;

namespace ReviewFlow.IntegrationTests.Intake;

/// <summary>Bad input never vanishes and never crashes a consumer: error queue with the reason, Invalid status, 400.</summary>
[Collection(SystemCollection.Name)]
public sealed class BadInputTests(TestSystem system)
{
    internal const string ErrorQueue = "reviewflow-classifications_error";

    /// <summary>A valid result whose excerpt holds bytes that are not UTF-8 (a lone lead byte, then 0xFF).</summary>
    internal static byte[] WithBrokenUtf8(string id)
    {
        var json = Encoding.UTF8.GetBytes(Documents.Json(id).Replace("Invoice for", "Invoice ~BAD~for"));
        var at = json.AsSpan().IndexOf("~BAD~"u8);
        return [.. json[..at], 0xC3, 0xFF, .. json[(at + 5)..]];
    }

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

        var doc = await (await system.ClientAsync("ada")).ForStatusAsync(id, "Invalid");
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
        await (await system.ClientAsync("ada")).ForStatusAsync(id, "Invalid");
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
        await (await system.ClientAsync("ada")).ForStatusAsync(id, "Invalid");
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

    [Fact]
    public async Task Bytes_that_are_not_UTF8_in_a_string_reach_the_error_queue_once_without_retries_and_the_document_shows_Invalid()
    {
        var id = Documents.NewId("BAD");
        await system.Amqp.PublishRawAsync(WithBrokenUtf8(id));

        var faulted = await system.Amqp.GetAsync(ErrorQueue, m => m.Body.Span.IndexOf(Encoding.UTF8.GetBytes(id)) >= 0);
        Assert.Contains("excerpt: not valid UTF-8", AmqpProbe.FaultMessage(faulted));
        Assert.False(faulted.BasicProperties.Headers!.ContainsKey("MT-Fault-RetryCount"), "retried: bad input is not a transient fault");
        var doc = await (await system.ClientAsync("ada")).ForStatusAsync(id, "Invalid");
        Assert.Contains("excerpt: not valid UTF-8", doc.GetProperty("invalidReasons").EnumerateArray().Select(r => r.GetString()));
        await Assert.ThrowsAsync<TimeoutException>(() =>
            system.Amqp.GetAsync(ErrorQueue, m => m.Body.Span.IndexOf(Encoding.UTF8.GetBytes(id)) >= 0, TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData("null", "$: expected a JSON object, got null")]
    [InlineData("", "$: the body is empty")]
    [InlineData("\"text\"", "$: expected a JSON object, got a string")]
    public async Task A_body_that_is_not_a_JSON_object_lands_in_the_error_queue_with_a_plain_reason(string body, string reason)
    {
        var messageId = Guid.NewGuid().ToString("N");
        await system.Amqp.PublishRawAsync(Encoding.UTF8.GetBytes(body), messageId: messageId);

        var faulted = await system.Amqp.GetAsync(ErrorQueue, m => m.BasicProperties.MessageId == messageId);
        Assert.Contains(reason, AmqpProbe.FaultMessage(faulted));
    }

    [Fact]
    public async Task A_body_over_the_limit_lands_in_the_error_queue_as_too_large()
    {
        var messageId = Guid.NewGuid().ToString("N");
        await system.Amqp.PublishRawAsync(new byte[new IntakeLimits().MaxPayloadBytes + 1], messageId: messageId);

        var faulted = await system.Amqp.GetAsync(ErrorQueue, m => m.BasicProperties.MessageId == messageId);
        Assert.Contains($"$: payload is {new IntakeLimits().MaxPayloadBytes + 1} bytes", AmqpProbe.FaultMessage(faulted));
    }

    [Fact]
    public async Task Http_intake_answers_413_problem_details_to_a_chunked_body_over_the_limit()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents")
        {
            Content = new UnknownLengthContent(new byte[new IntakeLimits().MaxPayloadBytes + 1]),
        };
        request.Headers.TransferEncodingChunked = true;
        var response = await (await system.ClientAsync("ap-inbox")).SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Http_intake_refuses_a_null_body_with_a_plain_reason()
    {
        var response = await (await system.ClientAsync("ap-inbox")).PostAsync("/api/v1/documents",
            new StringContent("null", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("expected a JSON object, got null", problem.GetProperty("errors").GetProperty("$")[0].GetString());
    }

    /// <summary>A body sent chunked: no Content-Length for the endpoint to check first.</summary>
    sealed class UnknownLengthContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}

/// <summary>A system of its own whose worker's log lines are captured.</summary>
public sealed class LoggedSystem : TestSystem
{
    public CapturingLoggerProvider Logs { get; } = new();

    protected override void ConfigureWorker(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);
}

/// <summary>Bad input is the publisher's mistake, not ours: one warning line each, no error, no stack trace.</summary>
public sealed class BadInputLoggingTests(LoggedSystem system) : IClassFixture<LoggedSystem>
{
    [Fact]
    public async Task Each_bad_message_logs_one_warning_with_the_document_id_and_the_reason_and_nothing_at_error_level()
    {
        var missingLabel = Documents.NewId("BAD");
        var brokenUtf8 = Documents.NewId("BAD");
        var nullBody = Guid.NewGuid().ToString("N");
        var doc = JsonNode.Parse(Documents.Json(missingLabel))!.AsObject();
        doc.Remove("label");
        await system.Amqp.PublishRawAsync(doc.ToJsonString());
        await system.Amqp.PublishRawAsync(BadInputTests.WithBrokenUtf8(brokenUtf8));
        await system.Amqp.PublishRawAsync("null"u8.ToArray(), messageId: nullBody);
        // A publisher's text in a reason must not forge log lines.
        var forged = Documents.NewId("BAD");
        var forging = JsonNode.Parse(Documents.Json(forged))!.AsObject();
        forging["documentType"] = "recipe\nfail: an invented error line";
        await system.Amqp.PublishRawAsync(forging.ToJsonString());

        foreach (var id in new[] { missingLabel, brokenUtf8, forged })
            await system.Amqp.GetAsync(BadInputTests.ErrorQueue, m => m.Body.Span.IndexOf(Encoding.UTF8.GetBytes(id)) >= 0);
        await system.Amqp.GetAsync(BadInputTests.ErrorQueue, m => m.BasicProperties.MessageId == nullBody);

        (string Category, LogLevel Level, string Message, Exception? Exception)[] Refusals() =>
            system.Logs.Lines.Where(l => l.Level == LogLevel.Warning && l.Category.StartsWith("ReviewFlow", StringComparison.Ordinal)).ToArray();
        await Waiting.UntilAsync(() => Task.FromResult(Refusals().Length >= 4), TimeSpan.FromSeconds(10), "four warnings");
        var lines = system.Logs.Lines;
        Assert.DoesNotContain(lines, l => l.Level >= LogLevel.Error);
        Assert.DoesNotContain(lines, l => l.Level == LogLevel.Warning && l.Category.StartsWith("MassTransit", StringComparison.Ordinal)); // R-RETRY
        var refusals = Refusals();
        Assert.Equal(4, refusals.Length);
        Assert.All(refusals, r => Assert.Null(r.Exception));
        Assert.All(refusals, r => Assert.DoesNotContain('\n', r.Message));
        Assert.Single(refusals, r => r.Message.Contains(forged) && r.Message.Contains("recipe fail: an invented error line"));
        Assert.Single(refusals, r => r.Message.Contains(missingLabel) && r.Message.Contains("label: is required"));
        Assert.Single(refusals, r => r.Message.Contains(brokenUtf8) && r.Message.Contains("excerpt: not valid UTF-8"));
        Assert.Single(refusals, r => r.Message.Contains("$: expected a JSON object, got null"));
    }
}
