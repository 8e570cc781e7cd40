using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Audit.Retention;
using ReviewFlow.Web.SignIn;
using ReviewFlow.Workflow.Policy;

namespace ReviewFlow.Web.Audit;

/// <summary>Audited admin operations (role Admin): adopting a routing policy version, archival past the retention period.</summary>
public static class AdminEndpoints
{
    public static void MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(p => p.RequireRole(Roles.Admin));
        admin.MapGet("/routing-policy", async (MartenRoutingPolicySource policies, CancellationToken ct) => TypedResults.Ok(await policies.CurrentAsync(ct)));
        admin.MapPut("/routing-policy", AdoptPolicyAsync);
        admin.MapPost("/archival", ArchiveAsync);
    }

    static async Task<IResult> AdoptPolicyAsync(PolicyChangeRequest body, ClaimsPrincipal user, MartenRoutingPolicySource policies,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.Reason)) errors["reason"] = ["is required: every policy change is audited with its reason"];
        if (body.Policy is not { } p) errors["policy"] = ["is required"];
        else
        {
            if (p.DocumentTypes.Count == 0) errors["policy.documentTypes"] = ["at least one document type"];
            if (p.QaSampleRate is < 0 or > 1) errors["policy.qaSampleRate"] = ["between 0 and 1"];
            foreach (var (type, t) in p.DocumentTypes)
            {
                if (t.Threshold is < 0 or > 1 || t.LabelThresholds.Values.Any(v => v is < 0 or > 1))
                    errors[$"policy.documentTypes.{type}.threshold"] = ["between 0 and 1"];
                if (string.IsNullOrWhiteSpace(t.ReviewerGroup)) errors[$"policy.documentTypes.{type}.reviewerGroup"] = ["is required"];
            }
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The policy change is incomplete");
        try
        {
            var adopted = await policies.AdoptAsync(body.Policy!, user.UserId(), body.Reason!.Trim(), ct);
            return TypedResults.Ok(adopted);
        }
        catch (JasperFx.Events.EventStreamUnexpectedMaxEventIdException)
        {
            return TypedResults.Problem(statusCode: 409, title: "The policy changed meanwhile", detail: "Reload the current policy and apply the change again.");
        }
    }

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

public sealed record PolicyChangeRequest(RoutingPolicy? Policy, string? Reason);

public sealed record ArchivalRequest(DateTimeOffset? Before, string? Reason);
