using System.Globalization;
using System.Text.Json.Nodes;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Teams;

/// <summary>Who a card is drawn for: null for everyone (the channel's copy), else one Teams user (their refreshed copy).</summary>
public sealed record CardViewer(string UserId, bool Supervisor);

/// <summary>What a task card shows: the task as the queue has it, what a correction chooses from, the reason codes, the page's link.</summary>
public sealed record CardFacts(ReviewQueueItem Task, IReadOnlyList<string> Labels, IReadOnlyList<ReasonCodeOption> ReasonCodes, string Link,
    IReadOnlyList<string> RefreshUserIds);

/// <summary>
/// The review task as an Adaptive Card 1.5 with Universal Actions (docs/teams.md, "The bot"): the task's facts and state
/// (claimed by, decided by, breached), and <c>Action.Execute</c> verbs that fit the viewer — claim for anyone while it is
/// open; confirm, correct (a choice of the model's alternatives and the type's labels), reject, escalate (the type's
/// reason codes) and release for the holder. <c>refresh.userIds</c> lists who gets their own copy when they open it.
/// Every value is plain text in a TextBlock or a choice: Adaptive Cards render no HTML.
/// </summary>
public static class TaskCard
{
    public const string ContentType = "application/vnd.microsoft.card.adaptive";
    public const string Refresh = "refresh";
    public static readonly string[] Verbs = ["claim", DecideReview.Confirm, DecideReview.Correct, DecideReview.Reject, DecideReview.Escalate, "release"];

    public static JsonObject For(CardFacts facts, string title, CardViewer? viewer, string? notice)
    {
        var t = facts.Task;
        var body = new JsonArray();
        if (notice is not null)
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = notice, ["wrap"] = true, ["color"] = "Attention", ["weight"] = "Bolder", ["id"] = "notice" });
        body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = title, ["size"] = "Medium", ["weight"] = "Bolder", ["wrap"] = true });
        body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = State(t), ["wrap"] = true, ["id"] = "state",
            ["color"] = t.BreachedAt is not null && DocumentStatus.IsOpen(t.Status) ? "Attention" : "Default" });
        body.Add(new JsonObject
        {
            ["type"] = "FactSet",
            ["facts"] = new JsonArray(
                Fact("Document", t.DocumentId),
                Fact("Type", t.DocumentType),
                Fact("Prediction", $"{t.PredictedLabel} ({(t.Confidence * 100).ToString("0.#", CultureInfo.InvariantCulture)} %)"),
                Fact("Group", t.ReviewerGroup),
                Fact("Due", t.DueAt is { } due ? due.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "no SLA")),
        });
        if (!string.IsNullOrWhiteSpace(t.Excerpt))
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = t.Excerpt, ["wrap"] = true, ["isSubtle"] = true, ["maxLines"] = 4 });

        var actions = new JsonArray();
        var holder = viewer is not null && t.ClaimedBy == viewer.UserId && DocumentStatus.IsOpen(t.Status);
        if (holder)
        {
            body.Add(Choices("label", "Correct to", facts.Labels.Where(l => l != t.PredictedLabel).Select(l => (l, l))));
            body.Add(Choices("reasonCode", "Reason (correct, reject, escalate)", facts.ReasonCodes.Select(r => (r.Code,
                string.IsNullOrWhiteSpace(r.Description) ? r.Code : $"{r.Code}: {r.Description}"))));
            body.Add(new JsonObject { ["type"] = "Input.Text", ["id"] = "comment", ["label"] = "Comment", ["isMultiline"] = true, ["maxLength"] = 500 });
            actions.Add(Execute(DecideReview.Confirm, $"Confirm {t.PredictedLabel}", t.DocumentId, "positive"));
            actions.Add(Execute(DecideReview.Correct, "Correct", t.DocumentId));
            actions.Add(Execute(DecideReview.Reject, "Reject", t.DocumentId, "destructive"));
            if (!t.ForSupervisor) actions.Add(Execute(DecideReview.Escalate, "Escalate", t.DocumentId));
            actions.Add(Execute("release", "Release", t.DocumentId));
        }
        else if (DocumentStatus.IsOpen(t.Status))
            actions.Add(Execute("claim", "Claim", t.DocumentId, "positive"));
        actions.Add(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open in ReviewFlow", ["url"] = facts.Link });

        return new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["version"] = "1.5",
            ["refresh"] = new JsonObject
            {
                ["action"] = Execute(Refresh, "Refresh", t.DocumentId),
                ["userIds"] = new JsonArray(facts.RefreshUserIds.Select(id => (JsonNode)JsonValue.Create(id)!).ToArray()),
            },
            ["body"] = body,
            ["actions"] = actions,
        };
    }

    /// <summary>A card saying only <paramref name="text"/>: a refusal about a task the viewer may not see, or nothing to do.</summary>
    public static JsonObject Notice(string text) => new()
    {
        ["type"] = "AdaptiveCard",
        ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
        ["version"] = "1.5",
        ["body"] = new JsonArray(new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true, ["id"] = "notice" }),
    };

    /// <summary>The task's state in one sentence, as everyone in the channel reads it.</summary>
    public static string State(ReviewQueueItem t)
    {
        var who = t.ClaimedByName ?? t.ClaimedBy;
        var state = t.Status switch
        {
            DocumentStatus.Claimed => $"Claimed by {who}",
            DocumentStatus.AwaitingSecondReview => t.ClaimedBy is null
                ? $"First review by {t.FirstReviewerId}: waiting for a second reviewer"
                : $"Second review: claimed by {who}",
            DocumentStatus.Escalated => t.ClaimedBy is null ? "Escalated: a supervisor decides" : $"Escalated: claimed by {who}",
            DocumentStatus.Routed => $"Decided by {t.DecidedBy}: {t.Outcome} {t.FinalLabel}",
            _ => t.ClaimedBy is null ? "Waiting for a reviewer" : $"Claimed by {who}",
        };
        return t.BreachedAt is not null && DocumentStatus.IsOpen(t.Status) ? state + " — SLA breached" : state;
    }

    static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };

    static JsonObject Execute(string verb, string title, string documentId, string? style = null)
    {
        var action = new JsonObject
        {
            ["type"] = "Action.Execute", ["verb"] = verb, ["title"] = title,
            ["data"] = new JsonObject { ["documentId"] = documentId },
        };
        if (style is not null) action["style"] = style;
        return action;
    }

    static JsonObject Choices(string id, string label, IEnumerable<(string Value, string Title)> choices) => new()
    {
        ["type"] = "Input.ChoiceSet", ["id"] = id, ["label"] = label, ["style"] = "compact", ["isRequired"] = false,
        ["choices"] = new JsonArray(choices.Select(c => (JsonNode)new JsonObject { ["title"] = c.Title, ["value"] = c.Value }).ToArray()),
    };
}
