using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Contracts;
using ReviewFlow.Web.SignIn;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.Web.Reviews;

/// <summary>
/// The review queue and reviewer commands. The web host checks who may act; the document's saga (the single writer
/// of its stream) decides whether the state allows it and answers after its transaction committed.
/// </summary>
public static class ReviewEndpoints
{
    static readonly string[] OpenStates = ["AwaitingReview", "Claimed", "AwaitingSecondReview", "Escalated"];
    static readonly string[] ReviewerStates = ["AwaitingReview", "Claimed", "AwaitingSecondReview"];

    public static void MapReviewEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/queue", QueueAsync).RequireAuthorization(Policies.Review).WithTags("Reviews");
        app.MapGet("/api/v1/me/today", MyDayAsync).RequireAuthorization(Policies.Review).WithTags("Reviews");
        var reviews = app.MapGroup("/api/v1/reviews/{documentId}").RequireAuthorization(Policies.Review).WithTags("Reviews");
        reviews.MapPost("/claim", (string documentId, ClaimsPrincipal user, IQuerySession session, IRequestClient<ClaimReview> client, CancellationToken ct) =>
            SendAsync(documentId, user, session, ct, () => client.GetResponse<ReviewCommandAccepted, ReviewCommandRefused>(new ClaimReview(documentId, user.UserId(), user.IsInRole(Roles.Supervisor)), ct)));
        reviews.MapPost("/release", (string documentId, ClaimsPrincipal user, IQuerySession session, IRequestClient<ReleaseReview> client, CancellationToken ct) =>
            SendAsync(documentId, user, session, ct, () => client.GetResponse<ReviewCommandAccepted, ReviewCommandRefused>(
                new ReleaseReview(documentId, user.UserId(), AsSupervisor: user.IsInRole(Roles.Supervisor)), ct)));
        reviews.MapPost("/decision", DecideAsync);
        reviews.MapPost("/reassign", ReassignAsync).RequireAuthorization(Policies.Supervise);
        app.MapPost("/api/v1/reviews/bulk-confirm", BulkConfirmAsync).RequireAuthorization(Policies.Supervise).WithTags("Reviews");
    }

    /// <summary>
    /// Supervisors confirm many tasks at once: still a claim and a decision per document, each recorded and audited on
    /// its own; the answer says what happened to each (a document someone else holds is refused, not taken).
    /// </summary>
    static async Task<IResult> BulkConfirmAsync(BulkConfirmRequest body, ClaimsPrincipal user, IQuerySession session,
        IRequestClient<ClaimReview> claims, IRequestClient<DecideReview> decisions, CancellationToken ct)
    {
        if (body.DocumentIds is not { Count: > 0 and <= 200 } ids)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["documentIds"] = ["1 to 200 document ids"] });
        var results = new List<BulkConfirmResult>();
        foreach (var id in ids.Distinct())
        {
            var claimed = await SendAsync(id, user, session, ct, () => claims.GetResponse<ReviewCommandAccepted, ReviewCommandRefused>(
                new ClaimReview(id, user.UserId(), AsSupervisor: true), ct));
            var outcome = claimed is Ok<ReviewCommandAccepted>
                ? await SendAsync(id, user, session, ct, () => decisions.GetResponse<ReviewCommandAccepted, ReviewCommandRefused>(
                    new DecideReview(id, user.UserId(), "confirm", Comment: body.Comment), ct))
                : claimed;
            results.Add(outcome switch
            {
                Ok<ReviewCommandAccepted> ok => new BulkConfirmResult(id, 200, ok.Value!.Status, null),
                ProblemHttpResult problem => new BulkConfirmResult(id, problem.StatusCode, null, problem.ProblemDetails.Detail),
                _ => new BulkConfirmResult(id, 500, null, "unexpected answer"),
            });
        }
        return TypedResults.Ok(results);
    }

    /// <summary>
    /// Open tasks of the caller's groups (claimed ones included, marked): closest to their SLA first, then (without an
    /// SLA) oldest first; filter by documentType and label; paged.
    /// </summary>
    static async Task<Ok<QueuePage>> QueueAsync(ClaimsPrincipal user, IQuerySession session, string? documentType, string? label,
        int? page, int? pageSize, CancellationToken ct)
    {
        var groups = user.Groups().ToArray();
        var size = Math.Clamp(pageSize ?? 50, 1, 200);
        var number = Math.Max(page ?? 1, 1);
        // Disagreements (Escalated) are for supervisors only.
        var states = user.IsInRole(Roles.Supervisor) ? OpenStates : ReviewerStates;
        var query = session.Query<DocumentState>().Where(x => x.CurrentState.IsOneOf(states) && x.ReviewerGroup!.IsOneOf(groups));
        if (!string.IsNullOrEmpty(documentType)) query = query.Where(x => x.Classification!.DocumentType == documentType);
        if (!string.IsNullOrEmpty(label)) query = query.Where(x => x.Classification!.Label == label);
        var items = await query.OrderBy(x => x.SlaDueAt).ThenBy(x => x.ReviewRequestedAt).Skip((number - 1) * size).Take(size).ToListAsync(ct);
        return TypedResults.Ok(new QueuePage(number, size, items.Select(QueueItem.From).ToList()));
    }

    /// <summary>"My work today" (UTC day): what I decided, what I hold, my first reviews waiting for a second reviewer.</summary>
    static async Task<Ok<MyDay>> MyDayAsync(ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var me = user.UserId();
        var since = new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var decided = await session.Query<DocumentState>()
            .Where(x => x.DecidedBy == me && x.DecidedAt >= since).OrderByDescending(x => x.DecidedAt).Take(500).ToListAsync(ct);
        var holding = await session.Query<DocumentState>().Where(x => x.ClaimedBy == me).CountAsync(ct);
        var awaitingSecond = await session.Query<DocumentState>()
            .Where(x => x.FirstReviewerId == me && x.CurrentState == "AwaitingSecondReview").CountAsync(ct);
        return TypedResults.Ok(new MyDay(since, decided.Count, decided.Count(d => d.Outcome == "confirmed"),
            decided.Count(d => d.Outcome == "corrected"), decided.Count(d => d.Outcome == "rejected"), holding, awaitingSecond,
            decided.Select(d => new MyDecision(d.DocumentId, d.Classification!.DocumentType, d.Classification.Label, d.FinalLabel!,
                d.Outcome!, d.DecidedAt!.Value)).ToList()));
    }

    /// <summary>A supervisor hands the task to a member of its group (a supervisor, when the task is escalated).</summary>
    static async Task<IResult> ReassignAsync(string documentId, ReassignRequest body, ClaimsPrincipal user, IQuerySession session,
        GroupDirectory directory, IRequestClient<ReassignReview> client, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.ReviewerId))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reviewerId"] = ["is required"] });
        // An unknown document or another group's task is answered by SendAsync (404 / 403).
        var state = await session.LoadAsync<DocumentState>(DocumentKey.For(documentId), ct);
        var membership = state?.ReviewerGroup is { } group ? directory.MemberOf(body.ReviewerId, group) : false;
        if (membership is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reviewerId"] = [$"{body.ReviewerId} is not in {state!.ReviewerGroup}"] },
                title: "Not a member of the task's group");
        var toSupervisor = membership == true;
        return await SendAsync(documentId, user, session, ct, () => client.GetResponse<ReviewCommandAccepted, ReviewCommandRefused>(
            new ReassignReview(documentId, user.UserId(), body.ReviewerId, toSupervisor), ct), state);
    }

    static Task<IResult> DecideAsync(string documentId, DecisionRequest body, ClaimsPrincipal user, IQuerySession session,
        IRequestClient<DecideReview> client, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.Outcome is not ("confirm" or "correct" or "reject" or "escalate"))
            errors["outcome"] = ["must be confirm, correct, reject or escalate"];
        if (body.Outcome == "correct" && string.IsNullOrWhiteSpace(body.Label))
            errors["label"] = ["is required to correct"];
        if (body.Outcome is "correct" or "reject" or "escalate" && string.IsNullOrWhiteSpace(body.ReasonCode))
            errors["reasonCode"] = [$"is required to {body.Outcome}"];
        if (errors.Count > 0) return Task.FromResult<IResult>(TypedResults.ValidationProblem(errors, title: "The decision is incomplete"));
        return SendAsync(documentId, user, session, ct, () => client.GetResponse<ReviewCommandAccepted, ReviewCommandRefused>(
            new DecideReview(documentId, user.UserId(), body.Outcome!, body.Label, body.ReasonCode, body.Comment), ct));
    }

    /// <summary>404 unknown document, 403 another group's task, 409 what the document's state refused, 200 what was recorded.</summary>
    /// <param name="loaded">The document's state when the caller loaded it already (it is loaded otherwise).</param>
    static async Task<IResult> SendAsync(string documentId, ClaimsPrincipal user, IQuerySession session, CancellationToken ct,
        Func<Task<Response<ReviewCommandAccepted, ReviewCommandRefused>>> send, DocumentState? loaded = null)
    {
        var state = loaded ?? await session.LoadAsync<DocumentState>(DocumentKey.For(documentId), ct);
        if (state is null)
            return TypedResults.Problem(statusCode: 404, title: "No such document", detail: $"No document '{documentId}'.");
        if (state.ReviewerGroup is null || !user.Groups().Contains(state.ReviewerGroup))
            return TypedResults.Problem(statusCode: 403, title: "Not your group's task",
                detail: $"'{documentId}' is in the queue of {state.ReviewerGroup ?? "no group"}.");

        var response = await send();
        if (response.Is(out Response<ReviewCommandAccepted>? accepted)) return TypedResults.Ok(accepted!.Message);
        response.Is(out Response<ReviewCommandRefused>? refused);
        var problem = TypedResults.Problem(statusCode: 409, title: "Refused", detail: refused!.Message.Reason);
        problem.ProblemDetails.Extensions["status"] = refused.Message.Status;
        problem.ProblemDetails.Extensions["heldBy"] = refused.Message.HeldBy;
        return problem;
    }
}

public sealed record MyDay(DateTimeOffset Since, int Decided, int Confirmed, int Corrected, int Rejected, int Holding,
    int AwaitingSecondReview, IReadOnlyList<MyDecision> Items);

public sealed record MyDecision(string DocumentId, string DocumentType, string PredictedLabel, string FinalLabel, string Outcome,
    DateTimeOffset DecidedAt);

public sealed record BulkConfirmRequest(IReadOnlyList<string>? DocumentIds, string? Comment);

public sealed record BulkConfirmResult(string DocumentId, int Status, string? DocumentStatus, string? Reason);

public sealed record ReassignRequest(string? ReviewerId);

public sealed record DecisionRequest(string? Outcome, string? Label, string? ReasonCode, string? Comment);

public sealed record QueuePage(int Page, int PageSize, IReadOnlyList<QueueItem> Items);

public sealed record QueueItem(string DocumentId, string DocumentType, string PredictedLabel, double Confidence, string? ReviewerGroup,
    string Status, string? ClaimedBy, DateTimeOffset? LeaseExpiresAt, DateTimeOffset? RequestedAt, DateTimeOffset? DueAt,
    bool Breached, string? Priority, DateTimeOffset? RemindAt)
{
    public static QueueItem From(DocumentState s) => new(s.DocumentId, s.Classification!.DocumentType, s.Classification.Label,
        s.Classification.Confidence, s.ReviewerGroup, s.CurrentState, s.ClaimedBy, s.LeaseExpiresAt, s.ReviewRequestedAt,
        s.SlaDueAt, s.SlaBreachedAt is not null, s.Priority, s.SlaRemindAt);
}
