using System.Globalization;
using System.Text.RegularExpressions;

namespace ReviewFlow.Testing;

/// <summary>A scrape of a /metrics endpoint in Prometheus' text format: samples by name and labels.</summary>
public sealed partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public IReadOnlyList<Sample> Samples { get; }
    public string Text { get; }

    PrometheusText(string text)
    {
        Text = text;
        Samples = text.Split('\n')
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => SampleLine().Match(l))
            .Where(m => m.Success)
            .Select(m => new Sample(m.Groups["name"].Value,
                LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(p => p.Groups[1].Value, p => p.Groups[2].Value),
                double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .ToList();
    }

    public static async Task<PrometheusText> ScrapeAsync(HttpClient http, string path = "/metrics") =>
        new(await http.GetStringAsync(path));

    /// <summary>The sum of the samples of <paramref name="name"/> whose labels include <paramref name="labels"/> ("key=value"); 0 if none.</summary>
    public double Value(string name, params string[] labels) =>
        Matching(name, labels).Sum(s => s.Value);

    public IEnumerable<Sample> Matching(string name, params string[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l =>
        {
            var (key, value) = (l[..l.IndexOf('=')], l[(l.IndexOf('=') + 1)..]);
            return s.Labels.TryGetValue(key, out var v) && v == value;
        }));

    public bool Has(string name) => Samples.Any(s => s.Name == name);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(\w+)="((?:[^"\\]|\\.)*)"(?:,|$)""")]
    private static partial Regex LabelPair();
}
