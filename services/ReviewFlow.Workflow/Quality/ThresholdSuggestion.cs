namespace ReviewFlow.Workflow.Quality;

/// <summary>
/// The lowest threshold for one document type (Label null) or one of its labels whose estimated error rate stays under
/// the target with 95 % confidence (Wilson upper bound of corrected-or-rejected among the human decisions at or
/// above it), with the share of decisions it would send straight through and the evidence behind it. Threshold null:
/// no threshold has enough evidence (Reason says why).
/// </summary>
public sealed record Suggestion(string DocumentType, string? Label, double? Threshold, long Documents, long WouldGoThrough,
    Proportion? ErrorRate, string? Reason);

public static class ThresholdSuggestions
{
    /// <summary>A label gets its own suggestion only with at least this many human decisions.</summary>
    public const long MinimumLabelEvidence = 30;

    public static IReadOnlyList<Suggestion> Suggest(IEnumerable<WhatIfCounts> counts, double targetErrorRate)
    {
        var all = counts.ToList();
        var suggestions = new List<Suggestion>();
        foreach (var type in all.GroupBy(c => c.DocumentType).OrderBy(g => g.Key))
        {
            suggestions.Add(Suggest(type.Key, null, type.ToList(), targetErrorRate));
            foreach (var label in type.GroupBy(c => c.Label).OrderBy(g => g.Key).Where(g => g.Sum(c => c.HumanDecided) >= MinimumLabelEvidence))
                suggestions.Add(Suggest(type.Key, label.Key, label.ToList(), targetErrorRate));
        }
        return suggestions;
    }

    /// <summary>Walks the percentiles from the top down, keeping the lowest one whose whole "at or above" set stays under the target.</summary>
    static Suggestion Suggest(string type, string? label, IReadOnlyList<WhatIfCounts> counts, double target)
    {
        var documents = counts.Sum(c => c.Decided);
        var byBin = counts.GroupBy(c => c.Bin).OrderByDescending(g => g.Key)
            .Select(g => (Bin: g.Key, Decided: g.Sum(c => c.Decided), Human: g.Sum(c => c.HumanDecided), Changed: g.Sum(c => c.Changed)));
        long decided = 0, human = 0, changed = 0;
        Suggestion? best = null;
        foreach (var bin in byBin)
        {
            decided += bin.Decided;
            human += bin.Human;
            changed += bin.Changed;
            var error = QualityMath.Wilson(changed, human);
            if (human > 0 && error.High < target)
                best = new Suggestion(type, label, bin.Bin / (double)QualityCounter.Bins, documents, decided, error, null);
        }
        return best ?? new Suggestion(type, label, null, documents, 0, human == 0 ? null : QualityMath.Wilson(changed, human),
            human == 0
                ? "no human decisions in the period: nothing says how often the model is wrong"
                : $"not enough evidence: even the most confident decisions' error rate could be above {target:P1} ({changed} of {human} changed)");
    }
}
