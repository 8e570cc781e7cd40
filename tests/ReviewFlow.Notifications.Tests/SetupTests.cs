using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReviewFlow.Testing;
using ReviewFlow.Testing.Graph;

namespace ReviewFlow.Notifications.Tests;

public sealed class SetupTests
{
    private const string OffLine = "Teams/Outlook notifications are off: no Notifications:Graph configuration";

    [Fact]
    public async Task Without_graph_configuration_the_system_runs_says_once_that_teams_and_outlook_are_off_and_records_skipped()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Notifications:PublicBaseUrl"] = "https://reviewflow.test",
            ["Notifications:Groups:ap-reviewers:Outlook"] = "true",
        }).Build();
        var logs = new CapturingLoggerProvider();
        var log = new RecordingLog();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddSingleton<INotificationLog>(log);
        builder.Services.AddReviewFlowNotifications(configuration);
        builder.Services.AddReviewFlowNotifications(configuration); // a second call registers nothing twice

        using var host = builder.Build();
        await host.StartAsync();
        var notifier = host.Services.GetRequiredService<IReviewNotifier>();
        var task = new ReviewTask("DOC-1", "invoice", "approve", 0.5, "ap-reviewers", null, null, null, "AwaitingReview");
        await notifier.NewTaskAsync(task, CancellationToken.None);
        await notifier.ReminderAsync(task, CancellationToken.None);
        await notifier.BreachAsync(task, CancellationToken.None);
        await notifier.EscalatedAsync(task, "disagreement", CancellationToken.None);
        await notifier.DigestAsync(new ReviewerDigest("alice", new DateOnly(2026, 11, 22), [], 0, 0), CancellationToken.None);
        await host.StopAsync();

        Assert.Single(logs.Lines, l => l.Message == OffLine);
        Assert.Equal(LogLevel.Information, logs.Lines.Single(l => l.Message == OffLine).Level);
        Assert.Equal(
            [("new-task", "teams"), ("reminder", "outlook"), ("breach", "outlook"), ("breach", "teams"), ("escalated", "outlook"), ("digest", "outlook")],
            log.Attempts.Select(a => (a.Kind, a.Channel)));
        Assert.All(log.Attempts, a => Assert.Equal(("skipped", "Teams/Outlook are off", 1), (a.Outcome, a.Detail, a.Attempt)));
        Assert.Equal("new-task:DOC-1:group:ap-reviewers", log.Attempts[0].NotificationId);
        Assert.Equal("digest:alice:2026-11-22:alice", log.Attempts[^1].NotificationId);
    }

    [Fact]
    public async Task A_partial_graph_configuration_keeps_the_channels_off_and_names_what_is_missing()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Notifications:Graph:TenantId"] = "t", ["Notifications:Graph:ClientId"] = "c",
        }).Build();
        var (lines, notifier) = await StartAsync(configuration);

        Assert.Contains("Teams/Outlook notifications are off: Notifications:Graph lacks ClientSecret", lines);
        Assert.Equal("DisabledReviewNotifier", notifier.GetType().Name);
    }

    [Fact]
    public async Task With_graph_configuration_the_start_line_names_the_channels_that_are_on()
    {
        await using var recorder = await GraphRecorder.StartAsync();
        var settings = recorder.ConfigurationFor([new RecorderGroup("ap-reviewers"), new RecorderGroup("legal", Teams: false, Outlook: true)]);
        var (lines, notifier) = await StartAsync(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        Assert.Contains(lines, l => l.StartsWith("Notifications through Microsoft Graph", StringComparison.Ordinal)
                                    && l.Contains("Teams on for ap-reviewers;") && l.Contains("Outlook on for ap-reviewers, legal from reviewflow@reviewflow.test"));
        Assert.Equal("GraphReviewNotifier", notifier.GetType().Name);
        Assert.Empty(recorder.Requests); // nothing is called at start
    }

    private static async Task<(List<string> Lines, IReviewNotifier Notifier)> StartAsync(IConfiguration configuration)
    {
        var logs = new CapturingLoggerProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddSingleton<INotificationLog>(new RecordingLog());
        builder.Services.AddReviewFlowNotifications(configuration);
        using var host = builder.Build();
        await host.StartAsync();
        var notifier = host.Services.GetRequiredService<IReviewNotifier>();
        await host.StopAsync();
        return (logs.Lines.Where(l => l.Category.StartsWith("ReviewFlow.Notifications", StringComparison.Ordinal)).Select(l => l.Message).ToList(), notifier);
    }
}
