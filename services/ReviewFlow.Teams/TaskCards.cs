using System.Text.Json.Nodes;
using Marten;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Reviewing;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Teams;

/// <summary>
/// The cards posted to a channel for one document (Marten document, id = the document id): where they are, so that they can
/// be replaced for everyone when the task changes (<see cref="TeamsCardRefresher"/>). Written by the worker when it posts.
/// </summary>
public sealed class TeamsCardPost
{
    public string Id { get; set; } = "";
    public string ServiceUrl { get; set; } = "";
    public string ConversationId { get; set; } = "";
    /// <summary>Every card posted about the document (new task, breach, escalation), each with its title.</summary>
    public List<PostedCard> Cards { get; set; } = [];
}

public sealed record PostedCard(string ActivityId, string Title, DateTimeOffset At);

/// <summary>
/// A Teams user the bot has heard from (Marten document, id = their aadObjectId): their Teams id ("29:…", the MRI that
/// <c>refresh.userIds</c> names and a personal chat is opened with), the ReviewFlow user they are, and the Bot Connector's
/// service URL of their region (null for members remembered before 2026-12).
/// </summary>
public sealed class TeamsMember
{
    public string Id { get; set; } = "";
    public string TeamsId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string? ServiceUrl { get; set; }
}

/// <summary>Builds a task's card from the store as it is now: the queue's item, the model's alternatives, the type's catalogue.</summary>
public sealed class TaskCards(IRoutingPolicySource policies, GroupDirectory directory, IConfiguration configuration)
{
    /// <summary>Teams refreshes a card automatically for at most 60 users.</summary>
    const int MaxRefreshUsers = 60;

    public async Task<JsonObject?> BuildAsync(IQuerySession session, string documentId, string title, CardViewer? viewer, string? notice,
        CancellationToken ct)
    {
        var task = await session.LoadAsync<ReviewQueueItem>(documentId, ct);
        if (task is null) return null;
        var state = await session.LoadAsync<DocumentState>(DocumentKey.For(documentId), ct);
        var type = (await policies.CurrentAsync(ct)).DocumentTypes.GetValueOrDefault(task.DocumentType);
        var labels = (state?.Classification?.Alternatives ?? []).Select(a => a.Label).Concat(type?.Labels ?? []).Distinct(StringComparer.Ordinal).ToList();
        var members = directory.Members(task.ReviewerGroup).Select(m => m.Id).ToList();
        var teamsIds = members.Count == 0 ? [] : await session.Query<TeamsMember>().Where(m => m.UserId.IsOneOf(members))
            .OrderBy(m => m.Id).Select(m => m.TeamsId).Take(MaxRefreshUsers).ToListAsync(ct);
        var link = $"{(configuration["Notifications:PublicBaseUrl"] ?? "").TrimEnd('/')}/?document={Uri.EscapeDataString(documentId)}";
        return TaskCard.For(new CardFacts(task, labels, type?.ReasonCodes ?? [], link, teamsIds), title, viewer, notice);
    }
}
