namespace ReviewFlow.Workflow.Quality;

/// <summary>One bin of the reliability diagram (human-decided documents); OnlyEscalated: no QA sample fell in it.</summary>
public sealed record CalibrationPoint(double From, double To, long Count, long Agreed, double? MeanConfidence, double? Accuracy, bool OnlyEscalated);

/// <summary>GET /api/v1/quality/summary.</summary>
public sealed record QualitySummary(
    QualityFilter Filter, long Decided, long AutoRouted, long HumanDecided, double? AutoRate, double? ReviewRate,
    long Overrides, double? OverrideRate, Proportion AutoAccuracy, double? Ece, IReadOnlyList<CalibrationPoint> Calibration,
    double? Psi, double? LabelPsi, DateTimeOffset? ReferenceFrom, DateTimeOffset? ReferenceTo, IReadOnlyList<string> NewLabels,
    double? DailyVolume, double? ReferenceDailyVolume);

/// <summary>One model version of a type beside the others (GET /api/v1/quality/versions): its first day and its summary over the period.</summary>
public sealed record VersionSummary(string ModelVersion, DateTimeOffset FirstDay, QualitySummary Summary);

/// <summary>One day of one model version (GET /api/v1/quality/series).</summary>
public sealed record SeriesPoint(DateTimeOffset Day, string ModelVersion, long Decided, long AutoRouted, long HumanDecided,
    double? OverrideRate, Proportion AutoAccuracy, double? Psi);

public sealed record QualitySeries(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<SeriesPoint> Points);

/// <summary>The figures of a set of counted rows, as pure functions (the tests carry hand computations).</summary>
public static class QualityFigures
{
    public const int Bands = 10;

    public static int Band(int bin) => bin * Bands / QualityCounter.Bins;

    /// <summary>Auto accuracy: the confident traffic (auto-routed + QA-sampled) by band, each band's QA samples as its evidence.</summary>
    public static Proportion AutoAccuracy(IEnumerable<QualityRow> rows)
    {
        var bands = rows.GroupBy(r => Band(r.Bin)).Where(g => g.Sum(r => r.Auto + r.QaDecided) > 0)
            .Select(g => new Band(g.Sum(r => r.Auto + r.QaDecided), g.Sum(r => r.QaAgreed), g.Sum(r => r.QaDecided))).ToList();
        return bands.Count == 0 ? QualityMath.Wilson(0, 0) : QualityMath.Stratified(bands);
    }

    public static IReadOnlyList<CalibrationPoint> Calibration(IReadOnlyCollection<QualityRow> rows) =>
        Enumerable.Range(0, Bands).Select(b =>
        {
            var inBand = rows.Where(r => Band(r.Bin) == b).ToList();
            long count = inBand.Sum(r => r.Human), agreed = inBand.Sum(r => r.Agreed);
            return new CalibrationPoint(b / (double)Bands, (b + 1) / (double)Bands, count, agreed,
                count == 0 ? null : inBand.Sum(r => r.HumanConfidenceSum) / count, count == 0 ? null : (double)agreed / count,
                count > 0 && inBand.Sum(r => r.QaDecided) == 0);
        }).ToList();

    public static double? Ece(IReadOnlyList<CalibrationPoint> calibration) =>
        calibration.All(c => c.Count == 0) ? null : QualityMath.ExpectedCalibrationError(calibration.Where(c => c.Count > 0)
            .Select(c => new CalibrationBin(c.Count, c.MeanConfidence!.Value, c.Agreed)).ToList());

    /// <summary>Decisions per confidence band: the distribution the confidence PSI compares.</summary>
    public static long[] ConfidenceBands(IEnumerable<QualityRow> rows)
    {
        var bands = new long[Bands];
        foreach (var r in rows) bands[Band(r.Bin)] += r.Decided;
        return bands;
    }

    /// <summary>PSI of the predicted labels, over the labels of both sides (a label new in the recent window counts).</summary>
    public static double? LabelPsi(IEnumerable<QualityRow> reference, IEnumerable<QualityRow> recent)
    {
        var r = reference.GroupBy(x => x.Label!).ToDictionary(g => g.Key, g => g.Sum(x => x.Decided));
        var n = recent.GroupBy(x => x.Label!).ToDictionary(g => g.Key, g => g.Sum(x => x.Decided));
        var labels = r.Keys.Union(n.Keys).Order().ToList();
        if (r.Values.Sum() == 0 || n.Values.Sum() == 0) return null;
        return QualityMath.PopulationStabilityIndex(labels.Select(l => r.GetValueOrDefault(l)).ToList(), labels.Select(l => n.GetValueOrDefault(l)).ToList());
    }

    public static double? ConfidencePsi(IEnumerable<QualityRow> reference, IEnumerable<QualityRow> recent)
    {
        long[] r = ConfidenceBands(reference), n = ConfidenceBands(recent);
        return r.Sum() == 0 || n.Sum() == 0 ? null : QualityMath.PopulationStabilityIndex(r, n);
    }

    public static double? Share(long part, long whole) => whole == 0 ? null : (double)part / whole;

    /// <summary>Predicted labels of the recent rows that the reference never saw (a new label is drift the PSI alone may hide).</summary>
    public static IReadOnlyList<string> NewLabels(IEnumerable<QualityRow> reference, IEnumerable<QualityRow> recent) =>
        recent.Where(r => r.Decided > 0).Select(r => r.Label!).Distinct()
            .Except(reference.Where(r => r.Decided > 0).Select(r => r.Label!)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Decisions per day over [from, to), a partial day counting as its part (a volume anomaly shows as a ratio of two of these).</summary>
    public static double? PerDay(long decided, DateTimeOffset from, DateTimeOffset to) =>
        to > from ? decided / Math.Max((to - from).TotalDays, 1.0 / 24) : null;
}

/// <summary>
/// The model's quality as humans saw it, computed from the counted decisions (<see cref="QualityCounter"/>) with
/// <see cref="QualityFigures"/>. Drift compares the period with a reference window: the one given (an admin's pinned
/// window), else the first <see cref="ReferenceDays"/> days counted for the filter (of that model version, when it names one).
/// </summary>
public sealed class QualitySummaries(QualityStore counts)
{
    public static readonly TimeSpan ReferenceDays = TimeSpan.FromDays(7);

    public async Task<QualitySummary> SummarizeAsync(QualityFilter filter, CancellationToken ct, (DateTimeOffset From, DateTimeOffset To)? pinned = null)
    {
        var rows = await counts.RowsAsync(filter, QualitySplit.Label, ct);
        long decided = rows.Sum(r => r.Decided), auto = rows.Sum(r => r.Auto), human = rows.Sum(r => r.Human);
        var overrides = rows.Sum(r => r.Overrides);
        var calibration = QualityFigures.Calibration(rows);

        double? psi = null, labelPsi = null, referenceDaily = null;
        IReadOnlyList<string> newLabels = [];
        var reference = rows.Count == 0 ? null : pinned ?? await ReferenceAsync(filter, ct);
        if (reference is var (from, to))
        {
            var referenceRows = await counts.RowsAsync(filter with { From = from, To = to }, QualitySplit.Label, ct);
            psi = QualityFigures.ConfidencePsi(referenceRows, rows);
            labelPsi = QualityFigures.LabelPsi(referenceRows, rows);
            newLabels = QualityFigures.NewLabels(referenceRows, rows);
            referenceDaily = QualityFigures.PerDay(referenceRows.Sum(r => r.Decided), from, to);
        }
        return new QualitySummary(filter, decided, auto, human, QualityFigures.Share(auto, decided), QualityFigures.Share(human, decided),
            overrides, QualityFigures.Share(overrides, human), QualityFigures.AutoAccuracy(rows), QualityFigures.Ece(calibration), calibration,
            psi, labelPsi, reference?.From, reference?.To, newLabels, QualityFigures.PerDay(decided, filter.From, filter.To), referenceDaily);
    }

    /// <summary>Each model version counted for the type in the period, oldest first, summarized over the period.</summary>
    public async Task<IReadOnlyList<VersionSummary>> VersionsAsync(QualityFilter filter, CancellationToken ct)
    {
        var versions = (await counts.RowsAsync(filter, QualitySplit.Model, ct)).Select(r => r.ModelVersion!).Distinct().ToList();
        var summaries = new List<VersionSummary>();
        foreach (var version in versions)
        {
            var versionFilter = filter with { ModelVersion = version };
            var first = await counts.FirstDayAsync(versionFilter, ct) ?? filter.From;
            summaries.Add(new VersionSummary(version, first, await SummarizeAsync(versionFilter, ct)));
        }
        return summaries.OrderBy(v => v.FirstDay).ThenBy(v => v.ModelVersion, StringComparer.Ordinal).ToList();
    }

    /// <summary>By day and model version: volume, override rate, auto accuracy and the confidence PSI against that version's reference.</summary>
    public async Task<QualitySeries> SeriesAsync(QualityFilter filter, CancellationToken ct, (DateTimeOffset From, DateTimeOffset To)? pinned = null)
    {
        var rows = await counts.RowsAsync(filter, QualitySplit.Day | QualitySplit.Model, ct);
        var points = new List<SeriesPoint>();
        foreach (var version in rows.GroupBy(r => r.ModelVersion!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var versionFilter = filter with { ModelVersion = version.Key };
            var reference = pinned ?? await ReferenceAsync(versionFilter, ct);
            var referenceRows = reference is var (from, to)
                ? await counts.RowsAsync(versionFilter with { From = from, To = to }, QualitySplit.None, ct)
                : [];
            foreach (var day in version.GroupBy(r => r.Day!.Value).OrderBy(g => g.Key))
            {
                long human = day.Sum(r => r.Human);
                points.Add(new SeriesPoint(day.Key, version.Key, day.Sum(r => r.Decided), day.Sum(r => r.Auto), human,
                    QualityFigures.Share(day.Sum(r => r.Overrides), human), QualityFigures.AutoAccuracy(day),
                    QualityFigures.ConfidencePsi(referenceRows, day)));
            }
        }
        return new QualitySeries(filter.From, filter.To, points.OrderBy(p => p.Day).ThenBy(p => p.ModelVersion, StringComparer.Ordinal).ToList());
    }

    /// <summary>The default reference: the first <see cref="ReferenceDays"/> days counted for the filter (period aside).</summary>
    public async Task<(DateTimeOffset From, DateTimeOffset To)?> ReferenceAsync(QualityFilter filter, CancellationToken ct) =>
        await counts.FirstDayAsync(filter, ct) is { } first ? (first, first + ReferenceDays) : null;
}
