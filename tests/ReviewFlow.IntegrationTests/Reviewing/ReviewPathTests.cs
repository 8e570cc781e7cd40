using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Reviewing;

namespace ReviewFlow.IntegrationTests.Reviewing;

/// <summary>Reviewer commands enter the saga over the bus (the web host's path in the reviewer-workspace issue).</summary>
[Collection(SystemCollection.Name)]
public sealed class ReviewPathTests(TestSystem system)
{
    async Task<string> UnsureInvoiceAsync()
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, label: "utilities", confidence: 0.55));
        await (await system.ClientAsync()).ForStatusAsync(id, "AwaitingReview");
        return id;
    }

    /// <summary>Sealed with the services' key, as the web host sends them (CommandSeal).</summary>
    async Task<Response<ReviewCommandAccepted, ReviewCommandRefused>> SendAsync<T>(T command) where T : class =>
        await system.Bus.CreateRequestClient<T>().GetResponse<ReviewCommandAccepted, ReviewCommandRefused>(command,
            x => x.UseExecute(system.Worker.Services.GetRequiredService<CommandSeal>().Apply));

    [Fact]
    public async Task Claim_and_correct_routes_the_corrected_label_downstream()
    {
        var id = await UnsureInvoiceAsync();
        var claim = await SendAsync(new ClaimReview(id, "alice"));
        Assert.True(claim.Is(out Response<ReviewCommandAccepted>? claimed));
        Assert.Equal("Claimed", claimed!.Message.Status);

        var decide = await SendAsync(new DecideReview(id, "alice", "correct", "telecom", "wrong-vendor", "It is the phone bill"));
        Assert.True(decide.Is(out Response<ReviewCommandAccepted>? decided));
        Assert.Equal("Routed", decided!.Message.Status);

        var decision = await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal("invoice.telecom", decision.RoutingKey);
        Assert.Equal(("corrected", "telecom", "alice"), (decision.Outcome, decision.FinalLabel, decision.Body.GetProperty("decidedBy").GetString()));
        Assert.Equal("utilities", decision.Body.GetProperty("predictedLabel").GetString());
        Assert.Equal(
            ["ClassificationReceived", "RoutingDecided", "ReviewRequested", "ReviewClaimed", "ReviewDecided", "DocumentRouted"],
            await system.Store.EventTypesAsync(id));
    }

    [Fact]
    public async Task Second_reviewer_cannot_claim_a_held_task_and_nothing_is_recorded()
    {
        var id = await UnsureInvoiceAsync();
        await SendAsync(new ClaimReview(id, "alice"));
        var second = await SendAsync(new ClaimReview(id, "bob"));
        Assert.True(second.Is(out Response<ReviewCommandRefused>? refused));
        Assert.Equal("alice", refused!.Message.HeldBy);
        Assert.Equal(["ClassificationReceived", "RoutingDecided", "ReviewRequested", "ReviewClaimed"], await system.Store.EventTypesAsync(id));
    }

    [Fact]
    public async Task Two_reviewers_racing_for_one_task_exactly_one_wins()
    {
        var id = await UnsureInvoiceAsync();
        var results = await Task.WhenAll(
            SendAsync(new ClaimReview(id, "alice")), SendAsync(new ClaimReview(id, "bob")),
            SendAsync(new ClaimReview(id, "carol")), SendAsync(new ClaimReview(id, "dave")));
        Assert.Single(results, r => r.Is(out Response<ReviewCommandAccepted>? _));
        Assert.Equal(3, results.Count(r => r.Is(out Response<ReviewCommandRefused>? _)));
        Assert.Single(await system.Store.EventTypesAsync(id), t => t == "ReviewClaimed");
    }

    [Fact]
    public async Task Reject_routes_as_unclassifiable_and_a_routed_document_refuses_further_decisions()
    {
        var id = await UnsureInvoiceAsync();
        await SendAsync(new ClaimReview(id, "alice"));
        await SendAsync(new DecideReview(id, "alice", "reject", ReasonCode: "illegible"));
        var decision = await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal(("rejected", "invoice.unclassifiable"), (decision.Outcome, decision.RoutingKey));

        var again = await SendAsync(new DecideReview(id, "alice", "confirm"));
        Assert.True(again.Is(out Response<ReviewCommandRefused>? refused));
        Assert.Contains("already decided", refused!.Message.Reason);
    }

    [Fact]
    public async Task Typed_DocumentClassified_published_by_dotnet_code_is_routed()
    {
        var id = Documents.NewId();
        await system.Bus.Publish(new DocumentClassified(id, "contract", "nda", 0.99, new ModelInfo("2026.11.1", "doc-classifier")));
        var decision = await system.Amqp.WaitForDecisionAsync(id);
        Assert.Equal("contract.nda", decision.RoutingKey);
    }
}
