using Marten;
using Microsoft.Extensions.Options;
using ReviewFlow.Teams;
using static ReviewFlow.Notifications.NotificationNames;

namespace ReviewFlow.Notifications;

/// <summary>
/// The task cards of groups whose channel the bot serves (Notifications:Groups:{group}:Teams:ServiceUrl and
/// ConversationId): posted proactively through the Bot Connector (docs/adr/0021), not Graph, with every attempt recorded
/// like any notification (channel "teams", 429 and Retry-After honoured by the attempt loop). The posted activity's id is
/// kept (<see cref="TeamsCardPost"/>) so that <see cref="TeamsCardRefresher"/> can replace the card for everyone.
/// Around the Graph (or disabled) notifier: it sends the mails, and the cards of groups without a bot channel.
/// </summary>
internal sealed class BotChannelCards(IReviewNotifier inner, IOptions<NotificationOptions> options, BotConnector connector, TaskCards cards,
    IDocumentStore store, AttemptLoop attempts, AttemptRecorder recorder) : IReviewNotifier
{
    public async Task NewTaskAsync(ReviewTask task, CancellationToken ct)
    {
        await inner.NewTaskAsync(task, ct);
        await PostAsync(NewTask, task, "New review task", ct);
    }

    public Task ReminderAsync(ReviewTask task, CancellationToken ct) => inner.ReminderAsync(task, ct);

    public async Task BreachAsync(ReviewTask task, CancellationToken ct)
    {
        await inner.BreachAsync(task, ct);
        await PostAsync(Breach, task, "SLA breached", ct);
    }

    public async Task EscalatedAsync(ReviewTask task, string reason, CancellationToken ct)
    {
        await inner.EscalatedAsync(task, reason, ct);
        await PostAsync(Escalated, task, $"For a supervisor: {reason}", ct);
    }

    public Task DigestAsync(ReviewerDigest digest, CancellationToken ct) => inner.DigestAsync(digest, ct);

    public Task QualityAlertAsync(QualityAlertNotice notice, CancellationToken ct) => inner.QualityAlertAsync(notice, ct);

    async Task PostAsync(string kind, ReviewTask task, string title, CancellationToken ct)
    {
        if (options.Value.Groups.GetValueOrDefault(task.ReviewerGroup)?.Teams is not { IsBotSet: true } channel) return;
        var recipient = $"teams:{channel.ConversationId}";
        var delivery = new Delivery(Id(kind, task.DocumentId, recipient), task.DocumentId, kind, NotificationNames.Teams, recipient);
        if (!connector.IsOn)
        {
            await recorder.SkippedAsync(delivery, "the Teams bot is off: Teams:BotAppId, TenantId and BotAppSecret are needed", ct);
            return;
        }
        await using var session = store.LightweightSession();
        if (await cards.BuildAsync(session, task.DocumentId, title, null, null, ct) is not { } card) return;
        var activity = BotConnector.CardActivity(card); // once: a JSON node has one parent, and every attempt sends the same
        string? activityId = null;
        await attempts.RunAsync(delivery, 201, async token =>
            activityId = await connector.SendAsync(channel.ServiceUrl!, channel.ConversationId!, activity, token), null, ct);
        if (string.IsNullOrEmpty(activityId)) return;
        var posted = await session.LoadAsync<TeamsCardPost>(task.DocumentId, ct)
                     ?? new TeamsCardPost { Id = task.DocumentId, ServiceUrl = channel.ServiceUrl!, ConversationId = channel.ConversationId! };
        posted.Cards.Add(new PostedCard(activityId, title, DateTimeOffset.UtcNow));
        session.Store(posted);
        await session.SaveChangesAsync(ct);
    }
}
