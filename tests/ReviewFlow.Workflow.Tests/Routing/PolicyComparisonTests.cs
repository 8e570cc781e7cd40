using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Tests.Routing;

/// <summary>A policy change that changes nothing is refused; this is how "nothing" is told apart.</summary>
public sealed class PolicyComparisonTests
{
    static RoutingPolicy Policy(int version, double invoice, params (string Label, double Threshold)[] labels) => new()
    {
        Version = version,
        QaSampleRate = 0.05,
        AlwaysReviewLabels = ["legal-hold"],
        DocumentTypes = new Dictionary<string, DocumentTypePolicy>
        {
            ["invoice"] = new() { Threshold = invoice, ReviewerGroup = "ap-reviewers",
                LabelThresholds = labels.ToDictionary(l => l.Label, l => l.Threshold) },
            ["claim"] = new() { Threshold = 0.85, ReviewerGroup = "claims-reviewers", Sla = TimeSpan.FromHours(4) },
        },
    };

    [Fact]
    public void The_same_rules_under_another_version_number_are_the_same() =>
        Assert.True(Policy(3, 0.9).SameRulesAs(Policy(7, 0.9)));

    [Fact]
    public void The_same_rules_with_keys_in_another_order_are_the_same() =>
        Assert.True(Policy(1, 0.9, ("utilities", 0.8), ("telecom", 0.7)).SameRulesAs(Policy(1, 0.9, ("telecom", 0.7), ("utilities", 0.8))));

    [Fact]
    public void One_threshold_changed_is_a_change() =>
        Assert.False(Policy(1, 0.9).SameRulesAs(Policy(1, 0.85)));

    [Fact]
    public void A_label_threshold_added_is_a_change() =>
        Assert.False(Policy(1, 0.9).SameRulesAs(Policy(1, 0.9, ("utilities", 0.8))));

    [Fact]
    public void The_kill_switch_thrown_is_a_change() =>
        Assert.False(Policy(1, 0.9).SameRulesAs(Policy(1, 0.9) with { KillSwitch = true }));
}
