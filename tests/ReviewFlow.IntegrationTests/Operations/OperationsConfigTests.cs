using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ReviewFlow.IntegrationTests.Operations;

/// <summary>
/// What operators load into their own tools, checked by those tools: Prometheus' configuration and alert rules by
/// promtool (including the rules' unit tests, infra/prometheus/rules.test.yml), and the Grafana dashboard's queries
/// against the names the hosts export (<see cref="MetricsTests"/> scrapes them).
/// </summary>
public sealed partial class OperationsConfigTests
{
    static readonly string Prometheus = Path.Combine(Servers.RepoRoot, "infra", "prometheus");

    [Theory]
    [InlineData("check", "config", "prometheus.yml")]
    [InlineData("check", "rules", "rules.yml")]
    [InlineData("test", "rules", "rules.test.yml")]
    public async Task Promtool_accepts_the_prometheus_files(string verb, string what, string file)
    {
        var (exitCode, output) = await PromtoolAsync(verb, what, file);
        Assert.True(exitCode == 0, $"promtool {verb} {what} {file}:\n{output}");
    }

    [Fact]
    public void The_dashboard_and_the_rules_use_only_metrics_the_hosts_export()
    {
        var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Servers.RepoRoot, "infra", "grafana", "dashboards", "reviewflow.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        Assert.NotEmpty(queries);
        var used = queries.Append(File.ReadAllText(Path.Combine(Prometheus, "rules.yml")))
            .SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).ToHashSet();
        Assert.Empty(used.Except(MetricsTests.Exported));
    }

    static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("promtool") { WorkingDirectory = Prometheus, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)
            ?? throw new InvalidOperationException("promtool did not start: install Debian's prometheus (infra/test.sh does)");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + error);
    }

    [GeneratedRegex(@"\breviewflow_[a-z_]+")]
    private static partial Regex MetricName();
}
