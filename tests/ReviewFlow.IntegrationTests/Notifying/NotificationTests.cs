using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.IntegrationTests.Sla;
using ReviewFlow.Testing.Graph;

namespace ReviewFlow.IntegrationTests.Notifying;

/// <summary>
/// Teams and Outlook end to end: the real worker, Hangfire, the real Graph SDK and Azure.Identity, against a fake
/// Graph that records what it receives.
/// </summary>
[Collection(SlaCollection.Name)]
public sealed class NotificationTests(SlaSystem system)
{
    static Task<T> EventuallyAsync<T>(Func<T?> probe, TimeSpan timeout, string what) where T : class =>
        EventuallyAsync(() => Task.FromResult(probe()), timeout, what);

    static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class =>
        (await Waiting.ForAsync(probe, found => found is not null, timeout, what))!;

    async Task<JsonElement[]> NotificationsAsync(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<JsonElement[]>($"/api/v1/documents/{id}/notifications"))!;

    [Fact]
    public async Task A_new_review_task_posts_a_card_to_the_groups_teams_channel_with_a_deep_link()
    {
        var (id, alice) = await system.UnsureClaimAsync();

        var post = await EventuallyAsync(() => system.Graph.ChannelPosts.FirstOrDefault(p => p.Body.Contains(id)), TimeSpan.FromSeconds(15), "a card");

        Assert.Equal("/v1.0/teams/team-claims-reviewers/channels/channel-claims-reviewers/messages", post.Path);
        Assert.StartsWith("Bearer ", post.Header("Authorization"));
        Assert.Contains("water-damage", post.Body);
        Assert.Contains($"https://reviewflow.test/?document={Uri.EscapeDataString(id)}", post.Body);
        // The attempt is recorded once Graph has answered: a moment after the fake Graph saw the post.
        var recorded = await Waiting.ForAsync(() => NotificationsAsync(alice, id),
            r => r.Any(n => n.GetProperty("kind").GetString() == "new-task"), TimeSpan.FromSeconds(10), "the recorded attempt");
        Assert.Contains(recorded, n => n.GetProperty("kind").GetString() == "new-task" && n.GetProperty("outcome").GetString() == "sent");
    }

    [Fact]
    public async Task The_group_is_reminded_by_mail_then_its_supervisor_is_told_of_the_breach()
    {
        var (id, alice) = await system.UnsureClaimAsync();

        var breachMail = await EventuallyAsync(() => system.Graph.Mails.FirstOrDefault(m => m.Subject.Contains(id) && m.To.Contains("sam@reviewflow.test")),
            TimeSpan.FromSeconds(20), "the breach mail");

        var reminders = system.Graph.Mails.Where(m => m.Subject.Contains(id) && !m.To.Contains("sam@reviewflow.test")).ToList();
        Assert.Equal(["alice@reviewflow.test", "bob@reviewflow.test"], reminders.SelectMany(m => m.To).Order().ToArray());
        Assert.All(reminders.Append(breachMail), m => Assert.Equal(GraphRecorder.ServiceMailbox, m.Mailbox));
        Assert.Contains($"?document={Uri.EscapeDataString(id)}", breachMail.Html);
        Assert.Contains($"?document={Uri.EscapeDataString(id)}", breachMail.Text);
        var recorded = await NotificationsAsync(alice, id);
        Assert.Contains(recorded, n => n.GetProperty("kind").GetString() == "breach" && n.GetProperty("outcome").GetString() == "sent");
        Assert.Equal(2, recorded.Count(n => n.GetProperty("kind").GetString() == "reminder" && n.GetProperty("outcome").GetString() == "sent"));
    }

    [Fact]
    public async Task Graph_failing_is_recorded_as_failed_and_never_holds_the_decision_back()
    {
        system.Graph.FailNext("/channels/", 1000, 500);
        try
        {
            var (id, alice) = await system.UnsureClaimAsync();
            var failed = await EventuallyAsync(async () => (await NotificationsAsync(alice, id))
                    .Where(n => n.GetProperty("kind").GetString() == "new-task").ToArray() is { Length: 3 } a ? a : null,
                TimeSpan.FromSeconds(15), "three failed attempts");

            Assert.All(failed, n => Assert.Equal("failed", n.GetProperty("outcome").GetString()));
            Assert.All(failed, n => Assert.Equal(500, n.GetProperty("httpStatus").GetInt32()));
            Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "confirm" })).StatusCode);
            await alice.ForStatusAsync(id, "Routed");
        }
        finally
        {
            // The other tests of the collection post cards too: the failures left over (1000 less the three) must not reach them.
            system.Graph.StopFailing("/channels/");
        }
    }

    [Fact]
    public async Task A_reviewer_who_is_out_of_office_is_not_reminded()
    {
        system.Graph.SetOutOfOffice("bob@reviewflow.test", "alwaysEnabled");
        try
        {
            var (id, alice) = await system.UnsureClaimAsync();

            await EventuallyAsync(() => system.Graph.Mails.FirstOrDefault(m => m.Subject.Contains(id) && m.To.Contains("alice@reviewflow.test")),
                TimeSpan.FromSeconds(15), "alice's reminder");

            // Bob's turn comes after alice's mail is sent: his skipped attempt is recorded a moment later.
            var recorded = await Waiting.ForAsync(() => NotificationsAsync(alice, id),
                r => r.Any(n => n.GetProperty("recipient").GetString()!.Contains("bob")), TimeSpan.FromSeconds(10), "bob's attempt");
            Assert.Contains(recorded, n => n.GetProperty("kind").GetString() == "reminder" && n.GetProperty("outcome").GetString() == "skipped"
                && n.GetProperty("recipient").GetString()!.Contains("bob"));
            Assert.DoesNotContain(system.Graph.Mails, m => m.Subject.Contains(id) && m.To.Contains("bob@reviewflow.test"));
        }
        finally
        {
            system.Graph.SetOutOfOffice("bob@reviewflow.test", "disabled");
        }
    }

    [Fact]
    public async Task A_reassigned_task_is_mailed_to_its_new_holder_with_the_link_and_recorded_with_the_document()
    {
        var (id, _) = await system.UnsureClaimAsync();
        var sam = await system.ClientAsync("sam");

        Assert.Equal(HttpStatusCode.OK, (await sam.PostAsJsonAsync($"/api/v1/reviews/{id}/reassign", new { reviewerId = "alice", leaseMinutes = 60 })).StatusCode);

        var mail = await EventuallyAsync(() => system.Graph.Mails.FirstOrDefault(m => m.Subject.StartsWith("Reassigned to you") && m.Subject.Contains(id)),
            TimeSpan.FromSeconds(15), "the reassignment mail");
        Assert.Equal(["alice@reviewflow.test"], mail.To);
        Assert.Contains("sam reassigned this document to you: it is yours now, held for you until", mail.Text);
        Assert.Contains($"https://reviewflow.test/?document={Uri.EscapeDataString(id)}", mail.Text);
        Assert.Contains($"href=\"https://reviewflow.test/?document={Uri.EscapeDataString(id)}\"", mail.Html);
        var recorded = await Waiting.ForAsync(() => NotificationsAsync(sam, id),
            r => r.Any(n => n.GetProperty("kind").GetString() == "reassigned"), TimeSpan.FromSeconds(10), "the recorded attempt");
        var sent = Assert.Single(recorded, n => n.GetProperty("kind").GetString() == "reassigned");
        Assert.Equal(("outlook", "alice@reviewflow.test", "sent"), (sent.GetProperty("channel").GetString(), sent.GetProperty("recipient").GetString(),
            sent.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task A_task_reassigned_to_someone_out_of_office_is_not_mailed_to_them_and_the_skip_says_why()
    {
        system.Graph.SetOutOfOffice("alice@reviewflow.test", "alwaysEnabled");
        try
        {
            var (id, _) = await system.UnsureClaimAsync();
            var sam = await system.ClientAsync("sam");
            // A lookup of alice that began before she went away (the previous test's presence refresh, this task's
            // new-task notice) is cached for the test system's 200 ms: let it expire before the reassignment's lookup.
            await Task.Delay(300);

            Assert.Equal(HttpStatusCode.OK, (await sam.PostAsJsonAsync($"/api/v1/reviews/{id}/reassign", new { reviewerId = "alice", leaseMinutes = 60 })).StatusCode);

            var recorded = await Waiting.ForAsync(() => NotificationsAsync(sam, id),
                r => r.Any(n => n.GetProperty("kind").GetString() == "reassigned"), TimeSpan.FromSeconds(15), "the recorded attempt");
            var skipped = Assert.Single(recorded, n => n.GetProperty("kind").GetString() == "reassigned");
            Assert.Equal("skipped", skipped.GetProperty("outcome").GetString());
            Assert.Contains("out of office", skipped.GetProperty("detail").GetString());
            Assert.DoesNotContain(system.Graph.Mails, m => m.Subject.StartsWith("Reassigned to you") && m.Subject.Contains(id));
        }
        finally
        {
            system.Graph.SetOutOfOffice("alice@reviewflow.test", "disabled");
        }
    }

    [Fact]
    public async Task The_worker_records_who_is_out_of_office_and_the_supervisor_overview_marks_them_for_the_picker()
    {
        var until = DateTimeOffset.UtcNow.AddDays(3);
        system.Graph.SetOutOfOffice("alice@reviewflow.test", "scheduled", DateTimeOffset.UtcNow.AddHours(-1), until);
        try
        {
            await system.UnsureClaimAsync(); // claims-reviewers has an open task: its members are looked up
            // A lookup of alice that began before she went away (another test's notice; one CI run saw it) is cached
            // for the test system's 200 ms: let it expire before the refresh's lookup.
            await Task.Delay(300);
            Assert.True(await RefreshPresenceAsync() >= 2);

            var sam = await system.ClientAsync("sam");
            var overview = await sam.GetFromJsonAsync<JsonElement>("/api/v1/supervisor/overview");
            var members = overview.GetProperty("members").GetProperty("claims-reviewers").EnumerateArray().ToList();
            var away = members.Single(m => m.GetProperty("id").GetString() == "alice").GetProperty("away");
            Assert.InRange(away.GetProperty("until").GetDateTimeOffset(), until.AddSeconds(-1), until.AddSeconds(1));
            Assert.True(members.Single(m => m.GetProperty("id").GetString() == "sam") is var here
                && (!here.TryGetProperty("away", out var none) || none.ValueKind == JsonValueKind.Null));
            var workload = overview.GetProperty("workload").EnumerateArray().Single(w => w.GetProperty("id").GetString() == "alice");
            Assert.Equal(JsonValueKind.Object, workload.GetProperty("away").ValueKind);
            // The worker asked Graph; the recurring job keeps it current.
            Assert.Contains(system.Graph.GraphRequests, r => r.Method == "GET" && r.Path.Contains("alice@reviewflow.test/mailboxSettings/automaticRepliesSetting"));
            using var connection = system.Worker.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection();
            Assert.Contains(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection), j => j.Id == "member-presence" && j.Cron == "*/5 * * * *");
        }
        finally
        {
            system.Graph.SetOutOfOffice("alice@reviewflow.test", "disabled");
            await Task.Delay(300); // past the test system's out-of-office cache
            await RefreshPresenceAsync();
        }
    }

    async Task<int> RefreshPresenceAsync()
    {
        using var scope = system.Worker.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ReviewFlow.Notifications.MemberPresenceJob>().RefreshAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_daily_digest_mails_each_reviewer_their_open_tasks_once_a_day()
    {
        var (id, _) = await system.UnsureClaimAsync();

        int first, second;
        using (var scope = system.Worker.Services.CreateScope())
        {
            var jobs = scope.ServiceProvider.GetRequiredService<ReviewFlow.Workflow.Notifying.IReviewNotifications>();
            first = await jobs.DigestAsync(CancellationToken.None);
            second = await jobs.DigestAsync(CancellationToken.None); // the recurring job ran twice: nobody gets two
        }

        Assert.Equal(2, first);
        Assert.Equal(0, second);
        var digests = system.Graph.Mails.Where(m => m.Text is { } t && t.Contains(id)).ToList();
        Assert.Equal(["alice@reviewflow.test", "bob@reviewflow.test"], digests.SelectMany(m => m.To).Order().ToArray());
        Assert.All(digests, m => Assert.Contains($"?document={Uri.EscapeDataString(id)}", m.Html));
    }
}
