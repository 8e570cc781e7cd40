using Microsoft.Extensions.Configuration;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Testing;

/// <summary>
/// The routing policy every test runs under: the product defaults without QA sampling, without label thresholds and
/// without SLAs, so routing is predictable (a confident utilities invoice is routed by the invoice threshold, 0.90) and
/// no timer fires unless a test asks for one. A system that tests SLAs sets them in its settings; the decider's tests
/// add the label thresholds and the SLA they exercise (Workflow.Tests' TestData).
/// </summary>
public static class TestPolicy
{
    /// <summary>As configuration, as the systems and processes run it.</summary>
    public static Dictionary<string, string?> Settings => new()
    {
        ["Routing:KillSwitch"] = "false",
        ["Routing:QaSampleRate"] = "0",
        ["Routing:AlwaysReviewLabels:0"] = "legal-hold",
        ["Routing:DocumentTypes:invoice:Threshold"] = "0.90",
        ["Routing:DocumentTypes:invoice:ReviewerGroup"] = "ap-reviewers",
        ["Routing:DocumentTypes:contract:Threshold"] = "0.95",
        ["Routing:DocumentTypes:contract:ReviewerGroup"] = "legal-reviewers",
        ["Routing:DocumentTypes:contract:FourEyes"] = "true",
        ["Routing:DocumentTypes:claim:Threshold"] = "0.85",
        ["Routing:DocumentTypes:claim:ReviewerGroup"] = "claims-reviewers",
        // No SLA timers unless a test system sets them: the worker's shipped appsettings.json (with SLAs) may or may
        // not be the appsettings.json in a test's output folder (the web host's has the same name), so say it here.
        ["Routing:DocumentTypes:invoice:Sla"] = "",
        ["Routing:DocumentTypes:contract:Sla"] = "",
        ["Routing:DocumentTypes:claim:Sla"] = "",
        // No quality alarm switches a type off under another test's feet (the quality alarm tests set their own).
        ["Routing:DocumentTypes:invoice:Alarms:MaxOverrideRate"] = "",
        ["Routing:DocumentTypes:claim:Alarms:MaxOverrideRate"] = "",
        ["Routing:DocumentTypes:invoice:Alarms:FallbackOnAlert"] = "false",
        ["Routing:DocumentTypes:claim:Alarms:FallbackOnAlert"] = "false",
    };

    /// <summary>The same policy as the worker binds it from configuration at first start (version 0 until adopted).</summary>
    public static RoutingPolicy Policy() =>
        new ConfigurationBuilder().AddInMemoryCollection(Settings).Build().GetSection("Routing").Get<RoutingPolicy>()!;

    /// <summary>The policy with another invoice threshold: an admin's edit.</summary>
    public static RoutingPolicy WithInvoiceThreshold(double threshold)
    {
        var policy = Policy();
        return policy with
        {
            DocumentTypes = new Dictionary<string, DocumentTypePolicy>(policy.DocumentTypes)
            {
                ["invoice"] = policy.DocumentTypes["invoice"] with { Threshold = threshold },
            },
        };
    }
}
