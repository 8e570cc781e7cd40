using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Json.Schema;
using ReviewFlow.Testing;

namespace ReviewFlow.IntegrationTests.TeamsApp;

/// <summary>
/// infra/teams/package.sh builds the Teams app package from configuration; its manifest validates against the manifest's
/// published JSON schema (1.25, vendored in infra/teams/schema/: the build machines cannot reach its URL), and the icons
/// are the sizes Teams requires. No servers.
/// </summary>
public sealed class AppPackageTests : IDisposable
{
    const string AppId = "8d3f2c1a-5b6e-4f70-9a81-2c3d4e5f6a7b";
    const string BotAppId = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
    const string ClientId = "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b";
    readonly string _dir = Directory.CreateTempSubdirectory("reviewflow-teams-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_package_holds_a_manifest_that_validates_against_the_schema_with_bot_tab_sign_in_and_icons()
    {
        var zip = Package(Configuration());

        using var archive = ZipFile.OpenRead(zip);
        Assert.Equal(["color.png", "manifest.json", "outline.png"], archive.Entries.Select(e => e.FullName).Order());
        using var manifest = JsonDocument.Parse(archive.GetEntry("manifest.json")!.Open());
        AssertValid(manifest.RootElement);

        var m = manifest.RootElement;
        Assert.Equal(AppId, m.GetProperty("id").GetString());
        Assert.Equal(BotAppId, m.GetProperty("bots")[0].GetProperty("botId").GetString());
        var tab = m.GetProperty("staticTabs")[0];
        Assert.Equal("https://reviewflow.example.com/teams", tab.GetProperty("contentUrl").GetString());
        Assert.Equal(ReviewFlow.Notifications.DeepLinks.TabEntityId, tab.GetProperty("entityId").GetString()); // what deep links name
        Assert.Equal(["reviewflow.example.com"], m.GetProperty("validDomains").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(ClientId, m.GetProperty("webApplicationInfo").GetProperty("id").GetString());
        Assert.Equal((192, 192), PngSize(archive, "color.png"));
        Assert.Equal((32, 32), PngSize(archive, "outline.png"));
    }

    [Fact]
    public void The_schema_check_refuses_a_manifest_teams_would_refuse()
    {
        using var manifest = JsonDocument.Parse(ZipFile.OpenRead(Package(Configuration())).GetEntry("manifest.json")!.Open());
        var broken = manifest.RootElement.ToString().Replace(BotAppId, "not-a-guid", StringComparison.Ordinal);

        var results = Schema.Value.Evaluate(JsonDocument.Parse(broken).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.False(results.IsValid);
    }

    [Theory]
    [InlineData("Teams__BotAppId", "", "Teams__BotAppId is not set")]
    [InlineData("Teams__AppId", "reviewflow", "Teams__AppId is not a GUID")]
    [InlineData("Notifications__PublicBaseUrl", "http://reviewflow.example.com", "must be https://host")]
    public void A_missing_or_wrong_setting_is_named_and_no_package_is_made(string key, string value, string said)
    {
        var configuration = Configuration();
        configuration[key] = value;

        var (exit, output) = Run(configuration, Path.Combine(_dir, "app.zip"));

        Assert.NotEqual(0, exit);
        Assert.Contains(said, output);
        Assert.False(File.Exists(Path.Combine(_dir, "app.zip")));
    }

    static Dictionary<string, string> Configuration() => new()
    {
        ["Teams__AppId"] = AppId,
        ["Teams__BotAppId"] = BotAppId,
        ["Auth__ClientId"] = ClientId,
        ["Notifications__PublicBaseUrl"] = "https://reviewflow.example.com/",
    };

    string Package(Dictionary<string, string> configuration)
    {
        var zip = Path.Combine(_dir, "app.zip");
        var (exit, output) = Run(configuration, zip);
        Assert.True(exit == 0, output);
        Assert.Equal(zip, output.Trim());
        return zip;
    }

    /// <summary>The one command, as an operator runs it: an env file of the host's configuration names.</summary>
    (int Exit, string Output) Run(Dictionary<string, string> configuration, string zip)
    {
        var env = Path.Combine(_dir, "teams.env");
        File.WriteAllLines(env, configuration.Select(kv => $"{kv.Key}={kv.Value}"));
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(Servers.RepoRoot, "infra", "teams", "package.sh"));
        psi.ArgumentList.Add(env);
        psi.ArgumentList.Add(zip);
        foreach (var key in configuration.Keys) psi.Environment.Remove(key); // the file's values, not the test runner's
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    // The schema says draft-04 but uses draft-06's "const" (as Microsoft's own validation does): evaluated as draft 7,
    // whose keywords are draft 4's plus const and friends; the schema has no draft-4-only forms (boolean exclusiveMaximum).
    static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(
        File.ReadAllText(Path.Combine(Servers.RepoRoot, "infra", "teams", "schema", "MicrosoftTeams.schema.json"))
            .Replace("http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-07/schema#", StringComparison.Ordinal),
        new BuildOptions { Dialect = Dialect.Draft07 }));

    static void AssertValid(JsonElement manifest)
    {
        var results = Schema.Value.Evaluate(manifest, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(results.IsValid, "manifest.json does not validate: " + string.Join("; ", errors));
    }

    static (int Width, int Height) PngSize(ZipArchive archive, string name)
    {
        using var stream = archive.GetEntry(name)!.Open();
        var header = new byte[24];
        stream.ReadExactly(header);
        Assert.Equal("PNG", System.Text.Encoding.ASCII.GetString(header, 1, 3));
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)),
            System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20)));
    }
}
