using MassTransit;
using Microsoft.Extensions.Options;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Reviewing;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.Sla;

namespace ReviewFlow.Workflow.Documents;

public sealed class ReviewOptions
{
    /// <summary>How long a claim lasts unless the reviewer's open page renews it.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// One instance per document: the single writer of the document's event stream. Each step calls a pure function
/// of <see cref="DocumentDecisions"/> and records the events it returns; the repository appends them to the stream
/// in the same transaction as this state.
/// </summary>
public sealed class DocumentStateMachine : MassTransitStateMachine<DocumentState>
{
    public State Invalid { get; private set; } = null!;
    public State AwaitingReview { get; private set; } = null!;
    public State Claimed { get; private set; } = null!;
    /// <summary>Four-eyes: the first review is in; a second, different reviewer must agree.</summary>
    public State AwaitingSecondReview { get; private set; } = null!;
    /// <summary>A reviewer escalated, or the two reviewers of a four-eyes document disagreed: a supervisor decides.</summary>
    public State Escalated { get; private set; } = null!;
    public State Routed { get; private set; } = null!;

    public Event<ClassificationAccepted> Accepted { get; private set; } = null!;
    public Event<ClassificationRefused> Refused { get; private set; } = null!;
    public Event<ClaimReview> Claim { get; private set; } = null!;
    public Event<ReleaseReview> Release { get; private set; } = null!;
    public Event<ReassignReview> Reassign { get; private set; } = null!;
    public Event<DecideReview> Decide { get; private set; } = null!;
    public Event<SlaTimerElapsed> SlaElapsed { get; private set; } = null!;
    public Event<ClaimLeaseElapsed> LeaseElapsed { get; private set; } = null!;

    readonly CommandSeal _seal;
    readonly ILogger<DocumentStateMachine> _log;
    readonly TimeProvider _clock;

    public DocumentStateMachine(IRoutingPolicySource policies, TimeProvider clock, IOptions<ReviewOptions> options, CommandSeal seal,
        ILogger<DocumentStateMachine> log)
    {
        _seal = seal;
        _log = log;
        _clock = clock;
        var lease = options.Value.ClaimLease;
        InstanceState(x => x.CurrentState);

        Event(() => Accepted, e => e.CorrelateById(ctx => DocumentKey.For(ctx.Message.Classification.DocumentId)));
        Event(() => Refused, e => e.CorrelateById(ctx => DocumentKey.For(ctx.Message.DocumentId)));
        Event(() => Claim, e => ReviewerCommand(e, ctx => ctx.Message.DocumentId));
        Event(() => Release, e => ReviewerCommand(e, ctx => ctx.Message.DocumentId));
        Event(() => Reassign, e => ReviewerCommand(e, ctx => ctx.Message.DocumentId));
        Event(() => Decide, e => ReviewerCommand(e, ctx => ctx.Message.DocumentId));
        Event(() => SlaElapsed, e => Timer(e, ctx => ctx.Message.DocumentId));
        Event(() => LeaseElapsed, e => Timer(e, ctx => ctx.Message.DocumentId));

        Initially(
            When(Refused)
                .Then(ctx => Record(ctx, DocumentDecisions.Reject(ctx.Saga, ctx.Message, clock.GetUtcNow())))
                .TransitionTo(Invalid));

        // A first valid result, or a valid one after an invalid one: the same routing.
        During(Initial, Invalid,
            When(Accepted)
                .ThenAsync(async ctx => Record(ctx, DocumentDecisions.Receive(ctx.Message, await policies.CurrentAsync(ctx.CancellationToken), clock.GetUtcNow())))
                .IfElse(ctx => ctx.Saga.Outcome is not null, routed => routed.TransitionTo(Routed), review => review.TransitionTo(AwaitingReview))
                .ThenAsync(NotifyAsync));

        During([Invalid, AwaitingReview, Claimed, AwaitingSecondReview, Escalated, Routed],
            When(Refused).Then(ctx => Record(ctx, DocumentDecisions.Reject(ctx.Saga, ctx.Message, clock.GetUtcNow()))));

        During([AwaitingReview, Claimed, AwaitingSecondReview, Escalated, Routed],
            When(Accepted).Then(ctx => Record(ctx, DocumentDecisions.ReceiveAgain(ctx.Saga, ctx.Message, clock.GetUtcNow()))));

        During(AwaitingReview, Claimed, AwaitingSecondReview, Escalated,
            When(Claim, Sealed)
                .Then(ctx => Handle(ctx, DocumentDecisions.Claim(ctx.Saga, ctx.Message, clock.GetUtcNow(), lease)))
                .If(ctx => ctx.Saga.ClaimedBy is not null, claimed => claimed.TransitionTo(Claimed))
                .ThenAsync(NotifyAsync)
                .ThenAsync(ctx => ReplyAsync(ctx, ctx.Message.DocumentId)));

        During(AwaitingReview, Claimed, AwaitingSecondReview, Escalated,
            When(Reassign, Sealed)
                .Then(ctx => Handle(ctx, DocumentDecisions.Reassign(ctx.Saga, ctx.Message, clock.GetUtcNow(), lease)))
                .If(ctx => ctx.Saga.ClaimedBy is not null, claimed => claimed.TransitionTo(Claimed))
                .ThenAsync(NotifyAsync)
                .ThenAsync(ctx => ReplyAsync(ctx, ctx.Message.DocumentId)));

        During(Claimed,
            When(Release, Sealed)
                .Then(ctx => Handle(ctx, DocumentDecisions.Release(ctx.Saga, ctx.Message, clock.GetUtcNow())))
                .If(ctx => ctx.Saga.ClaimedBy is null, ToUnclaimed)
                .ThenAsync(NotifyAsync)
                .ThenAsync(ctx => ReplyAsync(ctx, ctx.Message.DocumentId)),
            When(Decide, Sealed)
                .Then(ctx => Handle(ctx, DocumentDecisions.Decide(ctx.Saga, ctx.Message, clock.GetUtcNow())))
                .IfElse(ctx => ctx.Saga.Outcome is not null,
                    routed => routed.TransitionTo(Routed),
                    stage => stage.If(ctx => ctx.Saga.ClaimedBy is null, ToUnclaimed))
                .ThenAsync(NotifyAsync)
                .ThenAsync(ctx => ReplyAsync(ctx, ctx.Message.DocumentId)));

        // Reviewer commands the web host did not seal: refused and recorded for the document, whatever its state.
        DuringAny(
            When(Claim, Unsealed).Then(ctx => RefuseUnsealed(ctx, "claim", ctx.Message.ReviewerId)).ThenAsync(ctx => ReplyAsync(ctx, ctx.Message.DocumentId)),
            When(Release, Unsealed).Then(ctx => RefuseUnsealed(ctx, "release", ctx.Message.ReviewerId)).ThenAsync(ctx => ReplyAsync(ctx, ctx.Message.DocumentId)),
            When(Reassign, Unsealed).Then(ctx => RefuseUnsealed(ctx, "reassign", ctx.Message.SupervisorId)).ThenAsync(ctx => ReplyAsync(ctx, ctx.Message.DocumentId)),
            When(Decide, Unsealed).Then(ctx => RefuseUnsealed(ctx, "decide", ctx.Message.ReviewerId)).ThenAsync(ctx => ReplyAsync(ctx, ctx.Message.DocumentId)));

        // Timers: the SLA's reminder and breach while the task is open; a lapsed lease puts the task back in the queue.
        During(AwaitingReview, Claimed, AwaitingSecondReview, Escalated,
            When(SlaElapsed)
                .Then(ctx => Record(ctx, DocumentDecisions.SlaElapsed(ctx.Saga, ctx.Message, clock.GetUtcNow())))
                .ThenAsync(NotifyAsync));
        During(Claimed,
            When(LeaseElapsed)
                .Then(ctx => Record(ctx, DocumentDecisions.LeaseElapsed(ctx.Saga, ctx.Message, clock.GetUtcNow())))
                .If(ctx => ctx.Saga.ClaimedBy is null, ToUnclaimed)
                .ThenAsync(NotifyAsync));
        During(Invalid, Routed, Ignore(SlaElapsed));
        During([Invalid, AwaitingReview, AwaitingSecondReview, Escalated, Routed], Ignore(LeaseElapsed));

        // Commands that the document's state does not allow: refused, nothing recorded.
        During(AwaitingReview, AwaitingSecondReview, Escalated,
            When(Release, Sealed).ThenAsync(ctx => RefuseAsync(ctx, ctx.Message.DocumentId, "not claimed by anyone")),
            When(Decide, Sealed).ThenAsync(ctx => RefuseAsync(ctx, ctx.Message.DocumentId, "not claimed: claim it first")));
        During(Invalid, Routed,
            When(Claim, Sealed).ThenAsync(ctx => RefuseAsync(ctx, ctx.Message.DocumentId, StateReason(ctx.Saga))),
            When(Reassign, Sealed).ThenAsync(ctx => RefuseAsync(ctx, ctx.Message.DocumentId, StateReason(ctx.Saga))),
            When(Release, Sealed).ThenAsync(ctx => RefuseAsync(ctx, ctx.Message.DocumentId, StateReason(ctx.Saga))),
            When(Decide, Sealed).ThenAsync(ctx => RefuseAsync(ctx, ctx.Message.DocumentId, StateReason(ctx.Saga))));
    }

    bool Sealed<T>(BehaviorContext<DocumentState, T> ctx) where T : class => SealProblem(ctx) is null;

    bool Unsealed<T>(BehaviorContext<DocumentState, T> ctx) where T : class => SealProblem(ctx) is not null;

    string? SealProblem<T>(BehaviorContext<DocumentState, T> ctx) where T : class =>
        _seal.Check(ctx.Message, ctx.Headers.Get<string>(CommandSeal.Header));

    void RefuseUnsealed<T>(BehaviorContext<DocumentState, T> ctx, string command, string claimedActor) where T : class
    {
        var reason = SealProblem(ctx)!;
        _log.LogWarning("Refused a {Command} of {DocumentId} said to be by {ClaimedActor}: {Reason}",
            command, ctx.Saga.DocumentId, claimedActor, reason);
        Record(ctx, [new UnauthenticatedCommandRefused(ctx.Saga.DocumentId, command, claimedActor, reason, Actors.System, _clock.GetUtcNow())]);
        PendingChanges.Of(ctx).Reply = new ReviewCommandRefused(ctx.Saga.DocumentId, ctx.Saga.CurrentState, "not accepted: " + reason);
    }

    /// <summary>The open state a document returns to when nobody holds it, by four-eyes stage.</summary>
    EventActivityBinder<DocumentState, T> ToUnclaimed<T>(EventActivityBinder<DocumentState, T> binder) where T : class =>
        binder.IfElse(ctx => ctx.Saga.ForSupervisor,
            escalated => escalated.TransitionTo(Escalated),
            other => other.IfElse(ctx => ctx.Saga.FirstReviewerId is not null,
                second => second.TransitionTo(AwaitingSecondReview),
                first => first.TransitionTo(AwaitingReview)));

    static void ReviewerCommand<T>(IEventCorrelationConfigurator<DocumentState, T> e, Func<ConsumeContext<T>, string> documentId)
        where T : class
    {
        e.CorrelateById(ctx => DocumentKey.For(documentId(ctx)));
        e.OnMissingInstance(m => m.ExecuteAsync(async ctx =>
        {
            if (ctx.RequestId.HasValue)
                await ctx.RespondAsync(new ReviewCommandRefused(documentId(ctx), "Unknown", "no such document"));
        }));
    }

    /// <summary>A timer for a document this node has never seen (another deployment's, a purged one): dropped.</summary>
    static void Timer<T>(IEventCorrelationConfigurator<DocumentState, T> e, Func<ConsumeContext<T>, string> documentId) where T : class
    {
        e.CorrelateById(ctx => DocumentKey.For(documentId(ctx)));
        e.OnMissingInstance(m => m.Discard());
    }

    static void Record(BehaviorContext<DocumentState> ctx, IEnumerable<IDocumentEvent> events) =>
        PendingChanges.Of(ctx).Record(ctx.Saga, events);

    static void Handle(BehaviorContext<DocumentState> ctx, CommandResult result)
    {
        var changes = PendingChanges.Of(ctx);
        changes.Record(ctx.Saga, result.Events);
        changes.Reply = result.Refusal is { } reason
            ? new ReviewCommandRefused(ctx.Saga.DocumentId, ctx.Saga.CurrentState, reason, result.HeldBy)
            : null;
    }

    static string StateReason(DocumentState saga) => saga.CurrentState == DocumentStatus.Routed
        ? $"already decided ({saga.Outcome} as '{saga.FinalLabel}' by {saga.DecidedBy})"
        : "the document is Invalid: nothing to review";

    /// <summary>Tells the web nodes about a task that appeared, was claimed, released or decided (sent after the commit).</summary>
    static Task NotifyAsync<T>(BehaviorContext<DocumentState, T> ctx) where T : class =>
        TaskChange(ctx.Saga, PendingChanges.RecordedIn(ctx)) is { } change ? ctx.Publish(change) : Task.CompletedTask;

    /// <summary>What the web nodes are told about the document's review task after these events, if anything.</summary>
    public static ReviewTaskChanged? TaskChange(DocumentState saga, IReadOnlyList<IDocumentEvent> recorded)
    {
        var change = recorded.LastOrDefault(e =>
            e is ReviewRequested or ReviewClaimed or ReviewReleased or ReviewDecided or FirstReviewRecorded or ReviewDisagreed
                or ReviewEscalated or SlaBreached);
        if (change is null || saga.ReviewerGroup is null || saga.Classification is not { } c) return null;
        var name = change switch
        {
            ReviewRequested => "requested",
            ReviewClaimed rc when rc.Actor != rc.ReviewerId => "reassigned",
            ReviewClaimed => "claimed",
            ReviewReleased => "released",
            FirstReviewRecorded => "first-review",
            ReviewDisagreed => "disagreed",
            ReviewEscalated => "escalated",
            SlaBreached => "breached",
            _ => "decided",
        };
        return new ReviewTaskChanged(saga.DocumentId, saga.ReviewerGroup, name, saga.CurrentState, c.DocumentType,
            c.Label, c.Confidence, saga.ClaimedBy, saga.LeaseExpiresAt, change.At, saga.SlaDueAt,
            saga.SlaBreachedAt is not null, saga.SlaRemindAt, saga.ClaimedByName,
            change is ReviewClaimed { } given && given.Actor != given.ReviewerId ? given.Actor : null);
    }

    // Replies wait for the transaction: the saga endpoint's in-memory outbox sends them after the save commits.
    static Task ReplyAsync<T>(BehaviorContext<DocumentState, T> ctx, string documentId) where T : class
    {
        if (!ctx.RequestId.HasValue) return Task.CompletedTask;
        var changes = PendingChanges.Of(ctx);
        var reply = changes.Reply ?? new ReviewCommandAccepted(documentId, ctx.Saga.CurrentState,
            changes.Events.Count > 0 ? string.Join(", ", changes.Events.Select(e => e.GetType().Name)) : "no change");
        return ctx.RespondAsync(reply);
    }

    static Task RefuseAsync<T>(BehaviorContext<DocumentState, T> ctx, string documentId, string reason) where T : class =>
        ctx.RequestId.HasValue
            ? ctx.RespondAsync(new ReviewCommandRefused(documentId, ctx.Saga.CurrentState, reason))
            : Task.CompletedTask;
}
