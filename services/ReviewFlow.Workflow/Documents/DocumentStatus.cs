namespace ReviewFlow.Workflow.Documents;

/// <summary>
/// A document's status: the name of its saga's state (<see cref="DocumentStateMachine"/>; a test keeps the two and the
/// page's wwwroot/js/status.js in step). On the wire and in the store it is this string.
/// </summary>
public static class DocumentStatus
{
    public const string Invalid = nameof(Invalid);
    public const string AwaitingReview = nameof(AwaitingReview);
    public const string Claimed = nameof(Claimed);
    public const string AwaitingSecondReview = nameof(AwaitingSecondReview);
    public const string Escalated = nameof(Escalated);
    public const string Routed = nameof(Routed);

    public static readonly IReadOnlyList<string> All = [Invalid, AwaitingReview, Claimed, AwaitingSecondReview, Escalated, Routed];

    /// <summary>A review task is open: someone has to act.</summary>
    public static readonly string[] Open = [AwaitingReview, Claimed, AwaitingSecondReview, Escalated];

    /// <summary>Open and in a reviewer's queue: escalated tasks (escalations, disagreements) are for supervisors only.</summary>
    public static readonly string[] ForReviewers = [AwaitingReview, Claimed, AwaitingSecondReview];

    public static bool IsOpen(string status) => Open.Contains(status);

    /// <summary>The open state of a task nobody holds, by its four-eyes stage (the state machine's ToUnclaimed).</summary>
    public static string Unclaimed(bool forSupervisor, bool firstReviewIn) =>
        forSupervisor ? Escalated : firstReviewIn ? AwaitingSecondReview : AwaitingReview;
}
