using Marten;
using MassTransit;
using ReviewFlow.Contracts;

namespace ReviewFlow.Teams;

/// <summary>
/// The worker keeps the channel's cards true for everyone: on every change of a task (claimed, released, decided,
/// breached — from the page, the card or a timer) each card posted about it is replaced (PUT …/activities/{id}) with the
/// task as it is now. One worker handles each change (a competing queue); a failed replacement is logged, and the next
/// change or anyone opening the card (refresh) shows the current state anyway.
/// </summary>
public sealed class TeamsCardRefresher(IDocumentStore store, TaskCards cards, BotConnector connector, ILogger<TeamsCardRefresher> log)
    : IConsumer<ReviewTaskChanged>
{
    public async Task Consume(ConsumeContext<ReviewTaskChanged> context)
    {
        if (!connector.IsOn) return;
        var ct = context.CancellationToken;
        await using var session = store.QuerySession();
        var posted = await session.LoadAsync<TeamsCardPost>(context.Message.DocumentId, ct);
        if (posted is null) return;
        foreach (var card in posted.Cards)
        {
            var content = await cards.BuildAsync(session, posted.Id, card.Title, null, null, ct);
            if (content is null) return;
            try
            {
                await connector.UpdateAsync(posted.ServiceUrl, posted.ConversationId, card.ActivityId, BotConnector.CardActivity(content), ct);
            }
            catch (Exception ex) when (ex is ConnectorException or HttpRequestException)
            {
                log.LogWarning("Teams card {ActivityId} of {DocumentId} not updated: {Reason}", card.ActivityId, posted.Id, ex.Message);
            }
        }
    }
}
