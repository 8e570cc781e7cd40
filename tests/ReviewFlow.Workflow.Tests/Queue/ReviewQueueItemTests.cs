using System.Text.Json;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Sla;
using static ReviewFlow.Workflow.Tests.TestSupport.TestData;

namespace ReviewFlow.Workflow.Tests.Queue;

/// <summary>The review queue's read model folded from a document's events, as the decider produces them.</summary>
public sealed class ReviewQueueItemTests
{
    static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>A document's events as the saga records them: each step decided on the state the earlier ones made.</summary>
    sealed class Document
    {
        public DocumentState Saga { get; } = new();
        public List<IDocumentEvent> Events { get; } = [];
        /// <summary>What the last step recorded, as one save hands it to the projection.</summary>
        public List<IDocumentEvent> Last { get; } = [];

        public Document Record(IEnumerable<IDocumentEvent> events)
        {
            Last.Clear();
            foreach (var e in events)
            {
                Saga.Apply(e);
                Events.Add(e);
                Last.Add(e);
            }
            return this;
        }

        public Document Record(CommandResult result)
        {
            Assert.Null(result.Refusal);
            return Record(result.Events);
        }

        public ReviewQueueItem Item => ReviewQueueItem.Fold(null, Events) ?? throw new Xunit.Sdk.XunitException("no item");
    }

    static Document Received(string id, string label, double confidence, string type = "invoice", string? priority = null, string? excerpt = null)
    {
        var c = Classified(id, label, confidence, type, priority: priority) with { Excerpt = excerpt };
        return new Document().Record(DocumentDecisions.Receive(Accepted(c), TestPolicy(), T0));
    }

    /// <summary>An unsure invoice (telecom 0.5 against 0.90), waiting in ap-reviewers' queue.</summary>
    static Document Unsure(string id = "INV-1") => Received(id, "telecom", 0.5, excerpt: "Phone bill, November");

    /// <summary>The unsure invoice claimed by <paramref name="reviewer"/> at T0 + 1 min; the lease ends at T0 + 6 min.</summary>
    static Document ClaimedBy(string reviewer) => Claim(Unsure(), reviewer, 1);

    static Document Claim(Document d, string reviewer, int minute, bool asSupervisor = false) =>
        d.Record(DocumentDecisions.Claim(d.Saga, new ClaimReview(d.Saga.DocumentId, reviewer, asSupervisor), T0.AddMinutes(minute), Lease));

    static Document Decide(Document d, string reviewer, string outcome, int minute, string? label = null, string? reason = null) =>
        d.Record(DocumentDecisions.Decide(d.Saga, new DecideReview(d.Saga.DocumentId, reviewer, outcome, label, reason), T0.AddMinutes(minute)));

    /// <summary>A four-eyes contract (nda 0.5 against 0.95) whose first review alice recorded.</summary>
    static Document FirstReviewed()
    {
        var d = Received("CON-1", "nda", 0.5, "contract");
        Claim(d, "alice", 1);
        return Decide(d, "alice", DecideReview.Confirm, 2);
    }

    static string Json(ReviewQueueItem? item) => JsonSerializer.Serialize(item);

    [Fact]
    public void A_document_routed_automatically_has_no_item()
    {
        var d = Received("INV-1", "telecom", 0.95);

        Assert.Equal(DecisionOutcomes.Auto, d.Saga.Outcome);
        Assert.Null(ReviewQueueItem.Fold(null, d.Events));
    }

    [Fact]
    public void A_document_sent_to_review_waits_in_its_groups_queue_with_what_the_model_said()
    {
        var item = Unsure().Item;

        Assert.Equal(("INV-1", "invoice", "telecom", 0.5), (item.DocumentId, item.DocumentType, item.PredictedLabel, item.Confidence));
        Assert.Equal(("ap-reviewers", DocumentStatus.AwaitingReview), (item.ReviewerGroup, item.Status));
        Assert.Equal("Phone bill, November", item.Excerpt);
        Assert.Equal(T0, item.RequestedAt);
        Assert.Equal("normal", item.Priority);
        Assert.Null(item.DueAt);
        Assert.Null(item.ClaimedBy);
        Assert.Null(item.Outcome);
    }

    [Fact]
    public void A_task_with_an_sla_carries_its_due_and_reminder_times_by_priority()
    {
        var item = Received("CLM-1", "water-damage", 0.5, "claim", priority: "urgent").Item;

        Assert.Equal(("claims-reviewers", "urgent"), (item.ReviewerGroup, item.Priority));
        Assert.Equal(T0.AddHours(1), item.DueAt);
        Assert.NotNull(item.RemindAt);
        Assert.True(item.RemindAt < item.DueAt);
    }

    [Fact]
    public void A_claim_names_the_holder_and_the_lease_and_a_renewal_moves_the_lease()
    {
        var d = ClaimedBy("alice");
        Assert.Equal((DocumentStatus.Claimed, "alice", T0.AddMinutes(6)), (d.Item.Status, d.Item.ClaimedBy, d.Item.LeaseExpiresAt));

        Claim(d, "alice", 3);

        Assert.Equal((DocumentStatus.Claimed, "alice", T0.AddMinutes(8)), (d.Item.Status, d.Item.ClaimedBy, d.Item.LeaseExpiresAt));
    }

    [Fact]
    public void A_released_task_waits_for_review_again_with_nobody_holding_it()
    {
        var d = ClaimedBy("alice");

        d.Record(DocumentDecisions.Release(d.Saga, new ReleaseReview("INV-1", "alice"), T0.AddMinutes(2)));

        Assert.Equal((DocumentStatus.AwaitingReview, null, null), (d.Item.Status, d.Item.ClaimedBy, d.Item.LeaseExpiresAt));
    }

    [Fact]
    public void A_lapsed_claim_taken_over_in_one_step_is_held_by_the_new_reviewer()
    {
        var d = ClaimedBy("alice");

        Claim(d, "bob", 10);

        Assert.Equal([typeof(ReviewReleased), typeof(ReviewClaimed)], d.Last.Select(e => e.GetType()));
        Assert.Equal((DocumentStatus.Claimed, "bob", T0.AddMinutes(15)), (d.Item.Status, d.Item.ClaimedBy, d.Item.LeaseExpiresAt));
    }

    [Fact]
    public void A_lease_timer_puts_the_task_back_in_the_queue()
    {
        var d = ClaimedBy("alice");

        d.Record(DocumentDecisions.LeaseElapsed(d.Saga, new ClaimLeaseElapsed("INV-1", "alice", T0.AddMinutes(6)), T0.AddMinutes(6)));

        Assert.Equal((DocumentStatus.AwaitingReview, null), (d.Item.Status, d.Item.ClaimedBy));
    }

    [Fact]
    public void A_decision_routes_the_task_with_its_outcome_label_reviewer_and_time_and_frees_it()
    {
        var d = ClaimedBy("alice");

        Decide(d, "alice", DecideReview.Correct, 3, "utilities", "wrong-vendor");

        var item = d.Item;
        Assert.Equal(DocumentStatus.Routed, item.Status);
        Assert.Equal((DecisionOutcomes.Corrected, "utilities", "alice", T0.AddMinutes(3)), (item.Outcome, item.FinalLabel, item.DecidedBy, item.DecidedAt));
        Assert.Equal(("telecom", null, null), (item.PredictedLabel, item.ClaimedBy, item.LeaseExpiresAt));
    }

    [Fact]
    public void Four_eyes_the_first_review_waits_for_a_second_reviewer_and_names_the_first()
    {
        var item = FirstReviewed().Item;

        Assert.Equal((DocumentStatus.AwaitingSecondReview, "alice", null), (item.Status, item.FirstReviewerId, item.ClaimedBy));
        Assert.Null(item.Outcome);
    }

    [Fact]
    public void Four_eyes_a_second_reviewer_who_lets_go_leaves_it_awaiting_the_second_review()
    {
        var d = Claim(FirstReviewed(), "bob", 3);
        Assert.Equal(DocumentStatus.Claimed, d.Item.Status);

        d.Record(DocumentDecisions.Release(d.Saga, new ReleaseReview("CON-1", "bob"), T0.AddMinutes(4)));

        Assert.Equal((DocumentStatus.AwaitingSecondReview, "alice"), (d.Item.Status, d.Item.FirstReviewerId));
    }

    [Fact]
    public void Four_eyes_a_disagreement_goes_to_the_supervisors_and_stays_there_when_a_supervisor_lets_go()
    {
        var d = Claim(FirstReviewed(), "bob", 3);
        Decide(d, "bob", DecideReview.Reject, 4, reason: "not-a-contract");
        Assert.Equal((DocumentStatus.Escalated, true, null), (d.Item.Status, d.Item.ForSupervisor, d.Item.ClaimedBy));

        Claim(d, "sam", 5, asSupervisor: true);
        Assert.Equal((DocumentStatus.Claimed, "sam"), (d.Item.Status, d.Item.ClaimedBy));
        d.Record(DocumentDecisions.Release(d.Saga, new ReleaseReview("CON-1", "sam"), T0.AddMinutes(6)));

        Assert.Equal(DocumentStatus.Escalated, d.Item.Status);
    }

    [Fact]
    public void An_escalated_task_waits_for_a_supervisor_who_then_decides_it()
    {
        var d = ClaimedBy("alice");
        Decide(d, "alice", DecideReview.Escalate, 2, reason: "unsure");
        Assert.Equal((DocumentStatus.Escalated, true, null), (d.Item.Status, d.Item.ForSupervisor, d.Item.ClaimedBy));

        Claim(d, "sam", 3, asSupervisor: true);
        Decide(d, "sam", DecideReview.Confirm, 4);

        Assert.Equal((DocumentStatus.Routed, DecisionOutcomes.Confirmed, "sam"), (d.Item.Status, d.Item.Outcome, d.Item.DecidedBy));
    }

    [Fact]
    public void A_breach_is_marked_with_its_time_and_a_reminder_changes_nothing_the_queue_shows()
    {
        var d = Received("CLM-1", "water-damage", 0.5, "claim");
        var due = d.Item.DueAt!.Value;
        var before = Json(d.Item);

        d.Record(DocumentDecisions.SlaElapsed(d.Saga, new SlaTimerElapsed("CLM-1", SlaTimers.Reminder, due), due.AddMinutes(-30)));
        Assert.Equal([typeof(SlaReminderDue)], d.Last.Select(e => e.GetType()));
        Assert.Equal(before, Json(d.Item));

        d.Record(DocumentDecisions.SlaElapsed(d.Saga, new SlaTimerElapsed("CLM-1", SlaTimers.Breach, due), due.AddSeconds(1)));
        Assert.Equal((due.AddSeconds(1), DocumentStatus.AwaitingReview), (d.Item.BreachedAt, d.Item.Status));
    }

    [Fact]
    public void Results_arriving_for_a_document_under_review_leave_its_item_as_it_was()
    {
        var d = ClaimedBy("alice");
        var before = Json(d.Item);

        d.Record(DocumentDecisions.ReceiveAgain(d.Saga, Accepted(Classified("INV-1", "utilities", 0.8, modelVersion: "2026.12.1")), T0.AddMinutes(2)));
        d.Record(DocumentDecisions.Reject(d.Saga, new ClassificationRefused("INV-1", ["confidence: missing"], "2026.12.2", Channels.Amqp, T0),
            T0.AddMinutes(3)));

        Assert.Equal(2, d.Events.Count(e => e is LaterClassificationIgnored or ClassificationRejected));
        Assert.Equal(before, Json(d.Item));
    }

    [Fact]
    public void Folding_save_by_save_gives_the_same_item_as_folding_the_whole_stream()
    {
        var d = ClaimedBy("alice");
        var saves = new List<List<IDocumentEvent>> { d.Events.ToList() };
        d.Record(DocumentDecisions.Release(d.Saga, new ReleaseReview("INV-1", "alice"), T0.AddMinutes(2)));
        saves.Add([.. d.Last]);
        Claim(d, "bob", 3);
        saves.Add([.. d.Last]);
        Decide(d, "bob", DecideReview.Confirm, 4);
        saves.Add([.. d.Last]);

        var saveBySave = saves.Aggregate((ReviewQueueItem?)null, ReviewQueueItem.Fold);

        Assert.Equal(Json(d.Item), Json(saveBySave));
        Assert.Equal((DocumentStatus.Routed, "bob"), (saveBySave!.Status, saveBySave.DecidedBy));
    }
}
