using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using ReviewFlow.Audit.Decisions;
using ReviewFlow.Workflow.SignIn;
using System.Text.Json;

namespace ReviewFlow.Audit.Checkpoints;

/// <summary>
/// GET /api/v1/audit/checkpoints (Auditor, Admin): every signed checkpoint and the public keys that verify them, as a
/// file to keep outside ReviewFlow. Read from the database's copy: the signatures make it safe to hand out, and a copy
/// missing its latest checkpoints is what the auditor's earlier file or the sink shows up.
/// </summary>
static class CheckpointEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/audit/checkpoints", DownloadAsync).WithTags("Audit").RequireAuthorization(p => p.RequireRole(Roles.Auditor, Roles.Admin))
            .Produces<CheckpointFile>().WithSummary("Every signed checkpoint and the public keys that verify them, as a file to keep");

    static async Task<Ok<CheckpointFile>> DownloadAsync(long? after, AuditDatabase db, CheckpointTrust trust, HttpContext http, CancellationToken ct)
    {
        var checkpoints = await db.ReadAsync(async ct =>
        {
            await using var command = db.DataSource.CreateCommand(
                $"SELECT envelope::text FROM {db.Schema}.rf_audit_checkpoint WHERE number > $1 ORDER BY number");
            command.Parameters.Add(new NpgsqlParameter { Value = after ?? 0 });
            var list = new List<SignedCheckpoint>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) list.Add(JsonSerializer.Deserialize<SignedCheckpoint>(reader.GetString(0), AuditJson.Options)!);
            return list;
        }, ct);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"reviewflow-checkpoints-{db.Schema}.json\"";
        return TypedResults.Ok(new CheckpointFile(trust.Keys, checkpoints));
    }
}
