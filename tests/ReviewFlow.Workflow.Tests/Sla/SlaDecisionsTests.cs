using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Sla;
using static ReviewFlow.Workflow.Tests.TestSupport.TestData;

namespace ReviewFlow.Workflow.Tests.Sla;

/// <summary>The SLA and lease timers' effects, as pure decisions: each is recorded once, and only while it matters.</summary>
public sealed class SlaDecisionsTests
{
    static readonly DateTimeOffset Due = T0.AddHours(4);

    static DocumentState Apply(DocumentState s, IEnumerable<IDocumentEvent> events)
    {
        foreach (var e in events) s.Apply(e);
        return s;
    }

    /// <summary>An unsure claim document (0.5 against 0.85) that went to review at T0: due at T0 + 4 h, reminder at T0 + 3 h.</summary>
    static DocumentState ClaimUnderReview(string? priority = null)
    {
        var s = Apply(new DocumentState(), DocumentDecisions.Receive(
            Accepted(Classified("CLM-1", "water-damage", 0.5, documentType: "claim", priority: priority)), TestPolicy(), T0));
        s.CurrentState = "AwaitingReview";
        return s;
    }

    [Fact]
    public void A_review_task_is_due_after_its_document_types_sla_with_the_reminder_before_it()
    {
        var requested = DocumentDecisions.Receive(Accepted(Classified("CLM-1", "water-damage", 0.5, documentType: "claim")), TestPolicy(), T0)
            .OfType<ReviewRequested>().Single();

        Assert.Equal(T0.AddHours(4), requested.DueAt);
        Assert.Equal(T0.AddHours(3), requested.RemindAt);
        Assert.Equal("normal", requested.Priority);
    }

    [Fact]
    public void An_urgent_document_gets_its_prioritys_shorter_sla()
    {
        var s = ClaimUnderReview(priority: "urgent");

        Assert.Equal(T0.AddHours(1), s.SlaDueAt);
        Assert.Equal(T0.AddMinutes(45), s.SlaRemindAt); // no reminder lead for 1 h is configured under 1 h: a quarter of it
        Assert.Equal("urgent", s.Priority);
    }

    [Fact]
    public void A_document_type_without_an_sla_sets_no_due_time()
    {
        var requested = DocumentDecisions.Receive(Accepted(Classified("INV-1", "telecom", 0.5)), TestPolicy(), T0)
            .OfType<ReviewRequested>().Single();

        Assert.Null(requested.DueAt);
        Assert.Null(requested.RemindAt);
    }

    [Fact]
    public void The_reminder_is_recorded_once()
    {
        var s = ClaimUnderReview();
        var timer = new SlaTimerElapsed("CLM-1", SlaTimers.Reminder, Due);

        var first = DocumentDecisions.SlaElapsed(s, timer, T0.AddHours(3)).ToList();
        Apply(s, first);
        var again = DocumentDecisions.SlaElapsed(s, timer, T0.AddHours(3).AddSeconds(30)).ToList();

        var reminder = Assert.IsType<SlaReminderDue>(Assert.Single(first));
        Assert.Equal(Due, reminder.DueAt);
        Assert.Equal("claims-reviewers", reminder.ReviewerGroup);
        Assert.Empty(again);
    }

    [Fact]
    public void The_breach_is_recorded_once_naming_the_holder()
    {
        var s = ClaimUnderReview();
        Apply(s, DocumentDecisions.Claim(s, new ClaimReview("CLM-1", "alice"), T0.AddHours(3.9), TimeSpan.FromMinutes(30)).Events);
        var timer = new SlaTimerElapsed("CLM-1", SlaTimers.Breach, Due);

        var first = DocumentDecisions.SlaElapsed(s, timer, Due.AddSeconds(2)).ToList();
        Apply(s, first);
        var again = DocumentDecisions.SlaElapsed(s, timer, Due.AddMinutes(5)).ToList();

        var breach = Assert.IsType<SlaBreached>(Assert.Single(first));
        Assert.Equal("alice", breach.ClaimedBy);
        Assert.Equal(Due.AddSeconds(2), s.SlaBreachedAt);
        Assert.Empty(again);
    }

    [Fact]
    public void A_late_reminder_after_the_breach_changes_nothing()
    {
        var s = ClaimUnderReview();
        Apply(s, DocumentDecisions.SlaElapsed(s, new SlaTimerElapsed("CLM-1", SlaTimers.Breach, Due), Due));

        Assert.Empty(DocumentDecisions.SlaElapsed(s, new SlaTimerElapsed("CLM-1", SlaTimers.Reminder, Due), Due.AddSeconds(1)));
    }

    [Fact]
    public void A_timer_set_for_another_due_time_changes_nothing()
    {
        var s = ClaimUnderReview();

        Assert.Empty(DocumentDecisions.SlaElapsed(s, new SlaTimerElapsed("CLM-1", SlaTimers.Breach, Due.AddHours(-1)), Due));
    }

    [Fact]
    public void A_lapsed_lease_puts_the_task_back_in_the_queue()
    {
        var s = ClaimUnderReview();
        Apply(s, DocumentDecisions.Claim(s, new ClaimReview("CLM-1", "alice"), T0, TimeSpan.FromMinutes(5)).Events);

        var events = DocumentDecisions.LeaseElapsed(s, new ClaimLeaseElapsed("CLM-1", "alice", T0.AddMinutes(5)), T0.AddMinutes(5)).ToList();

        var released = Assert.IsType<ReviewReleased>(Assert.Single(events));
        Assert.Equal("lease-expired", released.Reason);
        Assert.Equal(Actors.System, released.Actor);
        Assert.Null(Apply(s, events).ClaimedBy);
    }

    [Fact]
    public void A_renewed_lease_outlives_the_timer_of_the_old_one()
    {
        var s = ClaimUnderReview();
        Apply(s, DocumentDecisions.Claim(s, new ClaimReview("CLM-1", "alice"), T0, TimeSpan.FromMinutes(5)).Events);
        Apply(s, DocumentDecisions.Claim(s, new ClaimReview("CLM-1", "alice"), T0.AddMinutes(1), TimeSpan.FromMinutes(5)).Events);

        Assert.Empty(DocumentDecisions.LeaseElapsed(s, new ClaimLeaseElapsed("CLM-1", "alice", T0.AddMinutes(5)), T0.AddMinutes(5)));
        Assert.Equal("alice", s.ClaimedBy);
    }

    [Fact]
    public void A_lease_timer_for_a_previous_holder_changes_nothing()
    {
        var s = ClaimUnderReview();
        Apply(s, DocumentDecisions.Claim(s, new ClaimReview("CLM-1", "alice"), T0, TimeSpan.FromMinutes(5)).Events);
        Apply(s, DocumentDecisions.Release(s, new ReleaseReview("CLM-1", "alice"), T0.AddMinutes(1)).Events);
        Apply(s, DocumentDecisions.Claim(s, new ClaimReview("CLM-1", "bob"), T0.AddMinutes(2), TimeSpan.FromMinutes(3)).Events);

        Assert.Empty(DocumentDecisions.LeaseElapsed(s, new ClaimLeaseElapsed("CLM-1", "alice", T0.AddMinutes(5)), T0.AddMinutes(5)));
        Assert.Equal("bob", s.ClaimedBy);
    }

    // A timer message is only a wake-up call: the saga checks the time against what it stored, so a timer published
    // early (by a bug, a hand-run job or anyone who can reach the saga's queue) records nothing (issue 11).
    [Fact]
    public void A_breach_timer_before_the_due_time_records_nothing()
    {
        var s = ClaimUnderReview();

        Assert.Empty(DocumentDecisions.SlaElapsed(s, new SlaTimerElapsed("CLM-1", SlaTimers.Breach, Due), Due.AddMinutes(-10)));
        Assert.Single(DocumentDecisions.SlaElapsed(s, new SlaTimerElapsed("CLM-1", SlaTimers.Breach, Due), Due));
    }

    [Fact]
    public void A_reminder_timer_before_the_reminder_time_records_nothing()
    {
        var s = ClaimUnderReview(); // reminder at T0 + 3 h

        Assert.Empty(DocumentDecisions.SlaElapsed(s, new SlaTimerElapsed("CLM-1", SlaTimers.Reminder, Due), T0.AddHours(1)));
        Assert.Single(DocumentDecisions.SlaElapsed(s, new SlaTimerElapsed("CLM-1", SlaTimers.Reminder, Due), T0.AddHours(3)));
    }

    [Fact]
    public void A_lease_timer_before_the_lease_runs_out_keeps_the_claim()
    {
        var s = ClaimUnderReview();
        Apply(s, DocumentDecisions.Claim(s, new ClaimReview("CLM-1", "alice"), T0, TimeSpan.FromMinutes(5)).Events);

        Assert.Empty(DocumentDecisions.LeaseElapsed(s, new ClaimLeaseElapsed("CLM-1", "alice", T0.AddMinutes(5)), T0.AddMinutes(1)));
        Assert.Equal("alice", s.ClaimedBy);
    }
}
