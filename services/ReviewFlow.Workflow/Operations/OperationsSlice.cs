using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Operations;

/// <summary>
/// The intake error queues worked from the browser (role Operator, and Admin): what waits there and why, replay after a
/// fix, discard with a reason — each action an event in "$operations" with who and why — and the documents that are
/// Invalid, by source system (docs/operations.md, "Error queue").
/// </summary>
public static class OperationsSlice
{
    const int MaxInvalidDocuments = 500;

    /// <summary>Both hosts: the operations events (the worker's daemon reads every event); the web host also works the queues.</summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts => { foreach (var type in OperationsLog.EventTypes) opts.Events.AddEventType(type); });
        builder.Services.AddSingleton<ErrorQueue>();
        return builder;
    }

    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/api/v1/operations").WithTags("Operations").RequireAuthorization(p => p.RequireRole(Roles.Operator, Roles.Admin));
        ops.MapGet("/error-queue", ListAsync)
            .WithSummary("What waits in the intake error queues: each message's reasons, source, a safe preview; counts by reason");
        ops.MapPost("/error-queue/replay", ReplayAsync).Produces<ReplayResult>().ProducesValidationProblem()
            .WithSummary("Send messages back to the intake (by ids, one reason, or all), removed only once the broker confirmed");
        ops.MapPost("/error-queue/discard", DiscardAsync).Produces<DiscardResult>().ProducesValidationProblem()
            .WithSummary("Remove messages from the error queues with a reason, recorded first");
        ops.MapGet("/history", HistoryAsync).WithSummary("Who replayed or discarded what, and why");
        ops.MapGet("/invalid-documents", InvalidDocumentsAsync)
            .WithSummary("Documents refused as Invalid, with their reasons, by source system or text");
        return app;
    }

    public sealed record ReasonCount(string Reason, int Count);
    public sealed record ErrorQueueView(IReadOnlyList<ErrorQueueMessage> Messages, IReadOnlyList<ReasonCount> Reasons, long Total, bool Complete);

    static async Task<Ok<ErrorQueueView>> ListAsync(ErrorQueue queue, CancellationToken ct)
    {
        var (messages, total) = await queue.ListAsync(ct);
        var byReason = messages.SelectMany(m => m.Reasons.Distinct()).GroupBy(r => r)
            .Select(g => new ReasonCount(g.Key, g.Count())).OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new ErrorQueueView(messages.OrderBy(m => m.FirstSeen).ToList(), byReason, total, total == messages.Count));
    }

    /// <param name="Ids">These messages; or <paramref name="Reason"/>: every message with that reason; or All.</param>
    public sealed record ReplayRequest(IReadOnlyList<string>? Ids, string? Reason, bool? All, string? Note);
    public sealed record ReplayResult(int Replayed, IReadOnlyList<string> Failed, IReadOnlyList<string> NotFound);

    static async Task<IResult> ReplayAsync(ReplayRequest body, ClaimsPrincipal user, ErrorQueue queue, IDocumentStore store,
        TimeProvider clock, CancellationToken ct)
    {
        var ids = body.Ids?.Where(i => !string.IsNullOrWhiteSpace(i)).ToHashSet(StringComparer.Ordinal) ?? [];
        var reason = string.IsNullOrWhiteSpace(body.Reason) ? null : body.Reason;
        var selectors = (ids.Count > 0 ? 1 : 0) + (reason is null ? 0 : 1) + (body.All == true ? 1 : 0);
        if (selectors != 1)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ids"] = ["name the messages (ids), one reason, or all: exactly one of them"] },
                title: "Which messages?");
        Func<ErrorQueueMessage, bool> chosen = ids.Count > 0 ? m => ids.Contains(m.Id) : reason is not null ? m => m.Reasons.Contains(reason) : _ => true;

        var (replayed, failed) = await queue.ReplayAsync(chosen, ct);
        // Recorded after the confirms: a crash before this line leaves the replay unrecorded here (the documents' own
        // histories show the result arriving again), never a message lost.
        if (replayed.Count > 0)
            await RecordAsync(store, new ErrorQueueReplayed(OperationsLog.Taken(replayed),
                ids.Count > 0 ? "ids" : reason is not null ? "reason: " + reason : "all", Trimmed(body.Note), user.UserId(), clock.GetUtcNow()), ct);
        var seen = replayed.Concat(failed).Select(m => m.Id).ToHashSet();
        return TypedResults.Ok(new ReplayResult(replayed.Count, failed.Select(m => m.Id).Distinct().ToList(), ids.Where(i => !seen.Contains(i)).ToList()));
    }

    public sealed record DiscardRequest(IReadOnlyList<string>? Ids, string? Reason);
    public sealed record DiscardResult(int Discarded, IReadOnlyList<string> NotFound);

    static async Task<IResult> DiscardAsync(DiscardRequest body, ClaimsPrincipal user, ErrorQueue queue, IDocumentStore store,
        TimeProvider clock, CancellationToken ct)
    {
        var ids = body.Ids?.Where(i => !string.IsNullOrWhiteSpace(i)).ToHashSet(StringComparer.Ordinal) ?? [];
        var errors = new Dictionary<string, string[]>();
        if (ids.Count == 0) errors["ids"] = ["name the messages to discard"];
        if (Trimmed(body.Reason) is null) errors["reason"] = ["is required: every discard is recorded with its reason"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The discard is incomplete");

        var discarded = await queue.DiscardAsync(m => ids.Contains(m.Id),
            taken => RecordAsync(store, new ErrorQueueDiscarded(OperationsLog.Taken(taken), Trimmed(body.Reason)!, user.UserId(), clock.GetUtcNow()), ct), ct);
        var seen = discarded.Select(m => m.Id).ToHashSet();
        return TypedResults.Ok(new DiscardResult(discarded.Count, ids.Where(i => !seen.Contains(i)).ToList()));
    }

    static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim()[..Math.Min(text.Trim().Length, 500)];

    static async Task RecordAsync(IDocumentStore store, object action, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Events.Append(OperationsLog.StreamKey, action);
        await session.SaveChangesAsync(ct);
    }

    public sealed record OperationsEntry(string Action, string Actor, DateTimeOffset At, string Why, string? Selection, IReadOnlyList<ErrorMessageTaken> Messages);

    /// <summary>GET …/history: every action on the error queues, newest first.</summary>
    static async Task<Ok<List<OperationsEntry>>> HistoryAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(OperationsLog.StreamKey, token: ct);
        return TypedResults.Ok(events.Select(e => e.Data).Reverse().Select(d => d switch
        {
            ErrorQueueReplayed r => new OperationsEntry("replayed", r.Actor, r.At, r.Note ?? "", r.Selection, r.Messages),
            ErrorQueueDiscarded d2 => new OperationsEntry("discarded", d2.Actor, d2.At, d2.Reason, null, d2.Messages),
            _ => null,
        }).OfType<OperationsEntry>().ToList());
    }

    public sealed record InvalidDocument(string DocumentId, string? SourceSystem, IReadOnlyList<string> Reasons, DateTimeOffset UpdatedAt);

    /// <summary>GET …/invalid-documents?sourceSystem=&amp;q=: documents in status Invalid, newest first; q matches the id or a reason.</summary>
    static async Task<Ok<List<InvalidDocument>>> InvalidDocumentsAsync(string? sourceSystem, string? q, IDocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var query = session.Query<DocumentState>().Where(d => d.CurrentState == DocumentStatus.Invalid);
        if (!string.IsNullOrWhiteSpace(sourceSystem))
        {
            var source = sourceSystem.Trim();
            query = query.Where(d => d.SourceSystem != null && d.SourceSystem.Equals(source, StringComparison.OrdinalIgnoreCase));
        }
        var found = await query.OrderByDescending(d => d.UpdatedAt).Take(MaxInvalidDocuments).ToListAsync(ct);
        var text = q?.Trim();
        return TypedResults.Ok(found
            .Where(d => string.IsNullOrEmpty(text) || d.DocumentId.Contains(text, StringComparison.OrdinalIgnoreCase)
                || d.InvalidReasons.Any(r => r.Contains(text, StringComparison.OrdinalIgnoreCase)))
            .Select(d => new InvalidDocument(d.DocumentId, d.SourceSystem, d.InvalidReasons, d.UpdatedAt)).ToList());
    }
}
