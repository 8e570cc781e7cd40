using Marten;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.Workflow.Quality;

/// <summary>One reviewer in one group over the period (supervisors only). Agreement: four-eyes pairs they were part of;
/// Qa*: their decisions that another reviewer re-checked blind (QA checks recorded in the period), agreement and kappa.</summary>
public sealed record ReviewerFigures(string ReviewerId, long Decisions, double? ConfirmRate, double? MedianHandlingSeconds,
    long FourEyesPairs, double? Agreement, double? Kappa, bool RubberStamp, string? Signal,
    long QaChecks = 0, double? QaAgreement = null, double? QaKappa = null);

/// <summary>A reviewer group's figures and its reviewers' (GET /api/v1/quality/reviewers).</summary>
public sealed record GroupReviewerFigures(string ReviewerGroup, long Decisions, double? ConfirmRate, double? MedianHandlingSeconds,
    long FourEyesPairs, double? Kappa, IReadOnlyList<ReviewerFigures> Reviewers, long QaChecks = 0, double? QaKappa = null);

/// <summary>
/// How reviewers work, from the documents' events: decisions, confirm rate, handling time (their last claim to their
/// decision), agreement between the two reviewers of four-eyes documents (share and Cohen's kappa), and the rubber-stamp
/// signal: at least <see cref="MinimumDecisions"/> decisions, a median handling time under half the group's, and a confirm
/// rate at least <see cref="ConfirmRateGap"/> above the group's. A signal asks a supervisor to look, it proves nothing.
/// </summary>
public static class ReviewerStats
{
    public const int MinimumDecisions = 20;
    public const double ConfirmRateGap = 0.15;

    sealed record Decision(string Group, string Reviewer, string Outcome, double? Seconds);

    /// <summary>Each document's events in stream order; only decisions made in [from, to) count, and QA checks recorded then.</summary>
    public static IReadOnlyList<GroupReviewerFigures> Compute(IEnumerable<IReadOnlyList<IDocumentEvent>> documents, DateTimeOffset from, DateTimeOffset to,
        IEnumerable<QaCheck>? qaChecks = null)
    {
        // Reviewer against QA: the original decision's final label beside the QA reviewer's, per original reviewer.
        var qa = (qaChecks ?? []).Where(c => c.RecordedAt >= from && c.RecordedAt < to && c.QaLabel is not null)
            .Select(c => (Group: c.ReviewerGroup, Reviewer: c.OriginalReviewerId, Pair: (c.OriginalFinalLabel, c.QaLabel!))).ToList();
        var decisions = new List<Decision>();
        var pairs = new List<(string Group, string First, string FirstLabel, string Second, string SecondLabel)>();
        foreach (var events in documents)
        {
            string? group = null;
            var claimedAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            (string Reviewer, string Label)? first = null;
            var disagreed = false;
            foreach (var e in events)
            {
                var inPeriod = e.At >= from && e.At < to;
                switch (e)
                {
                    case ReviewRequested r: group = r.ReviewerGroup; break;
                    case ReviewClaimed c: claimedAt[c.ReviewerId] = c.At; break;
                    case FirstReviewRecorded f:
                        first = (f.ReviewerId, f.FinalLabel);
                        if (inPeriod && group is not null) decisions.Add(new(group, f.ReviewerId, f.Outcome, Seconds(claimedAt, f.ReviewerId, f.At)));
                        break;
                    case ReviewDisagreed d:
                        disagreed = true;
                        if (inPeriod && group is not null)
                        {
                            decisions.Add(new(group, d.ReviewerId, d.Outcome, Seconds(claimedAt, d.ReviewerId, d.At)));
                            pairs.Add((group, d.FirstReviewerId, d.FirstFinalLabel, d.ReviewerId, d.FinalLabel));
                        }
                        break;
                    case ReviewDecided d:
                        if (inPeriod && group is not null)
                        {
                            decisions.Add(new(group, d.ReviewerId, d.Outcome, Seconds(claimedAt, d.ReviewerId, d.At)));
                            // The second reviewer agreeing; after a disagreement the deciding supervisor is not a pair's second.
                            if (!disagreed && d.FirstReviewerId is not null && first is { } f1 && f1.Reviewer == d.FirstReviewerId)
                                pairs.Add((group, f1.Reviewer, f1.Label, d.ReviewerId, d.FinalLabel));
                        }
                        break;
                }
            }
        }

        var groupNames = decisions.Select(d => d.Group).Concat(qa.Select(q => q.Group)).Distinct().Order(StringComparer.Ordinal);
        return groupNames.Select(name =>
        {
            var g = decisions.Where(d => d.Group == name).ToList();
            var groupPairs = pairs.Where(p => p.Group == name).ToList();
            var groupQa = qa.Where(q => q.Group == name).ToList();
            var groupConfirm = ConfirmRate(g);
            var groupMedian = Median(g.Select(d => d.Seconds));
            var names = g.Select(d => d.Reviewer).Concat(groupQa.Select(q => q.Reviewer)).Distinct().Order(StringComparer.Ordinal);
            var reviewers = names.Select(reviewer =>
            {
                var r = g.Where(d => d.Reviewer == reviewer).ToList();
                var checkedPairs = groupQa.Where(q => q.Reviewer == reviewer).Select(q => q.Pair).ToList();
                var mine = groupPairs.Where(p => p.First == reviewer || p.Second == reviewer)
                    .Select(p => p.First == reviewer ? (p.FirstLabel, p.SecondLabel) : (p.SecondLabel, p.FirstLabel)).ToList();
                var confirm = ConfirmRate(r);
                var median = Median(r.Select(d => d.Seconds));
                var stamp = r.Count >= MinimumDecisions && median < groupMedian / 2 && confirm >= groupConfirm + ConfirmRateGap;
                return new ReviewerFigures(reviewer, r.Count, confirm, median, mine.Count,
                    mine.Count == 0 ? null : mine.Count(p => p.Item1 == p.Item2) / (double)mine.Count,
                    mine.Count == 0 ? null : QualityMath.CohensKappa(mine),
                    stamp, stamp ? $"decides in {median:0} s (group: {groupMedian:0} s) and confirms {confirm:P0} (group: {groupConfirm:P0})" : null,
                    checkedPairs.Count, checkedPairs.Count == 0 ? null : checkedPairs.Count(p => p.Item1 == p.Item2) / (double)checkedPairs.Count,
                    checkedPairs.Count == 0 ? null : QualityMath.CohensKappa(checkedPairs));
            }).ToList();
            return new GroupReviewerFigures(name, g.Count, groupConfirm, groupMedian, groupPairs.Count,
                groupPairs.Count == 0 ? null : QualityMath.CohensKappa(groupPairs.Select(p => (p.FirstLabel, p.SecondLabel)).ToList()), reviewers,
                groupQa.Count, groupQa.Count == 0 ? null : QualityMath.CohensKappa(groupQa.Select(q => q.Pair).ToList()));
        }).ToList();
    }

    /// <summary>The period's decisions of the given groups, read with the events of their documents (human scale: thousands a day).</summary>
    public static async Task<IReadOnlyList<GroupReviewerFigures>> ReadAsync(IDocumentStore store, IReadOnlySet<string> groups,
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var decisionTypes = new[] { "review_decided", "first_review_recorded", "review_disagreed" };
        var streams = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypeName.IsOneOf(decisionTypes) && e.Timestamp >= from && e.Timestamp < to)
            .Select(e => e.StreamKey!).Distinct().ToListAsync(ct);
        var documents = new List<IReadOnlyList<IDocumentEvent>>();
        foreach (var chunk in streams.Chunk(500))
        {
            var events = await session.Events.QueryAllRawEvents().Where(e => e.StreamKey!.IsOneOf(chunk)).ToListAsync(ct);
            foreach (var stream in events.GroupBy(e => e.StreamKey))
            {
                var ordered = stream.OrderBy(e => e.Version).Select(e => e.Data).OfType<IDocumentEvent>().ToList();
                if (ordered.OfType<ReviewRequested>().FirstOrDefault() is { } requested && groups.Contains(requested.ReviewerGroup))
                    documents.Add(ordered);
            }
        }
        var checks = await session.Query<QaCheck>()
            .Where(c => c.RecordedAt >= from && c.RecordedAt < to && c.ReviewerGroup.IsOneOf(groups.ToArray())).ToListAsync(ct);
        return Compute(documents, from, to, checks);
    }

    static double? Seconds(Dictionary<string, DateTimeOffset> claimedAt, string reviewer, DateTimeOffset at) =>
        claimedAt.TryGetValue(reviewer, out var claimed) ? (at - claimed).TotalSeconds : null;

    static double? ConfirmRate(IEnumerable<Decision> decisions)
    {
        var list = decisions.ToList();
        return list.Count == 0 ? null : list.Count(d => d.Outcome == DecisionOutcomes.Confirmed) / (double)list.Count;
    }

    static double? Median(IEnumerable<double?> values)
    {
        var sorted = values.OfType<double>().Order().ToList();
        if (sorted.Count == 0) return null;
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
