using System.Security.Claims;
using Marten;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Documents;

/// <summary>
/// Who may read a document (its state, history and notifications): auditors and admins; the reviewers and supervisors of
/// its group (the group it went to review in, else its type's group in the active policy); the upstream caller that
/// submitted it over HTTP. Everyone else is told it does not exist (404, the same answer as for an unknown id, so ids
/// cannot be probed), and internal streams ($routing-policy, $quality-alerts, …) are never documents.
/// </summary>
public static class DocumentAccess
{
    public static async Task<DocumentRead?> VisibleAsync(ClaimsPrincipal user, string documentId, IQuerySession session,
        IRoutingPolicySource policies, CancellationToken ct)
    {
        if (documentId.StartsWith('$')) return null;
        var read = await DocumentRead.LoadAsync(session, documentId, ct);
        if (read is not { State: var state }) return null;
        if (user.IsInRole(Roles.Auditor) || user.IsInRole(Roles.Admin)) return read;
        if ((user.IsInRole(Roles.Reviewer) || user.IsInRole(Roles.Supervisor)) && await GroupAsync(state, policies, ct) is { } group
            && user.Groups().Contains(group))
            return read;
        if (user.IsInRole(Roles.Ingest) && state.SubmittedBy is { } submitter && submitter == user.UserId()) return read;
        return null;
    }

    static async Task<string?> GroupAsync(DocumentState state, IRoutingPolicySource policies, CancellationToken ct)
    {
        if (state.ReviewerGroup is { } group) return group;
        if (state.Classification?.DocumentType is not { } type) return null;
        var policy = await policies.CurrentAsync(ct);
        return policy.DocumentTypes.TryGetValue(type, out var rules) ? rules.ReviewerGroup : null;
    }
}
