namespace ReviewFlow.Notifications.Tests;

public sealed class FailureTests : RecorderTestBase
{
    [Fact]
    public async Task Throttling_with_retry_after_is_honoured_and_both_attempts_are_recorded()
    {
        Recorder.FailNext("/sendMail", 1, 429, retryAfter: TimeSpan.FromSeconds(1));

        await Notifier().ReminderAsync(Task(claimedBy: "alice"), CancellationToken.None);

        var sends = Recorder.GraphRequests.Where(r => r.Path.EndsWith("/sendMail", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, sends.Count);
        Assert.True(sends[1].At - sends[0].At >= TimeSpan.FromMilliseconds(950), $"retried after {(sends[1].At - sends[0].At).TotalMilliseconds} ms");
        Assert.Equal([(1, "failed", (int?)429), (2, "sent", (int?)202)], Log.Attempts.Select(a => (a.Attempt, a.Outcome, a.HttpStatus)));
        Assert.Contains("throttled", Log.Attempts[0].Detail);
        Assert.All(Recorder.Mails, m => Assert.Equal(["alice@reviewflow.test"], m.To)); // the same mail, sent again
    }

    [Fact]
    public async Task A_graph_that_always_fails_gets_max_attempts_all_recorded_and_the_caller_returns_normally()
    {
        Recorder.FailAlways("/sendMail", 500);
        Recorder.FailAlways("/messages", 500);
        var notifier = Notifier();
        var task = Task(claimedBy: "alice");

        await notifier.ReminderAsync(task, CancellationToken.None); // must not throw
        await notifier.NewTaskAsync(task, CancellationToken.None);

        Assert.Equal(3, Recorder.GraphRequests.Count(r => r.Path.EndsWith("/sendMail", StringComparison.Ordinal)));
        Assert.Equal(3, Recorder.ChannelPosts.Count);
        foreach (var kind in new[] { "reminder", "new-task" })
        {
            var attempts = Log.Attempts.Where(a => a.Kind == kind).ToList();
            Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
            Assert.All(attempts, a => Assert.Equal(("failed", (int?)500), (a.Outcome, a.HttpStatus)));
            Assert.Contains("gave up after 3 attempts", attempts[^1].Detail);
            Assert.Single(attempts.Select(a => a.NotificationId).Distinct());
        }
    }

    [Fact]
    public async Task Graph_unreachable_is_recorded_failed_without_an_exception()
    {
        var notifier = Notifier(adjust: c => c["Notifications:Graph:BaseUrl"] = "https://127.0.0.1:1/v1.0");

        await notifier.NewTaskAsync(Task(), CancellationToken.None);

        Assert.Equal(3, Log.Attempts.Count);
        Assert.All(Log.Attempts, a => Assert.Equal("failed", a.Outcome));
        Assert.Contains("Graph unreachable", Log.Attempts[0].Detail);
    }

    [Fact]
    public async Task A_retry_after_longer_than_max_delay_ends_the_attempts_instead_of_retrying_early()
    {
        Recorder.FailAlways("/messages", 429, retryAfter: TimeSpan.FromSeconds(120));

        await Notifier().NewTaskAsync(Task(), CancellationToken.None);

        var attempt = Assert.Single(Log.Attempts);
        Assert.Equal(("failed", (int?)429), (attempt.Outcome, attempt.HttpStatus));
        Assert.Contains("Retry-After 120 s exceeds Retry:MaxDelay", attempt.Detail);
    }

    [Theory]
    [InlineData(401, "invalid_client")]
    [InlineData(400, "unauthorized_client")]
    public async Task Bad_credentials_are_recorded_failed_with_a_clear_detail_and_nothing_is_thrown(int status, string error)
    {
        Recorder.RejectCredentials(status, error);
        var notifier = Notifier();

        await notifier.NewTaskAsync(Task(), CancellationToken.None);
        await notifier.ReminderAsync(Task(claimedBy: "alice"), CancellationToken.None);

        Assert.Empty(Recorder.GraphRequests); // no Graph call without a token
        Assert.NotEmpty(Recorder.TokenRequests);
        Assert.Equal([("new-task", "teams"), ("reminder", "outlook")], Log.Attempts.Select(a => (a.Kind, a.Channel)));
        Assert.All(Log.Attempts, a =>
        {
            Assert.Equal(("failed", 1), (a.Outcome, a.Attempt));
            Assert.Contains("Graph sign-in failed", a.Detail);
            Assert.Contains("ClientSecret", a.Detail);
            Assert.Contains("not retried", a.Detail);
        });
    }

    [Fact]
    public async Task Cancellation_by_the_caller_still_throws()
    {
        Recorder.FailAlways("/sendMail", 429, retryAfter: TimeSpan.FromSeconds(3));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Notifier().ReminderAsync(Task(claimedBy: "alice"), cts.Token));
    }

    [Fact]
    public async Task A_failing_notification_log_does_not_reach_the_caller()
    {
        var notifier = Notifier();
        Log.ThrowOnRecord = true;

        await notifier.NewTaskAsync(Task(), CancellationToken.None);

        Assert.Single(Recorder.ChannelPosts);
    }
}
