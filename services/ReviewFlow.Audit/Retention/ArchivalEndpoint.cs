using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Workflow.SignIn;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Audit.Retention;

/// <summary>POST /api/v1/admin/archival {before, reason} (role Admin): archives events past the retention period (audited).</summary>
static class ArchivalEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/admin/archival", ArchiveAsync).WithTags("Admin").RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Archive the events recorded before a date past the retention period (audited)");

    static async Task<Results<Ok<EventsArchived>, ValidationProblem, ProblemHttpResult>> ArchiveAsync(ArchivalRequest body, ClaimsPrincipal user, Archival archival, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Reason) || body.Before is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["archival"] = ["before (UTC) and reason are required"] });
        try
        {
            return TypedResults.Ok(await archival.ArchiveAsync(body.Before.Value, body.Reason.Trim(), user.UserId(), ct));
        }
        catch (RetentionViolationException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Inside the retention period", detail: ex.Message);
        }
    }
}

public sealed record ArchivalRequest(DateTimeOffset? Before, string? Reason);
