using System.Security.Claims;
using System.Text.Json.Nodes;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Reviewing;
using ClaimTask = ReviewFlow.Workflow.Reviewing.Claim;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Teams;

/// <summary>
/// An <c>Action.Execute</c> from a task card, or "my next task" from the bot's chat, done by the page's own handlers
/// (<see cref="ClaimTask"/>, <see cref="Release"/>, <see cref="Decide"/>, <see cref="ClaimNext"/>) as the Teams user, recorded
/// with channel "teams": the same group check, catalogue check, command seal and saga rules (claim held, lease, four-eyes,
/// segregation of duties). The answer is the card as that user now sees it, with the refusal on top when there was one.
/// </summary>
public sealed class CardActions(IServiceProvider services, IQuerySession session, TaskCards cards, CommandSeal seal, IRoutingPolicySource policies)
{
    const string Title = "Review task";

    public async Task<JsonObject> ExecuteAsync(ClaimsPrincipal user, string verb, JsonObject data, CancellationToken ct)
    {
        if (data["documentId"]?.GetValue<string>() is not { Length: > 0 } id) return TaskCard.Notice("This card names no document.");
        if (!user.IsInRole(Roles.Reviewer) && !user.IsInRole(Roles.Supervisor)) return NotAReviewer(user);
        var task = await session.LoadAsync<ReviewQueueItem>(id, ct);
        // Another group's task is answered as an unknown one, as on the page.
        if (task is null || !user.Groups().Contains(task.ReviewerGroup)) return TaskCard.Notice($"No review task for '{id}' in your groups.");

        IResult? result = verb switch
        {
            TaskCard.Refresh => null,
            "claim" => await ClaimTask.ByAsync(ReviewChannels.Teams, id, user, session, Client<ClaimReview>(), seal, ct),
            "release" => await Release.ByAsync(ReviewChannels.Teams, id, user, session, Client<ReleaseReview>(), seal, ct),
            DecideReview.Confirm or DecideReview.Correct or DecideReview.Reject or DecideReview.Escalate =>
                await Decide.ByAsync(ReviewChannels.Teams, id, new DecisionRequest(verb, Text(data, "label"), Text(data, "reasonCode"), Text(data, "comment")),
                    user, session, policies, Client<DecideReview>(), seal, ct),
            _ => TypedResults.Problem(statusCode: 400, title: "Unknown action", detail: $"'{verb}' is not an action of this card."),
        };
        return await CardAsync(id, user, Refusal(result), ct);
    }

    /// <summary>"My next task": claims it as ClaimNext does on the page, and answers its card; or a card saying why there is none.</summary>
    public async Task<JsonObject> NextAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (!user.IsInRole(Roles.Reviewer) && !user.IsInRole(Roles.Supervisor)) return NotAReviewer(user);
        var result = await ClaimNext.ByAsync(ReviewChannels.Teams, user, session, Client<ClaimReview>(), seal, ct);
        return result is Ok<NextTask> { Value: { } next }
            ? await CardAsync(next.DocumentId, user, null, ct)
            : TaskCard.Notice(Refusal(result) ?? "Nothing to review.");
    }

    async Task<JsonObject> CardAsync(string documentId, ClaimsPrincipal user, string? notice, CancellationToken ct) =>
        await cards.BuildAsync(session, documentId, Title, new CardViewer(user.UserId(), user.IsInRole(Roles.Supervisor)), notice, ct)
        ?? TaskCard.Notice(notice ?? $"No review task for '{documentId}'.");

    IRequestClient<T> Client<T>() where T : class => services.GetRequiredService<IRequestClient<T>>();

    static JsonObject NotAReviewer(ClaimsPrincipal user) =>
        TaskCard.Notice($"{user.DisplayName()} is not a reviewer or supervisor of any ReviewFlow group.");

    static string? Text(JsonObject data, string key) => data[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    /// <summary>Null when the handler accepted; otherwise its refusal in the words the page shows.</summary>
    static string? Refusal(IResult? result) => result switch
    {
        null or Ok<ReviewCommandAccepted> or Ok<NextTask> => null,
        ValidationProblem v => "Refused: " + string.Join("; ", v.ProblemDetails.Errors.SelectMany(e => e.Value.Select(m => $"{e.Key} {m}"))),
        ProblemHttpResult p => $"Refused: {p.ProblemDetails.Detail ?? p.ProblemDetails.Title}",
        _ => "Refused.",
    };
}
