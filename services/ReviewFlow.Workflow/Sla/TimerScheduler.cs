using Hangfire;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Notifying;

namespace ReviewFlow.Workflow.Sla;

/// <summary>
/// Turns committed document events into Hangfire jobs: the SLA's reminder and breach timers when a review task opens,
/// a lease timer per claim or renewal, their cancellation when the document is decided, and the notifications that
/// follow from an event (new task, reminder, breach, escalation, reassignment). A Marten subscription (run by one worker at a time, HotCold) so that only committed events
/// schedule anything; its progress and the job ids it keeps are committed together after the page's jobs were
/// created, so a crash in between schedules a page again — harmless, because the saga records each timer's effect
/// once (<see cref="DocumentDecisions.SlaElapsed"/>).
/// </summary>
public sealed class TimerScheduler : SubscriptionBase
{
    public const string SubscriptionId = "timer-scheduler";

    readonly IServiceProvider _services;
    readonly ILogger<TimerScheduler> _log;

    // Hangfire's client is resolved on the first page, not here: Marten builds subscriptions while it builds the store.
    public TimerScheduler(IServiceProvider services, ILogger<TimerScheduler> log)
    {
        _services = services;
        _log = log;
        Name = SubscriptionId;
        IncludeType<ReviewRequested>();
        IncludeType<ReviewClaimed>();
        IncludeType<ReviewClaimRenewed>();
        IncludeType<DocumentRouted>();
        IncludeType<SlaReminderDue>();
        IncludeType<SlaBreached>();
        IncludeType<ReviewEscalated>();
        IncludeType<ReviewDisagreed>();
        Options.BatchSize = 200;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var jobs = _services.GetRequiredService<IBackgroundJobClient>();
        // Most documents are routed automatically: they never had a review task, so never a timer (nothing to load).
        var events = page.Events.Where(e => e.Data is not DocumentRouted { Outcome: DecisionOutcomes.Auto }).ToList();
        if (events.Count == 0) return NullChangeListener.Instance;
        var ids = events.Select(e => ((IDocumentEvent)e.Data).DocumentId).Distinct().ToArray();
        var timers = (await operations.LoadManyAsync<DocumentTimers>(cancellationToken, ids)).ToDictionary(t => t.Id);
        DocumentTimers For(string id) => timers.TryGetValue(id, out var t) ? t : timers[id] = new DocumentTimers { Id = id };
        var decided = new HashSet<string>();

        foreach (var e in events)
        {
            switch (e.Data)
            {
                case ReviewRequested r:
                {
                    var t = For(r.DocumentId);
                    if (r.RemindAt is { } remindAt && r.DueAt is { } due)
                        t.ReminderJob = jobs.Schedule<TimerJobs>(j => j.SlaElapsedAsync(r.DocumentId, SlaTimers.Reminder, due, remindAt), remindAt);
                    if (r.DueAt is { } dueAt)
                        t.BreachJob = jobs.Schedule<TimerJobs>(j => j.SlaElapsedAsync(r.DocumentId, SlaTimers.Breach, dueAt, dueAt), dueAt);
                    jobs.Enqueue<IReviewNotifications>(j => j.NewTaskAsync(r.DocumentId, CancellationToken.None));
                    break;
                }
                case ReviewClaimed c:
                    ScheduleLease(jobs, For(c.DocumentId), c.ReviewerId, c.LeaseExpiresAt);
                    // Someone else gave it to them (a supervisor's reassignment): the new holder is told.
                    if (c.Actor != c.ReviewerId)
                        jobs.Enqueue<IReviewNotifications>(j => j.ReassignedAsync(c.DocumentId, c.ReviewerId, c.Actor, c.At, CancellationToken.None));
                    break;
                case ReviewClaimRenewed c:
                    ScheduleLease(jobs, For(c.DocumentId), c.ReviewerId, c.LeaseExpiresAt);
                    break;
                case DocumentRouted r:
                    // Decided: the timers have nothing left to do. One that is already running finds the document
                    // decided and changes nothing.
                    if (timers.Remove(r.DocumentId, out var done))
                    {
                        foreach (var job in done.Jobs()) jobs.Delete(job);
                        decided.Add(r.DocumentId);
                    }
                    break;
                case SlaReminderDue r:
                    jobs.Enqueue<IReviewNotifications>(j => j.ReminderAsync(r.DocumentId, CancellationToken.None));
                    break;
                case SlaBreached r:
                    jobs.Enqueue<IReviewNotifications>(j => j.BreachAsync(r.DocumentId, CancellationToken.None));
                    break;
                case ReviewEscalated r:
                    jobs.Enqueue<IReviewNotifications>(j => j.EscalatedAsync(r.DocumentId, $"escalated by {r.ReviewerId}: {r.ReasonCode}", CancellationToken.None));
                    break;
                case ReviewDisagreed r:
                    jobs.Enqueue<IReviewNotifications>(j => j.EscalatedAsync(r.DocumentId,
                        $"{r.FirstReviewerId} and {r.ReviewerId} disagreed ({r.FirstFinalLabel} / {r.FinalLabel})", CancellationToken.None));
                    break;
            }
        }

        foreach (var t in timers.Values) operations.Store(t);
        foreach (var id in decided.Where(id => !timers.ContainsKey(id))) operations.Delete<DocumentTimers>(id);
        _log.LogDebug("Scheduled timers up to event sequence {Ceiling}", page.SequenceCeiling);
        return NullChangeListener.Instance;
    }

    static void ScheduleLease(IBackgroundJobClient jobs, DocumentTimers t, string reviewerId, DateTimeOffset expiresAt)
    {
        // A renewal makes the previous lease timer moot: drop it rather than let it fire for nothing.
        if (t.LeaseJob is { } previous) jobs.Delete(previous);
        t.LeaseJob = jobs.Schedule<TimerJobs>(j => j.LeaseElapsedAsync(t.Id, reviewerId, expiresAt), expiresAt);
    }
}
