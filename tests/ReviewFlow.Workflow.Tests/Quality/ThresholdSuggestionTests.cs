using ReviewFlow.Workflow.Quality;

namespace ReviewFlow.Workflow.Tests.Quality;

/// <summary>The lowest threshold the evidence supports, found by hand on a small history.</summary>
public sealed class ThresholdSuggestionTests
{
    [Fact]
    public void The_suggestion_is_the_lowest_percentile_whose_error_upper_bound_stays_under_the_target()
    {
        // bin 97: 300 decided, 300 human, 0 changed  → at or above 0.97: 0/300, Wilson upper 0.0126 < 0.02 ✓
        // bin 90: 200 decided, 200 human, 1 changed  → at or above 0.90: 1/500, upper 0.0112 < 0.02 ✓
        // bin 80: 100 decided, 100 human, 10 changed → at or above 0.80: 11/600, upper 0.0326 ≥ 0.02 ✗
        // So 0.90, sending 500 of 600 straight through.
        WhatIfCounts[] history =
        [
            new("invoice", "utilities", 97, 300, 300, 0),
            new("invoice", "utilities", 90, 200, 200, 1),
            new("invoice", "utilities", 80, 100, 100, 10),
        ];
        var suggestions = ThresholdSuggestions.Suggest(history, 0.02);
        var type = suggestions.Single(s => s.Label is null);
        Assert.Equal(0.90, type.Threshold!.Value, 9);
        Assert.Equal((600L, 500L), (type.Documents, type.WouldGoThrough));
        Assert.Equal(500, type.ErrorRate!.Samples);
        Assert.True(type.ErrorRate.High < 0.02);
        // The label has enough human decisions (600 ≥ 30) for a suggestion of its own: the same here.
        Assert.Equal(0.90, suggestions.Single(s => s.Label == "utilities").Threshold!.Value, 9);
    }

    [Fact]
    public void Too_little_evidence_says_so_instead_of_suggesting()
    {
        // 20 human decisions, none changed: Wilson upper bound 0.161, far above 2 %: no threshold is supported.
        var suggestion = Assert.Single(ThresholdSuggestions.Suggest([new WhatIfCounts("claim", "motor", 95, 20, 20, 0)], 0.02));
        Assert.Null(suggestion.Threshold);
        Assert.Contains("not enough evidence", suggestion.Reason);
    }

    [Fact]
    public void Without_any_human_decision_nothing_can_be_said() =>
        Assert.Contains("no human decisions", Assert.Single(ThresholdSuggestions.Suggest([new WhatIfCounts("claim", "motor", 95, 500, 0, 0)], 0.02)).Reason);
}
