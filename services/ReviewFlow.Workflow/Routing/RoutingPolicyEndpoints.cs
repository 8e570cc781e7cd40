using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Workflow.SignIn;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Workflow.Routing;

/// <summary>GET and PUT /api/v1/admin/routing-policy (role Admin): the active policy, and adopting a new version with its reason (audited).</summary>
public static class RoutingPolicyEndpoints
{
    public static IEndpointRouteBuilder MapRoutingPolicy(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin/routing-policy").WithTags("Admin").RequireAuthorization(p => p.RequireRole(Roles.Admin));
        admin.MapGet("/", async (MartenRoutingPolicySource policies, CancellationToken ct) => TypedResults.Ok(await policies.CurrentAsync(ct)));
        admin.MapPut("/", AdoptPolicyAsync);
        return app;
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
}

public sealed record PolicyChangeRequest(RoutingPolicy? Policy, string? Reason);
