using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace ReviewFlow.IntegrationTests.Audit;

static class AuditTestSupport
{
    /// <summary>Runs SQL as the servers' superuser, as a DBA (or an attacker with database access) would.</summary>
    public static async Task<int> AsSuperuserAsync(this TestSystem system, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{schema}", system.Schema), connection);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<string> RoutedAsync(this TestSystem system, double confidence = 0.97)
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: confidence));
        await (await system.ClientAsync()).ForStatusAsync(id, "Routed");
        return id;
    }

    public static async Task<JsonElement> VerifyAsync(this HttpClient auditor, string documentId) =>
        await auditor.GetFromJsonAsync<JsonElement>($"/api/v1/audit/verify?documentId={Uri.EscapeDataString(documentId)}");
}
