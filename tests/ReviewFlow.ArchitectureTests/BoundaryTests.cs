using System.Reflection;
using NetArchTest.Rules;
using ReviewFlow.Contracts;
using ReviewFlow.Notifications;
using ReviewFlow.Web;
using ReviewFlow.Worker;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.ArchitectureTests;

/// <summary>The boundaries docs/architecture.md draws, checked on the built assemblies.</summary>
public sealed class BoundaryTests
{
    static readonly Assembly Contracts = typeof(DocumentClassified).Assembly;
    static readonly Assembly Workflow = typeof(DocumentDecisions).Assembly;
    static readonly Assembly Web = typeof(WebHost).Assembly;

    static readonly string[] Infrastructure =
        ["Hangfire", "Microsoft.Graph", "Azure", "Microsoft.AspNetCore", "RabbitMQ", "MassTransit", "Marten", "Npgsql", "JasperFx"];

    [Fact]
    public void Contracts_depend_on_nothing_but_the_runtime()
    {
        var references = Contracts.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n != "System.Runtime" && !n.StartsWith("System."));
        Assert.Empty(references);
    }

    [Fact]
    public void The_decider_the_routing_rules_the_quality_math_and_the_events_reference_no_infrastructure()
    {
        var result = Types.InAssembly(Workflow).That()
            .HaveName(nameof(DocumentDecisions)).Or().HaveName(nameof(RoutingRules)).Or().HaveName(nameof(RoutingPolicy))
            .Or().HaveName(nameof(DocumentTypePolicy)).Or().HaveName(nameof(RoutingDecision)).Or().HaveName(nameof(CommandResult))
            .Or().ImplementInterface(typeof(IDocumentEvent)).Or().HaveName(nameof(ReviewFlow.Workflow.Quality.QualityMath))
            .ShouldNot().HaveDependencyOnAny(Infrastructure).GetResult();
        Assert.True(result.IsSuccessful, Failing(result));
    }

    [Fact]
    public void The_web_host_does_not_link_what_only_the_worker_runs()
    {
        var linked = Web.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(typeof(NotifyingSlice).Assembly.GetName().Name, linked);
        Assert.DoesNotContain(typeof(WorkerSlices).Assembly.GetName().Name, linked);
        // Nor through its dependencies: the web host's published dependency list names no Graph SDK.
        var deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ReviewFlow.Web.deps.json"));
        var graph = Closure(System.Text.Json.JsonDocument.Parse(deps).RootElement, "ReviewFlow.Web")
            .Where(n => n.StartsWith("Microsoft.Graph") || n.StartsWith("ReviewFlow.Notifications") || n.StartsWith("Azure.Identity"));
        Assert.Empty(graph);
    }

    [Fact]
    public void The_web_host_uses_no_worker_only_slice()
    {
        var result = Types.InAssembly(Web).ShouldNot()
            .HaveDependencyOnAny("ReviewFlow.Workflow.Relay", "ReviewFlow.Notifications", "Hangfire.BackgroundJobServer",
                "Hangfire.BackgroundJobServerOptions")
            .GetResult();
        Assert.True(result.IsSuccessful, Failing(result));
    }

    [Fact]
    public void Slices_other_than_Hosting_do_not_branch_on_the_host()
    {
        // Each host composes the slices it runs; no library code asks which host it is in.
        var result = Types.InAssembly(Workflow).ShouldNot().HaveDependencyOnAny("ReviewFlow.Workflow.Hosting.HostRole").GetResult();
        Assert.True(result.IsSuccessful, Failing(result));
        Assert.Null(Workflow.GetType("ReviewFlow.Workflow.Hosting.HostRole"));
    }

    /// <summary>Every library the web host's deps.json says it loads, following dependencies from the web host itself.</summary>
    static IEnumerable<string> Closure(System.Text.Json.JsonElement deps, string root)
    {
        var target = deps.GetProperty("targets").EnumerateObject().First().Value;
        var byName = target.EnumerateObject().ToDictionary(p => p.Name.Split('/')[0], p => p.Value);
        var seen = new HashSet<string>();
        var todo = new Stack<string>([root]);
        while (todo.TryPop(out var name))
        {
            if (!seen.Add(name) || !byName.TryGetValue(name, out var lib)) continue;
            if (lib.TryGetProperty("dependencies", out var dependencies))
                foreach (var d in dependencies.EnumerateObject()) todo.Push(d.Name);
        }
        return seen;
    }

    static string Failing(TestResult result) =>
        "crosses the boundary: " + string.Join(", ", result.FailingTypeNames ?? []);
}
