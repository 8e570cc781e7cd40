using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReviewFlow.Testing;
using ReviewFlow.Testing.Graph;

namespace ReviewFlow.Notifications.Tests;

/// <summary>What the lead's Marten log would hold: every attempt, in order.</summary>
public sealed class RecordingLog : INotificationLog
{
    private readonly ConcurrentQueue<NotificationAttempt> _attempts = new();
    public IReadOnlyList<NotificationAttempt> Attempts => _attempts.ToArray();

    /// <summary>Makes the log fail like a database that is down.</summary>
    public bool ThrowOnRecord { get; set; }

    public Task RecordAsync(NotificationAttempt attempt, CancellationToken ct)
    {
        if (ThrowOnRecord) throw new InvalidOperationException("the notification log is down");
        _attempts.Enqueue(attempt);
        return Task.CompletedTask;
    }
}

/// <summary>The notifications library as a host would wire it, pointed at a fresh GraphRecorder.</summary>
public abstract class RecorderTestBase : IAsyncLifetime
{
    protected static readonly RecorderGroup Ap = new("ap-reviewers", Reviewers: ["alice", "bob"], Supervisors: ["sam"]);
    protected static readonly Dictionary<string, string> People = new()
    {
        ["alice"] = "alice@reviewflow.test", ["bob"] = "bob@reviewflow.test", ["sam"] = "sam@reviewflow.test",
    };

    protected GraphRecorder Recorder { get; private set; } = null!;
    protected RecordingLog Log { get; } = new();
    private ServiceProvider? _provider;

    public async Task InitializeAsync() => Recorder = await GraphRecorder.StartAsync();

    public async Task DisposeAsync()
    {
        if (_provider is not null) await _provider.DisposeAsync();
        await Recorder.DisposeAsync();
    }

    protected IReviewNotifier Notifier(IReadOnlyDictionary<string, string>? delegates = null, Action<Dictionary<string, string?>>? adjust = null)
    {
        var settings = Recorder.ConfigurationFor([Ap], People, delegates);
        adjust?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<INotificationLog>(Log);
        services.AddReviewFlowNotifications(configuration);
        services.AddHttpClient(NotificationsSetup.GraphHttpClientName).ConfigurePrimaryHttpMessageHandler(Recorder.CreateHandler);
        _provider = services.BuildServiceProvider();
        return _provider.GetRequiredService<IReviewNotifier>();
    }

    protected static ReviewTask Task(string documentId = "INV-2026/0042 & co", string? claimedBy = null, string? excerpt = null) =>
        new(documentId, "invoice", "approve", 0.8734, "ap-reviewers", new DateTimeOffset(2026, 11, 23, 14, 0, 0, TimeSpan.Zero),
            excerpt ?? "Total due: 1,250.00 EUR", claimedBy, claimedBy is null ? "AwaitingReview" : "Claimed");

    protected static string LinkTo(string documentId) => $"{GraphRecorder.PublicBaseUrl}/?document={Uri.EscapeDataString(documentId)}";
}
