using Hangfire;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using ReviewFlow.Workflow.Documents;

namespace ReviewFlow.Workflow.Sla;

/// <summary>
/// The Hangfire jobs behind the timers. Each only tells the document's saga that a time has come; the saga decides
/// whether that still matters. A job that cannot reach the bus throws, and Hangfire retries it (its state is in
/// PostgreSQL, so a timer survives the process that scheduled it).
/// </summary>
public sealed class TimerJobs(IBus bus, IDocumentStore store, TimeProvider clock, IOptions<TimerOptions> options, ILogger<TimerJobs> log)
{
    public const string SweepJobId = "sla-sweep";

    [JobDisplayName("SLA {1} of {0}")]
    [AutomaticRetry(Attempts = 20)]
    public async Task SlaElapsedAsync(string documentId, string kind, DateTimeOffset dueAt, DateTimeOffset firesAt)
    {
        await NotBeforeAsync(firesAt);
        await bus.Publish(new SlaTimerElapsed(documentId, kind, dueAt));
    }

    [JobDisplayName("Lease of {1} on {0}")]
    [AutomaticRetry(Attempts = 20)]
    public async Task LeaseElapsedAsync(string documentId, string reviewerId, DateTimeOffset leaseExpiresAt)
    {
        await NotBeforeAsync(leaseExpiresAt);
        await bus.Publish(new ClaimLeaseElapsed(documentId, reviewerId, leaseExpiresAt));
    }

    /// <summary>
    /// Hangfire keeps schedule times in whole seconds, so a job can start up to a second before its time (seen: a
    /// breach 0.6 s early). A timer must never fire early: wait out the rest.
    /// </summary>
    async Task NotBeforeAsync(DateTimeOffset time)
    {
        // A delay can end a millisecond before its time (timer resolution): look at the clock again.
        for (var early = time - clock.GetUtcNow(); early > TimeSpan.Zero; early = time - clock.GetUtcNow())
            await Task.Delay(early < TimeSpan.FromMinutes(1) ? early + TimeSpan.FromMilliseconds(1) : TimeSpan.FromMinutes(1), clock);
    }

    /// <summary>
    /// Finds what a lost timer would have missed (a crash between a commit and the scheduling, a job deleted by hand):
    /// open tasks past their reminder or due time with nothing recorded, and leases lapsed for longer than the grace
    /// the lease timers get. Returns how many it sent; each goes through the saga like a timer, so it is idempotent.
    /// </summary>
    [JobDisplayName("SLA and lease sweep")]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var leaseCutoff = now - options.Value.SweepGrace;
        await using var session = store.QuerySession();
        var breached = await session.Query<DocumentState>()
            .Where(x => x.CurrentState.IsOneOf(DocumentStatus.Open) && x.SlaDueAt <= now && x.SlaBreachedAt == null)
            .Take(1000).ToListAsync(cancellationToken);
        var remind = await session.Query<DocumentState>()
            .Where(x => x.CurrentState.IsOneOf(DocumentStatus.Open) && x.SlaRemindAt <= now && x.SlaDueAt > now && x.SlaRemindedAt == null)
            .Take(1000).ToListAsync(cancellationToken);
        var lapsed = await session.Query<DocumentState>()
            .Where(x => x.CurrentState == DocumentStatus.Claimed && x.LeaseExpiresAt <= leaseCutoff)
            .Take(1000).ToListAsync(cancellationToken);

        var messages = breached.Select(d => (object)new SlaTimerElapsed(d.DocumentId, SlaTimers.Breach, d.SlaDueAt!.Value))
            .Concat(remind.Select(d => new SlaTimerElapsed(d.DocumentId, SlaTimers.Reminder, d.SlaDueAt!.Value)))
            .Concat(lapsed.Select(d => new ClaimLeaseElapsed(d.DocumentId, d.ClaimedBy!, d.LeaseExpiresAt!.Value)))
            .ToList();
        await Task.WhenAll(messages.Select(m => bus.Publish(m, m.GetType(), cancellationToken)));
        if (messages.Count > 0)
            log.LogWarning("The sweep found {Breaches} missed breaches, {Reminders} missed reminders and {Leases} lapsed leases",
                breached.Count, remind.Count, lapsed.Count);
        return messages.Count;
    }
}
