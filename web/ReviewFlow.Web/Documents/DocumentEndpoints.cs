using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Notifications;

namespace ReviewFlow.Web.Documents;

/// <summary>HTTP intake for systems without AMQP, and the document read side.</summary>
public static class DocumentEndpoints
{
    public static void MapDocumentEndpoints(this IEndpointRouteBuilder app)
    {
        var documents = app.MapGroup("/api/v1/documents").WithTags("Documents");
        documents.MapPost("/", SubmitAsync).RequireAuthorization(ReviewFlow.Web.SignIn.Policies.Ingest);
        documents.MapGet("/{documentId}", GetAsync);
        documents.MapGet("/{documentId}/history", HistoryAsync);
        documents.MapGet("/{documentId}/notifications", NotificationsAsync);
    }

    /// <summary>202 once the result is on the bus; 400 problem details naming each bad field otherwise.</summary>
    static async Task<Results<Accepted<SubmitResponse>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HttpRequest request, ClassificationIntake intake, IPublishEndpoint bus, IntakeLimits limits, System.Security.Claims.ClaimsPrincipal user,
        CancellationToken ct)
    {
        if (await ReadBodyAsync(request, limits.MaxPayloadBytes, ct) is not { } body)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Payload too large", detail: $"The limit is {limits.MaxPayloadBytes} bytes.");
        ParsedClassification parsed;
        try
        {
            parsed = await intake.ParseAsync(body, ct);
        }
        catch (ReviewFlow.Workflow.Policy.NoRoutingPolicyException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: ex.Message);
        }
        await intake.ForwardAsync(parsed, Channels.Http, bus, ct, ReviewFlow.Web.SignIn.SignInSetup.UserId(user));
        if (!parsed.IsValid)
            return TypedResults.ValidationProblem(parsed.Errors.ToDictionary(),
                title: "The classification result is invalid",
                detail: parsed.DocumentId is null ? null : $"Recorded: document {parsed.DocumentId} shows status Invalid.");

        var id = parsed.Classification!.DocumentId;
        return TypedResults.Accepted($"/api/v1/documents/{Uri.EscapeDataString(id)}", new SubmitResponse(id, "accepted"));
    }

    /// <summary>
    /// The body, or null when it is over <paramref name="max"/> bytes: refused by Content-Length before reading, and
    /// a chunked body (no Content-Length) as soon as it passes the limit, so no request buffers more than the limit.
    /// </summary>
    static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, int max, CancellationToken ct)
    {
        if (request.ContentLength > max) return null;
        // One byte over the announced length: the read that returns 0 then needs no larger buffer.
        var buffer = new byte[request.ContentLength + 1 ?? Math.Min(max + 1, 64 * 1024)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > max) return null;
                Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, max + 1L));
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) return buffer.AsMemory(0, length);
            length += read;
        }
    }

    static async Task<Results<Ok<DocumentView>, ProblemHttpResult>> GetAsync(
        string documentId, IQuerySession session, CancellationToken ct)
    {
        var state = await session.LoadAsync<DocumentState>(DocumentKey.For(documentId), ct);
        return state is null ? NotFound(documentId) : TypedResults.Ok(DocumentView.From(state));
    }

    static async Task<Results<Ok<HistoryEntry[]>, ProblemHttpResult>> HistoryAsync(
        string documentId, IQuerySession session, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(documentId, token: ct);
        if (events.Count == 0) return NotFound(documentId);
        return TypedResults.Ok(events.Select(e => new HistoryEntry(
            e.Version, e.Data.GetType().Name, e.Timestamp, (e.Data as IDocumentEvent)?.Actor ?? Actors.System, e.Id, e.Data)).ToArray());
    }

    /// <summary>Every Teams/Outlook notification attempt for the document, oldest first, with its outcome.</summary>
    static async Task<Ok<NotificationView[]>> NotificationsAsync(string documentId, IQuerySession session, CancellationToken ct)
    {
        var records = await session.Query<NotificationRecord>().Where(r => r.DocumentId == documentId)
            .OrderBy(r => r.At).Take(500).ToListAsync(ct);
        return TypedResults.Ok(records.Select(r => new NotificationView(r.Kind, r.Channel, r.Recipient, r.Attempt, r.Outcome,
            r.HttpStatus, r.Detail, r.At)).ToArray());
    }

    static ProblemHttpResult NotFound(string documentId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such document",
            detail: $"No classification result has been recorded for '{documentId}'.");
}

public sealed record SubmitResponse(string DocumentId, string Status);

public sealed record NotificationView(string Kind, string Channel, string Recipient, int Attempt, string Outcome, int? HttpStatus,
    string? Detail, DateTimeOffset At);

public sealed record HistoryEntry(long Version, string Type, DateTimeOffset At, string Actor, Guid EventId, object Data);

/// <summary>GET /api/v1/documents/{id}. Status: Invalid, AwaitingReview, Claimed, AwaitingSecondReview, Escalated or Routed.</summary>
public sealed record DocumentView(
    string DocumentId, string Status, string? DocumentType, string? PredictedLabel, double? Confidence, string? FinalLabel,
    string? Outcome, string? DecidedBy, DateTimeOffset? DecidedAt, string? ReviewerGroup, string? ClaimedBy,
    DateTimeOffset? LeaseExpiresAt, string? ModelVersion, int PolicyVersion, string? RoutingRule, double? Threshold,
    IReadOnlyList<string> InvalidReasons, DateTimeOffset UpdatedAt, bool FourEyes, string? FirstReviewerId, string? SecondReviewerId,
    string? Priority, DateTimeOffset? DueAt, DateTimeOffset? RemindedAt, DateTimeOffset? BreachedAt, DateTimeOffset? RemindAt)
{
    public static DocumentView From(DocumentState s) => new(
        s.DocumentId, s.CurrentState, s.Classification?.DocumentType, s.Classification?.Label, s.Classification?.Confidence,
        s.FinalLabel, s.Outcome, s.DecidedBy, s.DecidedAt, s.ReviewerGroup, s.ClaimedBy, s.LeaseExpiresAt, s.ModelVersion,
        s.PolicyVersion, s.RoutingRule, s.Threshold, s.InvalidReasons, s.UpdatedAt, s.FourEyes, s.FirstReviewerId, s.SecondReviewerId,
        s.Priority, s.SlaDueAt, s.SlaRemindedAt, s.SlaBreachedAt, s.SlaRemindAt);
}
