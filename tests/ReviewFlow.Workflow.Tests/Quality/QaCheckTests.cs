using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Quality;

namespace ReviewFlow.Workflow.Tests.Quality;

/// <summary>QA re-checks of human decisions: who may record one, and reviewer-vs-QA kappa computed by hand.</summary>
public sealed class QaCheckTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset From = T0.Date, To = T0.Date.AddDays(1);
    static readonly IReadOnlySet<string> Claims = new HashSet<string> { "claims" };

    static QaCheck Open(string id, string original = "ann", string finalLabel = "motor") => new()
    {
        Id = QaCheck.StreamKey(id), DocumentId = id, DocumentType = "claim", ReviewerGroup = "claims", ModelVersion = "v1",
        PredictedLabel = "motor", Confidence = 0.6, OriginalReviewerId = original, ExcludedReviewers = [original],
        OriginalFinalLabel = finalLabel, RequestedAt = T0,
    };

    static QaCheck Checked(string id, string original, string finalLabel, string qaLabel, DateTimeOffset? at = null) =>
        Open(id, original, finalLabel).Apply(new QaCheckRecorded(id, "qa", qaLabel, qaLabel == finalLabel, at ?? T0.AddHours(1)));

    [Fact]
    public void The_reviewer_who_decided_may_not_check_their_own_decision()
    {
        var refusal = Assert.IsType<QaCheckDecisions.Refusal>(QaCheckDecisions.Record(Open("d1"), "ann", Claims, "motor", T0));
        Assert.Equal(403, refusal.Status);
    }

    [Fact]
    public void Another_reviewer_of_the_group_records_a_label_once_and_a_disagreement_is_marked()
    {
        var recorded = Assert.IsType<QaCheckRecorded>(QaCheckDecisions.Record(Open("d1"), "bo", Claims, " property ", T0));
        Assert.Equal(("d1", "bo", "property", false), (recorded.DocumentId, recorded.QaReviewerId, recorded.Label, recorded.Agrees));

        var again = QaCheckDecisions.Record(Open("d1").Apply(recorded), "cy", Claims, "motor", T0);
        Assert.Equal(409, Assert.IsType<QaCheckDecisions.Refusal>(again).Status);
        Assert.Equal(403, Assert.IsType<QaCheckDecisions.Refusal>(QaCheckDecisions.Record(Open("d1"), "bo", new HashSet<string> { "legal" }, "motor", T0)).Status);
        Assert.Equal(404, Assert.IsType<QaCheckDecisions.Refusal>(QaCheckDecisions.Record(null, "bo", Claims, "motor", T0)).Status);
        Assert.Equal(400, Assert.IsType<QaCheckDecisions.Refusal>(QaCheckDecisions.Record(Open("d1"), "bo", Claims, "not a label", T0)).Status);
    }

    [Fact]
    public void The_draw_is_deterministic_per_document_and_takes_about_the_rate()
    {
        var key = new byte[] { 1, 2, 3, 4 };
        var drawn = Enumerable.Range(0, 2000).Count(i => QaCheckDecisions.Sampled($"doc-{i}", 0.1, key));
        Assert.InRange(drawn, 150, 250); // 10 % of 2000 = 200, ±3.7 standard deviations (σ = √(2000·0.1·0.9) = 13.4)
        Assert.Equal(QaCheckDecisions.Sampled("doc-7", 0.5, key), QaCheckDecisions.Sampled("doc-7", 0.5, key));
        Assert.False(QaCheckDecisions.Sampled("doc-7", 0, key));
        // Independent of the routing QA draw: another message under the same key.
        Assert.NotEqual(Workflow.Routing.RoutingRules.SampleFraction("doc-7", key), Workflow.Routing.RoutingRules.SampleFraction("qa-check:doc-7", key));
    }

    [Fact]
    public void Kappa_of_each_reviewer_against_QA_joins_their_figures()
    {
        // ann's decisions re-checked by QA (ann's label → QA's): motor→motor, motor→motor, property→property, motor→property.
        // p_o = 3/4 = 0.75. ann: motor 3/4, property 1/4; QA: motor 2/4, property 2/4.
        // p_e = 0.75·0.5 + 0.25·0.5 = 0.5; kappa = (0.75 − 0.5) / (1 − 0.5) = 0.5.
        // bo: one check, property→property: p_o = 1, p_e = 1 (one category): kappa defined as 1 by QualityMath.
        // A check recorded the next day is out of the period.
        var checks = new[]
        {
            Checked("a", "ann", "motor", "motor"), Checked("b", "ann", "motor", "motor"), Checked("c", "ann", "property", "property"),
            Checked("d", "ann", "motor", "property"), Checked("e", "bo", "property", "property"),
            Checked("f", "ann", "motor", "property", at: To.AddHours(1)),
        };
        IReadOnlyList<IDocumentEvent> decided =
        [
            new ReviewRequested("x", "claim", "claims", "motor", 0.6, "below-threshold", 1, "v1", "system", T0),
            new ReviewDecided("x", "ann", DecisionOutcomes.Confirmed, "motor", "motor", null, null, 1, "v1", "ann", T0.AddMinutes(1)),
        ];

        var group = Assert.Single(ReviewerStats.Compute([decided], From, To, checks));

        var ann = group.Reviewers.Single(r => r.ReviewerId == "ann");
        Assert.Equal((1L, 4L, 0.75, 0.5), (ann.Decisions, ann.QaChecks, ann.QaAgreement, ann.QaKappa));
        var bo = group.Reviewers.Single(r => r.ReviewerId == "bo"); // no decision in the period, but re-checked in it
        Assert.Equal((0L, 1L, 1.0), (bo.Decisions, bo.QaChecks, bo.QaAgreement));
        // Group: 5 pairs, p_o = 4/5 = 0.8; reviewers motor 3/5, property 2/5; QA motor 2/5, property 3/5:
        // p_e = 0.6·0.4 + 0.4·0.6 = 0.48; kappa = (0.8 − 0.48) / 0.52 = 0.6154.
        Assert.Equal(5L, group.QaChecks);
        Assert.Equal(0.6154, group.QaKappa!.Value, 4);
    }
}
