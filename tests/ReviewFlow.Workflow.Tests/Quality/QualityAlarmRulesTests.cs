using ReviewFlow.Workflow.Quality;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Tests.Quality;

/// <summary>The alarm rules on small counted histories, the expected figures computed by hand in the comments.</summary>
public sealed class QualityAlarmRulesTests
{
    static readonly DocumentTypePolicy Invoice = new()
    {
        Threshold = 0.90,
        ReviewerGroup = "ap-reviewers",
        LabelThresholds = new Dictionary<string, double> { ["utilities"] = 0.70 },
        Alarms = new QualityLimits { MaxPsi = 0.25, MinAutoAccuracy = 0.90, MaxOverrideRate = 0.10, MinSamples = 10 },
    };

    /// <summary>A row of one label and percentile bin.</summary>
    static QualityRow Row(string label, int bin, long decided = 0, long auto = 0, long human = 0, long agreed = 0, long corrected = 0,
        long qaDecided = 0, long qaAgreed = 0) =>
        new(null, "v2", label, bin, decided, auto, human, agreed, corrected, 0, qaDecided, qaAgreed, 0);

    static AlarmReading Reading(IReadOnlyList<AlarmReading> readings, string metric) => readings.Single(r => r.Metric == metric);

    [Fact]
    public void Twenty_qa_samples_with_four_wrong_breach_the_accuracy_and_override_limits()
    {
        // Bin 95 (band 0.9–1.0): 80 auto-routed + 20 QA samples, 16 agreed, 4 corrected.
        IReadOnlyCollection<QualityRow> recent = [Row("telecom", 95, decided: 100, auto: 80, human: 20, agreed: 16, corrected: 4, qaDecided: 20, qaAgreed: 16)];

        var readings = QualityAlarmRules.Judge(Invoice, "v2", recent, reference: null);

        // Wilson 16/20: p = 0.8, z² = 3.8415, denominator 1.19207, centre (0.8 + 0.09604)/1.19207 = 0.75169,
        // margin 1.96·√(0.008 + 0.0024009)/1.19207 = 0.16770: lower bound 0.5840 < 0.90.
        var accuracy = Reading(readings, QualityMetrics.AutoAccuracy);
        Assert.True(accuracy is { Judged: true, Breached: true, Samples: 20 });
        Assert.Equal(0.5840, accuracy.Value!.Value, 3);
        // Override rate in the auto-routable band (bin 95 ≥ 90): 4 of 20 = 0.2 > 0.10.
        var overrides = Reading(readings, QualityMetrics.OverrideRate);
        Assert.Equal((true, true, 0.2, 20L), (overrides.Judged, overrides.Breached, overrides.Value, overrides.Samples));
        // No reference window yet: drift is not judged.
        Assert.False(Reading(readings, QualityMetrics.Psi).Judged);
        Assert.Contains("could be as low as 58.4 %", accuracy.Describe("invoice"));
    }

    [Fact]
    public void Fewer_samples_than_the_minimum_judge_nothing_however_bad_they_look()
    {
        // 9 QA samples, all corrected: below MinSamples = 10.
        IReadOnlyCollection<QualityRow> recent = [Row("telecom", 95, decided: 9, human: 9, corrected: 9, qaDecided: 9)];

        var readings = QualityAlarmRules.Judge(Invoice, "v2", recent, reference: null);

        Assert.All(readings, r => Assert.False(r.Judged || r.Breached));
    }

    [Fact]
    public void The_override_band_starts_at_each_labels_own_threshold()
    {
        // utilities (threshold 0.70): bin 75 is in the band; telecom (0.90): bin 75 is not, bin 92 is.
        // In the band: utilities 10 human, 1 changed + telecom 10 human, 0 changed = 1/20 = 0.05 ≤ 0.10.
        IReadOnlyCollection<QualityRow> recent =
        [
            Row("utilities", 75, decided: 10, human: 10, agreed: 9, corrected: 1),
            Row("telecom", 75, decided: 30, human: 30, agreed: 10, corrected: 20),
            Row("telecom", 92, decided: 10, human: 10, agreed: 10),
        ];

        var overrides = Reading(QualityAlarmRules.Judge(Invoice, "v2", recent, reference: null), QualityMetrics.OverrideRate);

        Assert.Equal((20L, 0.05, false), (overrides.Samples, overrides.Value, overrides.Breached));
        Assert.Equal(70, QualityAlarmRules.FirstAutoBin(Invoice, "utilities"));
        Assert.Equal(90, QualityAlarmRules.FirstAutoBin(Invoice, "telecom"));
        Assert.Equal(91, QualityAlarmRules.FirstAutoBin(Invoice with { Threshold = 0.905 }, "telecom"));
    }

    [Fact]
    public void A_confidence_distribution_that_moved_down_a_band_breaches_the_psi_limit()
    {
        // Reference: 50 in band 0.9 (bin 95), 50 in band 0.8 (bin 85). Recent: 10 in band 0.9, 90 in band 0.8; shares
        // 0.5/0.5 → 0.1/0.9: PSI = (0.1 − 0.5)·ln(0.1/0.5) + (0.9 − 0.5)·ln(0.9/0.5) = 0.6438 + 0.2351 = 0.8789 > 0.25.
        IReadOnlyCollection<QualityRow> reference = [Row("telecom", 95, decided: 50), Row("telecom", 85, decided: 50)];
        IReadOnlyCollection<QualityRow> recent = [Row("telecom", 95, decided: 10), Row("telecom", 85, decided: 90)];

        var readings = QualityAlarmRules.Judge(Invoice, "v2", recent, reference);

        var psi = Reading(readings, QualityMetrics.Psi);
        Assert.True(psi is { Judged: true, Breached: true });
        Assert.Equal(0.8789, psi.Value!.Value, 4);
        // One label on both sides: the label distribution did not move.
        Assert.Equal((true, false, 0.0), (Reading(readings, QualityMetrics.LabelPsi).Judged, Reading(readings, QualityMetrics.LabelPsi).Breached,
            Reading(readings, QualityMetrics.LabelPsi).Value));
    }

    [Fact]
    public void A_limit_left_empty_is_not_checked()
    {
        var lenient = Invoice with { Alarms = new QualityLimits { MaxPsi = null, MinAutoAccuracy = null, MaxOverrideRate = null } };

        Assert.Empty(QualityAlarmRules.Judge(lenient, "v2", [Row("telecom", 95, decided: 100, human: 100, corrected: 100)], null));
    }

    [Fact]
    public void The_alerts_stream_folds_into_open_and_cleared_alerts_with_their_fallback()
    {
        var at = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        var alerts = QualityAlertLog.Fold(
        [
            new ModelQualityAlertRaised(a, "invoice", "v2", QualityMetrics.OverrideRate, 0.5, 0.2, 6, at.Date, at, "too many changes", "system", at),
            new ModelQualityAlertRaised(b, "invoice", "v2", QualityMetrics.AutoAccuracy, 0.19, 0.9, 6, at.Date, at, "accuracy", "system", at.AddSeconds(1)),
            new ModelQualityFallbackAdopted(a, "invoice", 4, "system", at.AddSeconds(2)),
            new ModelQualityFallbackAdopted(b, "invoice", 4, "system", at.AddSeconds(2)),
            new ModelQualityAlertCleared(a, "invoice", QualityMetrics.OverrideRate, 0.1, "back", "system", at.AddHours(1)),
        ]);

        Assert.Equal([b, a], alerts.Select(x => x.AlertId));
        Assert.Equal((false, 4, "back"), (alerts[1].Open, alerts[1].FallbackPolicyVersion, alerts[1].ClearedMessage));
        Assert.Equal((true, 4), (alerts[0].Open, alerts[0].FallbackPolicyVersion));
    }
}
