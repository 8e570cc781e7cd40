using System.Security.Claims;
using Marten;
using MassTransit;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// POST /api/v1/reviews/{id}/decision {outcome: confirm|correct|reject|escalate, label, reasonCode, comment}: 400 naming
/// what is missing (<see cref="DocumentDecisions.DecisionProblems"/>, the one check of a decision's shape), otherwise the
/// saga decides (<see cref="DocumentDecisions.Decide"/>: claim held, four-eyes, supervisor).
/// </summary>
static class Decide
{
    public static Task<IResult> HandleAsync(string documentId, DecisionRequest body, ClaimsPrincipal user, IQuerySession session,
        IRequestClient<DecideReview> client, CommandSeal seal, CancellationToken ct)
    {
        var problems = DocumentDecisions.DecisionProblems(body.Outcome, body.Label, body.ReasonCode);
        if (problems.Count > 0)
            return Task.FromResult<IResult>(TypedResults.ValidationProblem(problems.ToDictionary(p => p.Key, p => new[] { p.Value }),
                title: "The decision is incomplete"));
        return ReviewingSlice.SendAsync(documentId, user, session, client, seal,
            new DecideReview(documentId, user.UserId(), body.Outcome!, body.Label, body.ReasonCode, body.Comment), ct);
    }
}

public sealed record DecisionRequest(string? Outcome, string? Label, string? ReasonCode, string? Comment);
