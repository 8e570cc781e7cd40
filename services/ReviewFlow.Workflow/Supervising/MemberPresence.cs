namespace ReviewFlow.Workflow.Supervising;

/// <summary>
/// A group member's out-of-office as the worker last read it from Graph (Marten document, id = their user id): written by
/// the worker's recurring <c>member-presence</c> job for the members of groups with open tasks, read by the supervisor
/// overview, so that the web host never calls Graph. Automatic replies always on (Always), or Scheduled from From to Until
/// (either end may be open); evaluated when read, so a window that ends between two refreshes ends on time.
/// </summary>
public sealed class MemberPresence
{
    /// <summary>An older record is not shown: the worker stopped reaching Graph, or the member's groups have no open task.</summary>
    public static readonly TimeSpan TrustedFor = TimeSpan.FromHours(1);

    public string Id { get; set; } = "";
    public bool Always { get; set; }
    public bool Scheduled { get; set; }
    public DateTimeOffset? From { get; set; }
    public DateTimeOffset? Until { get; set; }
    public DateTimeOffset CheckedAt { get; set; }

    /// <summary>Away at <paramref name="now"/> (and until when, if the schedule says), or null: here, unknown or too old to trust.</summary>
    public MemberAway? AwayAt(DateTimeOffset now)
    {
        if (now - CheckedAt > TrustedFor) return null;
        if (Always) return new MemberAway(null, CheckedAt);
        return Scheduled && (From is null || From <= now) && (Until is null || now < Until) ? new MemberAway(Until, CheckedAt) : null;
    }
}

/// <summary>Out of office: until when (null: no end set), as read from Graph at CheckedAt.</summary>
public sealed record MemberAway(DateTimeOffset? Until, DateTimeOffset CheckedAt);
