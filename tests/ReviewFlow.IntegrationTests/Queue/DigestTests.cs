using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Notifications;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.IntegrationTests.Queue;

/// <summary>A system whose claims are due 5 s after they go to review (the sweep runs only when asked).</summary>
public sealed class ShortSlaSystem() : TestSystem(new SystemOptions
{
    Settings = new Dictionary<string, string?>
    {
        ["Routing:DocumentTypes:claim:Sla"] = "00:00:05",
        ["Timers:SweepCron"] = "0 0 1 1 *",
    },
});

/// <summary>The daily digest's open tasks, breaches and decisions, read from the review queue's items.</summary>
public sealed class DigestTests(ShortSlaSystem system) : IClassFixture<ShortSlaSystem>
{
    sealed class DigestRecorder : IReviewNotifier
    {
        public List<ReviewerDigest> Digests { get; } = [];
        public Task NewTaskAsync(ReviewTask task, CancellationToken ct) => Task.CompletedTask;
        public Task ReminderAsync(ReviewTask task, CancellationToken ct) => Task.CompletedTask;
        public Task BreachAsync(ReviewTask task, CancellationToken ct) => Task.CompletedTask;
        public Task EscalatedAsync(ReviewTask task, string reason, CancellationToken ct) => Task.CompletedTask;
        public Task QualityAlertAsync(QualityAlertNotice notice, CancellationToken ct) => Task.CompletedTask;
        public Task ReassignedAsync(Reassignment reassignment, CancellationToken ct) => Task.CompletedTask;

        public Task DigestAsync(ReviewerDigest digest, CancellationToken ct)
        {
            Digests.Add(digest);
            return Task.CompletedTask;
        }
    }

    async Task<string> UnsureClaimAsync(HttpClient http)
    {
        var id = Documents.NewId("CLM");
        await system.Amqp.PublishRawAsync(Documents.Json(id, documentType: "claim", label: "water-damage", confidence: 0.5));
        await http.ForStatusAsync(id, "AwaitingReview");
        return id;
    }

    [Fact]
    public async Task Each_reviewer_gets_the_groups_open_tasks_with_the_breach_of_the_day_and_what_they_decided()
    {
        var sam = await system.ClientAsync("sam");
        var decided = await UnsureClaimAsync(sam);
        Assert.Equal(HttpStatusCode.OK, (await sam.PostAsync($"/api/v1/reviews/{decided}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sam.PostAsJsonAsync($"/api/v1/reviews/{decided}/decision", new { outcome = "confirm" })).StatusCode);
        var open = await UnsureClaimAsync(sam);
        await Waiting.UntilAsync(async () => (await sam.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{open}"))
            .GetProperty("breachedAt").ValueKind != JsonValueKind.Null, TimeSpan.FromSeconds(20), $"the breach of {open}");

        var recorder = new DigestRecorder();
        var options = new NotificationOptions { Groups = { ["claims-reviewers"] = new() { Reviewers = ["alice", "sam"] } } };
        var jobs = new NotificationJobs(system.Store, recorder, system.Worker.Services.GetRequiredService<MartenRoutingPolicySource>(),
            TimeProvider.System, Options.Create(options), system.Worker.Services.GetRequiredService<ReviewFlow.Workflow.Reviewing.GroupDirectory>(),
            NullLogger<NotificationJobs>.Instance);
        Assert.Equal(2, await jobs.DigestAsync(CancellationToken.None));

        var (alices, sams) = (recorder.Digests.Single(d => d.ReviewerId == "alice"), recorder.Digests.Single(d => d.ReviewerId == "sam"));
        foreach (var digest in new[] { alices, sams })
        {
            var task = Assert.Single(digest.OpenTasks);
            Assert.Equal((open, "claim", "water-damage", true, "AwaitingReview"),
                (task.DocumentId, task.DocumentType, task.PredictedLabel, task.Breached, task.Status));
            Assert.Equal(1, digest.BreachesToday);
        }
        Assert.Equal((0, 1), (alices.DecidedToday, sams.DecidedToday));
    }
}
