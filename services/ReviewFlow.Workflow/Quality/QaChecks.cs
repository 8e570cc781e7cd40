using System.Security.Claims;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Quality;

/// <summary>A human decision drawn for a blind re-check by another reviewer of its group (stream qa-check-{documentId}).</summary>
public sealed record QaCheckRequested(string DocumentId, string DocumentType, string ReviewerGroup, string ModelVersion,
    string PredictedLabel, double Confidence, string OriginalReviewerId, IReadOnlyList<string> ExcludedReviewers,
    string OriginalFinalLabel, string OriginalOutcome, DateTimeOffset DecidedAt, DateTimeOffset At);

/// <summary>The QA reviewer's own label for the document; Agrees: the same final label as the decision taken.</summary>
public sealed record QaCheckRecorded(string DocumentId, string QaReviewerId, string Label, bool Agrees, DateTimeOffset At);

/// <summary>
/// One QA re-check (a document kept beside its events, written in the same transaction): open until a reviewer records
/// a label. The original answer is stored for the agreement figures and never served to the QA reviewer.
/// </summary>
public sealed record QaCheck
{
    public string Id { get; init; } = "";
    public string DocumentId { get; init; } = "";
    public string DocumentType { get; init; } = "";
    public string ReviewerGroup { get; init; } = "";
    public string ModelVersion { get; init; } = "";
    public string PredictedLabel { get; init; } = "";
    public double Confidence { get; init; }
    public string OriginalReviewerId { get; init; } = "";
    public IReadOnlyList<string> ExcludedReviewers { get; init; } = [];
    public string OriginalFinalLabel { get; init; } = "";
    public DateTimeOffset RequestedAt { get; init; }
    public string? QaReviewerId { get; init; }
    public string? QaLabel { get; init; }
    public DateTimeOffset? RecordedAt { get; init; }

    public static string StreamKey(string documentId) => "qa-check-" + documentId;

    public static QaCheck From(QaCheckRequested e) => new()
    {
        Id = StreamKey(e.DocumentId), DocumentId = e.DocumentId, DocumentType = e.DocumentType, ReviewerGroup = e.ReviewerGroup,
        ModelVersion = e.ModelVersion, PredictedLabel = e.PredictedLabel, Confidence = e.Confidence, OriginalReviewerId = e.OriginalReviewerId,
        ExcludedReviewers = e.ExcludedReviewers, OriginalFinalLabel = e.OriginalFinalLabel, RequestedAt = e.At,
    };

    public QaCheck Apply(QaCheckRecorded e) => this with { QaReviewerId = e.QaReviewerId, QaLabel = e.Label, RecordedAt = e.At };
}

/// <summary>What a QA reviewer sees: the document and the model's label, never the first reviewer's answer (blind).</summary>
public sealed record QaCheckTask(string DocumentId, string DocumentType, string ReviewerGroup, string PredictedLabel, double Confidence,
    string ModelVersion, DateTimeOffset RequestedAt);

/// <summary>The QA command's rules, pure: who may record (segregation of duties) and what.</summary>
public static class QaCheckDecisions
{
    public sealed record Refusal(int Status, string Title);

    public static object Record(QaCheck? check, string reviewerId, IReadOnlySet<string> groups, string? label, DateTimeOffset now) =>
        check is null ? new Refusal(StatusCodes.Status404NotFound, "No QA check for this document")
        : !groups.Contains(check.ReviewerGroup) ? new Refusal(StatusCodes.Status403Forbidden, "The QA check belongs to another reviewer group")
        : check.ExcludedReviewers.Contains(reviewerId) ? new Refusal(StatusCodes.Status403Forbidden, "You decided this document: another reviewer checks it")
        : check.RecordedAt is not null ? new Refusal(StatusCodes.Status409Conflict, "The QA check is already recorded")
        : string.IsNullOrWhiteSpace(label) || !Intake.ClassificationParser.IsValidLabel(label.Trim()) ? new Refusal(StatusCodes.Status400BadRequest, "A valid label is required")
        : new QaCheckRecorded(check.DocumentId, reviewerId, label.Trim(), label.Trim() == check.OriginalFinalLabel, now);

    /// <summary>The per-type draw, independent of the routing QA draw (another message under the same server key).</summary>
    public static bool Sampled(string documentId, double rate, byte[]? key) =>
        rate > 0 && RoutingRules.SampleFraction("qa-check:" + documentId, key) < rate;
}

/// <summary>
/// Draws human decisions for a QA re-check (the type's <c>reviewQaRate</c>) as they are committed, and opens each check in a
/// stream of its own: the document's stream stays the saga's alone, and the decision already taken and published is
/// neither changed nor delayed. A Marten subscription (one worker at a time), its writes in the transaction of its progress.
/// </summary>
public sealed class QaCheckSampler : SubscriptionBase
{
    readonly TimeProvider clock;

    // Only the clock is injected: the policy source needs the store, which is being built with this subscription.
    public QaCheckSampler(TimeProvider clock)
    {
        this.clock = clock;
        Name = "qa-check-sampler";
        IncludeType<DocumentRouted>();
        Options.BatchSize = 500;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var human = page.Events.Select(e => e.Data).OfType<DocumentRouted>().Where(d => d.Outcome != DecisionOutcomes.Auto).ToList();
        if (human.Count == 0) return NullChangeListener.Instance;
        var policy = (await operations.Events.FetchStreamAsync(MartenRoutingPolicySource.StreamKey, token: cancellationToken))
            .Select(e => e.Data).OfType<RoutingPolicyAdopted>().LastOrDefault()?.Policy;
        var key = (await operations.LoadAsync<QaSamplingKey>(QaSamplingKey.DocumentId, cancellationToken))?.Key;
        foreach (var d in human)
        {
            if (policy?.DocumentTypes.GetValueOrDefault(d.DocumentType) is not { } type
                || !QaCheckDecisions.Sampled(d.DocumentId, type.ReviewQaRate, key)) continue;
            var events = (await operations.Events.FetchStreamAsync(d.DocumentId, token: cancellationToken)).Select(e => e.Data).ToList();
            var group = events.OfType<ReviewRequested>().LastOrDefault()?.ReviewerGroup ?? type.ReviewerGroup;
            // Everyone who reviewed the document (both of four-eyes, a deciding supervisor) is excluded from checking it.
            var reviewers = events.Select(e => e switch
            {
                FirstReviewRecorded f => f.ReviewerId, ReviewDecided r => r.ReviewerId, ReviewDisagreed x => x.ReviewerId, _ => null,
            }).OfType<string>().Append(d.DecidedBy).Distinct().ToList();
            var requested = new QaCheckRequested(d.DocumentId, d.DocumentType, group, d.ModelVersion, d.PredictedLabel, d.Confidence,
                d.DecidedBy, reviewers, d.FinalLabel, d.Outcome, d.DecidedAt, clock.GetUtcNow());
            operations.Events.StartStream(QaCheck.StreamKey(d.DocumentId), requested);
            operations.Store(QaCheck.From(requested));
        }
        return NullChangeListener.Instance;
    }
}

/// <summary>GET /api/v1/qa-checks (open checks for the caller) and POST /api/v1/qa-checks/{documentId} (record a label).</summary>
public static class QaCheckEndpoints
{
    public static IEndpointRouteBuilder MapQaChecks(this IEndpointRouteBuilder app)
    {
        var checks = app.MapGroup("/api/v1/qa-checks").RequireAuthorization(Policies.Review).WithTags("Reviews");
        checks.MapGet("/", OpenAsync).WithSummary("Open QA re-checks of the caller's groups, blind (without the first reviewer's answer)");
        checks.MapPost("/{documentId}", RecordAsync).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Record the caller's label for a QA re-check (never changes the decision taken)");
        return app;
    }

    /// <summary>Open checks of the caller's groups that the caller did not decide, oldest first.</summary>
    static async Task<Ok<IReadOnlyList<QaCheckTask>>> OpenAsync(ClaimsPrincipal user, IDocumentStore store, CancellationToken ct)
    {
        var groups = user.Groups().ToList();
        var me = user.UserId();
        await using var session = store.QuerySession();
        var open = await session.Query<QaCheck>().Where(c => c.RecordedAt == null && c.ReviewerGroup.IsOneOf(groups))
            .OrderBy(c => c.RequestedAt).Take(200).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<QaCheckTask>>(open.Where(c => !c.ExcludedReviewers.Contains(me))
            .Select(c => new QaCheckTask(c.DocumentId, c.DocumentType, c.ReviewerGroup, c.PredictedLabel, c.Confidence, c.ModelVersion, c.RequestedAt))
            .ToList());
    }

    public sealed record QaLabel(string? Label);

    static async Task<Results<Ok<QaCheckRecorded>, ProblemHttpResult>> RecordAsync(string documentId, QaLabel body, ClaimsPrincipal user,
        IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var check = await session.LoadAsync<QaCheck>(QaCheck.StreamKey(documentId), ct);
        switch (QaCheckDecisions.Record(check, user.UserId(), user.Groups(), body.Label, clock.GetUtcNow()))
        {
            case QaCheckDecisions.Refusal r: return TypedResults.Problem(statusCode: r.Status, title: r.Title);
            case QaCheckRecorded recorded:
                session.Events.Append(QaCheck.StreamKey(documentId), 2, recorded); // the stream holds only the request: one recording wins
                session.Store(check!.Apply(recorded));
                try { await session.SaveChangesAsync(ct); }
                catch (JasperFx.Events.EventStreamUnexpectedMaxEventIdException)
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The QA check is already recorded");
                }
                return TypedResults.Ok(recorded);
            default: throw new InvalidOperationException();
        }
    }
}
