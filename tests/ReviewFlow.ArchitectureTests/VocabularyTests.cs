using System.Reflection;
using System.Text.RegularExpressions;
using MassTransit;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.ArchitectureTests;

/// <summary>One vocabulary: the statuses and outcomes are named once in C#, and the pages' js/status.js says the same.</summary>
public sealed partial class VocabularyTests
{
    [Fact]
    public void Every_state_of_the_saga_is_a_document_status_and_every_status_a_state()
    {
        var states = typeof(DocumentStateMachine).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.PropertyType == typeof(State)).Select(p => p.Name);
        Assert.Equal(states.Order(), DocumentStatus.All.Order());
    }

    [Fact]
    public void The_pages_name_the_same_statuses_outcomes_and_decision_verbs_as_the_server()
    {
        var js = File.ReadAllText(Path.Combine(RepositoryRoot(), "web/ReviewFlow.Web/wwwroot/js/status.js"));
        Assert.Equal(Constants(typeof(DocumentStatus)), JsObject(js, "DocumentStatus"));
        Assert.Equal(Constants(typeof(DecisionOutcomes)), JsObject(js, "DecisionOutcome"));
        Assert.Equal(Constants(typeof(DecideReview)), JsObject(js, "DecisionCommand"));
    }

    static Dictionary<string, string> Constants(Type type) => type.GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);

    /// <summary>The `Name: "value",` lines of `export const {name} = Object.freeze({ … });`.</summary>
    static Dictionary<string, string> JsObject(string js, string name)
    {
        var block = Regex.Match(js, $@"export const {name} = Object\.freeze\(\{{(?<body>[^}}]*)\}}\);");
        Assert.True(block.Success, $"status.js has no frozen object {name}");
        return Entry().Matches(block.Groups["body"].Value).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
    }

    [GeneratedRegex(@"^\s*(?<key>\w+):\s*""(?<value>[^""]*)"",\s*$", RegexOptions.Multiline)]
    private static partial Regex Entry();

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ReviewFlow.sln"))) return dir.FullName;
        throw new InvalidOperationException("ReviewFlow.sln not found above " + AppContext.BaseDirectory);
    }
}
