using Microsoft.Extensions.Configuration;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Routing;
using static ReviewFlow.Workflow.Tests.TestSupport.TestData;

namespace ReviewFlow.Workflow.Tests.Routing;

/// <summary>The worker's shipped appsettings.json binds to the routing policy it adopts at first start.</summary>
public sealed class RoutingPolicyConfigurationTests
{
    static string WorkerAppSettings()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ReviewFlow.sln"))) dir = dir.Parent;
        Assert.True(dir is not null, $"no ReviewFlow.sln above {AppContext.BaseDirectory}");
        var path = Path.Combine(dir.FullName, "services", "ReviewFlow.Worker", "appsettings.json");
        Assert.True(File.Exists(path), $"{path} is missing");
        return path;
    }

    static IConfiguration WorkerConfiguration() =>
        new ConfigurationBuilder().AddJsonFile(WorkerAppSettings(), optional: false, reloadOnChange: false).Build();

    static RoutingPolicy ConfiguredPolicy() =>
        WorkerConfiguration().GetSection("Routing").Get<RoutingPolicy>()
        ?? throw new Xunit.Sdk.XunitException("the Routing section is missing");

    [Fact]
    public void The_default_policy_names_the_three_document_types_with_their_thresholds_and_reviewers()
    {
        var policy = ConfiguredPolicy();

        Assert.Equal(["claim", "contract", "invoice"], policy.DocumentTypes.Keys.Order());

        var invoice = policy.DocumentTypes["invoice"];
        Assert.Equal(0.90, invoice.Threshold);
        Assert.Equal("ap-reviewers", invoice.ReviewerGroup);
        Assert.False(invoice.FourEyes);

        var contract = policy.DocumentTypes["contract"];
        Assert.Equal(0.95, contract.Threshold);
        Assert.Equal("legal-reviewers", contract.ReviewerGroup);
        Assert.True(contract.FourEyes);

        var claim = policy.DocumentTypes["claim"];
        Assert.Equal(0.85, claim.Threshold);
        Assert.Equal("claims-reviewers", claim.ReviewerGroup);
        Assert.False(claim.FourEyes);

        Assert.All(policy.DocumentTypes.Values, t => Assert.Empty(t.LabelThresholds));
    }

    [Fact]
    public void Invoices_and_claims_fall_back_to_review_when_reviewers_change_too_many_confident_documents_and_contracts_only_warn_of_drift()
    {
        var policy = ConfiguredPolicy();

        foreach (var type in new[] { "invoice", "claim" })
            Assert.Equal(new QualityLimits { MaxPsi = 0.25, MaxOverrideRate = 0.15, MinSamples = 30, FallbackOnAlert = true },
                policy.DocumentTypes[type].Alarms);
        Assert.Equal(new QualityLimits(), policy.DocumentTypes["contract"].Alarms);
        Assert.Equal((0.25, false), (policy.DocumentTypes["contract"].Alarms.MaxPsi, policy.DocumentTypes["contract"].Alarms.FallbackOnAlert));
        Assert.All(policy.DocumentTypes.Values, t => Assert.False(t.KillSwitch));
    }

    [Fact]
    public void The_default_policy_samples_two_percent_and_always_reviews_legal_holds()
    {
        var policy = ConfiguredPolicy();

        Assert.Equal(0.02, policy.QaSampleRate);
        Assert.Equal(["legal-hold"], policy.AlwaysReviewLabels);
        Assert.False(policy.KillSwitch);
        // The version is assigned when the policy is adopted, not configured.
        Assert.Equal(0, policy.Version);
    }

    [Fact]
    public void The_configured_policy_routes_as_documented()
    {
        var policy = ConfiguredPolicy();

        Assert.Equal(RoutingRules.AlwaysReviewLabel,
            RoutingRules.Decide(policy, Classified(label: "Legal-Hold", confidence: 1.0)).Rule);
        Assert.Equal(RoutingRules.BelowThreshold,
            RoutingRules.Decide(policy, Classified(documentType: "contract", confidence: 0.94)).Rule);
        Assert.Equal("claims-reviewers",
            RoutingRules.Decide(policy, Classified(documentType: "claim", confidence: 0.5)).ReviewerGroup);
    }

    [Fact]
    public void The_default_claim_lease_is_five_minutes()
    {
        var options = WorkerConfiguration().GetSection("Review").Get<ReviewOptions>();

        Assert.NotNull(options);
        Assert.Equal(TimeSpan.FromMinutes(5), options.ClaimLease);
    }

    [Fact]
    public void Label_thresholds_and_the_kill_switch_bind_from_configuration()
    {
        var config = new ConfigurationBuilder()
            .AddJsonFile(WorkerAppSettings(), optional: false, reloadOnChange: false)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Routing:KillSwitch"] = "true",
                ["Routing:DocumentTypes:invoice:LabelThresholds:utilities"] = "0.7",
                ["Routing:AlwaysReviewLabels:1"] = "fraud-suspected",
            })
            .Build();

        var policy = config.GetSection("Routing").Get<RoutingPolicy>()!;

        Assert.True(policy.KillSwitch);
        Assert.Equal(new Dictionary<string, double> { ["utilities"] = 0.7 }, policy.DocumentTypes["invoice"].LabelThresholds);
        Assert.Equal(["legal-hold", "fraud-suspected"], policy.AlwaysReviewLabels);
        Assert.Equal(0.90, policy.DocumentTypes["invoice"].Threshold);
    }

    [Fact]
    public void The_shipped_slas_bind_and_an_empty_sla_setting_turns_a_shipped_one_off()
    {
        var shipped = ConfiguredPolicy();
        Assert.Equal(TimeSpan.FromHours(4), shipped.DocumentTypes["invoice"].Sla);
        Assert.Equal(TimeSpan.FromHours(1), shipped.DocumentTypes["invoice"].PrioritySla["urgent"]);
        Assert.Equal(TimeSpan.FromDays(1), shipped.DocumentTypes["contract"].Sla);

        var overridden = new ConfigurationBuilder()
            .AddJsonFile(WorkerAppSettings(), optional: false, reloadOnChange: false)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Routing:DocumentTypes:contract:Sla"] = "" })
            .Build().GetSection("Routing").Get<RoutingPolicy>()!;

        Assert.Null(overridden.DocumentTypes["contract"].Sla);
        Assert.Equal((null, null), overridden.DocumentTypes["contract"].SlaFor("normal", T0));
    }
}
