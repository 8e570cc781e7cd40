using System.Text.Json.Nodes;
using ReviewFlow.Testing.Graph;

namespace ReviewFlow.Notifications.Tests;

public sealed class TeamsCardTests : RecorderTestBase
{
    [Fact]
    public async Task A_new_task_posts_one_adaptive_card_to_the_groups_channel_with_the_facts_and_a_link_that_only_opens_the_item()
    {
        const string excerpt = "<script>alert('x')</script> [click me](https://evil.example) **now**";
        var task = Task(excerpt: excerpt);

        await Notifier().NewTaskAsync(task, CancellationToken.None);

        var post = Assert.Single(Recorder.GraphRequests);
        Assert.Equal("POST", post.Method);
        Assert.Equal($"/v1.0/teams/{Ap.TeamId}/channels/{Ap.ChannelId}/messages", post.Path);
        Assert.Equal($"Bearer {Recorder.AccessToken}", post.Header("Authorization"));
        Assert.NotEmpty(Recorder.TokenRequests); // the token came from ClientSecretCredential against the recorder's authority

        var message = JsonNode.Parse(post.Body)!;
        var attachment = Assert.Single(message["attachments"]!.AsArray())!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)attachment["contentType"]);
        Assert.Equal($"<attachment id=\"{(string?)attachment["id"]}\"></attachment>", (string?)message["body"]!["content"]);
        Assert.Equal("html", (string?)message["body"]!["contentType"]);

        var card = JsonNode.Parse((string)attachment["content"]!)!;
        Assert.Equal("AdaptiveCard", (string?)card["type"]);
        Assert.Equal("1.4", (string?)card["version"]);
        var facts = card["body"]!.AsArray().Where(b => (string?)b!["type"] == "FactSet")
            .SelectMany(b => b!["facts"]!.AsArray()).ToDictionary(f => (string)f!["title"]!, f => (string)f!["value"]!);
        Assert.Equal(task.DocumentId, facts["Document"]);
        Assert.Equal("approve", facts["Predicted label"]);
        Assert.Equal("87.3 %", facts["Confidence"]);
        Assert.Equal("2026-11-23 14:00 UTC", facts["SLA due"]);

        var action = Assert.Single(card["actions"]!.AsArray())!;
        Assert.Equal("Action.OpenUrl", (string?)action["type"]);
        Assert.Equal(LinkTo(task.DocumentId), (string?)action["url"]);
        Assert.Equal("https://reviewflow.test/?document=INV-2026%2F0042%20%26%20co", (string?)action["url"]);

        // The excerpt is a plain TextBlock: literal text, markdown link/emphasis escaped, never markup.
        var texts = card["body"]!.AsArray().Where(b => (string?)b!["type"] == "TextBlock").Select(b => (string)b!["text"]!).ToList();
        Assert.Contains(@"<script>alert('x')</script> \[click me\](https://evil.example) \*\*now\*\*", texts);
        Assert.DoesNotContain("<script", post.Body, StringComparison.OrdinalIgnoreCase); // JSON-escaped on the wire too
        Assert.All(card["body"]!.AsArray(), b => Assert.Contains((string)b!["type"]!, new[] { "TextBlock", "FactSet" }));

        var attempt = Assert.Single(Log.Attempts);
        Assert.Equal(new NotificationAttempt($"new-task:{task.DocumentId}:teams:{Ap.TeamId}/{Ap.ChannelId}", task.DocumentId, "new-task", "teams",
            $"teams:{Ap.TeamId}/{Ap.ChannelId}", 1, "sent", 201, null, attempt.At), attempt);
    }

    [Fact]
    public async Task A_breach_mails_the_supervisors_and_posts_a_card_to_the_channel()
    {
        var task = Task(claimedBy: "alice");

        await Notifier().BreachAsync(task, CancellationToken.None);

        var mail = Assert.Single(Recorder.Mails);
        Assert.Equal(["sam@reviewflow.test"], mail.To);
        Assert.Contains("SLA breached", mail.Subject);
        var post = Assert.Single(Recorder.ChannelPosts);
        Assert.Contains("SLA breached", post.Body);
        Assert.Equal(["sent", "sent"], Log.Attempts.Select(a => a.Outcome));
        Assert.Equal(["outlook", "teams"], Log.Attempts.Select(a => a.Channel));
        Assert.All(Log.Attempts, a => Assert.Equal("breach", a.Kind));
    }

    [Fact]
    public async Task A_group_without_a_teams_channel_records_the_card_as_skipped_and_posts_nothing()
    {
        var notifier = Notifier(adjust: c =>
        {
            c.Remove($"Notifications:Groups:{Ap.Name}:Teams:TeamId");
            c.Remove($"Notifications:Groups:{Ap.Name}:Teams:ChannelId");
        });

        await notifier.NewTaskAsync(Task(), CancellationToken.None);

        Assert.Empty(Recorder.GraphRequests);
        var attempt = Assert.Single(Log.Attempts);
        Assert.Equal("skipped", attempt.Outcome);
        Assert.Contains("no Teams channel", attempt.Detail);
    }
}
