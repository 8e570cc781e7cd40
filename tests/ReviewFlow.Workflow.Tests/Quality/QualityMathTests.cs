using ReviewFlow.Workflow.Quality;

namespace ReviewFlow.Workflow.Tests.Quality;

/// <summary>The quality loop's statistics on small cases computed by hand (each comment carries the computation).</summary>
public sealed class QualityMathTests
{
    const double Close = 0.0005;

    [Fact]
    public void Nine_of_ten_is_ninety_percent_with_a_Wilson_interval_from_0_596_to_0_982()
    {
        // p = 0.9, z² = 3.8415, d = 1 + z²/n = 1.38415; centre = (p + z²/2n) / d = 1.09208 / 1.38415 = 0.78899;
        // margin = z·√(p(1−p)/n + z²/4n²) / d = 1.96·√(0.009 + 0.0096) / 1.38415 = 0.19314 → [0.5958, 0.9821].
        var w = QualityMath.Wilson(9, 10);
        Assert.Equal(0.9, w.Estimate, Close);
        Assert.Equal(0.5958, w.Low, Close);
        Assert.Equal(0.9821, w.High, Close);
        Assert.Equal(10, w.Samples);
    }

    [Fact]
    public void Ten_of_ten_is_not_certainty_the_lower_bound_is_0_722()
    {
        // p = 1: centre = (1 + 0.19208) / 1.38415 = 0.86123, margin = 1.96·√(0.0096) / 1.38415 = 0.13877 → [0.7225, 1].
        var w = QualityMath.Wilson(10, 10);
        Assert.Equal(0.7225, w.Low, Close);
        Assert.Equal(1.0, w.High, Close);
    }

    [Fact]
    public void No_samples_says_nothing_is_known() =>
        Assert.Equal(new Proportion(0, 0, 1, 0), QualityMath.Wilson(0, 0));

    [Fact]
    public void The_stratified_estimate_weights_each_band_by_its_share_of_traffic()
    {
        // Band 0.95–1.00: 75 % of traffic, 48 of 50 samples agreed (0.96, Wilson [0.8654, 0.9890]);
        // band 0.90–0.95: 25 %, 18 of 20 (0.90, Wilson [0.6990, 0.9721]).
        // Estimate 0.75·0.96 + 0.25·0.90 = 0.945; low 0.75·0.8654 + 0.25·0.6990 = 0.8238; high 0.75·0.9890 + 0.25·0.9721 = 0.9848.
        var s = QualityMath.Stratified([new Band(0.75, 48, 50), new Band(0.25, 18, 20)]);
        Assert.Equal(0.945, s.Estimate, Close);
        Assert.Equal(0.8238, s.Low, Close);
        Assert.Equal(0.9848, s.High, Close);
        Assert.Equal(70, s.Samples);
    }

    [Fact]
    public void A_band_without_samples_widens_the_interval_instead_of_being_left_out()
    {
        // 60 % of traffic sampled 48/50 (Wilson [0.8654, 0.9890]), 40 % never sampled (anywhere in [0, 1]):
        // estimate 0.96 (of what was sampled); low 0.6·0.8654 + 0.4·0 = 0.5192; high 0.6·0.9890 + 0.4·1 = 0.9934.
        var s = QualityMath.Stratified([new Band(0.6, 48, 50), new Band(0.4, 0, 0)]);
        Assert.Equal(0.96, s.Estimate, Close);
        Assert.Equal(0.5192, s.Low, Close);
        Assert.Equal(0.9934, s.High, Close);
    }

    [Fact]
    public void The_calibration_error_weights_each_bins_gap_by_its_share_of_documents()
    {
        // 10 documents at mean confidence 0.95, 9 agreed (0.90): gap 0.05; 30 at 0.55, 12 agreed (0.40): gap 0.15.
        // ECE = 10/40·0.05 + 30/40·0.15 = 0.0125 + 0.1125 = 0.125.
        var ece = QualityMath.ExpectedCalibrationError([new CalibrationBin(10, 0.95, 9), new CalibrationBin(30, 0.55, 12), new CalibrationBin(0, 0, 0)]);
        Assert.Equal(0.125, ece, 1e-9);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.099, 0)]
    [InlineData(0.95, 9)]
    [InlineData(1.0, 9)]
    public void Confidences_fall_in_ten_bins_and_certainty_in_the_last(double confidence, int bin) =>
        Assert.Equal(bin, QualityMath.Bin(confidence));

    [Fact]
    public void A_confidence_on_a_percentile_edge_falls_in_the_bin_it_starts() =>
        Assert.Equal(29, QualityMath.Bin(0.29, 100)); // 0.29 × 100 = 28.999999999999996

    [Fact]
    public void A_shifted_distribution_has_a_population_stability_index_near_a_quarter()
    {
        // Reference shares 0.5 / 0.3 / 0.2, recent 0.3 / 0.3 / 0.4:
        // (0.3−0.5)·ln(0.3/0.5) + 0 + (0.4−0.2)·ln(0.4/0.2) = 0.10217 + 0.13863 = 0.24079.
        Assert.Equal(0.24079, QualityMath.PopulationStabilityIndex([50, 30, 20], [30, 30, 40]), Close);
    }

    [Fact]
    public void The_same_distribution_is_stable() =>
        Assert.Equal(0, QualityMath.PopulationStabilityIndex([50, 30, 20], [500, 300, 200]), 1e-12);

    [Fact]
    public void A_category_the_reference_never_had_counts_heavily_instead_of_dividing_by_zero()
    {
        // Reference 100 / 0 (floored to 0.0001), recent 50 / 50:
        // (0.5−1)·ln(0.5) + (0.5−0.0001)·ln(0.5/0.0001) = 0.34657 + 0.4999·8.51719 = 4.60432.
        Assert.Equal(4.60432, QualityMath.PopulationStabilityIndex([100, 0], [50, 50]), Close);
    }

    [Fact]
    public void Two_reviewers_agreeing_on_seven_of_ten_where_chance_gives_half_have_a_kappa_of_0_4()
    {
        // 20 pairs: A/A 8, B/B 6, A/B 4, B/A 2. Observed agreement 14/20 = 0.7. First rater A 12/20, B 8/20; second A 10/20,
        // B 10/20; chance 0.6·0.5 + 0.4·0.5 = 0.5. Kappa = (0.7 − 0.5) / (1 − 0.5) = 0.4.
        var pairs = Enumerable.Repeat(("A", "A"), 8).Concat(Enumerable.Repeat(("B", "B"), 6))
            .Concat(Enumerable.Repeat(("A", "B"), 4)).Concat(Enumerable.Repeat(("B", "A"), 2)).ToList();
        Assert.Equal(0.4, QualityMath.CohensKappa(pairs), 1e-9);
    }

    [Fact]
    public void Reviewers_who_always_agree_on_the_one_label_there_is_have_a_kappa_of_1() =>
        Assert.Equal(1, QualityMath.CohensKappa([("A", "A"), ("A", "A")]));

    [Fact]
    public void Labels_the_reference_never_saw_are_named_and_a_volume_is_per_day()
    {
        static QualityRow Row(string label, long decided) => new(null, null, label, 95, decided, decided, 0, 0, 0, 0, 0, 0, 0);

        var newLabels = QualityFigures.NewLabels([Row("utilities", 40), Row("travel", 0)], [Row("utilities", 5), Row("travel", 3), Row("crypto", 1)]);

        // travel had a row but no decision in the reference: new as well.
        Assert.Equal(["crypto", "travel"], newLabels);
        // 36 decisions over a day and a half: 24 a day.
        var from = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(24, QualityFigures.PerDay(36, from, from.AddHours(36)));
    }
}
