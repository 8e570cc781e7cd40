using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.Sla;
using ReviewFlow.Workflow.Tests.TestSupport;
using static ReviewFlow.Workflow.Tests.TestSupport.TestData;

namespace ReviewFlow.Workflow.Tests.Queue;

/// <summary>
/// The queue item's status comes from the events, the saga's from its state machine: on MassTransit's in-memory harness,
/// folding every event the saga recorded, the two agree after every step of each review path.
/// </summary>
public sealed class ReviewQueueStatusTests : IAsyncLifetime
{
    readonly SagaHarness _saga = new();
    FakeClock Clock => _saga.Clock;
    ITestHarness Harness => _saga.Harness;
    ISagaStateMachineTestHarness<DocumentStateMachine, DocumentState> Sagas => _saga.Sagas;
    /// <summary>The test's one document.</summary>
    string _id = "";

    public Task InitializeAsync() => _saga.StartAsync(TimeSpan.FromMinutes(5));

    public async Task DisposeAsync() => await _saga.DisposeAsync();

    /// <summary>Publishes an unsure result and waits for its review task.</summary>
    async Task UnsureAsync(string id, string type, string label)
    {
        _id = id;
        await Harness.Bus.Publish(Accepted(Classified(id, label, 0.5, type), Clock.GetUtcNow()));
        Assert.True((await Sagas.Exists(DocumentKey.For(id), m => m.AwaitingReview)).HasValue);
        await AssertAgreesAsync();
    }

    DocumentState Saga => Sagas.Sagas.Contains(DocumentKey.For(_id))!;

    /// <summary>Sends a reviewer command, which must be accepted, a minute after the last step.</summary>
    async Task StepAsync<T>(T command) where T : class
    {
        Clock.Advance(TimeSpan.FromMinutes(1));
        var reply = await Harness.GetRequestClient<T>().GetResponse<ReviewCommandAccepted, ReviewCommandRefused>(command);
        Assert.IsType<ReviewCommandAccepted>(reply.Message);
        await AssertAgreesAsync();
    }

    async Task AssertAgreesAsync()
    {
        var events = await _saga.RecordedAsync(_id, recorded => Agrees(Saga, ReviewQueueItem.Fold(null, recorded)));
        var saga = Saga;
        var item = ReviewQueueItem.Fold(null, events);
        Assert.NotNull(item);
        Assert.Equal((saga.CurrentState, saga.ClaimedBy, saga.LeaseExpiresAt), (item.Status, item.ClaimedBy, item.LeaseExpiresAt));
        Assert.Equal((saga.FirstReviewerId, saga.ForSupervisor), (item.FirstReviewerId, item.ForSupervisor));
        Assert.Equal((saga.Outcome, saga.DecidedBy, saga.DecidedAt), (item.Outcome, item.DecidedBy, item.DecidedAt));
        Assert.Equal(saga.CurrentState, DocumentRead.Fold(events)!.CurrentState);
    }

    static bool Agrees(DocumentState saga, ReviewQueueItem? item) =>
        item is not null
        && (saga.CurrentState, saga.ClaimedBy, saga.LeaseExpiresAt) == (item.Status, item.ClaimedBy, item.LeaseExpiresAt)
        && (saga.FirstReviewerId, saga.ForSupervisor) == (item.FirstReviewerId, item.ForSupervisor)
        && (saga.Outcome, saga.DecidedBy, saga.DecidedAt) == (item.Outcome, item.DecidedBy, item.DecidedAt);

    /// <summary>The read endpoints fold a document's status from its events: the machine's, on the paths without review too.</summary>
    [Fact]
    public async Task Routed_automatically_invalid_and_valid_after_invalid_fold_to_the_machines_status()
    {
        await Harness.Bus.Publish(Accepted(Classified("INV-A", "telecom", 0.95), Clock.GetUtcNow()));
        await Harness.Bus.Publish(new ClassificationRefused("INV-B", ["label: is required"], "2026.11.1", Channels.Amqp, T0));
        await Harness.Bus.Publish(new ClassificationRefused("INV-C", ["label: is required"], "2026.11.1", Channels.Amqp, T0));
        Assert.True((await Sagas.Exists(DocumentKey.For("INV-C"), m => m.Invalid)).HasValue);
        await Harness.Bus.Publish(Accepted(Classified("INV-C", "telecom", 0.95), Clock.GetUtcNow()));

        Assert.True((await Sagas.Exists(DocumentKey.For("INV-A"), m => m.Routed)).HasValue);
        Assert.True((await Sagas.Exists(DocumentKey.For("INV-B"), m => m.Invalid)).HasValue);
        Assert.True((await Sagas.Exists(DocumentKey.For("INV-C"), m => m.Routed)).HasValue);
        foreach (var id in new[] { "INV-A", "INV-B", "INV-C" })
        {
            var machine = Sagas.Sagas.Contains(DocumentKey.For(id))!.CurrentState;
            var events = await _saga.RecordedAsync(id, e => DocumentRead.Fold(e)?.CurrentState == machine);
            Assert.Equal(machine, DocumentRead.Fold(events)!.CurrentState);
        }
    }

    [Fact]
    public async Task Claimed_released_claimed_again_renewed_and_decided()
    {
        await UnsureAsync("INV-1", "invoice", "telecom");
        await StepAsync(new ClaimReview("INV-1", "alice"));
        await StepAsync(new ReleaseReview("INV-1", "alice"));
        await StepAsync(new ClaimReview("INV-1", "bob"));
        await StepAsync(new ClaimReview("INV-1", "bob"));
        await StepAsync(new DecideReview("INV-1", "bob", DecideReview.Correct, "utilities", "wrong-vendor"));
        Assert.Equal(DocumentStatus.Routed, Saga.CurrentState);
    }

    [Fact]
    public async Task Four_eyes_released_by_the_second_reviewer_disagreed_released_by_a_supervisor_and_settled()
    {
        await UnsureAsync("CON-1", "contract", "nda");
        await StepAsync(new ClaimReview("CON-1", "alice"));
        await StepAsync(new DecideReview("CON-1", "alice", DecideReview.Confirm));
        await StepAsync(new ClaimReview("CON-1", "bob"));
        await StepAsync(new ReleaseReview("CON-1", "bob"));
        await StepAsync(new ClaimReview("CON-1", "bob"));
        await StepAsync(new DecideReview("CON-1", "bob", DecideReview.Reject, ReasonCode: "not-a-contract"));
        await StepAsync(new ClaimReview("CON-1", "sam", AsSupervisor: true));
        await StepAsync(new ReleaseReview("CON-1", "sam", AsSupervisor: true));
        await StepAsync(new ClaimReview("CON-1", "sam", AsSupervisor: true));
        await StepAsync(new DecideReview("CON-1", "sam", DecideReview.Confirm));
        Assert.Equal(DocumentStatus.Routed, Saga.CurrentState);
    }

    [Fact]
    public async Task Escalated_reassigned_to_a_supervisor_and_put_back_by_its_lease_timer()
    {
        await UnsureAsync("INV-2", "invoice", "telecom");
        await StepAsync(new ClaimReview("INV-2", "alice"));
        await StepAsync(new ReassignReview("INV-2", "sam", "bob"));
        await StepAsync(new DecideReview("INV-2", "bob", DecideReview.Escalate, ReasonCode: "unsure"));
        await StepAsync(new ReassignReview("INV-2", "sam", "sue", ToSupervisor: true));

        var lease = Saga.LeaseExpiresAt!.Value; // a reassignment waits for its holder longer than a claim's 5 minutes
        Clock.Advance(lease - Clock.GetUtcNow());
        await Harness.Bus.Publish(new ClaimLeaseElapsed("INV-2", "sue", lease));
        Assert.True((await Sagas.Exists(DocumentKey.For("INV-2"), m => m.Escalated)).HasValue);
        await AssertAgreesAsync();
    }
}
