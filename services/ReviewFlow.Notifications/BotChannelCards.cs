using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewFlow.Workflow.Reviewing;
using ReviewFlow.Teams;
using static ReviewFlow.Notifications.NotificationNames;

namespace ReviewFlow.Notifications;

/// <summary>
/// The task cards of groups whose channel the bot serves (Notifications:Groups:{group}:Teams:ServiceUrl and
/// ConversationId): posted proactively through the Bot Connector (docs/adr/0021), not Graph, with every attempt recorded
/// like any notification (channel "teams", 429 and Retry-After honoured by the attempt loop). The posted activity's id is
/// kept (<see cref="TeamsCardPost"/>) so that <see cref="TeamsCardRefresher"/> can replace the card for everyone.
/// Around the Graph (or disabled) notifier: it sends the mails, and the cards of groups without a bot channel. A reassignment
/// also goes to the assignee's personal chat with the bot (<see cref="ReassignedAsync"/>).
/// </summary>
internal sealed class BotChannelCards(IReviewNotifier inner, IOptions<NotificationOptions> options, BotConnector connector, TaskCards cards,
    IDocumentStore store, AttemptLoop attempts, AttemptRecorder recorder, GroupDirectory directory, IServiceProvider services) : IReviewNotifier
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

    /// <summary>
    /// The mail (inner), then the task's card, as its holder sees it (decision inputs, Action.Execute only), in the assignee's
    /// personal chat: the bot opens (or finds) that chat with their Teams id, which it knows once they have used the bot
    /// (<see cref="TeamsMember"/>). Nothing while the bot is off; skipped while they are out of office, as the mail is.
    /// </summary>
    public async Task ReassignedAsync(Reassignment r, CancellationToken ct)
    {
        await inner.ReassignedAsync(r, ct);
        if (!connector.IsOn) return;
        var recipient = "teams:" + r.AssigneeId;
        var delivery = new Delivery(Id(Reassigned, r.Subject, recipient), r.Task.DocumentId, Reassigned, NotificationNames.Teams, recipient);
        await using var session = store.LightweightSession();
        // One Teams user per ReviewFlow user as a rule; one the bot heard from since 2026-12 knows its region's service URL.
        var member = (await session.Query<TeamsMember>().Where(m => m.UserId == r.AssigneeId).ToListAsync(ct))
            .OrderBy(m => m.ServiceUrl is null).FirstOrDefault();
        var serviceUrl = member?.ServiceUrl ?? options.Value.Groups.GetValueOrDefault(r.Task.ReviewerGroup)?.Teams?.ServiceUrl;
        if (member is null || serviceUrl is null)
        {
            await recorder.SkippedAsync(delivery, $"{r.AssigneeId} has not used the ReviewFlow bot in Teams yet: no personal chat to post to", ct);
            return;
        }
        if (services.GetService<OutOfOfficeLookup>() is { } outOfOffice && options.Value.AddressOf(r.AssigneeId) is { } address
            && await outOfOffice.CheckAsync(address, ct) is { Away: true } away)
        {
            await recorder.SkippedAsync(delivery, away.Detail, ct);
            return;
        }
        var supervisor = directory.MemberOf(r.AssigneeId, r.Task.ReviewerGroup) == true;
        if (await cards.BuildAsync(session, r.Task.DocumentId, $"{r.ReassignedBy} reassigned this task to you", new CardViewer(r.AssigneeId, supervisor),
                null, ct) is not { } card) return;
        var activity = BotConnector.CardActivity(card);
        await attempts.RunAsync(delivery, 201, async token =>
        {
            var chat = await connector.CreatePersonalChatAsync(serviceUrl, member.TeamsId, token);
            await connector.SendAsync(serviceUrl, chat, activity, token);
        }, null, ct);
    }

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
