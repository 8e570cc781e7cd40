using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using ReviewFlow.Testing.Teams;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Notifying;
using Xunit.Abstractions;

namespace ReviewFlow.IntegrationTests.Teams;

[CollectionDefinition(Name)]
public sealed class TeamsCollection : ICollectionFixture<TeamsSystem>
{
    public const string Name = "Teams system";
}

/// <summary>
/// The bot on the real servers, spoken to as Teams does: activities signed by the fake connector's token issuer, card
/// posts and updates received by the fake connector (docs/teams.md, "The bot").
/// </summary>
[Collection(TeamsCollection.Name)]
public sealed class TeamsBotTests(TeamsSystem system, ITestOutputHelper output)
{
    BotConnectorFake Connector => system.Connector;

    async Task<string> UnsureAsync(string type = "invoice", string label = "utilities", double confidence = 0.5)
    {
        var id = Documents.NewId(type[..3].ToUpperInvariant());
        await system.Amqp.PublishRawAsync(Documents.Json(id, type, label, confidence: confidence));
        await (await system.ClientAsync("sam")).ForStatusAsync(id, "AwaitingReview");
        return id;
    }

    /// <summary>An Action.Execute from <paramref name="user"/>'s Teams on the card of <paramref name="documentId"/>.</summary>
    Task<HttpResponseMessage> InvokeAsync(string user, string verb, string documentId, object? inputs = null, string? token = null, string? serviceUrl = null)
    {
        var data = new JsonObject { ["documentId"] = documentId };
        foreach (var (key, value) in JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(inputs ?? new { }))!.AsObject().ToList())
            data[key] = value?.DeepClone();
        return SendAsync(Activity("invoke", user, serviceUrl, a =>
        {
            a["name"] = "adaptiveCard/action";
            a["value"] = new JsonObject { ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = verb, ["data"] = data }, ["trigger"] = "manual" };
        }), token);
    }

    JsonObject Activity(string type, string user, string? serviceUrl, Action<JsonObject> fill)
    {
        var activity = new JsonObject
        {
            ["type"] = type,
            ["id"] = "act-" + Guid.NewGuid().ToString("N")[..8],
            ["channelId"] = "msteams",
            ["serviceUrl"] = serviceUrl ?? Connector.ServiceUrl,
            ["from"] = new JsonObject { ["id"] = "29:" + TeamsSystem.AadOf(user), ["aadObjectId"] = TeamsSystem.AadOf(user), ["name"] = user },
            ["recipient"] = new JsonObject { ["id"] = "28:" + BotConnectorFake.BotAppId },
            ["conversation"] = new JsonObject { ["id"] = "a:personal-" + user, ["conversationType"] = "personal" },
        };
        fill(activity);
        return activity;
    }

    async Task<HttpResponseMessage> SendAsync(JsonObject activity, string? token)
    {
        var http = system.Web.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/teams/messages")
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Connector.Token());
        return await http.SendAsync(request);
    }

    /// <summary>The invoke response's card, after checking it is the Universal Actions shape.</summary>
    static async Task<JsonObject> CardOfAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(200, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.card.adaptive", body["type"]!.GetValue<string>());
        return body["value"]!.AsObject();
    }

    static string? Notice(JsonObject card) => card["body"]!.AsArray().OfType<JsonObject>().FirstOrDefault(b => (string?)b["id"] == "notice")?["text"]?.GetValue<string>();

    static string[] Verbs(JsonObject card) => card["actions"]!.AsArray().OfType<JsonObject>()
        .Where(a => (string?)a["type"] == "Action.Execute").Select(a => a["verb"]!.GetValue<string>()).ToArray();

    async Task<RecordedPost> CardPostedAsync(string documentId, string group, string title) =>
        await Waiting.ForAsync(() => Task.FromResult(Connector.Posts.FirstOrDefault(p => p.Body.Contains(documentId) && p.Body.Contains(title))),
            p => p is not null, TimeSpan.FromSeconds(20), $"the '{title}' card of {documentId}") is { } post
            ? new RecordedPost(post.Path, JsonNode.Parse(post.Body)!.AsObject())
            : throw new InvalidOperationException();

    sealed record RecordedPost(string Path, JsonObject Activity)
    {
        public JsonObject Card => Activity["attachments"]![0]!["content"]!.AsObject();
    }

    [Fact]
    public async Task A_new_task_and_its_escalation_post_cards_to_the_groups_channel_through_the_connector()
    {
        var id = await UnsureAsync();
        var created = await CardPostedAsync(id, "ap-reviewers", "New review task");
        Assert.Equal("/v3/conversations/19:ap-reviewers@thread.tacv2/activities", created.Path);
        Assert.Equal("1.5", created.Card["version"]!.GetValue<string>());
        Assert.Equal(["claim"], Verbs(created.Card));
        Assert.Equal("refresh", created.Card["refresh"]!["action"]!["verb"]!.GetValue<string>());

        var alice = await system.ClientAsync("alice");
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
        var escalate = await alice.PostAsync($"/api/v1/reviews/{id}/decision",
            new StringContent("""{"outcome":"escalate","reasonCode":"unsure-vendor"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, escalate.StatusCode);

        var escalated = await CardPostedAsync(id, "ap-reviewers", "For a supervisor");
        Assert.Equal("/v3/conversations/19:ap-reviewers@thread.tacv2/activities", escalated.Path);
        Assert.Contains("escalated by alice: unsure-vendor", escalated.Card.ToJsonString());
        // Every attempt recorded as today, channel teams (the record is written once the connector answered: wait for it).
        IReadOnlyList<NotificationRecord> records = [];
        await Waiting.UntilAsync(async () =>
        {
            await using var session = system.Store.QuerySession();
            records = await session.Query<NotificationRecord>().Where(r => r.DocumentId == id && r.Channel == "teams").ToListAsync();
            return records.Any(r => r.Kind == "escalated");
        }, TimeSpan.FromSeconds(20), "the escalation card's notification record");
        Assert.Contains(records, r => r.Kind == "new-task" && r.Outcome == "sent" && r.Recipient == "teams:19:ap-reviewers@thread.tacv2");
        Assert.Contains(records, r => r.Kind == "escalated" && r.Outcome == "sent");
        // The first card, replaced for everyone, says what became of the task.
        await Waiting.UntilAsync(() => Task.FromResult(Connector.Updates.Any(u => u.Body.Contains(id) && u.Body.Contains("Escalated"))),
            TimeSpan.FromSeconds(20), "the channel's card updated to escalated");
    }

    [Fact]
    public async Task A_confirm_from_the_card_decides_as_that_Teams_user_recorded_as_teams_and_reaches_the_decisions_exchange()
    {
        var id = await UnsureAsync();
        await CardPostedAsync(id, "ap-reviewers", "New review task");

        var claimed = await CardOfAsync(await InvokeAsync("alice", "claim", id));
        Assert.Null(Notice(claimed));
        Assert.Equal(["confirm", "correct", "reject", "escalate", "release"], Verbs(claimed));
        Assert.Contains("Claimed by Alice", claimed.ToJsonString());
        // The correction's choices: the model's alternative first, then the type's catalogue.
        var labels = claimed["body"]!.AsArray().OfType<JsonObject>().Single(b => (string?)b["id"] == "label")["choices"]!.AsArray()
            .Select(c => c!["value"]!.GetValue<string>()).ToList();
        Assert.Equal("telecom", labels[0]);

        var clock = Stopwatch.StartNew();
        var decided = await CardOfAsync(await InvokeAsync("alice", "confirm", id));
        var answered = clock.Elapsed;
        var decision = await system.Amqp.WaitForDecisionAsync(id);
        var latency = clock.Elapsed;
        output.WriteLine($"Card action → decision on reviewflow.decisions: {latency.TotalMilliseconds:0} ms (invoke answered after {answered.TotalMilliseconds:0} ms)");

        Assert.Contains("Decided by alice: confirmed utilities", decided.ToJsonString());
        Assert.Empty(Verbs(decided));
        Assert.Equal(("confirmed", "utilities", "alice", "teams"), (decision.Outcome, decision.FinalLabel,
            decision.Body.GetProperty("decidedBy").GetString(), decision.Body.GetProperty("channel").GetString()));
        var events = (await system.Store.EventsAsync(id)).Select(e => e.Data).ToList();
        var claim = Assert.Single(events.OfType<ReviewClaimed>());
        var review = Assert.Single(events.OfType<ReviewDecided>());
        var routed = Assert.Single(events.OfType<DocumentRouted>());
        Assert.Equal(("alice", "teams", "Reviewer"), (claim.Actor, claim.Channel, claim.ActorRole));
        Assert.Equal(("alice", "teams"), (review.Actor, review.Channel));
        Assert.Equal(("alice", "teams"), (routed.DecidedBy, routed.Channel));
        await Waiting.UntilAsync(() => Task.FromResult(Connector.Updates.Any(u => u.Body.Contains(id) && u.Body.Contains("Decided by alice"))),
            TimeSpan.FromSeconds(20), "the channel's card updated for everyone");
    }

    public static TheoryData<string> Forgeries => ["wrong key", "wrong audience", "wrong issuer", "expired", "serviceUrl of another service", "none"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_token_is_refused_with_401_and_changes_nothing(string forgery)
    {
        var id = await UnsureAsync();
        var before = await system.Store.EventTypesAsync(id);
        using var otherKey = RSA.Create(2048);
        var token = forgery switch
        {
            "wrong key" => Connector.Token(key: otherKey),
            "wrong audience" => Connector.Token(audience: "another-bot"),
            "wrong issuer" => Connector.Token(issuer: "https://sts.windows.net/evil/"),
            "expired" => Connector.Token(lifetime: TimeSpan.FromMinutes(-10)),
            // A genuine token from one service, with an activity that sends the bot's answers elsewhere.
            "serviceUrl of another service" => Connector.Token(serviceUrl: "https://evil.example/"),
            _ => "",
        };
        using var response = forgery == "none"
            ? await system.Web.CreateClient().PostAsync("/api/teams/messages", new StringContent("{}", Encoding.UTF8, "application/json"))
            : await InvokeAsync("alice", "claim", id, token: token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await Task.Delay(500);
        Assert.Equal(before, await system.Store.EventTypesAsync(id));
        Assert.Equal("AwaitingReview", (await (await system.ClientAsync("sam")).ForStatusAsync(id, "AwaitingReview")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_user_outside_the_tasks_group_is_refused_on_the_card()
    {
        var id = await UnsureAsync("contract", "nda", 0.6); // legal-reviewers: bob, sam, sue; not alice
        var card = await CardOfAsync(await InvokeAsync("alice", "claim", id));
        Assert.Equal($"No review task for '{id}' in your groups.", Notice(card));
        Assert.DoesNotContain(nameof(ReviewClaimed), await system.Store.EventTypesAsync(id));
    }

    [Fact]
    public async Task Four_eyes_hold_through_two_Teams_users_and_the_first_cannot_decide_twice()
    {
        var id = await UnsureAsync("contract", "nda", 0.6);
        await CardOfAsync(await InvokeAsync("bob", "claim", id));
        var first = await CardOfAsync(await InvokeAsync("bob", "confirm", id));
        Assert.Contains("waiting for a second reviewer", first.ToJsonString());

        var again = await CardOfAsync(await InvokeAsync("bob", "claim", id));
        Assert.Equal("Refused: you already reviewed this document: a different reviewer must decide", Notice(again));
        // Deciding without the claim is refused by the saga too, and says so on the card.
        var unclaimed = await CardOfAsync(await InvokeAsync("sam", "confirm", id));
        Assert.Equal("Refused: not claimed: claim it first", Notice(unclaimed));

        await CardOfAsync(await InvokeAsync("sam", "claim", id));
        await CardOfAsync(await InvokeAsync("sam", "confirm", id));
        var decision = await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal(("confirmed", "sam"), (decision.Outcome, decision.Body.GetProperty("decidedBy").GetString()));
        var events = (await system.Store.EventsAsync(id)).Select(e => e.Data).ToList();
        Assert.Equal(("bob", "teams"), (Assert.Single(events.OfType<FirstReviewRecorded>()).Actor, events.OfType<FirstReviewRecorded>().Single().Channel));
        Assert.Equal(("sam", "bob", "teams"), (events.OfType<ReviewDecided>().Single().Actor, events.OfType<ReviewDecided>().Single().FirstReviewerId,
            events.OfType<ReviewDecided>().Single().Channel));
    }

    [Fact]
    public async Task A_throttled_card_post_waits_the_Retry_After_and_every_attempt_is_recorded()
    {
        var id = Documents.NewId("CLM");
        Connector.FailNext("claims-reviewers@thread", 1, 429, TimeSpan.FromSeconds(1), bodyContains: id);
        await system.Amqp.PublishRawAsync(Documents.Json(id, "claim", "water-damage", confidence: 0.5));
        await CardPostedAsync(id, "claims-reviewers", "New review task");

        await using var session = system.Store.QuerySession();
        var attempts = await Waiting.ForAsync(() => session.Query<NotificationRecord>()
                .Where(r => r.DocumentId == id && r.Channel == "teams" && r.Kind == "new-task").OrderBy(r => r.Attempt).ToListAsync(),
            r => r.Any(a => a.Outcome == "sent"), TimeSpan.FromSeconds(10), "the recorded attempts");
        Assert.Equal([("failed", 429), ("sent", 201)], attempts.Select(a => (a.Outcome, a.HttpStatus ?? 0)).ToList());
        Assert.Contains("throttled by the Bot Connector", attempts[0].Detail);
        var posts = Connector.Requests.Where(r => r.Method == "POST" && r.Path.Contains("claims-reviewers") && r.Body.Contains(id)).ToList();
        Assert.Equal(2, posts.Count);
        Assert.True(posts[1].At - posts[0].At >= TimeSpan.FromSeconds(0.95), $"retried after {(posts[1].At - posts[0].At).TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task My_next_task_in_the_bots_chat_claims_it_and_replies_with_its_card()
    {
        var id = await UnsureAsync("claim", "water-damage", 0.5); // claims-reviewers: alice, sam, sue
        var first = Connector.Replies.Count;
        var response = await SendAsync(Activity("message", "sue", null, a => a["text"] = "my next task"), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var reply = await Waiting.ForAsync(() => Task.FromResult(Connector.Replies.Skip(first).FirstOrDefault()), r => r is not null,
            TimeSpan.FromSeconds(10), "the bot's reply");
        Assert.StartsWith("/v3/conversations/a:personal-sue/activities/act-", reply!.Path);
        var claimed = JsonNode.Parse(reply.Body)!["attachments"]![0]!["content"]!.ToJsonString();
        Assert.Contains("Claimed by Sue", claimed);
        var document = await (await system.ClientAsync("sue")).ForStatusAsync(JsonNode.Parse(claimed)!["body"]!.AsArray().OfType<JsonObject>()
            .Single(b => (string?)b["type"] == "FactSet")["facts"]![0]!["value"]!.GetValue<string>(), "Claimed");
        Assert.Equal("sue", document.GetProperty("claimedBy").GetString());
        _ = id;
    }

    [Fact]
    public async Task A_reassigned_task_reaches_the_assignee_in_their_personal_chat_as_the_holders_card()
    {
        // Alice has used the bot once: it knows her Teams id and her region's service URL.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(Activity("message", "alice", null, a => a["text"] = "hello"), null)).StatusCode);
        var id = await UnsureAsync();
        var sam = await system.ClientAsync("sam");

        Assert.Equal(HttpStatusCode.OK, (await sam.PostAsJsonAsync($"/api/v1/reviews/{id}/reassign", new { reviewerId = "alice" })).StatusCode);

        var post = await Waiting.ForAsync(() => Task.FromResult(Connector.Posts.FirstOrDefault(p => p.Path.Contains("personal") && p.Body.Contains(id))),
            p => p is not null, TimeSpan.FromSeconds(15), "the card in alice's chat");
        Assert.StartsWith("/v3/conversations/a:personal-29:aad-alice/activities", post!.Path);
        var chat = Assert.Single(Connector.ChatsOpened, c => c.At <= post.At && c.Body.Contains("29:aad-alice") && c.At > post.At.AddSeconds(-15));
        Assert.Contains(BotConnectorFake.TenantId, chat.Body);
        var card = JsonNode.Parse(post.Body)!["attachments"]![0]!["content"]!.ToJsonString();
        Assert.Contains("sam reassigned this task to you", card);
        Assert.Contains("\"verb\":\"confirm\"", card); // her card as its holder: she decides there (an authenticated invoke), not by a link
        Assert.Contains($"https://reviewflow.test/?document={id}", card);
        var recorded = await Waiting.ForAsync(() => sam.GetFromJsonAsync<JsonElement[]>($"/api/v1/documents/{id}/notifications")!,
            r => r!.Any(n => n.GetProperty("kind").GetString() == "reassigned" && n.GetProperty("channel").GetString() == "teams"),
            TimeSpan.FromSeconds(10), "the recorded attempt");
        Assert.Contains(recorded!, n => n.GetProperty("kind").GetString() == "reassigned" && n.GetProperty("channel").GetString() == "teams"
            && n.GetProperty("recipient").GetString() == "teams:alice" && n.GetProperty("outcome").GetString() == "sent");
    }
}
