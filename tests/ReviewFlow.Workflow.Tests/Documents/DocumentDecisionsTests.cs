using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Routing;
using static ReviewFlow.Workflow.Tests.TestSupport.TestData;

namespace ReviewFlow.Workflow.Tests.Documents;

public sealed class DocumentDecisionsTests
{
    static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    const string Id = "INV-1";

    static DocumentState Apply(DocumentState s, IEnumerable<IDocumentEvent> events)
    {
        foreach (var e in events) s.Apply(e);
        return s;
    }

    /// <summary>A document whose "telecom" 0.5 result went to review (invoice threshold 0.90).</summary>
    static DocumentState AwaitingReview()
    {
        var s = Apply(new DocumentState(), DocumentDecisions.Receive(Accepted(Classified(Id, "telecom", 0.5)), TestPolicy(), T0));
        s.CurrentState = "AwaitingReview";
        return s;
    }

    /// <summary>Claimed by <paramref name="reviewer"/> at T0 + 1 min; the lease ends at T0 + 6 min.</summary>
    static DocumentState ClaimedBy(string reviewer)
    {
        var s = AwaitingReview();
        var result = DocumentDecisions.Claim(s, new ClaimReview(Id, reviewer), T0.AddMinutes(1), Lease);
        Assert.Null(result.Refusal);
        Apply(s, result.Events);
        s.CurrentState = "Claimed";
        return s;
    }

    static DateTimeOffset LeaseEnd => T0.AddMinutes(6);

    static void AssertRefused(CommandResult result, string reasonPart, string? heldBy = null)
    {
        Assert.Empty(result.Events);
        Assert.NotNull(result.Refusal);
        Assert.Contains(reasonPart, result.Refusal);
        Assert.Equal(heldBy, result.HeldBy);
    }

    // ---- Receive ----

    [Fact]
    public void A_confident_result_is_received_decided_and_routed_automatically()
    {
        var c = Classified(Id, "telecom", 0.95, correlationId: "corr-9");

        var events = DocumentDecisions.Receive(Accepted(c), TestPolicy(), T0).ToList();

        Assert.Collection(events,
            e =>
            {
                var r = Assert.IsType<ClassificationReceived>(e);
                Assert.Equal(Id, r.DocumentId);
                Assert.Equal(c, r.Classification);
                Assert.Equal(Channels.Amqp, r.Channel);
                Assert.Equal("2026.11.1", r.ModelVersion);
            },
            e =>
            {
                var r = Assert.IsType<RoutingDecided>(e);
                Assert.Equal("auto", r.Route);
                Assert.Equal(RoutingRules.AboveThreshold, r.Rule);
                Assert.Equal(0.90, r.Threshold);
                Assert.Equal(0.95, r.Confidence);
                Assert.Equal(3, r.PolicyVersion);
            },
            e =>
            {
                var r = Assert.IsType<DocumentRouted>(e);
                Assert.Equal(DecisionOutcomes.Auto, r.Outcome);
                Assert.Equal("telecom", r.PredictedLabel);
                Assert.Equal("telecom", r.FinalLabel);
                Assert.Equal("invoice", r.DocumentType);
                Assert.Equal(Actors.System, r.DecidedBy);
                Assert.Equal(T0, r.DecidedAt);
                Assert.Equal(3, r.PolicyVersion);
                Assert.Equal("2026.11.1", r.ModelVersion);
                Assert.Equal("corr-9", r.CorrelationId);
            });
        Assert.All(events, e =>
        {
            Assert.Equal(Id, e.DocumentId);
            Assert.Equal(Actors.System, e.Actor);
            Assert.Equal(T0, e.At);
        });
    }

    [Fact]
    public void An_auto_routed_document_publishes_the_decision_downstream_consumers_expect()
    {
        var routed = DocumentDecisions.Receive(Accepted(Classified(Id, "telecom", 0.95, correlationId: "corr-9")), TestPolicy(), T0)
            .OfType<DocumentRouted>().Single();

        Assert.Equal(new DocumentDecision(Id, "invoice", "telecom", "telecom", 0.95, "auto", "system", T0, 3, "2026.11.1", "corr-9"),
            routed.ToDecision());
    }

    [Fact]
    public void An_unsure_result_is_received_decided_and_sent_to_review()
    {
        var events = DocumentDecisions.Receive(Accepted(Classified(Id, "telecom", 0.5)), TestPolicy(), T0).ToList();

        Assert.Collection(events,
            e => Assert.IsType<ClassificationReceived>(e),
            e =>
            {
                var r = Assert.IsType<RoutingDecided>(e);
                Assert.Equal("review", r.Route);
                Assert.Equal(RoutingRules.BelowThreshold, r.Rule);
            },
            e =>
            {
                var r = Assert.IsType<ReviewRequested>(e);
                Assert.Equal("ap-reviewers", r.ReviewerGroup);
                Assert.Equal("telecom", r.PredictedLabel);
                Assert.Equal(0.5, r.Confidence);
                Assert.Equal(RoutingRules.BelowThreshold, r.Rule);
                Assert.Equal(3, r.PolicyVersion);
                Assert.Equal("invoice", r.DocumentType);
            });
        Assert.DoesNotContain(events, e => e is DocumentRouted);
    }

    [Fact]
    public void Applying_the_received_events_gives_the_documents_read_model()
    {
        var s = AwaitingReview();

        Assert.Equal(Id, s.DocumentId);
        Assert.Equal("telecom", s.Classification!.Label);
        Assert.Equal("2026.11.1", s.ModelVersion);
        Assert.Equal(["2026.11.1"], s.ModelVersionsSeen);
        Assert.Equal(3, s.PolicyVersion);
        Assert.Equal(RoutingRules.BelowThreshold, s.RoutingRule);
        Assert.Equal(0.90, s.Threshold);
        Assert.Equal("ap-reviewers", s.ReviewerGroup);
        Assert.Equal(T0, s.ReviewRequestedAt);
        Assert.Null(s.Outcome);
        Assert.Null(s.FinalLabel);
        Assert.Null(s.ClaimedBy);
    }

    // ---- ReceiveAgain ----

    [Fact]
    public void A_redelivered_result_of_the_same_model_version_changes_nothing()
    {
        var s = AwaitingReview();

        Assert.Empty(DocumentDecisions.ReceiveAgain(s, Accepted(Classified(Id, "other", 0.99)), T0.AddMinutes(1)));
    }

    [Fact]
    public void A_later_result_of_another_model_version_is_noted_once_and_not_acted_on()
    {
        var s = AwaitingReview();
        var later = Accepted(Classified(Id, "utilities", 0.99, modelVersion: "2026.12.0"));

        var events = DocumentDecisions.ReceiveAgain(s, later, T0.AddMinutes(1)).ToList();

        var ignored = Assert.IsType<LaterClassificationIgnored>(Assert.Single(events));
        Assert.Equal(Id, ignored.DocumentId);
        Assert.Equal("utilities", ignored.Label);
        Assert.Equal(0.99, ignored.Confidence);
        Assert.Equal("2026.12.0", ignored.ModelVersion);
        Assert.Equal("AwaitingReview", ignored.StatusAtArrival);

        Apply(s, events);
        Assert.Equal("telecom", s.Classification!.Label); // not acted on
        Assert.Equal("2026.11.1", s.ModelVersion);
        Assert.Empty(DocumentDecisions.ReceiveAgain(s, later, T0.AddMinutes(2)));
    }

    // ---- Reject ----

    [Fact]
    public void An_invalid_result_is_recorded_once_and_its_redelivery_ignored()
    {
        var s = new DocumentState();
        var refused = new ClassificationRefused(Id, ["confidence: must be a finite number"], "2026.11.1", Channels.Amqp, T0);

        var first = DocumentDecisions.Reject(s, refused, T0).ToList();

        var rejected = Assert.IsType<ClassificationRejected>(Assert.Single(first));
        Assert.Equal(Id, rejected.DocumentId);
        Assert.Equal(["confidence: must be a finite number"], rejected.Reasons);
        Assert.Equal("2026.11.1", rejected.ModelVersion);

        Apply(s, first);
        Assert.Equal(Id, s.DocumentId);
        Assert.Equal(["confidence: must be a finite number"], s.InvalidReasons);

        Assert.Empty(DocumentDecisions.Reject(s, refused with { ReceivedAt = T0.AddSeconds(5) }, T0.AddSeconds(5)));
    }

    [Fact]
    public void A_different_invalid_result_is_recorded_again()
    {
        var s = new DocumentState();
        Apply(s, DocumentDecisions.Reject(s, new ClassificationRefused(Id, ["confidence: must be a finite number"], "1", Channels.Amqp, T0), T0));

        var again = DocumentDecisions.Reject(s, new ClassificationRefused(Id, ["label: is required"], "1", Channels.Amqp, T0), T0.AddSeconds(1)).ToList();

        Assert.IsType<ClassificationRejected>(Assert.Single(again));
        Apply(s, again);
        Assert.Equal(["label: is required"], s.InvalidReasons);
    }

    [Fact]
    public void A_valid_result_after_an_invalid_one_clears_the_invalid_reasons()
    {
        var s = new DocumentState();
        Apply(s, DocumentDecisions.Reject(s, new ClassificationRefused(Id, ["label: is required"], "1", Channels.Amqp, T0), T0));

        Apply(s, DocumentDecisions.Receive(Accepted(Classified(Id, "telecom", 0.95)), TestPolicy(), T0.AddMinutes(1)));

        Assert.Empty(s.InvalidReasons);
        Assert.Equal(DecisionOutcomes.Auto, s.Outcome);
    }

    // ---- Claim ----

    [Fact]
    public void An_unclaimed_document_is_claimed_with_a_lease()
    {
        var s = AwaitingReview();
        var now = T0.AddMinutes(1);

        var result = DocumentDecisions.Claim(s, new ClaimReview(Id, "alice"), now, Lease);

        Assert.Null(result.Refusal);
        var claimed = Assert.IsType<ReviewClaimed>(Assert.Single(result.Events));
        Assert.Equal("alice", claimed.ReviewerId);
        Assert.Equal("alice", claimed.Actor);
        Assert.Equal(now + Lease, claimed.LeaseExpiresAt);
        Assert.Equal(3, claimed.PolicyVersion);
        Assert.Equal("2026.11.1", claimed.ModelVersion);

        Apply(s, result.Events);
        Assert.Equal("alice", s.ClaimedBy);
        Assert.Equal(now + Lease, s.LeaseExpiresAt);
    }

    [Fact]
    public void Another_reviewer_cannot_claim_while_the_lease_is_live()
    {
        var s = ClaimedBy("alice");

        var result = DocumentDecisions.Claim(s, new ClaimReview(Id, "bob"), LeaseEnd.AddTicks(-1), Lease);

        AssertRefused(result, "claimed by alice", heldBy: "alice");
    }

    [Fact]
    public void Another_reviewer_takes_over_once_the_lease_has_expired()
    {
        var s = ClaimedBy("alice");
        var now = LeaseEnd.AddMinutes(1);

        var result = DocumentDecisions.Claim(s, new ClaimReview(Id, "bob"), now, Lease);

        Assert.Null(result.Refusal);
        Assert.Collection(result.Events,
            e =>
            {
                var released = Assert.IsType<ReviewReleased>(e);
                Assert.Equal("alice", released.ReviewerId);
                Assert.Equal("lease-expired", released.Reason);
                Assert.Equal(Actors.System, released.Actor);
            },
            e =>
            {
                var claimed = Assert.IsType<ReviewClaimed>(e);
                Assert.Equal("bob", claimed.ReviewerId);
                Assert.Equal(now + Lease, claimed.LeaseExpiresAt);
            });

        Apply(s, result.Events);
        Assert.Equal("bob", s.ClaimedBy);
    }

    [Fact]
    public void The_lease_ends_at_its_expiry_time()
    {
        var s = ClaimedBy("alice");

        var result = DocumentDecisions.Claim(s, new ClaimReview(Id, "bob"), LeaseEnd, Lease);

        Assert.Null(result.Refusal);
        Assert.IsType<ReviewClaimed>(result.Events[^1]);
    }

    [Fact]
    public void The_holder_claiming_again_renews_the_lease()
    {
        var s = ClaimedBy("alice");
        var now = T0.AddMinutes(4);

        var result = DocumentDecisions.Claim(s, new ClaimReview(Id, "alice"), now, Lease);

        Assert.Null(result.Refusal);
        var renewed = Assert.IsType<ReviewClaimRenewed>(Assert.Single(result.Events));
        Assert.Equal("alice", renewed.ReviewerId);
        Assert.Equal(now + Lease, renewed.LeaseExpiresAt);

        Apply(s, result.Events);
        Assert.Equal("alice", s.ClaimedBy);
        Assert.Equal(now + Lease, s.LeaseExpiresAt);
    }

    // ---- Release ----

    [Fact]
    public void The_holder_releases_the_document_back_to_the_queue()
    {
        var s = ClaimedBy("alice");

        var result = DocumentDecisions.Release(s, new ReleaseReview(Id, "alice", "lunch"), T0.AddMinutes(2));

        var released = Assert.IsType<ReviewReleased>(Assert.Single(result.Events));
        Assert.Equal("alice", released.ReviewerId);
        Assert.Equal("lunch", released.Reason);
        Apply(s, result.Events);
        Assert.Null(s.ClaimedBy);
        Assert.Null(s.LeaseExpiresAt);
    }

    [Fact]
    public void A_release_without_a_reason_is_recorded_as_released()
    {
        var result = DocumentDecisions.Release(ClaimedBy("alice"), new ReleaseReview(Id, "alice"), T0.AddMinutes(2));

        Assert.Equal("released", Assert.IsType<ReviewReleased>(Assert.Single(result.Events)).Reason);
    }

    [Fact]
    public void Only_the_holder_can_release()
    {
        var result = DocumentDecisions.Release(ClaimedBy("alice"), new ReleaseReview(Id, "bob"), T0.AddMinutes(2));

        AssertRefused(result, "claimed by alice, not by bob", heldBy: "alice");
    }

    [Fact]
    public void A_supervisor_releases_anyones_claim_and_the_event_names_both()
    {
        var result = DocumentDecisions.Release(ClaimedBy("alice"), new ReleaseReview(Id, "sam", AsSupervisor: true), T0.AddMinutes(2));

        var released = Assert.IsType<ReviewReleased>(Assert.Single(result.Events));
        Assert.Equal(("alice", "released-by-supervisor", "sam"), (released.ReviewerId, released.Reason, released.Actor));
    }

    [Fact]
    public void Escalating_needs_a_reason_and_afterwards_only_a_supervisor_may_claim()
    {
        var s = ClaimedBy("alice");
        AssertRefused(DocumentDecisions.Decide(s, new DecideReview(Id, "alice", "escalate"), T0.AddMinutes(2)),
            "a reason code is required to escalate");

        var escalated = Assert.IsType<ReviewEscalated>(Assert.Single(
            DocumentDecisions.Decide(s, new DecideReview(Id, "alice", "escalate", ReasonCode: "unsure"), T0.AddMinutes(2)).Events));
        s.Apply(escalated);
        Assert.Null(s.ClaimedBy);
        Assert.False(DocumentDecisions.Claim(s, new ClaimReview(Id, "bob"), T0.AddMinutes(3), TimeSpan.FromMinutes(5)).Refusal is null);
        Assert.Null(DocumentDecisions.Claim(s, new ClaimReview(Id, "sam", AsSupervisor: true), T0.AddMinutes(3), TimeSpan.FromMinutes(5)).Refusal);
    }

    // ---- Decide ----

    [Fact]
    public void The_holder_confirms_and_the_predicted_label_is_routed()
    {
        var s = ClaimedBy("alice");
        var now = T0.AddMinutes(2);

        var result = DocumentDecisions.Decide(s, new DecideReview(Id, "alice", "confirm", Comment: "looks right"), now);

        Assert.Null(result.Refusal);
        Assert.Collection(result.Events,
            e =>
            {
                var d = Assert.IsType<ReviewDecided>(e);
                Assert.Equal(DecisionOutcomes.Confirmed, d.Outcome);
                Assert.Equal("telecom", d.PredictedLabel);
                Assert.Equal("telecom", d.FinalLabel);
                Assert.Equal("looks right", d.Comment);
                Assert.Equal("alice", d.ReviewerId);
            },
            e =>
            {
                var r = Assert.IsType<DocumentRouted>(e);
                Assert.Equal(DecisionOutcomes.Confirmed, r.Outcome);
                Assert.Equal("telecom", r.FinalLabel);
                Assert.Equal("alice", r.DecidedBy);
                Assert.Equal(now, r.DecidedAt);
                Assert.Equal(3, r.PolicyVersion);
                Assert.Equal("c-1", r.CorrelationId);
            });

        Apply(s, result.Events);
        Assert.Equal(DecisionOutcomes.Confirmed, s.Outcome);
        Assert.Equal("telecom", s.FinalLabel);
        Assert.Equal("alice", s.DecidedBy);
        Assert.Null(s.ClaimedBy);
        Assert.Null(s.LeaseExpiresAt);
    }

    [Fact]
    public void The_holder_corrects_to_another_label_with_a_reason()
    {
        var s = ClaimedBy("alice");

        var result = DocumentDecisions.Decide(s, new DecideReview(Id, "alice", "correct", "utilities", "wrong-vendor"), T0.AddMinutes(2));

        Assert.Null(result.Refusal);
        var routed = Assert.IsType<DocumentRouted>(result.Events[^1]);
        Assert.Equal(DecisionOutcomes.Corrected, routed.Outcome);
        Assert.Equal("telecom", routed.PredictedLabel);
        Assert.Equal("utilities", routed.FinalLabel);
        Assert.Equal("wrong-vendor", Assert.IsType<ReviewDecided>(result.Events[0]).ReasonCode);

        Apply(s, result.Events);
        Assert.Equal("utilities", s.FinalLabel);
        Assert.Equal("wrong-vendor", s.ReasonCode);
    }

    [Fact]
    public void The_holder_rejects_as_unclassifiable_with_a_reason()
    {
        var result = DocumentDecisions.Decide(ClaimedBy("alice"), new DecideReview(Id, "alice", "reject", ReasonCode: "illegible"), T0.AddMinutes(2));

        Assert.Null(result.Refusal);
        var routed = Assert.IsType<DocumentRouted>(result.Events[^1]);
        Assert.Equal(DecisionOutcomes.Rejected, routed.Outcome);
        Assert.Equal("unclassifiable", routed.FinalLabel);
        Assert.Equal("telecom", routed.PredictedLabel);
    }

    [Fact]
    public void Only_the_holder_can_decide()
    {
        var result = DocumentDecisions.Decide(ClaimedBy("alice"), new DecideReview(Id, "bob", "confirm"), T0.AddMinutes(2));

        AssertRefused(result, "claim it first", heldBy: "alice");
    }

    [Fact]
    public void Nobody_can_decide_an_unclaimed_document()
    {
        var result = DocumentDecisions.Decide(AwaitingReview(), new DecideReview(Id, "alice", "confirm"), T0.AddMinutes(2));

        AssertRefused(result, "claim it first");
    }

    [Fact]
    public void The_holder_cannot_decide_once_the_lease_has_lapsed()
    {
        var result = DocumentDecisions.Decide(ClaimedBy("alice"), new DecideReview(Id, "alice", "confirm"), LeaseEnd);

        AssertRefused(result, "claim lapsed");
    }

    [Fact]
    public void The_holder_can_decide_until_just_before_the_lease_ends()
    {
        var result = DocumentDecisions.Decide(ClaimedBy("alice"), new DecideReview(Id, "alice", "confirm"), LeaseEnd.AddTicks(-1));

        Assert.Null(result.Refusal);
    }

    [Fact]
    public void Correcting_to_the_predicted_label_is_refused()
    {
        var result = DocumentDecisions.Decide(ClaimedBy("alice"), new DecideReview(Id, "alice", "correct", "telecom", "oops"), T0.AddMinutes(2));

        AssertRefused(result, "confirm it instead");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Correcting_needs_a_label(string? label)
    {
        var result = DocumentDecisions.Decide(ClaimedBy("alice"), new DecideReview(Id, "alice", "correct", label, "wrong-vendor"), T0.AddMinutes(2));

        AssertRefused(result, "needs the label");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Correcting_needs_a_reason_code(string? reasonCode)
    {
        var result = DocumentDecisions.Decide(ClaimedBy("alice"), new DecideReview(Id, "alice", "correct", "utilities", reasonCode), T0.AddMinutes(2));

        AssertRefused(result, "reason code is required");
    }

    [Fact]
    public void Rejecting_needs_a_reason_code()
    {
        var result = DocumentDecisions.Decide(ClaimedBy("alice"), new DecideReview(Id, "alice", "reject"), T0.AddMinutes(2));

        AssertRefused(result, "reason code is required");
    }

    [Theory]
    [InlineData("approve")]
    [InlineData("Confirm")]
    [InlineData("")]
    public void An_unknown_outcome_is_refused(string outcome)
    {
        var result = DocumentDecisions.Decide(ClaimedBy("alice"), new DecideReview(Id, "alice", outcome, "utilities", "x"), T0.AddMinutes(2));

        AssertRefused(result, "unknown outcome");
    }

    [Theory]
    [InlineData("utilities.water")]
    [InlineData("utilities water")]
    [InlineData("#")]
    public void Correcting_to_a_label_that_cannot_be_a_routing_key_is_refused(string label)
    {
        var result = DocumentDecisions.Decide(ClaimedBy("alice"), new DecideReview(Id, "alice", "correct", label, "wrong-vendor"), T0.AddMinutes(2));

        AssertRefused(result, "a label is 1-64 characters");
    }

    [Fact]
    public void Correcting_to_a_label_with_a_trailing_newline_is_refused()
    {
        var result = DocumentDecisions.Decide(ClaimedBy("alice"), new DecideReview(Id, "alice", "correct", "utilities\n", "wrong-vendor"), T0.AddMinutes(2));

        AssertRefused(result, "a label is 1-64 characters");
    }

    // ---- Reassign ----

    [Fact]
    public void A_supervisor_reassigns_a_held_task_the_holder_loses_it_and_it_waits_for_the_new_reviewer()
    {
        var s = ClaimedBy("alice");

        var result = DocumentDecisions.Reassign(s, new ReassignReview(Id, "sam", "bob"), T0.AddMinutes(2), Lease);

        Assert.Null(result.Refusal);
        // No SLA: it waits for bob the longest a reassignment waits, not the 5 minutes of a claim he never saw.
        Assert.Collection(result.Events,
            e => Assert.Equal(("alice", "reassigned", "sam"), (((ReviewReleased)e).ReviewerId, ((ReviewReleased)e).Reason, e.Actor)),
            e => Assert.Equal(("bob", T0.AddMinutes(2) + DocumentDecisions.MaxReassignHold, "sam"),
                (((ReviewClaimed)e).ReviewerId, ((ReviewClaimed)e).LeaseExpiresAt, e.Actor)));
        Assert.Equal("bob", Apply(s, result.Events).ClaimedBy);
    }

    [Fact]
    public void A_reassigned_task_waits_until_it_is_due_never_less_than_a_lease_and_the_holders_open_page_brings_the_normal_lease()
    {
        var s = ClaimedBy("alice");
        s.SlaDueAt = T0.AddHours(2);
        var given = Assert.IsType<ReviewClaimed>(DocumentDecisions.Reassign(s, new ReassignReview(Id, "sam", "bob"), T0.AddMinutes(2), Lease).Events.Last());
        Assert.Equal(T0.AddHours(2), given.LeaseExpiresAt);

        s.SlaDueAt = T0.AddMinutes(3); // due in a minute: still the normal lease
        given = Assert.IsType<ReviewClaimed>(DocumentDecisions.Reassign(s, new ReassignReview(Id, "sam", "bob"), T0.AddMinutes(2), Lease).Events.Last());
        Assert.Equal(T0.AddMinutes(2) + Lease, given.LeaseExpiresAt);

        // The supervisor's choice wins.
        given = Assert.IsType<ReviewClaimed>(DocumentDecisions.Reassign(s, new ReassignReview(Id, "sam", "bob", LeaseUntil: T0.AddMinutes(62)), T0.AddMinutes(2), Lease).Events.Last());
        Assert.Equal(T0.AddMinutes(62), given.LeaseExpiresAt);

        // Bob opens it: his page's renewal (a claim by the holder) sets the normal lease from now.
        Apply(s, [given]);
        var renewed = Assert.IsType<ReviewClaimRenewed>(Assert.Single(DocumentDecisions.Claim(s, new ClaimReview(Id, "bob"), T0.AddMinutes(10), Lease).Events));
        Assert.Equal(T0.AddMinutes(10) + Lease, renewed.LeaseExpiresAt);
    }

    [Fact]
    public void Reassigning_an_unclaimed_task_just_gives_it_to_the_reviewer()
    {
        var result = DocumentDecisions.Reassign(AwaitingReview(), new ReassignReview(Id, "sam", "bob"), T0, Lease);

        Assert.IsType<ReviewClaimed>(Assert.Single(result.Events));
    }

    [Fact]
    public void A_task_is_not_reassigned_to_its_first_reviewer_under_four_eyes()
    {
        var s = ClaimedBy("alice");
        s.FourEyes = true;
        Apply(s, DocumentDecisions.Decide(s, new DecideReview(Id, "alice", "confirm"), T0.AddMinutes(2)).Events);

        AssertRefused(DocumentDecisions.Reassign(s, new ReassignReview(Id, "sam", "alice"), T0.AddMinutes(3), Lease), "already reviewed");
    }

    [Fact]
    public void An_escalated_task_only_goes_to_another_supervisor()
    {
        var s = ClaimedBy("alice");
        Apply(s, DocumentDecisions.Decide(s, new DecideReview(Id, "alice", "escalate", ReasonCode: "unclear"), T0.AddMinutes(2)).Events);

        AssertRefused(DocumentDecisions.Reassign(s, new ReassignReview(Id, "sam", "bob"), T0.AddMinutes(3), Lease), "supervisor");
        Assert.Null(DocumentDecisions.Reassign(s, new ReassignReview(Id, "sam", "sue", ToSupervisor: true), T0.AddMinutes(3), Lease).Refusal);
    }

    // ---- The actor's role (recorded as the web host authorized the command) ----

    [Fact]
    public void A_reviewers_claim_and_decision_record_the_role_they_acted_in_on_every_event_and_the_decision()
    {
        var s = AwaitingReview();
        var claimed = Assert.IsType<ReviewClaimed>(Assert.Single(
            DocumentDecisions.Claim(s, new ClaimReview(Id, "alice", ActorRole: "Reviewer"), T0.AddMinutes(1), Lease).Events));
        Assert.Equal("Reviewer", claimed.ActorRole);
        Apply(s, [claimed]);

        var renewed = Assert.Single(DocumentDecisions.Claim(s, new ClaimReview(Id, "alice", ActorRole: "Reviewer"), T0.AddMinutes(2), Lease).Events);
        Assert.Equal("Reviewer", renewed.ActorRole);
        var decided = DocumentDecisions.Decide(s, new DecideReview(Id, "alice", "confirm", ActorRole: "Reviewer"), T0.AddMinutes(3)).Events;

        Assert.Collection(decided,
            e => Assert.Equal(("ReviewDecided", "Reviewer"), (e.GetType().Name, e.ActorRole)),
            e => Assert.Equal(("DocumentRouted", "Reviewer"), (e.GetType().Name, e.ActorRole)));
    }

    [Fact]
    public void A_supervisors_reassign_records_the_supervisor_role_on_the_release_and_the_new_claim()
    {
        var result = DocumentDecisions.Reassign(ClaimedBy("alice"), new ReassignReview(Id, "sam", "bob", ActorRole: "Supervisor"), T0.AddMinutes(2), Lease);

        Assert.Equal(new (string, string?)[] { ("sam", "Supervisor"), ("sam", "Supervisor") }, result.Events.Select(e => (e.Actor, e.ActorRole)).ToArray());
    }

    [Fact]
    public void Escalating_releasing_and_four_eyes_reviews_record_the_role_and_the_systems_events_none()
    {
        var s = ClaimedBy("alice");
        var escalated = Assert.Single(DocumentDecisions.Decide(s, new DecideReview(Id, "alice", "escalate", ReasonCode: "unsure", ActorRole: "Reviewer"), T0.AddMinutes(2)).Events);
        Assert.Equal("Reviewer", escalated.ActorRole);
        var released = Assert.Single(DocumentDecisions.Release(ClaimedBy("alice"), new ReleaseReview(Id, "sam", AsSupervisor: true, ActorRole: "Supervisor"), T0.AddMinutes(2)).Events);
        Assert.Equal("Supervisor", released.ActorRole);

        var four = ClaimedBy("alice");
        four.FourEyes = true;
        var first = Assert.Single(DocumentDecisions.Decide(four, new DecideReview(Id, "alice", "confirm", ActorRole: "Reviewer"), T0.AddMinutes(2)).Events);
        Assert.Equal(("FirstReviewRecorded", "Reviewer"), (first.GetType().Name, first.ActorRole));

        // The lease lapsed and bob claims: the system's release has no role, bob's claim has his.
        var taken = DocumentDecisions.Claim(ClaimedBy("alice"), new ClaimReview(Id, "bob", ActorRole: "Reviewer"), LeaseEnd.AddSeconds(1), Lease).Events;
        Assert.Equal(new (string, string?)[] { (Actors.System, null), ("bob", "Reviewer") }, taken.Select(e => (e.Actor, e.ActorRole)).ToArray());
    }

    // ---- Segregation of duties ----

    [Fact]
    public void Whoever_submitted_a_document_cannot_claim_it_nor_be_given_it()
    {
        var s = Apply(new DocumentState(), DocumentDecisions.Receive(
            Accepted(Classified(Id, "telecom", 0.5)) with { SubmittedBy = "mallory" }, TestPolicy(), T0));
        s.CurrentState = "AwaitingReview";

        AssertRefused(DocumentDecisions.Claim(s, new ClaimReview(Id, "mallory"), T0, Lease), "you submitted this document");
        AssertRefused(DocumentDecisions.Reassign(s, new ReassignReview(Id, "sam", "mallory"), T0, Lease), "mallory submitted this document");
        Assert.Null(DocumentDecisions.Claim(s, new ClaimReview(Id, "alice"), T0, Lease).Refusal);
    }
}
