using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Testing.Graph;
using ReviewFlow.Workflow.Sla;

namespace ReviewFlow.IntegrationTests.Sla;

/// <summary>
/// A system whose claims are due 6 s after they go to review, with the reminder 3 s before, and whose Teams and
/// Outlook are a recording fake of Microsoft Graph (over HTTPS, with its token endpoint for Azure.Identity).
/// </summary>
public sealed class SlaSystem() : GraphSystem(new SystemOptions
{
    Settings = new Dictionary<string, string?>
    {
        ["Routing:DocumentTypes:claim:Sla"] = "00:00:06",
        ["Routing:DocumentTypes:claim:ReminderBefore"] = "00:00:03",
        // The sweep runs only when a test asks for it.
        ["Timers:SweepCron"] = "0 0 1 1 *",
    },
})
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings() => new Dictionary<string, string?>(Graph.ConfigurationFor(
        [new RecorderGroup("claims-reviewers", Reviewers: ["alice", "bob"], Supervisors: ["sam"])],
        people: new Dictionary<string, string>
        {
            ["alice"] = "alice@reviewflow.test", ["bob"] = "bob@reviewflow.test", ["sam"] = "sam@reviewflow.test",
        }))
    {
        // A test sets someone out of office: the worker must not trust an earlier answer for long.
        ["Notifications:OutOfOfficeCache"] = "00:00:00.200",
    };

    /// <summary>An unsure claim (0.5 against 0.85) waiting for review, and alice's client.</summary>
    public async Task<(string Id, HttpClient Alice)> UnsureClaimAsync()
    {
        var id = Documents.NewId("CLM");
        await Amqp.PublishRawAsync(Documents.Json(id, documentType: "claim", label: "water-damage", confidence: 0.5));
        var alice = await ClientAsync("alice");
        await alice.ForStatusAsync(id, "AwaitingReview");
        return (id, alice);
    }
}

[CollectionDefinition(Name)]
public sealed class SlaCollection : ICollectionFixture<SlaSystem>
{
    public const string Name = "SLA system";
}

/// <summary>The SLA timers on the real Hangfire storage (PostgreSQL), the real bus and the real saga.</summary>
[Collection(SlaCollection.Name)]
public sealed class SlaTests(SlaSystem system)
{
    static readonly TimeSpan Sla = TimeSpan.FromSeconds(6);

    static Task<JsonElement> WaitForAsync(HttpClient http, string id, Func<JsonElement, bool> condition, TimeSpan timeout) =>
        Waiting.ForAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{id}"), condition, timeout, $"document {id}'s change");

    [Fact]
    public async Task An_open_task_is_reminded_before_its_due_time_then_breached_and_shown_breached_in_the_queue()
    {
        var (id, alice) = await system.UnsureClaimAsync();
        var document = await alice.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{id}");
        var due = document.GetProperty("dueAt").GetDateTimeOffset();

        var breached = await WaitForAsync(alice, id, d => d.GetProperty("breachedAt").ValueKind != JsonValueKind.Null, Sla + TimeSpan.FromSeconds(10));

        var remindedAt = breached.GetProperty("remindedAt").GetDateTimeOffset();
        var breachedAt = breached.GetProperty("breachedAt").GetDateTimeOffset();
        Assert.InRange(remindedAt, due - TimeSpan.FromSeconds(3), due);
        // Late by the schedule poll (0.5 s here) and the trip through the bus, never early.
        Assert.InRange(breachedAt, due, due + TimeSpan.FromSeconds(3));
        Assert.Equal("AwaitingReview", breached.GetProperty("status").GetString());

        var events = await system.Store.EventsAsync(id);
        Assert.Single(events, e => e.Data is SlaReminderDue);
        var breach = Assert.IsType<SlaBreached>(Assert.Single(events, e => e.Data is SlaBreached).Data);
        Assert.Equal(("claims-reviewers", "system"), (breach.ReviewerGroup, breach.Actor));

        var queue = await alice.GetFromJsonAsync<JsonElement>("/api/v1/queue?documentType=claim&pageSize=200");
        var row = queue.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("documentId").GetString() == id);
        Assert.True(row.GetProperty("breached").GetBoolean());
    }

    [Fact]
    public async Task A_task_decided_in_time_cancels_its_timers_and_nothing_fires_later()
    {
        var (id, alice) = await system.UnsureClaimAsync();
        var timers = await TimersOfAsync(id, t => t.BreachJob is not null && t.ReminderJob is not null);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "confirm" })).StatusCode);

        await Waiting.UntilAsync(() => Task.FromResult(StateOf(timers.BreachJob!) == "Deleted" && StateOf(timers.ReminderJob!) == "Deleted"),
            TimeSpan.FromSeconds(10), "both timers deleted");
        await Task.Delay(Sla + TimeSpan.FromSeconds(2));

        var types = await system.Store.EventTypesAsync(id);
        Assert.DoesNotContain(nameof(SlaReminderDue), types);
        Assert.DoesNotContain(nameof(SlaBreached), types);
        await using var session = system.Store.QuerySession();
        Assert.Null(await session.LoadAsync<DocumentTimers>(id));
    }

    [Fact]
    public async Task A_timer_survives_a_worker_restart_between_scheduling_and_firing()
    {
        var (id, alice) = await system.UnsureClaimAsync();
        await TimersOfAsync(id, t => t.BreachJob is not null);

        // Down through the reminder and the due time: both fire once the new worker is up.
        await system.RestartWorkerAsync(Sla + TimeSpan.FromSeconds(1));

        var breached = await WaitForAsync(alice, id, d => d.GetProperty("breachedAt").ValueKind != JsonValueKind.Null, TimeSpan.FromSeconds(20));
        Assert.Equal("AwaitingReview", breached.GetProperty("status").GetString());
        var types = await system.Store.EventTypesAsync(id);
        Assert.Single(types, t => t == nameof(SlaBreached));
    }

    [Fact]
    public async Task A_timer_that_fires_again_and_the_sweep_after_it_change_nothing_more()
    {
        var (id, alice) = await system.UnsureClaimAsync();
        var breached = await WaitForAsync(alice, id, d => d.GetProperty("breachedAt").ValueKind != JsonValueKind.Null, Sla + TimeSpan.FromSeconds(10));
        var due = breached.GetProperty("dueAt").GetDateTimeOffset();

        using (var scope = system.Worker.Services.CreateScope())
        {
            var jobs = ActivatorUtilities.CreateInstance<TimerJobs>(scope.ServiceProvider);
            await jobs.SlaElapsedAsync(id, SlaTimers.Breach, due, due);
            await jobs.SlaElapsedAsync(id, SlaTimers.Reminder, due, due - TimeSpan.FromSeconds(3));
            await jobs.SweepAsync(CancellationToken.None);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));

        var types = await system.Store.EventTypesAsync(id);
        Assert.Single(types, t => t == nameof(SlaBreached));
        Assert.Single(types, t => t == nameof(SlaReminderDue));
    }

    [Fact]
    public async Task The_sweep_records_a_breach_whose_timer_was_lost()
    {
        var (id, alice) = await system.UnsureClaimAsync();
        var timers = await TimersOfAsync(id, t => t.BreachJob is not null && t.ReminderJob is not null);
        var client = system.Worker.Services.GetRequiredService<IBackgroundJobClient>();
        // Lost: deleted by hand before they fired.
        Assert.True(client.Delete(timers.BreachJob!));
        Assert.True(client.Delete(timers.ReminderJob!));
        await Task.Delay(Sla + TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(nameof(SlaBreached), await system.Store.EventTypesAsync(id));

        int sent;
        using (var scope = system.Worker.Services.CreateScope())
            sent = await ActivatorUtilities.CreateInstance<TimerJobs>(scope.ServiceProvider).SweepAsync(CancellationToken.None);

        Assert.True(sent >= 1);
        var breached = await WaitForAsync(alice, id, d => d.GetProperty("breachedAt").ValueKind != JsonValueKind.Null, TimeSpan.FromSeconds(10));
        Assert.Equal("AwaitingReview", breached.GetProperty("status").GetString());
    }

    async Task<DocumentTimers> TimersOfAsync(string id, Func<DocumentTimers, bool> ready) =>
        (await Waiting.ForAsync(async () =>
        {
            await using var session = system.Store.QuerySession();
            return await session.LoadAsync<DocumentTimers>(id);
        }, t => t is not null && ready(t), TimeSpan.FromSeconds(10), $"the timers of {id}"))!;

    string? StateOf(string jobId)
    {
        using var connection = system.Worker.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }
}
