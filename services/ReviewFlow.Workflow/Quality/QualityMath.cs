namespace ReviewFlow.Workflow.Quality;

/// <summary>A proportion k/n with its 95 % interval.</summary>
public sealed record Proportion(double Estimate, double Low, double High, long Samples);

/// <summary>One confidence band of the auto-routable traffic: its share of that traffic, and its QA samples (k agreed of n).</summary>
public sealed record Band(double TrafficShare, long Agreed, long Sampled);

/// <summary>One confidence bin of the reliability diagram: documents, their mean confidence, and how many a human agreed with.</summary>
public sealed record CalibrationBin(long Count, double MeanConfidence, long Agreed)
{
    public double Accuracy => Count == 0 ? 0 : (double)Agreed / Count;
}

/// <summary>
/// The statistics of the quality loop, as pure functions of counts (the slice aggregates, these compute): no store,
/// no clock. Each formula is in its summary; the tests carry hand computations.
/// </summary>
public static class QualityMath
{
    /// <summary>The normal quantile of a two-sided 95 % interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// k of n with the Wilson score interval (good at small n and near 0 or 1, where the normal approximation fails:
    /// 10 of 10 is not "100 % ± 0").
    /// </summary>
    public static Proportion Wilson(long k, long n, double z = Z95)
    {
        if (n <= 0) return new(0, 0, 1, 0);
        var p = (double)k / n;
        var z2 = z * z;
        var denominator = 1 + z2 / n;
        var center = (p + z2 / (2.0 * n)) / denominator;
        var margin = z * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
        return new(p, Math.Max(0, center - margin), Math.Min(1, center + margin), n);
    }

    /// <summary>
    /// The accuracy of what is auto-routed, estimated from QA samples stratified by confidence band: the estimate is the
    /// traffic-share-weighted k/n of the bands that have samples; the bounds are the share-weighted Wilson bounds, a band
    /// without samples counting as anywhere from 0 to 1 — so missing evidence widens the interval instead of hiding.
    /// </summary>
    public static Proportion Stratified(IReadOnlyList<Band> bands)
    {
        var total = bands.Sum(b => b.TrafficShare);
        var sampledShare = bands.Where(b => b.Sampled > 0).Sum(b => b.TrafficShare);
        if (total <= 0 || sampledShare <= 0) return new(0, 0, 1, 0);
        double estimate = 0, low = 0, high = 0;
        foreach (var b in bands)
        {
            var band = Wilson(b.Agreed, b.Sampled);
            if (b.Sampled > 0) estimate += b.TrafficShare / sampledShare * band.Estimate;
            low += b.TrafficShare / total * band.Low;
            high += b.TrafficShare / total * band.High;
        }
        return new(estimate, low, high, bands.Sum(b => b.Sampled));
    }

    /// <summary>Expected calibration error: Σ (n_b / N) · |accuracy_b − mean confidence_b| over the bins.</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<CalibrationBin> bins)
    {
        var total = bins.Sum(b => b.Count);
        if (total == 0) return 0;
        return bins.Where(b => b.Count > 0).Sum(b => (double)b.Count / total * Math.Abs(b.Accuracy - b.MeanConfidence));
    }

    /// <summary>
    /// The bin (0..bins−1) of a confidence in [0, 1]; 1.0 falls in the last bin. The nudge keeps a confidence on a bin's
    /// edge in that bin (0.29 × 100 is 28.999…96 in floating point).
    /// </summary>
    public static int Bin(double confidence, int bins = 10) => Math.Clamp((int)Math.Floor(confidence * bins + 1e-9), 0, bins - 1);

    /// <summary>
    /// Population stability index of a recent distribution against a reference, over the same categories (confidence
    /// bins, or labels): Σ (recent_i − reference_i) · ln(recent_i / reference_i), shares floored at 0.0001 so that an
    /// empty category counts instead of dividing by zero. Rule of thumb: &lt; 0.1 stable, 0.1–0.25 moving, &gt; 0.25 shifted.
    /// </summary>
    public static double PopulationStabilityIndex(IReadOnlyList<long> reference, IReadOnlyList<long> recent)
    {
        if (reference.Count != recent.Count) throw new ArgumentException("the two distributions need the same categories");
        const double floor = 0.0001;
        double referenceTotal = reference.Sum(), recentTotal = recent.Sum();
        if (referenceTotal == 0 || recentTotal == 0) return 0;
        double psi = 0;
        for (var i = 0; i < reference.Count; i++)
        {
            var e = Math.Max(reference[i] / referenceTotal, floor);
            var a = Math.Max(recent[i] / recentTotal, floor);
            psi += (a - e) * Math.Log(a / e);
        }
        return psi;
    }

    /// <summary>
    /// Cohen's kappa of two raters who each gave one label per item: (p_o − p_e) / (1 − p_e), p_o the share they agree
    /// on, p_e the agreement expected by chance from each rater's own label shares. 1 when both always agree on a
    /// single label (nothing to disagree about).
    /// </summary>
    public static double CohensKappa(IReadOnlyList<(string First, string Second)> pairs)
    {
        if (pairs.Count == 0) return 0;
        double n = pairs.Count;
        var observed = pairs.Count(p => p.First == p.Second) / n;
        var first = pairs.GroupBy(p => p.First).ToDictionary(g => g.Key, g => g.Count() / n);
        var second = pairs.GroupBy(p => p.Second).ToDictionary(g => g.Key, g => g.Count() / n);
        var expected = first.Sum(f => f.Value * second.GetValueOrDefault(f.Key));
        return expected >= 1 ? 1 : (observed - expected) / (1 - expected);
    }
}
