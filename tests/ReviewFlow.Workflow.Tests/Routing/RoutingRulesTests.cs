using ReviewFlow.Workflow.Routing;
using static ReviewFlow.Workflow.Tests.TestSupport.TestData;

namespace ReviewFlow.Workflow.Tests.Routing;

public sealed class RoutingRulesTests
{
    [Theory]
    [InlineData("invoice", 0.90)]
    [InlineData("contract", 0.95)]
    [InlineData("claim", 0.85)]
    public void Confidence_equal_to_the_threshold_routes_automatically(string documentType, double threshold)
    {
        var decision = RoutingRules.Decide(TestPolicy(), Classified(documentType: documentType, label: "other", confidence: threshold));

        Assert.Equal(Route.Auto, decision.Route);
        Assert.Equal(RoutingRules.AboveThreshold, decision.Rule);
        Assert.Equal(threshold, decision.Threshold);
    }

    [Theory]
    [InlineData("invoice", 0.90, "ap-reviewers")]
    [InlineData("contract", 0.95, "legal-reviewers")]
    [InlineData("claim", 0.85, "claims-reviewers")]
    public void Confidence_just_below_the_threshold_goes_to_the_types_reviewers(string documentType, double threshold, string group)
    {
        var decision = RoutingRules.Decide(TestPolicy(), Classified(documentType: documentType, label: "other", confidence: threshold - 1e-9));

        Assert.Equal(Route.Review, decision.Route);
        Assert.Equal(RoutingRules.BelowThreshold, decision.Rule);
        Assert.Equal(threshold, decision.Threshold);
        Assert.Equal(group, decision.ReviewerGroup);
    }

    [Fact]
    public void A_label_threshold_lower_than_the_types_routes_automatically_what_the_type_would_review()
    {
        // invoice 0.90, but utilities 0.70
        var decision = RoutingRules.Decide(TestPolicy(), Classified(label: "utilities", confidence: 0.70));

        Assert.Equal(Route.Auto, decision.Route);
        Assert.Equal(RoutingRules.LabelAboveThreshold, decision.Rule);
        Assert.Equal(0.70, decision.Threshold);
    }

    [Fact]
    public void Below_a_label_threshold_goes_to_review_by_the_label_rule()
    {
        var decision = RoutingRules.Decide(TestPolicy(), Classified(label: "utilities", confidence: 0.69));

        Assert.Equal(Route.Review, decision.Route);
        Assert.Equal(RoutingRules.LabelBelowThreshold, decision.Rule);
        Assert.Equal(0.70, decision.Threshold);
    }

    [Fact]
    public void A_label_threshold_higher_than_the_types_reviews_what_the_type_would_route()
    {
        // invoice 0.90, but legal-fees 0.99
        var decision = RoutingRules.Decide(TestPolicy(), Classified(label: "legal-fees", confidence: 0.95));

        Assert.Equal(Route.Review, decision.Route);
        Assert.Equal(RoutingRules.LabelBelowThreshold, decision.Rule);
        Assert.Equal(0.99, decision.Threshold);
    }

    [Fact]
    public void A_label_threshold_of_another_document_type_does_not_apply()
    {
        // utilities has 0.70 for invoices only; claims keep 0.85
        var decision = RoutingRules.Decide(TestPolicy(), Classified(documentType: "claim", label: "utilities", confidence: 0.80));

        Assert.Equal(Route.Review, decision.Route);
        Assert.Equal(RoutingRules.BelowThreshold, decision.Rule);
        Assert.Equal(0.85, decision.Threshold);
    }

    [Theory]
    [InlineData("legal-hold")]
    [InlineData("LEGAL-HOLD")]
    [InlineData("Legal-Hold")]
    public void An_always_review_label_is_reviewed_whatever_the_confidence_and_case(string label)
    {
        var decision = RoutingRules.Decide(TestPolicy(), Classified(label: label, confidence: 1.0));

        Assert.Equal(Route.Review, decision.Route);
        Assert.Equal(RoutingRules.AlwaysReviewLabel, decision.Rule);
        Assert.Equal("ap-reviewers", decision.ReviewerGroup);
    }

    [Theory]
    [InlineData("telecom", 1.0)]
    [InlineData("legal-hold", 1.0)]
    [InlineData("telecom", 0.1)]
    [InlineData("utilities", 0.99)]
    public void The_kill_switch_sends_everything_to_review(string label, double confidence)
    {
        var decision = RoutingRules.Decide(TestPolicy(qaSampleRate: 1.0, killSwitch: true), Classified(label: label, confidence: confidence));

        Assert.Equal(Route.Review, decision.Route);
        Assert.Equal(RoutingRules.KillSwitch, decision.Rule);
    }

    [Fact]
    public void With_a_zero_QA_rate_nothing_confident_is_sampled()
    {
        var policy = TestPolicy(qaSampleRate: 0);

        var reviewed = Enumerable.Range(0, 2000)
            .Select(i => RoutingRules.Decide(policy, Classified(documentId: $"INV-{i}", confidence: 0.99)))
            .Count(d => d.Route == Route.Review);

        Assert.Equal(0, reviewed);
    }

    [Fact]
    public void With_a_QA_rate_of_one_everything_confident_is_sampled()
    {
        var policy = TestPolicy(qaSampleRate: 1.0);

        var decisions = Enumerable.Range(0, 2000)
            .Select(i => RoutingRules.Decide(policy, Classified(documentId: $"INV-{i}", confidence: 0.99)))
            .ToList();

        Assert.All(decisions, d =>
        {
            Assert.Equal(Route.Review, d.Route);
            Assert.Equal(RoutingRules.QaSample, d.Rule);
            Assert.Equal("ap-reviewers", d.ReviewerGroup);
        });
    }

    [Fact]
    public void The_QA_sample_does_not_hide_why_an_unsure_item_is_reviewed()
    {
        var decision = RoutingRules.Decide(TestPolicy(qaSampleRate: 1.0), Classified(confidence: 0.5));

        Assert.Equal(RoutingRules.BelowThreshold, decision.Rule);
    }

    [Fact]
    public void A_QA_rate_of_a_tenth_samples_about_a_tenth_of_confident_items()
    {
        var policy = TestPolicy(qaSampleRate: 0.1);
        const int n = 10_000;

        var sampled = Enumerable.Range(0, n)
            .Select(i => RoutingRules.Decide(policy, Classified(documentId: $"INV-2026-{i:D6}", confidence: 0.99)))
            .Count(d => d.Rule == RoutingRules.QaSample);

        var share = sampled / (double)n;
        Assert.InRange(share, 0.08, 0.12);
    }

    [Fact]
    public void The_same_document_id_always_decides_the_same_way()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => $"DOC-{i}").ToList();

        // A fresh policy object each time, as after a restart or a replay.
        var first = ids.Select(id => RoutingRules.Decide(TestPolicy(qaSampleRate: 0.5), Classified(documentId: id, confidence: 0.99))).ToList();
        var second = ids.Select(id => RoutingRules.Decide(TestPolicy(qaSampleRate: 0.5), Classified(documentId: id, confidence: 0.99))).ToList();

        Assert.Equal(first, second);
        // Both routes occur, so the comparison above is not trivially between identical constants.
        Assert.Contains(first, d => d.Route == Route.Auto);
        Assert.Contains(first, d => d.Route == Route.Review);
    }

    [Fact]
    public void The_sample_fraction_is_a_stable_number_in_zero_to_one()
    {
        var fractions = Enumerable.Range(0, 1000).Select(i => RoutingRules.SampleFraction($"DOC-{i}")).ToList();

        Assert.All(fractions, f => Assert.InRange(f, 0.0, 0.9999999999));
        Assert.Equal(fractions, Enumerable.Range(0, 1000).Select(i => RoutingRules.SampleFraction($"DOC-{i}")));
        Assert.True(fractions.Distinct().Count() > 990);
    }

    [Fact]
    public void The_decision_carries_the_policy_version_and_reviewer_group()
    {
        var policy = TestPolicy() with { Version = 42 };

        var auto = RoutingRules.Decide(policy, Classified(documentType: "contract", confidence: 0.99));
        var review = RoutingRules.Decide(policy, Classified(documentType: "contract", confidence: 0.5));

        Assert.Equal(new RoutingDecision(Route.Auto, RoutingRules.AboveThreshold, 0.95, 42, "legal-reviewers"), auto);
        Assert.Equal(new RoutingDecision(Route.Review, RoutingRules.BelowThreshold, 0.95, 42, "legal-reviewers"), review);
    }

    [Fact]
    public void A_policy_knows_only_its_document_types()
    {
        var policy = TestPolicy();

        Assert.True(policy.Knows("invoice"));
        Assert.False(policy.Knows("receipt"));
    }

    [Fact]
    public void A_types_kill_switch_sends_even_its_most_confident_documents_to_review_with_the_reason_and_leaves_other_types_alone()
    {
        var policy = TestPolicy();
        policy = policy with
        {
            DocumentTypes = new Dictionary<string, DocumentTypePolicy>(policy.DocumentTypes)
            {
                ["invoice"] = policy.DocumentTypes["invoice"] with { KillSwitch = true, KillSwitchReason = "Quality alarm: drift" },
            },
        };

        var invoice = RoutingRules.Decide(policy, Classified(confidence: 0.999));
        var claim = RoutingRules.Decide(policy, Classified(documentType: "claim", label: "other", confidence: 0.999));

        Assert.Equal((Route.Review, RoutingRules.TypeKillSwitch, "Quality alarm: drift"), (invoice.Route, invoice.Rule, invoice.Detail));
        Assert.Equal(Route.Auto, claim.Route);
        Assert.Equal("Every document of this type goes to review: Quality alarm: drift",
            RoutingRules.Explain(invoice.Rule, 0.999, invoice.Threshold, invoice.Detail));
    }

    [Theory]
    [InlineData(RoutingRules.BelowThreshold, 0.5764, 0.9, "Below the threshold: 0.576 < 0.90")]
    [InlineData(RoutingRules.LabelBelowThreshold, 0.61, 0.7, "Below the label's threshold: 0.610 < 0.70")]
    [InlineData(RoutingRules.QaSample, 0.97, 0.9, "Quality check: a random sample of confident documents is reviewed")]
    [InlineData(RoutingRules.AlwaysReviewLabel, 0.97, 0.9, "This label always goes to review")]
    public void Why_a_document_is_in_review_reads_as_a_sentence(string rule, double confidence, double threshold, string expected) =>
        Assert.Equal(expected, RoutingRules.Explain(rule, confidence, threshold, null));
}
