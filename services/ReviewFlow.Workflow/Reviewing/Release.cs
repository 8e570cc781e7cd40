using System.Security.Claims;
using Marten;
using MassTransit;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// POST /api/v1/reviews/{id}/release: the task goes back to the queue; <see cref="Documents.DocumentDecisions.Release"/>
/// decides. A supervisor may release anyone's claim.
/// </summary>
public static class Release
{
    public static Task<IResult> HandleAsync(string documentId, ClaimsPrincipal user, IQuerySession session,
        IRequestClient<ReleaseReview> client, CommandSeal seal, CancellationToken ct) =>
        ByAsync(ReviewChannels.Web, documentId, user, session, client, seal, ct);

    /// <summary>The same release, recorded as made in <paramref name="channel"/> (<see cref="ReviewChannels"/>).</summary>
    public static Task<IResult> ByAsync(string channel, string documentId, ClaimsPrincipal user, IQuerySession session,
        IRequestClient<ReleaseReview> client, CommandSeal seal, CancellationToken ct) =>
        ReviewingSlice.SendAsync(documentId, user, session, client, seal,
            new ReleaseReview(documentId, user.UserId(), AsSupervisor: user.IsInRole(Roles.Supervisor), ActorRole: user.ReviewRole(), Channel: channel), ct);
}
