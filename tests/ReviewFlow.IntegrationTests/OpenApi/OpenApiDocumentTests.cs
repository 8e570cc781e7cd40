using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReviewFlow.IntegrationTests.OpenApi;

/// <summary>
/// The OpenAPI description integrators read: served to signed-in callers at /openapi/v1.json, published as
/// docs/openapi/v1.json. The published copy must be what the host generates; to regenerate it after changing an endpoint:
/// <c>REVIEWFLOW_UPDATE_OPENAPI=1 dotnet test tests/ReviewFlow.IntegrationTests --filter OpenApiDocumentTests</c>.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class OpenApiDocumentTests(TestSystem system)
{
    static readonly string Published = Path.Combine(Servers.RepoRoot, "docs", "openapi", "v1.json");

    [Fact]
    public async Task The_published_description_is_the_one_the_host_generates()
    {
        var generated = await GeneratedAsync();
        if (Environment.GetEnvironmentVariable("REVIEWFLOW_UPDATE_OPENAPI") == "1")
            await File.WriteAllTextAsync(Published, generated);
        Assert.True(File.Exists(Published), $"{Published} is missing");
        var published = (await File.ReadAllTextAsync(Published)).ReplaceLineEndings("\n");
        Assert.True(published == generated,
            "docs/openapi/v1.json differs from the host's /openapi/v1.json; regenerate it with " +
            "REVIEWFLOW_UPDATE_OPENAPI=1 dotnet test tests/ReviewFlow.IntegrationTests --filter OpenApiDocumentTests");
    }

    [Fact]
    public async Task Every_operation_has_a_summary_a_tag_and_says_how_to_sign_in()
    {
        var document = JsonNode.Parse(await GeneratedAsync())!;
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["Bearer"]!["scheme"]!.GetValue<string>());
        var lacking = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, operation) in item!.AsObject())
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            if (string.IsNullOrWhiteSpace(operation!["summary"]?.GetValue<string>())) lacking.Add($"{name}: no summary");
            if (operation["tags"] is not JsonArray { Count: > 0 }) lacking.Add($"{name}: no tag");
            var anonymous = path is "/health" or "/api" or "/api/v1/auth/config";
            if (!anonymous && operation["security"] is not JsonArray { Count: > 0 }) lacking.Add($"{name}: no security requirement");
            if (!anonymous && operation["responses"]?["401"] is null) lacking.Add($"{name}: no 401 answer");
        }
        Assert.True(lacking.Count == 0, string.Join("\n", lacking));
    }

    [Fact]
    public async Task A_decision_is_described_with_its_body_its_answer_and_its_problems()
    {
        var document = JsonNode.Parse(await GeneratedAsync())!;
        var decision = document["paths"]!["/api/v1/reviews/{documentId}/decision"]!["post"]!;
        Assert.Equal("#/components/schemas/DecisionRequest",
            decision["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/ReviewCommandAccepted",
            decision["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        foreach (var status in new[] { "400", "404", "409" })
            Assert.NotNull(decision["responses"]![status]?["content"]?["application/problem+json"]);
        Assert.Contains("Roles: Reviewer, Supervisor", decision["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_signed_in_callers_get_the_description()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await system.Web.CreateClient().GetAsync("/openapi/v1.json")).StatusCode);
        var ingest = await system.ClientAsync("ap-inbox"); // any role: an upstream system integrates too
        Assert.Equal(HttpStatusCode.OK, (await ingest.GetAsync("/openapi/v1.json")).StatusCode);
    }

    async Task<string> GeneratedAsync()
    {
        var http = await system.ClientAsync("alice");
        var json = await http.GetStringAsync("/openapi/v1.json");
        // Indented as the host writes it, with a final newline, so that a diff of the published copy reads well.
        return JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }
}
