namespace ReviewFlow.Workflow.Sla;

/// <summary>
/// Configuration section "Timers". A timer fires at most SchedulePollingInterval + QueuePollInterval after its time
/// (Hangfire moves due jobs to the queue on each schedule poll; a worker picks them up on its next queue poll):
/// 5 s + 1 s by default. docs/operations.md explains the choice.
/// </summary>
public sealed class TimerOptions
{
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Hangfire worker threads per worker process (the jobs mostly wait on the bus, PostgreSQL and Graph).</summary>
    public int WorkerCount { get; set; } = 4;
    /// <summary>
    /// How long a Hangfire lock counts as held without its holder deleting it. Hangfire.PostgreSql keeps locks as rows and
    /// nothing renews them, so this is also how long the timers stand still after a worker is killed while it moves due
    /// jobs to the queue (its default, 10 min, left a claim unreleased for minutes in the fault suite). The locks guard
    /// moments (a poll, a sweep); a holder that outlived this would let a second server run the same step, which the
    /// timers tolerate (each goes through the saga, which ignores a repeat).
    /// </summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>The sweep that catches what a lost timer missed (cron, UTC).</summary>
    public string SweepCron { get; set; } = "*/5 * * * *";
    /// <summary>The sweep leaves a lapsed lease to its own timer this long before releasing it itself.</summary>
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>The daily digest per reviewer (cron, in DigestTimeZone).</summary>
    public string DigestCron { get; set; } = "0 7 * * 1-5";
    public string DigestTimeZone { get; set; } = "UTC";
}
