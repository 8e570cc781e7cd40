using System.Security.Claims;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// GET /api/v1/document-types: what a reviewer chooses from when deciding, per document type of the caller's groups
/// (Admins and Auditors: every type) — the label catalogue and the reason codes with their meaning.
/// </summary>
static class DocumentTypes
{
    public static async Task<IResult> ListAsync(ClaimsPrincipal user, IRoutingPolicySource policies, CancellationToken ct)
    {
        var policy = await policies.CurrentAsync(ct);
        var everything = user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Auditor);
        var groups = user.Groups();
        return TypedResults.Ok(policy.DocumentTypes
            .Where(t => everything || groups.Contains(t.Value.ReviewerGroup))
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => new DocumentTypeOptions(t.Key, t.Value.ReviewerGroup, t.Value.Labels, t.Value.ReasonCodes)));
    }
}

public sealed record DocumentTypeOptions(string DocumentType, string ReviewerGroup, IReadOnlyList<string> Labels,
    IReadOnlyList<ReasonCodeOption> ReasonCodes);
