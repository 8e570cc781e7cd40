using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Quality;

namespace ReviewFlow.Workflow.Tests.Quality;

/// <summary>Reviewer figures on small histories built event by event; the expected numbers computed by hand.</summary>
public sealed class ReviewerStatsTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset From = T0.Date, To = T0.Date.AddDays(1);

    static ReviewRequested Requested(string id, string group, DateTimeOffset at) =>
        new(id, "claim", group, "motor", 0.6, "below-threshold", 1, "v1", "system", at);

    static ReviewClaimed Claimed(string id, string reviewer, DateTimeOffset at) => new(id, reviewer, at.AddMinutes(5), 1, "v1", reviewer, at);

    static ReviewDecided Decided(string id, string reviewer, string outcome, string label, DateTimeOffset at, string? first = null) =>
        new(id, reviewer, outcome, "motor", label, null, null, 1, "v1", reviewer, at, first);

    /// <summary>One document claimed at t and decided <paramref name="seconds"/> later.</summary>
    static IReadOnlyList<IDocumentEvent> Single(string reviewer, double seconds, string outcome, int n)
    {
        var id = $"{reviewer}-{n}";
        var at = T0.AddMinutes(n);
        return [Requested(id, "claims", at), Claimed(id, reviewer, at), Decided(id, reviewer, outcome, outcome == DecisionOutcomes.Confirmed ? "motor" : "property", at.AddSeconds(seconds))];
    }

    [Fact]
    public void A_reviewer_much_faster_than_the_group_who_confirms_far_more_often_is_flagged()
    {
        // fast: 20 decisions in 2 s, all confirmed. slow: 20 in 60 s, 10 confirmed, 10 corrected.
        // Group: median of 20 × 2 s and 20 × 60 s = (2 + 60) / 2 = 31 s; confirm rate 30/40 = 0.75.
        // fast: 2 s < 31 / 2 and 1.0 ≥ 0.75 + 0.15: flagged. slow: 60 s, not.
        var documents = Enumerable.Range(0, 20).Select(n => Single("fast", 2, DecisionOutcomes.Confirmed, n))
            .Concat(Enumerable.Range(0, 20).Select(n => Single("slow", 60, n % 2 == 0 ? DecisionOutcomes.Confirmed : DecisionOutcomes.Corrected, n)));

        var group = Assert.Single(ReviewerStats.Compute(documents, From, To));

        Assert.Equal(("claims", 40L, 0.75, 31.0), (group.ReviewerGroup, group.Decisions, group.ConfirmRate, group.MedianHandlingSeconds));
        var fast = group.Reviewers.Single(r => r.ReviewerId == "fast");
        var slow = group.Reviewers.Single(r => r.ReviewerId == "slow");
        Assert.Equal((20L, 1.0, 2.0, true), (fast.Decisions, fast.ConfirmRate, fast.MedianHandlingSeconds, fast.RubberStamp));
        Assert.Equal("decides in 2 s (group: 31 s) and confirms 100 % (group: 75 %)", fast.Signal);
        Assert.Equal((0.5, 60.0, false), (slow.ConfirmRate, slow.MedianHandlingSeconds, slow.RubberStamp));
    }

    [Fact]
    public void Four_eyes_pairs_give_agreement_and_kappa_and_the_deciding_supervisor_is_not_a_second_reviewer()
    {
        // A: ann then bo, both motor (agree). B: ann motor, bo property (disagree), then sam decides.
        // Pairs (ann, bo): (motor, motor), (motor, property): agreement 1/2. Kappa: p_o = 0.5; ann says motor twice,
        // bo motor once and property once: p_e = 1 × 0.5 = 0.5; (0.5 − 0.5) / (1 − 0.5) = 0.
        IReadOnlyList<IDocumentEvent> a =
        [
            Requested("A", "legal", T0), Claimed("A", "ann", T0),
            new FirstReviewRecorded("A", "ann", DecisionOutcomes.Confirmed, "motor", null, null, 1, "v1", "ann", T0.AddSeconds(30)),
            Claimed("A", "bo", T0.AddMinutes(1)), Decided("A", "bo", DecisionOutcomes.Confirmed, "motor", T0.AddMinutes(2), first: "ann"),
        ];
        IReadOnlyList<IDocumentEvent> b =
        [
            Requested("B", "legal", T0), Claimed("B", "ann", T0),
            new FirstReviewRecorded("B", "ann", DecisionOutcomes.Confirmed, "motor", null, null, 1, "v1", "ann", T0.AddSeconds(40)),
            Claimed("B", "bo", T0.AddMinutes(1)),
            new ReviewDisagreed("B", "ann", DecisionOutcomes.Confirmed, "motor", "bo", DecisionOutcomes.Corrected, "property", "wrong-type", null, 1, "v1", "bo", T0.AddMinutes(3)),
            Claimed("B", "sam", T0.AddMinutes(10)), Decided("B", "sam", DecisionOutcomes.Corrected, "property", T0.AddMinutes(11), first: "ann"),
        ];

        var group = Assert.Single(ReviewerStats.Compute([a, b], From, To));

        Assert.Equal((5L, 2L, 0.0), (group.Decisions, group.FourEyesPairs, group.Kappa));
        var ann = group.Reviewers.Single(r => r.ReviewerId == "ann");
        Assert.Equal((2L, 2L, 0.5, 35.0), (ann.Decisions, ann.FourEyesPairs, ann.Agreement, ann.MedianHandlingSeconds));
        Assert.Equal((1L, 0L), (group.Reviewers.Single(r => r.ReviewerId == "sam").Decisions, group.Reviewers.Single(r => r.ReviewerId == "sam").FourEyesPairs));
    }

    [Fact]
    public void Decisions_outside_the_period_do_not_count()
    {
        var yesterday = Single("fast", 2, DecisionOutcomes.Confirmed, 0).Select(e => e switch
        {
            ReviewDecided d => d with { At = d.At.AddDays(-1) },
            _ => e,
        }).ToList();

        Assert.Empty(ReviewerStats.Compute([yesterday], From, To));
    }
}
