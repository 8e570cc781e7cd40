using System.Security.Claims;
using Marten;
using MassTransit;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// POST /api/v1/reviews/{id}/claim: the caller takes the task for the claim lease (renewed by calling again);
/// <see cref="Documents.DocumentDecisions.Claim"/> decides. Supervisors may claim escalated tasks.
/// </summary>
public static class Claim
{
    public static Task<IResult> HandleAsync(string documentId, ClaimsPrincipal user, IQuerySession session,
        IRequestClient<ClaimReview> client, CommandSeal seal, CancellationToken ct) =>
        ByAsync(ReviewChannels.Web, documentId, user, session, client, seal, ct);

    /// <summary>The same claim, recorded as made in <paramref name="channel"/> (<see cref="ReviewChannels"/>).</summary>
    public static Task<IResult> ByAsync(string channel, string documentId, ClaimsPrincipal user, IQuerySession session,
        IRequestClient<ClaimReview> client, CommandSeal seal, CancellationToken ct) =>
        ReviewingSlice.SendAsync(documentId, user, session, client, seal,
            new ClaimReview(documentId, user.UserId(), user.IsInRole(Roles.Supervisor), user.ReviewRole(), user.DisplayName(), channel), ct);
}
