using System.Globalization;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Quality;

/// <summary>The limits a quality alarm checks (<see cref="QualityLimits"/>), as they appear in alerts and the API.</summary>
public static class QualityMetrics
{
    public const string Psi = "psi";
    public const string LabelPsi = "label-psi";
    public const string AutoAccuracy = "auto-accuracy";
    public const string OverrideRate = "override-rate";
}

/// <summary>
/// One limit read for one model version of one type. Judged: enough evidence to say (at least MinSamples decisions, and
/// for drift a reference window that ends before the recent one starts); only a judged reading raises or clears.
/// </summary>
public sealed record AlarmReading(string Metric, string ModelVersion, double? Value, double Limit, long Samples, bool Judged, bool Breached)
{
    /// <summary>Plain words for alerts, mails and the banner.</summary>
    public string Describe(string documentType) => Metric switch
    {
        QualityMetrics.AutoAccuracy =>
            $"{documentType} ({ModelVersion}): the auto-routed accuracy could be as low as {P(Value)} (95 % lower bound, {Samples} QA samples), under the limit {P(Limit)}",
        QualityMetrics.OverrideRate =>
            $"{documentType} ({ModelVersion}): reviewers changed {P(Value)} of {Samples} confident documents, over the limit {P(Limit)}",
        QualityMetrics.Psi =>
            $"{documentType} ({ModelVersion}): the confidence distribution shifted (PSI {F(Value)}, limit {F(Limit)})",
        QualityMetrics.LabelPsi =>
            $"{documentType} ({ModelVersion}): the predicted labels shifted (PSI {F(Value)}, limit {F(Limit)})",
        _ => $"{documentType} ({ModelVersion}): {Metric} {F(Value)} against {F(Limit)}",
    };

    static string P(double? v) => v is { } x ? (x * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "n/a";
    static string F(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
}

/// <summary>
/// The alarm rules as pure functions of counted rows: what the recurring job (<see cref="QualityAlarmJob"/>) judges for one
/// model version of one document type over the recent window.
/// </summary>
public static class QualityAlarmRules
{
    /// <param name="recent">The window's rows of one type and model version, split by label.</param>
    /// <param name="reference">The reference window's rows (split by label), or null when there is none to compare with yet.</param>
    public static IReadOnlyList<AlarmReading> Judge(DocumentTypePolicy type, string modelVersion, IReadOnlyCollection<QualityRow> recent,
        IReadOnlyCollection<QualityRow>? reference)
    {
        var limits = type.Alarms;
        var readings = new List<AlarmReading>();
        var decided = recent.Sum(r => r.Decided);
        if (limits.MaxPsi is { } maxPsi)
        {
            var judged = reference is not null && decided >= limits.MinSamples && reference.Sum(r => r.Decided) >= limits.MinSamples;
            var psi = judged ? QualityFigures.ConfidencePsi(reference!, recent) : null;
            var labelPsi = judged ? QualityFigures.LabelPsi(reference!, recent) : null;
            readings.Add(new(QualityMetrics.Psi, modelVersion, psi, maxPsi, decided, psi is not null, psi > maxPsi));
            readings.Add(new(QualityMetrics.LabelPsi, modelVersion, labelPsi, maxPsi, decided, labelPsi is not null, labelPsi > maxPsi));
        }
        if (limits.MinAutoAccuracy is { } minAccuracy)
        {
            var accuracy = QualityFigures.AutoAccuracy(recent);
            var judged = accuracy.Samples >= limits.MinSamples;
            readings.Add(new(QualityMetrics.AutoAccuracy, modelVersion, judged ? accuracy.Low : null, minAccuracy, accuracy.Samples, judged,
                judged && accuracy.Low < minAccuracy));
        }
        if (limits.MaxOverrideRate is { } maxOverride)
        {
            // Human decisions of documents confident enough to be auto-routed by the type's (or the label's) threshold.
            var band = recent.Where(r => r.Bin >= FirstAutoBin(type, r.Label)).ToList();
            long human = band.Sum(r => r.Human), overrides = band.Sum(r => r.Overrides);
            var judged = human >= limits.MinSamples;
            var rate = QualityFigures.Share(overrides, human);
            readings.Add(new(QualityMetrics.OverrideRate, modelVersion, judged ? rate : null, maxOverride, human, judged, judged && rate > maxOverride));
        }
        return readings;
    }

    /// <summary>The first percentile bin whose lowest confidence reaches the threshold (a threshold inside a bin leaves that bin out).</summary>
    public static int FirstAutoBin(DocumentTypePolicy type, string? label)
    {
        var threshold = label is not null && type.LabelThresholds.TryGetValue(label, out var t) ? t : type.Threshold;
        return (int)Math.Ceiling(threshold * QualityCounter.Bins - 1e-9);
    }
}
