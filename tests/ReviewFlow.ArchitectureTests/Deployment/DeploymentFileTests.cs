using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace ReviewFlow.ArchitectureTests.Deployment;

/// <summary>
/// The deployment files, which never run here (no Docker engine, no cluster): the compose files against the Compose
/// Specification's JSON schema (vendored, NOTICE.md), the settings they give the services against the keys the
/// services read, and the images' users (docs/operations.md, "Validated how").
/// </summary>
public sealed class DeploymentFileTests
{
    static readonly string Root = RepositoryRoot();

    // The schema names draft 7 as "https://json-schema.org/draft-07/schema"; JsonSchema.Net knows it by its canonical id.
    static readonly Lazy<JsonSchema> ComposeSchema = new(() => JsonSchema.FromText(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Deployment", "compose-spec.json"))
            .Replace("\"https://json-schema.org/draft-07/schema\"", "\"http://json-schema.org/draft-07/schema#\"", StringComparison.Ordinal),
        new BuildOptions { Dialect = Dialect.Draft07 }));

    [Theory]
    [InlineData("docker-compose.yml")]
    [InlineData("docker-compose.cluster.yml")]
    public void A_compose_file_follows_the_Compose_Specification(string file)
    {
        var compose = Yaml(Path.Combine(Root, file));
        var results = ComposeSchema.Value.Evaluate(JsonSerializer.SerializeToElement(compose),
            new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(results.IsValid, $"{file} does not follow the Compose Specification: " + string.Join("; ", errors));
    }

    [Fact]
    public void The_schema_check_finds_a_mistake_in_a_compose_file()
    {
        var compose = Yaml(Path.Combine(Root, "docker-compose.yml"));
        compose["services"]!["worker"]!["restart_policy"] = "always"; // belongs under deploy:, not on the service
        Assert.False(ComposeSchema.Value.Evaluate(JsonSerializer.SerializeToElement(compose)).IsValid);
    }

    /// <summary>
    /// Every setting the compose file and the k8s manifests give a service is a key some service reads: a typo
    /// (`Bus__Comandkey`) would be silently ignored by .NET's configuration, the service running on a default.
    /// </summary>
    [Fact]
    public void Every_setting_given_to_a_service_is_a_key_the_services_read()
    {
        var given = new SortedSet<string>(StringComparer.Ordinal);
        var compose = Yaml(Path.Combine(Root, "docker-compose.yml"));
        foreach (var (name, service) in compose["services"]!.AsObject())
            if (service!["build"] is not null && service["environment"] is JsonObject environment)
                given.UnionWith(environment.Select(p => p.Key));
        foreach (var key in Yaml(Path.Combine(Root, "infra/k8s/configmap.yaml"))["data"]!.AsObject().Select(p => p.Key)) given.Add(key);
        foreach (var manifest in new[] { "worker.yaml", "web.yaml", "migrate-job.yaml" })
            foreach (var resource in YamlDocuments(Path.Combine(Root, "infra/k8s", manifest)))
                foreach (var container in resource["spec"]?["template"]?["spec"]?["containers"]?.AsArray() ?? [])
                    foreach (var variable in container!["env"]?.AsArray() ?? [])
                        given.Add(variable!["name"]!.GetValue<string>());
        Assert.Contains("Bus__CommandKey", given);

        var unread = given.Where(key => !Read(key, ServiceCode.Value)).ToList();
        Assert.True(unread.Count == 0, "set but read by no service: " + string.Join(", ", unread));
    }

    [Theory]
    [InlineData("Bus__Comandkey")]
    [InlineData("Intake__MaxPayload")]
    [InlineData("ConnectionStrings__Rabbit")]
    public void A_misspelt_setting_is_found_unread(string key) => Assert.False(Read(key, ServiceCode.Value));

    /// <summary>The services' C# and appsettings.json, where every configuration key they read is named.</summary>
    static readonly Lazy<string> ServiceCode = new(() => string.Join("\n", new[] { "services", "web" }
        .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.*", SearchOption.AllDirectories))
        .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith("appsettings.json", StringComparison.Ordinal))
                    && !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
        .Select(File.ReadAllText)));

    /// <summary>A key is read when its last section appears in the code (C# or appsettings.json) or it is the runtime's or OpenTelemetry's.</summary>
    static bool Read(string key, string code)
    {
        if (key.StartsWith("OTEL_", StringComparison.Ordinal) || key.StartsWith("DOTNET_", StringComparison.Ordinal)
            || key.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || key == "Urls") return true;
        var sections = key.Split("__");
        if (sections[0] == "ConnectionStrings") return code.Contains($"\"{sections[1]}\"", StringComparison.Ordinal);
        // The last section as a whole word (a property, a "Section:Key" string, a JSON key), the first somewhere.
        return System.Text.RegularExpressions.Regex.IsMatch(code, $@"\b{sections[^1]}\b") && code.Contains(sections[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("services/ReviewFlow.Worker/Dockerfile")]
    [InlineData("web/ReviewFlow.Web/Dockerfile")]
    public void An_image_runs_as_a_user_that_is_not_root(string dockerfile)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, dockerfile)).Select(l => l.Trim()).ToList();
        var finalStage = lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase));
        var user = lines.Skip(finalStage).LastOrDefault(l => l.StartsWith("USER ", StringComparison.OrdinalIgnoreCase));
        Assert.NotNull(user);
        Assert.DoesNotContain(user[5..].Trim().Split(':')[0], new[] { "root", "0" });
    }

    /// <summary>
    /// A YAML file as JSON, typed as YAML 1.2's core schema types it (plain 5 is a number, "5" a string), with merge
    /// keys (&lt;&lt;: *anchor) applied, as Compose reads it.
    /// </summary>
    static JsonObject Yaml(string path) => YamlDocuments(path).Single();

    static IEnumerable<JsonObject> YamlDocuments(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        return stream.Documents.Select(d => (JsonObject)ToJson(d.RootNode)!).ToList();
    }

    static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => Mapping(map),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    static JsonObject Mapping(YamlMappingNode map)
    {
        var json = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name == "<<")
            {
                var merged = value is YamlSequenceNode many ? many.Children : [value];
                foreach (var source in merged)
                    foreach (var (k, v) in Mapping((YamlMappingNode)source))
                        if (!map.Children.ContainsKey(new YamlScalarNode(k))) json[k] = v?.DeepClone();
                continue;
            }
            json[name] = ToJson(value);
        }
        return json;
    }

    static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain) return JsonValue.Create(text);
        if (text is "" or "~" or "null") return null;
        if (text is "true" or "false") return JsonValue.Create(text == "true");
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && text.Any(char.IsDigit))
            return JsonValue.Create(number);
        return JsonValue.Create(text);
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ReviewFlow.sln"))) return dir.FullName;
        throw new InvalidOperationException("ReviewFlow.sln not found above " + AppContext.BaseDirectory);
    }
}
