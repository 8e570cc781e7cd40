using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.IntegrationTests.Security;

/// <summary>
/// Nothing is trusted from the bus (issue 11): each party's broker user may do only its part, and the saga takes a
/// reviewer command only when the web host sealed it — so even the services' broker password, leaked, forges nothing.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class BusForgeryTests(TestSystem system)
{
    static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"documentId":"FORGED-1","reviewerId":"mallory","outcome":"confirm"}""");

    async Task<IConnection> ConnectAsync(string party) =>
        await new ConnectionFactory { Uri = new Uri(Servers.PartyUri(party, system.RabbitMqUri)) }.CreateConnectionAsync();

    /// <summary>What the broker answers a publish of <see cref="Body"/> to the exchange: null (taken) or its refusal code.</summary>
    static async Task<ushort?> PublishAsync(IConnection connection, string exchange, string routingKey = "")
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        try
        {
            await channel.BasicPublishAsync(exchange, routingKey, mandatory: false, new BasicProperties(), Body);
            return null;
        }
        catch (Exception e) when (e is AlreadyClosedException or RabbitMQ.Client.Exceptions.PublishException or OperationInterruptedException)
        {
            return channel.CloseReason?.ReplyCode;
        }
    }

    static async Task<ushort?> ConsumeAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.BasicGetAsync(queue, autoAck: false);
            return null;
        }
        catch (OperationInterruptedException e)
        {
            return e.ShutdownReason?.ReplyCode;
        }
    }

    [Fact]
    public async Task The_upstream_user_may_publish_classifications_and_nothing_else()
    {
        await using var upstream = await ConnectAsync("upstream");
        var id = Documents.NewId();
        await using (var channel = await upstream.CreateChannelAsync(new CreateChannelOptions(true, true)))
            await channel.BasicPublishAsync("reviewflow.classifications", "", mandatory: false, new BasicProperties(),
                Encoding.UTF8.GetBytes(Documents.Json(id, confidence: 0.97)));
        Assert.Equal(id, (await system.Amqp.WaitForDecisionAsync(id)).DocumentId);

        // Decisions downstream, reviewer commands, timers, validated results, live updates, the saga's queue itself:
        // each refused by the broker (403 ACCESS_REFUSED), not merely ignored.
        string[] exchanges =
        [
            "reviewflow.decisions", "ReviewFlow.Contracts:DecideReview", "ReviewFlow.Contracts:ClaimReview",
            "ReviewFlow.Contracts:ReassignReview", "ReviewFlow.Workflow.Sla:SlaTimerElapsed",
            "ReviewFlow.Workflow.Intake:ClassificationAccepted", "ReviewFlow.Contracts:ReviewTaskChanged", DocumentsSlice.DocumentsQueue,
        ];
        foreach (var exchange in exchanges)
            Assert.True(await PublishAsync(upstream, exchange) == 403, $"upstream could publish to {exchange}");
        Assert.Equal((ushort)403, await PublishAsync(upstream, "", DocumentsSlice.DocumentsQueue)); // the default exchange
        Assert.Equal((ushort)403, await ConsumeAsync(upstream, DocumentsSlice.DocumentsQueue));
    }

    [Fact]
    public async Task The_downstream_user_may_read_decisions_into_its_own_queue_and_nothing_else()
    {
        await using var downstream = await ConnectAsync("downstream");
        var queue = "downstream.test-" + Guid.NewGuid().ToString("N")[..8];
        await using (var channel = await downstream.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true);
            await channel.QueueBindAsync(queue, "reviewflow.decisions", "invoice.#");
            var id = Documents.NewId();
            await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.97));
            await system.Amqp.WaitForDecisionAsync(id);
            BasicGetResult? got = null;
            for (var i = 0; i < 50 && (got = await channel.BasicGetAsync(queue, autoAck: true)) is null; i++) await Task.Delay(100);
            Assert.Equal(id, JsonDocument.Parse(got!.Body).RootElement.GetProperty("documentId").GetString());
        }

        Assert.Equal((ushort)403, await PublishAsync(downstream, "reviewflow.decisions", "invoice.telecom"));
        Assert.Equal((ushort)403, await PublishAsync(downstream, "ReviewFlow.Contracts:DecideReview"));
        Assert.Equal((ushort)403, await ConsumeAsync(downstream, DocumentsSlice.DocumentsQueue));
    }

    [Fact]
    public async Task Commands_forged_with_the_services_password_but_without_the_seal_change_nothing_and_are_recorded()
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, label: "utilities", confidence: 0.5));
        var alice = await system.ClientAsync("alice");
        await alice.ForStatusAsync(id, "AwaitingReview");
        (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).EnsureSuccessStatusCode();

        // Another host with the services' broker user but not their key: a reassignment between two invented ids, then
        // a confirmation by the invented holder (four-eyes would be satisfied by two made-up reviewers).
        var reassign = await system.Bus.CreateRequestClient<ReassignReview>()
            .GetResponse<ReviewCommandAccepted, ReviewCommandRefused>(new ReassignReview(id, "mallory", "eve"));
        await system.Bus.Publish(new DecideReview(id, "eve", DecideReview.Confirm));

        Assert.True(reassign.Is(out Response<ReviewCommandRefused>? refused));
        Assert.Equal("not accepted: the command is not sealed by the web host", refused!.Message.Reason);
        await Waiting.UntilAsync(async () => (await system.Store.EventTypesAsync(id)).Count(t => t == nameof(UnauthenticatedCommandRefused)) == 2,
            TimeSpan.FromSeconds(20), "both forgeries recorded");
        var document = await alice.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{id}");
        Assert.Equal(("Claimed", "alice"), (document.GetProperty("status").GetString(), document.GetProperty("claimedBy").GetString()));
        Assert.DoesNotContain(system.Amqp.Decisions, d => d.DocumentId == id);

        // The real reviewer's decision still goes through.
        (await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "confirm" })).EnsureSuccessStatusCode();
        Assert.Equal("alice", (await system.Amqp.WaitForDecisionAsync(id)).Body.GetProperty("decidedBy").GetString());
    }
}
