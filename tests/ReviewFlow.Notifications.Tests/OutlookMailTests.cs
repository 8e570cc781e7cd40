using ReviewFlow.Testing.Graph;

namespace ReviewFlow.Notifications.Tests;

public sealed class OutlookMailTests : RecorderTestBase
{
    [Fact]
    public async Task A_reminder_mails_the_claim_holder_from_the_service_mailbox_with_escaped_html_plain_text_and_the_deep_link()
    {
        var task = Task(claimedBy: "alice", excerpt: "<script>alert(1)</script> Pay <b>now</b> & \"quickly\"");

        await Notifier().ReminderAsync(task, CancellationToken.None);

        var request = Assert.Single(Recorder.GraphRequests, r => r.Method == "POST");
        Assert.Equal($"/v1.0/users/{GraphRecorder.ServiceMailbox}/sendMail", request.Path);
        Assert.StartsWith("text/plain", request.Header("Content-Type")); // Graph's MIME form of sendMail
        var mail = Assert.Single(Recorder.Mails);
        Assert.Equal($"Bearer {Recorder.AccessToken}", mail.Authorization);
        Assert.Equal(GraphRecorder.ServiceMailbox, mail.Mailbox);
        Assert.Equal(GraphRecorder.ServiceMailbox, mail.From);
        Assert.Equal(["alice@reviewflow.test"], mail.To); // the claim holder only, not bob
        Assert.Contains(task.DocumentId, mail.Subject);
        Assert.Contains("Reminder", mail.Subject);

        var link = LinkTo(task.DocumentId);
        Assert.NotNull(mail.Html);
        Assert.Contains($"<a href=\"{link}\">Open in ReviewFlow</a>", mail.Html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; Pay &lt;b&gt;now&lt;/b&gt; &amp; &quot;quickly&quot;", mail.Html);
        Assert.DoesNotContain("<script", mail.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>now", mail.Html);
        Assert.Contains("INV-2026/0042 &amp; co", mail.Html);

        Assert.NotNull(mail.Text);
        Assert.Contains($"Open in ReviewFlow: {link}", mail.Text);
        Assert.Contains("Predicted label: approve", mail.Text);
        Assert.Contains("<script>alert(1)</script> Pay <b>now</b> & \"quickly\"", mail.Text); // plain text stays literal

        var attempt = Assert.Single(Log.Attempts);
        Assert.Equal(($"reminder:{task.DocumentId}:alice@reviewflow.test", "outlook", "alice@reviewflow.test", 1, "sent", (int?)202),
            (attempt.NotificationId, attempt.Channel, attempt.Recipient, attempt.Attempt, attempt.Outcome, attempt.HttpStatus));
    }

    [Fact]
    public async Task An_unclaimed_reminder_mails_each_reviewer_of_the_group_and_an_escalation_mails_the_supervisors()
    {
        var notifier = Notifier();

        await notifier.ReminderAsync(Task(), CancellationToken.None);
        await notifier.EscalatedAsync(Task(), "four-eyes disagreement: approve vs reject", CancellationToken.None);

        Assert.Equal(["alice@reviewflow.test", "bob@reviewflow.test", "sam@reviewflow.test"], Recorder.Mails.SelectMany(m => m.To));
        Assert.Contains("four-eyes disagreement: approve vs reject", Recorder.Mails[2].Text);
        Assert.Equal(["reminder", "reminder", "escalated"], Log.Attempts.Select(a => a.Kind));
        Assert.All(Log.Attempts, a => Assert.Equal("sent", a.Outcome));
    }

    [Fact]
    public async Task A_daily_digest_lists_the_reviewers_open_tasks_with_deep_links_and_the_breach_count()
    {
        var day = new DateOnly(2026, 11, 22);
        DigestItem[] open =
        [
            new("INV-1", "invoice", "approve", 0.61, new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero), true, "Claimed"),
            new("PO <7>", "purchase-order", "reject", 0.55, new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero), false, "AwaitingReview"),
        ];

        await Notifier().DigestAsync(new ReviewerDigest("alice", day, open, BreachesToday: 1, DecidedToday: 7), CancellationToken.None);

        var mail = Assert.Single(Recorder.Mails);
        Assert.Equal(["alice@reviewflow.test"], mail.To);
        Assert.Contains("2026-11-22", mail.Subject);
        Assert.Contains("1 breached", mail.Subject);
        Assert.Contains("2 open task(s); 1 SLA breach(es) today; 7 decided today.", mail.Html);
        Assert.Contains($"<a href=\"{LinkTo("INV-1")}\">INV-1</a>", mail.Html);
        Assert.Contains($"<a href=\"{LinkTo("PO <7>")}\">PO &lt;7&gt;</a>", mail.Html);
        Assert.Contains("SLA breached", mail.Html);
        Assert.Contains(LinkTo("INV-1"), mail.Text);
        Assert.Contains(LinkTo("PO <7>"), mail.Text);
        Assert.Contains("(SLA BREACHED)", mail.Text);

        var attempt = Assert.Single(Log.Attempts);
        Assert.Equal(("digest:alice:2026-11-22:alice@reviewflow.test", null, "digest", "sent"),
            (attempt.NotificationId, attempt.DocumentId, attempt.Kind, attempt.Outcome));
    }

    [Fact]
    public async Task A_supervisor_listed_twice_by_id_and_by_address_gets_one_mail()
    {
        var notifier = Notifier(adjust: c => c[$"Notifications:Groups:{Ap.Name}:Supervisors:1"] = "SAM@reviewflow.test");

        await notifier.EscalatedAsync(Task(), "reviewer escalated", CancellationToken.None);

        Assert.Single(Recorder.Mails);
        Assert.Single(Log.Attempts);
    }

    [Fact]
    public async Task A_person_without_a_mail_address_is_skipped_and_recorded()
    {
        var notifier = Notifier(adjust: c => c.Remove("Notifications:People:alice"));

        await notifier.ReminderAsync(Task(claimedBy: "alice"), CancellationToken.None);

        Assert.Empty(Recorder.Mails);
        var attempt = Assert.Single(Log.Attempts);
        Assert.Equal(("skipped", "alice"), (attempt.Outcome, attempt.Recipient));
        Assert.Contains("no mail address", attempt.Detail);
    }
}
