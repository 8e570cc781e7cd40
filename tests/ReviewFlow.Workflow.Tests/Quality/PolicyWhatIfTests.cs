using ReviewFlow.Workflow.Quality;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Tests.Quality;

/// <summary>What a proposed threshold would have done with a small recorded history, counted by hand.</summary>
public sealed class PolicyWhatIfTests
{
    static RoutingPolicy Policy(double invoice, double qa = 0, params string[] alwaysReview) => new()
    {
        Version = 1,
        QaSampleRate = qa,
        AlwaysReviewLabels = alwaysReview,
        DocumentTypes = new Dictionary<string, DocumentTypePolicy> { ["invoice"] = new() { Threshold = invoice, ReviewerGroup = "ap" } },
    };

    // History of invoices labelled "utilities":
    //   bin 97 (0.97–0.98): 100 decided, 10 by humans (QA samples), 0 changed
    //   bin 88 (0.88–0.89):  40 decided, all by humans, 4 changed
    //   bin 80 (0.80–0.81):  20 decided, all by humans, 8 changed
    static readonly WhatIfCounts[] History =
    [
        new("invoice", "utilities", 97, 100, 10, 0),
        new("invoice", "utilities", 88, 40, 40, 4),
        new("invoice", "utilities", 80, 20, 20, 8),
    ];

    [Fact]
    public void Lowering_the_threshold_from_0_90_to_0_85_sends_the_0_88_bin_straight_through_and_says_how_often_humans_changed_it()
    {
        // Now (0.90): only bin 97 goes through (100). Proposed (0.85): bins 97 and 88 (140). Newly through: bin 88, 40 documents,
        // 40 decided by humans, 4 changed. Newly reviewed: none. Error of the proposed set: 4 changed of 10 + 40 = 50 decided.
        var row = Assert.Single(PolicyWhatIf.Evaluate(Policy(0.90), Policy(0.85), History));
        Assert.Equal((160L, 100L, 140L), (row.Documents, row.AutoNow, row.AutoProposed));
        Assert.Equal((40L, 40L, 4L, 0L), (row.NewlyAuto, row.NewlyAutoHumanDecided, row.NewlyAutoChanged, row.NewlyReview));
        Assert.Equal(4.0 / 50, row.ProposedAutoError.Estimate, 9);
        Assert.Equal(50, row.ProposedAutoError.Samples);
    }

    [Fact]
    public void Raising_the_threshold_sends_documents_back_to_review()
    {
        // Proposed 0.98: no bin's lowest confidence reaches it (bin 97 starts at 0.97): all 100 go back to review.
        var row = Assert.Single(PolicyWhatIf.Evaluate(Policy(0.90), Policy(0.98), History));
        Assert.Equal((0L, 100L), (row.AutoProposed, row.NewlyReview));
        Assert.Equal(0, row.ProposedAutoError.Samples);
    }

    [Fact]
    public void QA_sampling_takes_its_share_out_of_what_goes_straight_through()
    {
        // Proposed 0.85 with 10 % QA: 140 eligible, 126 straight through.
        var row = Assert.Single(PolicyWhatIf.Evaluate(Policy(0.90), Policy(0.85, qa: 0.1), History));
        Assert.Equal(126, row.AutoProposed);
    }

    [Fact]
    public void An_always_review_label_goes_through_under_no_threshold()
    {
        var row = Assert.Single(PolicyWhatIf.Evaluate(Policy(0.90), Policy(0.50, 0, "utilities"), History));
        Assert.Equal((0L, 100L), (row.AutoProposed, row.NewlyReview));
    }
}
