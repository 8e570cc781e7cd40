using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>
    /// An admin (ada) adopts the active policy with <paramref name="type"/> added (routed without a human from 0.5, to
    /// ap-reviewers below), then waits until the worker routes by it (it caches the policy for a few seconds).
    /// </summary>
    public static async Task AddDocumentTypeAsync(this TestSystem system, string type, string reason = "the upstream team's new type")
    {
        var ada = await system.ClientAsync("ada");
        var read = await ada.GetFromJsonAsync<JsonObject>("/api/v1/admin/routing-policy");
        read!["documentTypes"]![type] = new JsonObject { ["threshold"] = 0.5, ["reviewerGroup"] = "ap-reviewers" };
        using var put = await ada.PutAsJsonAsync("/api/v1/admin/routing-policy", new { policy = read, reason });
        put.EnsureSuccessStatusCode();
        var policies = system.Worker.Services.GetRequiredService<IRoutingPolicySource>();
        await Waiting.UntilAsync(async () => (await policies.CurrentAsync()).DocumentTypes.ContainsKey(type), TimeSpan.FromSeconds(15),
            "the worker's policy with the new type", interval: TimeSpan.FromMilliseconds(200));
    }
}
