namespace ReviewFlow.Notifications.Tests;

public sealed class OutOfOfficeTests : RecorderTestBase
{
    private const string AliceSettings = "/v1.0/users/alice@reviewflow.test/mailboxSettings/automaticRepliesSetting";

    [Fact]
    public async Task A_reviewer_with_automatic_replies_always_on_gets_no_mail_and_the_attempt_is_recorded_skipped()
    {
        Recorder.SetOutOfOffice("alice@reviewflow.test", "alwaysEnabled");

        await Notifier().ReminderAsync(Task(claimedBy: "alice"), CancellationToken.None);

        Assert.Empty(Recorder.Mails);
        Assert.Single(Recorder.GraphRequests, r => r.Method == "GET" && r.Path == AliceSettings);
        var attempt = Assert.Single(Log.Attempts);
        Assert.Equal(("skipped", "alice@reviewflow.test", "reminder"), (attempt.Outcome, attempt.Recipient, attempt.Kind));
        Assert.Contains("out of office", attempt.Detail);
    }

    [Fact]
    public async Task A_scheduled_absence_covering_now_sends_to_the_delegate_instead()
    {
        Recorder.SetOutOfOffice("alice@reviewflow.test", "scheduled", DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(2),
            timeZone: "Europe/Berlin");

        await Notifier(delegates: new Dictionary<string, string> { ["alice@reviewflow.test"] = "bob" })
            .ReminderAsync(Task(claimedBy: "alice"), CancellationToken.None);

        var mail = Assert.Single(Recorder.Mails);
        Assert.Equal(["bob@reviewflow.test"], mail.To);
        var attempt = Assert.Single(Log.Attempts);
        Assert.Equal(("sent", "bob@reviewflow.test"), (attempt.Outcome, attempt.Recipient));
        Assert.Contains("delegate of alice@reviewflow.test", attempt.Detail);
        Assert.Equal($"reminder:{Task().DocumentId}:alice@reviewflow.test", attempt.NotificationId); // same id whoever stands in
    }

    [Fact]
    public async Task A_scheduled_absence_that_has_not_started_does_not_stop_the_mail()
    {
        Recorder.SetOutOfOffice("alice@reviewflow.test", "scheduled", DateTimeOffset.UtcNow.AddDays(2), DateTimeOffset.UtcNow.AddDays(5));

        await Notifier().ReminderAsync(Task(claimedBy: "alice"), CancellationToken.None);

        Assert.Equal(["alice@reviewflow.test"], Assert.Single(Recorder.Mails).To);
    }

    [Fact]
    public async Task The_out_of_office_setting_is_read_once_within_the_cache_time()
    {
        Recorder.SetOutOfOffice("alice@reviewflow.test", "alwaysEnabled");
        var notifier = Notifier();

        await notifier.ReminderAsync(Task("DOC-1", claimedBy: "alice"), CancellationToken.None);
        await notifier.ReminderAsync(Task("DOC-2", claimedBy: "alice"), CancellationToken.None);

        Assert.Single(Recorder.GraphRequests, r => r.Path == AliceSettings);
        Assert.Equal(["skipped", "skipped"], Log.Attempts.Select(a => a.Outcome));
    }

    [Fact]
    public async Task With_no_cache_time_every_notification_reads_the_setting_again()
    {
        var notifier = Notifier(adjust: c => c["Notifications:OutOfOfficeCache"] = "00:00:00");

        await notifier.ReminderAsync(Task("DOC-1", claimedBy: "alice"), CancellationToken.None);
        await notifier.ReminderAsync(Task("DOC-2", claimedBy: "alice"), CancellationToken.None);

        Assert.Equal(2, Recorder.GraphRequests.Count(r => r.Path == AliceSettings));
    }

    [Fact]
    public async Task An_out_of_office_lookup_that_fails_does_not_stop_the_mail()
    {
        Recorder.FailAlways("/mailboxSettings/", 403);

        await Notifier().ReminderAsync(Task(claimedBy: "alice"), CancellationToken.None);

        Assert.Single(Recorder.Mails);
        var attempt = Assert.Single(Log.Attempts);
        Assert.Equal("sent", attempt.Outcome);
        Assert.Contains("out-of-office status unknown", attempt.Detail);
    }
}
