using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Workflow.SignIn;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Audit.Retention;

/// <summary>POST /api/v1/admin/archival {before, reason} (role Admin): archives events past the retention period (audited).</summary>
static class ArchivalEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/admin/archival", ArchiveAsync).WithTags("Admin").RequireAuthorization(p => p.RequireRole(Roles.Admin));

    static async Task<IResult> ArchiveAsync(ArchivalRequest body, ClaimsPrincipal user, Archival archival, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Reason) || body.Before is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["archival"] = ["before (UTC) and reason are required"] });
        try
        {
            return TypedResults.Ok(await archival.ArchiveAsync(body.Before.Value, body.Reason.Trim(), user.UserId(), ct));
        }
        catch (RetentionViolationException ex)
        {
            return TypedResults.Problem(statusCode: 409, title: "Inside the retention period", detail: ex.Message);
        }
    }
}

public sealed record ArchivalRequest(DateTimeOffset? Before, string? Reason);
