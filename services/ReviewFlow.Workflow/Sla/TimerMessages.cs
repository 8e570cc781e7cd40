namespace ReviewFlow.Workflow.Sla;

// What the timers send to a document's saga when they fire. The saga, not the timer, decides whether it still
// matters: a timer for a document already decided, a renewed lease or an SLA already recorded changes nothing, so a
// timer that fires twice (a redelivered job, the sweep after a late timer) has one effect at most.

/// <summary>An SLA timer fired. Kind: <see cref="SlaTimers.Reminder"/> or <see cref="SlaTimers.Breach"/>; DueAt: the SLA it was set for.</summary>
public sealed record SlaTimerElapsed(string DocumentId, string Kind, DateTimeOffset DueAt);

/// <summary>A claim's lease ran out unless it was renewed since (LeaseExpiresAt: the lease the timer was set for).</summary>
public sealed record ClaimLeaseElapsed(string DocumentId, string ReviewerId, DateTimeOffset LeaseExpiresAt);

public static class SlaTimers
{
    public const string Reminder = "reminder";
    public const string Breach = "breach";
}
