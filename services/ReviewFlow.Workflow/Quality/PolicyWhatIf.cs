using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Quality;

/// <summary>Counted decisions of one document type, predicted label and confidence percentile (bin b: [b/100, (b+1)/100)).</summary>
public sealed record WhatIfCounts(string DocumentType, string Label, int Bin, long Decided, long HumanDecided, long Changed);

/// <summary>What a proposed policy would have done with the recorded decisions of one document type and label.</summary>
/// <param name="AutoNow">Routed without a human under the active policy (QA samples taken out at its rate).</param>
/// <param name="NewlyAuto">Would go straight through under the proposal but went to review under the active policy;
/// <paramref name="NewlyAutoChanged"/> of their <paramref name="NewlyAutoHumanDecided"/> human decisions changed the label.</param>
/// <param name="ProposedAutoError">Error rate of what the proposal auto-routes, from the human decisions in those
/// confidence bins (corrected or rejected of decided), with its Wilson interval.</param>
public sealed record WhatIfRow(string DocumentType, string Label, long Documents, long AutoNow, long AutoProposed, long NewlyAuto,
    long NewlyAutoHumanDecided, long NewlyAutoChanged, long NewlyReview, Proportion ProposedAutoError);

/// <summary>
/// The routing policy with evidence: replays the proposed and the active policy over the counted decisions, bin by
/// bin, with the routing rules themselves (<see cref="RoutingRules.Decide"/>). A bin goes straight through when its
/// lowest confidence does, so a threshold inside a bin (not a multiple of 0.01) counts that bin as reviewed.
/// </summary>
public static class PolicyWhatIf
{
    public static IReadOnlyList<WhatIfRow> Evaluate(RoutingPolicy active, RoutingPolicy proposed, IEnumerable<WhatIfCounts> counts) =>
        counts.GroupBy(c => (c.DocumentType, c.Label)).OrderBy(g => g.Key.DocumentType).ThenBy(g => g.Key.Label).Select(g =>
        {
            var bins = g.Select(c => (Counts: c, Now: Auto(active, c), Proposed: Auto(proposed, c))).ToList();
            var proposedAuto = bins.Where(b => b.Proposed).Select(b => b.Counts).ToList();
            var newlyAuto = bins.Where(b => b.Proposed && !b.Now).Select(b => b.Counts).ToList();
            return new WhatIfRow(g.Key.DocumentType, g.Key.Label, g.Sum(c => c.Decided),
                AfterQa(active, bins.Where(b => b.Now).Sum(b => b.Counts.Decided)),
                AfterQa(proposed, proposedAuto.Sum(c => c.Decided)),
                newlyAuto.Sum(c => c.Decided), newlyAuto.Sum(c => c.HumanDecided), newlyAuto.Sum(c => c.Changed),
                bins.Where(b => b.Now && !b.Proposed).Sum(b => b.Counts.Decided),
                QualityMath.Wilson(proposedAuto.Sum(c => c.Changed), proposedAuto.Sum(c => c.HumanDecided)));
        }).ToList();

    /// <summary>Whether the policy sends a document of this type, label and bin straight through (before QA sampling).</summary>
    static bool Auto(RoutingPolicy policy, WhatIfCounts c)
    {
        if (!policy.Knows(c.DocumentType)) return false;
        var probe = new DocumentClassified("what-if", c.DocumentType, c.Label, c.Bin / (double)QualityCounter.Bins, new ModelInfo("what-if"));
        return RoutingRules.Decide(policy with { QaSampleRate = 0 }, probe).Route == Route.Auto;
    }

    static long AfterQa(RoutingPolicy policy, long eligible) => (long)Math.Round(eligible * (1 - policy.QaSampleRate));
}
