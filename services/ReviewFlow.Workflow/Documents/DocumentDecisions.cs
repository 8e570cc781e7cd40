using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.Sla;

namespace ReviewFlow.Workflow.Documents;

/// <summary>What a reviewer command came to: the events to record, or why nothing was recorded.</summary>
public sealed record CommandResult(IReadOnlyList<IDocumentEvent> Events, string? Refusal = null, string? HeldBy = null)
{
    public static CommandResult Refuse(string reason, string? heldBy = null) => new([], reason, heldBy);
}

/// <summary>
/// The document's decisions as pure functions of its state, the message and the time: the state machine calls
/// them and records what they return.
/// </summary>
public static class DocumentDecisions
{
    public static IEnumerable<IDocumentEvent> Receive(ClassificationAccepted m, RoutingPolicy policy, DateTimeOffset now)
    {
        var c = m.Classification;
        var id = c.DocumentId;
        var model = c.Model.Version;
        yield return new ClassificationReceived(id, c, m.Channel, model, Actors.System, now, m.SubmittedBy);

        var decision = RoutingRules.Decide(policy, c);
        yield return new RoutingDecided(id, decision.Route == Route.Auto ? "auto" : "review", decision.Rule, decision.Threshold,
            c.Confidence, decision.PolicyVersion, model, Actors.System, now);

        if (decision.Route == Route.Auto)
            yield return new DocumentRouted(id, c.DocumentType, c.Label, c.Label, c.Confidence, DecisionOutcomes.Auto,
                Actors.System, now, decision.PolicyVersion, model, c.CorrelationId, Actors.System, now, decision.Rule);
        else
        {
            var type = policy.DocumentTypes[c.DocumentType];
            var priority = c.Priority ?? "normal";
            var (dueAt, remindAt) = type.SlaFor(priority, now);
            yield return new ReviewRequested(id, c.DocumentType, decision.ReviewerGroup, c.Label, c.Confidence, decision.Rule,
                decision.PolicyVersion, model, Actors.System, now, type.FourEyes, dueAt, remindAt, priority, decision.Detail);
        }
    }

    /// <summary>A result for a document already classified: a redelivery changes nothing; another model version is noted.</summary>
    public static IEnumerable<IDocumentEvent> ReceiveAgain(DocumentState s, ClassificationAccepted m, DateTimeOffset now)
    {
        var c = m.Classification;
        if (s.ModelVersionsSeen.Contains(c.Model.Version)) yield break;
        yield return new LaterClassificationIgnored(s.DocumentId, c.Label, c.Confidence, c.Model.Version, s.CurrentState,
            Actors.System, now);
    }

    /// <summary>An invalid result: recorded once; the same rejection redelivered changes nothing.</summary>
    public static IEnumerable<IDocumentEvent> Reject(DocumentState s, ClassificationRefused m, DateTimeOffset now)
    {
        var rejected = new ClassificationRejected(m.DocumentId, m.Reasons, m.Channel, m.ModelVersion, Actors.System, now, m.SourceSystem);
        if (s.LastRejection == ClassificationRejectedFingerprint(rejected)) yield break;
        yield return rejected;
    }

    internal static string ClassificationRejectedFingerprint(ClassificationRejected r) =>
        $"{r.ModelVersion}\n{string.Join("\n", r.Reasons)}";

    public static CommandResult Claim(DocumentState s, ClaimReview cmd, DateTimeOffset now, TimeSpan lease)
    {
        // Four-eyes: nobody decides twice on one document; a disagreement is for a supervisor.
        if (s.ForSupervisor && !cmd.AsSupervisor)
            return CommandResult.Refuse(s.EscalatedBy is not null
                ? $"escalated by {s.EscalatedBy}: a supervisor decides"
                : "the two reviewers disagreed: a supervisor decides");
        if (cmd.ReviewerId == s.FirstReviewerId || cmd.ReviewerId == s.SecondReviewerId)
            return CommandResult.Refuse("you already reviewed this document: a different reviewer must decide");
        // Segregation of duties: nobody reviews what they submitted.
        if (cmd.ReviewerId == s.SubmittedBy)
            return CommandResult.Refuse("you submitted this document: somebody else must review it");
        if (s.ClaimedBy is null)
            return new([new ReviewClaimed(s.DocumentId, cmd.ReviewerId, now + lease, s.PolicyVersion, s.ModelVersion!, cmd.ReviewerId, now, cmd.ActorRole, cmd.ReviewerName, cmd.Channel)]);
        if (s.ClaimedBy == cmd.ReviewerId)
            return new([new ReviewClaimRenewed(s.DocumentId, cmd.ReviewerId, now + lease, cmd.ReviewerId, now, cmd.ActorRole)]);
        if (s.LeaseExpiresAt > now)
            return CommandResult.Refuse($"claimed by {s.ClaimedBy} until {s.LeaseExpiresAt:O}", s.ClaimedBy);
        return new([
            new ReviewReleased(s.DocumentId, s.ClaimedBy, "lease-expired", s.PolicyVersion, s.ModelVersion!, Actors.System, now),
            new ReviewClaimed(s.DocumentId, cmd.ReviewerId, now + lease, s.PolicyVersion, s.ModelVersion!, cmd.ReviewerId, now, cmd.ActorRole, cmd.ReviewerName, cmd.Channel),
        ]);
    }

    /// <summary>A supervisor gives the task to another reviewer; the four-eyes rules of a claim apply to the new holder.</summary>
    public static CommandResult Reassign(DocumentState s, ReassignReview cmd, DateTimeOffset now, TimeSpan lease)
    {
        if (s.ClaimedBy == cmd.ReviewerId && s.LeaseExpiresAt > now)
            return CommandResult.Refuse($"already claimed by {cmd.ReviewerId}", s.ClaimedBy);
        if (s.ForSupervisor && !cmd.ToSupervisor)
            return CommandResult.Refuse("with a supervisor: it can only go to another supervisor");
        if (cmd.ReviewerId == s.FirstReviewerId || cmd.ReviewerId == s.SecondReviewerId)
            return CommandResult.Refuse($"{cmd.ReviewerId} already reviewed this document: a different reviewer must decide");
        if (cmd.ReviewerId == s.SubmittedBy)
            return CommandResult.Refuse($"{cmd.ReviewerId} submitted this document: somebody else must review it");
        var events = new List<IDocumentEvent>();
        if (s.ClaimedBy is { } holder)
            events.Add(new ReviewReleased(s.DocumentId, holder, "reassigned", s.PolicyVersion, s.ModelVersion!, cmd.SupervisorId, now, cmd.ActorRole));
        events.Add(new ReviewClaimed(s.DocumentId, cmd.ReviewerId, cmd.LeaseUntil ?? ReassignedHold(s, now, lease), s.PolicyVersion,
            s.ModelVersion!, cmd.SupervisorId, now, cmd.ActorRole, cmd.ReviewerName));
        return new(events);
    }

    /// <summary>The longest a reassigned task waits for its new holder when the supervisor did not choose.</summary>
    public static readonly TimeSpan MaxReassignHold = TimeSpan.FromHours(8);

    /// <summary>
    /// A reassigned task must not lapse before its new holder has seen it: it waits until it is due (at most
    /// <see cref="MaxReassignHold"/>, never less than the normal lease); their open page then renews it to the normal lease.
    /// </summary>
    static DateTimeOffset ReassignedHold(DocumentState s, DateTimeOffset now, TimeSpan lease)
    {
        var longest = now + MaxReassignHold;
        var until = s.SlaDueAt is { } due && due < longest ? due : longest;
        return until > now + lease ? until : now + lease;
    }

    public static CommandResult Release(DocumentState s, ReleaseReview cmd, DateTimeOffset now)
    {
        if (s.ClaimedBy is null)
            return CommandResult.Refuse("not claimed by anyone");
        if (s.ClaimedBy != cmd.ReviewerId && !cmd.AsSupervisor)
            return CommandResult.Refuse($"claimed by {s.ClaimedBy}, not by {cmd.ReviewerId}", s.ClaimedBy);
        return new([new ReviewReleased(s.DocumentId, s.ClaimedBy, cmd.Reason ?? (cmd.AsSupervisor && s.ClaimedBy != cmd.ReviewerId ? "released-by-supervisor" : "released"),
            s.PolicyVersion, s.ModelVersion!, cmd.ReviewerId, now, cmd.ActorRole, cmd.Channel)]);
    }

    public static CommandResult Decide(DocumentState s, DecideReview cmd, DateTimeOffset now)
    {
        if (s.ClaimedBy != cmd.ReviewerId)
            return CommandResult.Refuse($"claimed by {s.ClaimedBy}, not by {cmd.ReviewerId}: claim it first", s.ClaimedBy);
        if (s.LeaseExpiresAt <= now)
            return CommandResult.Refuse($"your claim lapsed at {s.LeaseExpiresAt:O}: claim it again");

        if (DecisionProblems(cmd.Outcome, cmd.Label, cmd.ReasonCode) is { Count: > 0 } problems)
            return CommandResult.Refuse(string.Join("; ", problems.Values));
        var c = s.Classification!;
        if (cmd.Outcome == DecideReview.Escalate)
        {
            if (s.ForSupervisor) return CommandResult.Refuse("already with a supervisor: decide it");
            return new([new ReviewEscalated(s.DocumentId, cmd.ReviewerId, cmd.ReasonCode!, cmd.Comment, s.PolicyVersion, s.ModelVersion!,
                cmd.ReviewerId, now, cmd.ActorRole, cmd.Channel)]);
        }
        var d = cmd.Outcome switch
        {
            DecideReview.Confirm => (Outcome: DecisionOutcomes.Confirmed, FinalLabel: c.Label),
            DecideReview.Correct => (Outcome: DecisionOutcomes.Corrected, FinalLabel: cmd.Label!),
            _ => (Outcome: DecisionOutcomes.Rejected, FinalLabel: RejectedLabel),
        };
        if (d.Outcome == DecisionOutcomes.Corrected && d.FinalLabel == c.Label)
            return CommandResult.Refuse($"'{c.Label}' is the predicted label: confirm it instead");

        var model = s.ModelVersion!;
        // A supervisor settling an escalation or a disagreement decides for good; otherwise four-eyes applies.
        if (s.FourEyes && !s.ForSupervisor && s.FirstReviewerId is null)
            return new([new FirstReviewRecorded(s.DocumentId, cmd.ReviewerId, d.Outcome, d.FinalLabel, cmd.ReasonCode, cmd.Comment,
                s.PolicyVersion, model, cmd.ReviewerId, now, cmd.ActorRole, cmd.Channel)]);
        if (s.FourEyes && !s.ForSupervisor && (d.Outcome != s.FirstOutcome || d.FinalLabel != s.FirstFinalLabel))
            return new([new ReviewDisagreed(s.DocumentId, s.FirstReviewerId!, s.FirstOutcome!, s.FirstFinalLabel!, cmd.ReviewerId,
                d.Outcome, d.FinalLabel, cmd.ReasonCode, cmd.Comment, s.PolicyVersion, model, cmd.ReviewerId, now, cmd.ActorRole, cmd.Channel)]);
        return new([
            new ReviewDecided(s.DocumentId, cmd.ReviewerId, d.Outcome, c.Label, d.FinalLabel, cmd.ReasonCode, cmd.Comment,
                s.PolicyVersion, model, cmd.ReviewerId, now, s.FirstReviewerId, cmd.ActorRole, cmd.Channel),
            new DocumentRouted(s.DocumentId, c.DocumentType, c.Label, d.FinalLabel, c.Confidence, d.Outcome, cmd.ReviewerId, now,
                s.PolicyVersion, model, c.CorrelationId, cmd.ReviewerId, now, s.RoutingRule, cmd.ActorRole, cmd.Channel),
        ]);
    }

    /// <summary>
    /// What is missing or wrong in a decision, by field (outcome, label, reasonCode), whatever the document's state: the
    /// one check of a decision's shape, answered as 400 by the API before anything is sent and refused by the saga.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DecisionProblems(string? outcome, string? label, string? reasonCode)
    {
        var problems = new Dictionary<string, string>();
        if (outcome is not (DecideReview.Confirm or DecideReview.Correct or DecideReview.Reject or DecideReview.Escalate))
        {
            problems["outcome"] = $"unknown outcome '{outcome}': confirm, correct, reject or escalate";
            return problems;
        }
        if (outcome == DecideReview.Correct && string.IsNullOrWhiteSpace(label))
            problems["label"] = "correct needs the label to correct to";
        else if (outcome == DecideReview.Correct && !ClassificationParser.IsValidLabel(label!))
            problems["label"] = "a label is 1-64 characters: letters, digits, '_' and '-'";
        if (outcome != DecideReview.Confirm && string.IsNullOrWhiteSpace(reasonCode))
            problems["reasonCode"] = $"a reason code is required to {outcome}";
        return problems;
    }

    /// <summary>
    /// A decision measured against the document type's catalogue (<see cref="DocumentTypePolicy.Labels"/>) and reason
    /// codes: a correction to a label outside a non-empty catalogue, or a code outside a non-empty list, is refused with
    /// what is allowed. Codes recorded before a list existed stay readable in history; only new decisions are checked.
    /// </summary>
    public static IReadOnlyDictionary<string, string> CatalogueProblems(string documentType, DocumentTypePolicy? type, string outcome,
        string? label, string? reasonCode)
    {
        var problems = new Dictionary<string, string>();
        if (type is null) return problems;
        if (outcome == DecideReview.Correct && type.Labels.Count > 0 && !type.Labels.Contains(label))
            problems["label"] = $"'{label}' is not a label of {documentType} documents; choose one of: {string.Join(", ", type.Labels)}";
        if (outcome != DecideReview.Confirm && type.ReasonCodes.Count > 0 && !type.ReasonCodes.Any(r => r.Code == reasonCode))
            problems["reasonCode"] = $"'{reasonCode}' is not a reason code for {documentType} documents; choose one of: "
                + string.Join(", ", type.ReasonCodes.Select(r => r.Code));
        return problems;
    }

    /// <summary>
    /// An SLA timer fired: the reminder or the breach is recorded once, only for the SLA the timer was set for, only
    /// while the task is open (the state machine does not ask a decided document) and only once its time has come by
    /// the stored times, not the message's: a timer is a wake-up call, and one sent early records nothing. A reminder
    /// after the due time is pointless: the breach says more.
    /// </summary>
    public static IEnumerable<IDocumentEvent> SlaElapsed(DocumentState s, SlaTimerElapsed m, DateTimeOffset now)
    {
        if (s.SlaDueAt is not { } due || s.ReviewerGroup is null || !SameInstant(due, m.DueAt)) yield break;
        if (m.Kind == SlaTimers.Reminder && s.SlaRemindedAt is null && s.SlaBreachedAt is null && now < due
            && s.SlaRemindAt is { } remindAt && Reached(remindAt, now))
            yield return new SlaReminderDue(s.DocumentId, due, s.CurrentState, s.ReviewerGroup, s.ClaimedBy, Actors.System, now);
        if (m.Kind == SlaTimers.Breach && s.SlaBreachedAt is null && Reached(due, now))
            yield return new SlaBreached(s.DocumentId, due, s.CurrentState, s.ReviewerGroup, s.ClaimedBy, Actors.System, now);
    }

    /// <summary>
    /// A lease timer fired: the claim goes back to the queue unless it was renewed, released or taken since, or the
    /// stored lease has not run out yet.
    /// </summary>
    public static IEnumerable<IDocumentEvent> LeaseElapsed(DocumentState s, ClaimLeaseElapsed m, DateTimeOffset now)
    {
        if (s.ClaimedBy != m.ReviewerId || s.LeaseExpiresAt is not { } lease || !SameInstant(lease, m.LeaseExpiresAt)
            || !Reached(lease, now)) yield break;
        yield return new ReviewReleased(s.DocumentId, m.ReviewerId, "lease-expired", s.PolicyVersion, s.ModelVersion!, Actors.System, now);
    }

    /// <summary>
    /// Whether a stored time has come. The timer jobs never fire early on their own clock (TimerJobs.NotBeforeAsync);
    /// a second covers another worker's clock being slightly behind. A timer refused here is sent again by the sweep.
    /// </summary>
    static bool Reached(DateTimeOffset time, DateTimeOffset now) => now >= time - TimeSpan.FromSeconds(1);

    /// <summary>Timestamps travel through Hangfire (Newtonsoft), the bus and Marten (System.Text.Json): compare to the millisecond.</summary>
    static bool SameInstant(DateTimeOffset a, DateTimeOffset b) => Math.Abs((a - b).TotalMilliseconds) < 1;

    /// <summary>The final label of a document rejected as unclassifiable (routing key {documentType}.unclassifiable).</summary>
    public const string RejectedLabel = "unclassifiable";
}
