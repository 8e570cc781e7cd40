using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Routing;

/// <summary>
/// GET and PUT /api/v1/admin/routing-policy (role Admin): the active policy (ETag: its version), and adopting a new
/// version with its reason (audited). A change names the version it was based on (If-Match, or the policy's own
/// "version" as read): 409 when another change came first, so a second admin never silently reverts the first.
/// GET …/history: every adopted version, newest first, with who, when and why (actor "system": a quality alarm's fallback).
/// </summary>
public static class RoutingPolicyEndpoints
{
    public static IEndpointRouteBuilder MapRoutingPolicy(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin/routing-policy").WithTags("Admin").RequireAuthorization(p => p.RequireRole(Roles.Admin));
        admin.MapGet("/", async (HttpContext http, MartenRoutingPolicySource policies, CancellationToken ct) =>
        {
            var policy = await policies.LatestAsync(ct) ?? throw new NoRoutingPolicyException();
            http.Response.Headers.ETag = ETag(policy.Version);
            return TypedResults.Ok(policy);
        }).WithSummary("The routing policy in force (its version as the ETag)");
        admin.MapPut("/", AdoptPolicyAsync).Produces<RoutingPolicy>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .WithSummary("Adopt a new routing policy (If-Match: the version it is based on)");
        admin.MapGet("/history", async (MartenRoutingPolicySource policies, CancellationToken ct) => TypedResults.Ok(await policies.HistoryAsync(ct)))
            .WithSummary("Every policy change: who, when, why");
        return app;
    }

    static string ETag(int version) => $"\"{version}\"";

    static async Task<IResult> AdoptPolicyAsync(PolicyChangeRequest body, HttpRequest request, ClaimsPrincipal user,
        MartenRoutingPolicySource policies, CancellationToken ct)
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
                if (t.ReviewQaRate is < 0 or > 1) errors[$"policy.documentTypes.{type}.reviewQaRate"] = ["between 0 and 1"];
                if (t.Alarms is { } a && (a.MaxPsi < 0 || a.MinAutoAccuracy is < 0 or > 1 || a.MaxOverrideRate is < 0 or > 1 || a.MinSamples < 1
                        || (a.ReferenceFrom is null) != (a.ReferenceTo is null) || a.ReferenceFrom >= a.ReferenceTo))
                    errors[$"policy.documentTypes.{type}.alarms"] =
                        ["maxPsi at least 0; minAutoAccuracy and maxOverrideRate between 0 and 1; minSamples at least 1; a pinned reference needs both ends, from before to"];
                // Sent as null: none (WithDefaults stores them empty).
                var labels = t.Labels ?? [];
                var codes = (t.ReasonCodes ?? []).Select(r => r.Code).ToList();
                if (labels.Any(l => !Intake.ClassificationParser.IsValidLabel(l)) || labels.Distinct().Count() != labels.Count)
                    errors[$"policy.documentTypes.{type}.labels"] = ["each label once, 1-64 characters: letters, digits, '_' and '-'"];
                if (codes.Any(c => string.IsNullOrWhiteSpace(c) || c.Length > 100) || codes.Distinct().Count() != codes.Count)
                    errors[$"policy.documentTypes.{type}.reasonCodes"] = ["each code once, 1-100 characters"];
            }
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The policy change is incomplete");
        if (BasedOn(request, body.Policy!) is not { } basedOn)
            return TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "Which version is this change based on?",
                detail: "Send the version you read: If-Match with the ETag of GET /api/v1/admin/routing-policy, or the policy's \"version\".");
        try
        {
            var adopted = await policies.AdoptAsync(WithDefaults(body.Policy!), basedOn, user.UserId(), body.Reason!.Trim(), ct);
            return TypedResults.Ok(adopted);
        }
        catch (PolicyChangeRefusedException refused)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: refused.Title, detail: refused.Message);
        }
        catch (JasperFx.Events.EventStreamUnexpectedMaxEventIdException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The policy changed meanwhile",
                detail: "Reload the current policy and apply the change again.");
        }
    }

    /// <summary>A type sent with "alarms": null keeps the default limits (as when it is left out); null lists are empty.</summary>
    static RoutingPolicy WithDefaults(RoutingPolicy policy) => policy with
    {
        DocumentTypes = policy.DocumentTypes.ToDictionary(t => t.Key, t => t.Value with
        {
            Alarms = t.Value.Alarms ?? new(), Labels = t.Value.Labels ?? [], ReasonCodes = t.Value.ReasonCodes ?? [],
        }),
    };

    /// <summary>If-Match ("3", W/"3" or 3), else the version the policy was read at; null when neither names one.</summary>
    static int? BasedOn(HttpRequest request, RoutingPolicy policy)
    {
        var ifMatch = request.Headers.IfMatch.ToString().Trim();
        if (ifMatch.Length > 0)
            return int.TryParse(ifMatch.Replace("W/", "").Trim('"', ' '), out var v) && v > 0 ? v : null;
        return policy.Version > 0 ? policy.Version : null;
    }
}

public sealed record PolicyChangeRequest(RoutingPolicy? Policy, string? Reason);
