using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ReviewFlow.IntegrationTests.Operations;

/// <summary>A system of its own: these tests adopt a policy version and work the error queue, both shared by every test of a system.</summary>
public sealed class ErrorQueueSystem() : TestSystem(new SystemOptions());

/// <summary>
/// The intake error queue worked over HTTP as an operator (otto): a result refused for an unknown document type is
/// listed with its reason, the type is added to the routing policy, the replay routes it, a second replay changes
/// nothing, a copy of an already decided result replayed decides nothing again, a discard removes a message with the
/// reason recorded, and every action is in the operations history.
/// </summary>
public sealed class ErrorQueueTests(ErrorQueueSystem system) : IClassFixture<ErrorQueueSystem>
{
    const string RawErrorQueue = "reviewflow-classifications_error";

    static string NewType() => "ops" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_result_refused_for_an_unknown_type_is_listed_replayed_once_the_type_exists_and_a_second_replay_changes_nothing()
    {
        var otto = await system.ClientAsync("otto");
        var type = NewType();
        var id = Documents.NewId("OPS");
        var body = Documents.Json(id, documentType: type, sourceSystem: "ops-upstream");
        await system.Amqp.PublishRawAsync(body);

        // Listed with its reason, source system, document id and a preview; counted under its reason.
        var listed = await WaitListedAsync(otto, m => m.GetProperty("documentId").GetString() == id);
        var reason = listed.GetProperty("reasons").EnumerateArray().Single().GetString()!;
        Assert.StartsWith($"documentType: unknown document type '{type}'; known: ", reason);
        Assert.Equal("ops-upstream", listed.GetProperty("sourceSystem").GetString());
        Assert.Equal(RawErrorQueue, listed.GetProperty("queue").GetString());
        Assert.Contains(id, listed.GetProperty("preview").GetString());
        Assert.True(listed.TryGetProperty("firstSeen", out var firstSeen) && firstSeen.ValueKind == JsonValueKind.String);
        var view = await ListAsync(otto);
        Assert.Contains(view.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("reason").GetString() == reason && r.GetProperty("count").GetInt32() == 1);

        // The upstream team's view: the document is Invalid with the reason, found by its source system.
        var invalid = await Waiting.ForAsync(
            async () => (await otto.GetFromJsonAsync<JsonElement[]>("/api/v1/operations/invalid-documents?sourceSystem=OPS-upstream"))!,
            found => found.Any(d => d.GetProperty("documentId").GetString() == id), TimeSpan.FromSeconds(30), "the Invalid document");
        var doc = invalid.Single(d => d.GetProperty("documentId").GetString() == id);
        Assert.Equal(reason, doc.GetProperty("reasons").EnumerateArray().Single().GetString());
        Assert.DoesNotContain(await otto.GetFromJsonAsync<JsonElement[]>("/api/v1/operations/invalid-documents?sourceSystem=ap-inbox") ?? [],
            d => d.GetProperty("documentId").GetString() == id);

        // A replay before the fix lands back in the error queue with its reason.
        await ReplayAsync(otto, new { ids = new[] { listed.GetProperty("id").GetString() } }, expected: 1);
        listed = await WaitListedAsync(otto, m => m.GetProperty("documentId").GetString() == id);
        Assert.Equal(reason, listed.GetProperty("reasons")[0].GetString());

        // The fix: the type in the routing policy; then all of that reason replayed routes the document.
        await system.AddDocumentTypeAsync(type);
        await ReplayAsync(otto, new { reason, note = "type added to the policy" }, expected: 1);
        var decision = await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal("utilities", decision.FinalLabel);
        await (await system.ClientAsync("ada")).ForStatusAsync(id, "Routed");
        Assert.DoesNotContain((await ListAsync(otto)).GetProperty("messages").EnumerateArray(), m => m.GetProperty("documentId").GetString() == id);

        // A second replay finds nothing to replay and changes nothing.
        var events = await system.Store.EventTypesAsync(id);
        var again = await ReplayAsync(otto, new { ids = new[] { listed.GetProperty("id").GetString() } }, expected: 0);
        Assert.Equal([listed.GetProperty("id").GetString()], again.GetProperty("notFound").EnumerateArray().Select(e => e.GetString()));

        // A copy of the same result (as a crash between the confirm and the removal would leave) replayed: the saga
        // takes it as the duplicate it is — no new event, no second decision.
        await system.Amqp.PublishToQueueAsync(RawErrorQueue, Encoding.UTF8.GetBytes(body),
            new Dictionary<string, object?> { ["MT-Fault-Message"] = "invalid classification: " + reason });
        await WaitListedAsync(otto, m => m.GetProperty("documentId").GetString() == id);
        await ReplayAsync(otto, new { ids = new[] { listed.GetProperty("id").GetString() } }, expected: 1);
        await Waiting.UntilAsync(async () => await system.Amqp.MessageCountAsync("reviewflow-classifications") == 0, TimeSpan.FromSeconds(10), "the intake queue drained");
        await Task.Delay(TimeSpan.FromSeconds(2)); // the saga's turn (a second decision would be relayed within ~100 ms)
        Assert.Equal(events, await system.Store.EventTypesAsync(id));
        Assert.Single(system.Amqp.Decisions, d => d.DocumentId == id);
        Assert.DoesNotContain((await ListAsync(otto)).GetProperty("messages").EnumerateArray(), m => m.GetProperty("documentId").GetString() == id);

        // Every replay that took a message is in the history, with who and why.
        var history = await otto.GetFromJsonAsync<JsonElement[]>("/api/v1/operations/history");
        var replays = history!.Where(h => h.GetProperty("action").GetString() == "replayed"
            && h.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("documentId").GetString() == id)).ToList();
        Assert.Equal(3, replays.Count);
        Assert.All(replays, r => Assert.Equal("otto", r.GetProperty("actor").GetString()));
        Assert.Contains(replays, r => r.GetProperty("why").GetString() == "type added to the policy" && r.GetProperty("selection").GetString() == "reason: " + reason);
    }

    [Fact]
    public async Task A_discard_needs_a_reason_removes_the_message_and_is_recorded_with_who_and_why()
    {
        var otto = await system.ClientAsync("otto");
        var id = Documents.NewId("OPS");
        await system.Amqp.PublishRawAsync(Documents.Json(id, documentType: NewType()));
        var listed = await WaitListedAsync(otto, m => m.GetProperty("documentId").GetString() == id);
        var messageId = listed.GetProperty("id").GetString()!;

        var refused = await otto.PostAsJsonAsync("/api/v1/operations/error-queue/discard", new { ids = new[] { messageId }, reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains((await ListAsync(otto)).GetProperty("messages").EnumerateArray(), m => m.GetProperty("id").GetString() == messageId);

        var discarded = await otto.PostAsJsonAsync("/api/v1/operations/error-queue/discard",
            new { ids = new[] { messageId }, reason = "sent by a test system, never a real document" });
        Assert.Equal(HttpStatusCode.OK, discarded.StatusCode);
        Assert.Equal(1, (await discarded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("discarded").GetInt32());
        Assert.DoesNotContain((await ListAsync(otto)).GetProperty("messages").EnumerateArray(), m => m.GetProperty("id").GetString() == messageId);
        Assert.Equal(0, await CountOnQueueAsync(id));

        var history = await otto.GetFromJsonAsync<JsonElement[]>("/api/v1/operations/history");
        var entry = history!.First(h => h.GetProperty("action").GetString() == "discarded");
        Assert.Equal("otto", entry.GetProperty("actor").GetString());
        Assert.Equal("sent by a test system, never a real document", entry.GetProperty("why").GetString());
        Assert.Equal(id, entry.GetProperty("messages")[0].GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task Reading_the_queue_keeps_every_message_in_it()
    {
        var otto = await system.ClientAsync("otto");
        var id = Documents.NewId("OPS");
        await system.Amqp.PublishRawAsync(Documents.Json(id, documentType: NewType()));
        await WaitListedAsync(otto, m => m.GetProperty("documentId").GetString() == id);
        for (var i = 0; i < 3; i++) await ListAsync(otto);
        Assert.Equal(1, await CountOnQueueAsync(id));
    }

    [Fact]
    public async Task A_replay_names_its_messages_a_reason_or_all()
    {
        var otto = await system.ClientAsync("otto");
        var none = await otto.PostAsJsonAsync("/api/v1/operations/error-queue/replay", new { });
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        var two = await otto.PostAsJsonAsync("/api/v1/operations/error-queue/replay", new { ids = new[] { "x" }, all = true });
        Assert.Equal(HttpStatusCode.BadRequest, two.StatusCode);
    }

    /// <summary>How many copies of the document's message the error queue holds, read as any AMQP client would.</summary>
    async Task<int> CountOnQueueAsync(string documentId)
    {
        var total = (int)await system.Amqp.MessageCountAsync(RawErrorQueue);
        var found = 0;
        for (var i = 0; i < total; i++)
        {
            try
            {
                await system.Amqp.GetAsync(RawErrorQueue, m => Encoding.UTF8.GetString(m.Body.Span).Contains(documentId), TimeSpan.FromMilliseconds(300));
                found++;
            }
            catch (TimeoutException)
            {
                break;
            }
        }
        return found;
    }

    static async Task<JsonElement> ListAsync(HttpClient http)
    {
        var response = await http.GetAsync("/api/v1/operations/error-queue");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    static async Task<JsonElement> WaitListedAsync(HttpClient http, Func<JsonElement, bool> match)
    {
        JsonElement found = default;
        await Waiting.UntilAsync(async () =>
        {
            var messages = (await ListAsync(http)).GetProperty("messages").EnumerateArray().Where(match).ToList();
            if (messages.Count > 0) found = messages[0];
            return messages.Count > 0;
        }, TimeSpan.FromSeconds(30), "the message in the error queue's list", interval: TimeSpan.FromMilliseconds(200));
        return found;
    }

    static async Task<JsonElement> ReplayAsync(HttpClient http, object request, int expected)
    {
        var response = await http.PostAsJsonAsync("/api/v1/operations/error-queue/replay", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(expected, result.GetProperty("replayed").GetInt32());
        return result;
    }
}
