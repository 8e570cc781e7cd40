using ReviewFlow.Contracts;

namespace ReviewFlow.Workflow.Routing;

/// <summary>The routing policy as configured and stored (versioned; every change is a RoutingPolicyAdopted event).</summary>
public sealed record RoutingPolicy
{
    public int Version { get; init; }
    /// <summary>Model degraded: everything goes to review.</summary>
    public bool KillSwitch { get; init; }
    /// <summary>Share (0..1) of items that would be auto-routed but are sent to review for QA anyway.</summary>
    public double QaSampleRate { get; init; }
    /// <summary>Labels that always go to review, whatever the confidence.</summary>
    public IReadOnlyList<string> AlwaysReviewLabels { get; init; } = [];
    public IReadOnlyDictionary<string, DocumentTypePolicy> DocumentTypes { get; init; } =
        new Dictionary<string, DocumentTypePolicy>();

    /// <summary>
    /// The server's secret for the QA draw (<see cref="RoutingRules.SampleFraction"/>), attached by the policy source when
    /// it loads the policy: never stored with the policy, never served.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public byte[]? SamplingKey { get; init; }

    public bool Knows(string documentType) => DocumentTypes.ContainsKey(documentType);

    /// <summary>The same rules, whatever the version number and the order of keys (records compare collections by reference).</summary>
    public bool SameRulesAs(RoutingPolicy other) =>
        Canonical(this with { Version = 0 }) == Canonical(other with { Version = 0 });

    static string Canonical(RoutingPolicy policy) => Sorted(System.Text.Json.JsonSerializer.SerializeToNode(policy)!)!.ToJsonString();

    static System.Text.Json.Nodes.JsonNode? Sorted(System.Text.Json.Nodes.JsonNode? node) => node switch
    {
        System.Text.Json.Nodes.JsonObject o => new System.Text.Json.Nodes.JsonObject(
            o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        System.Text.Json.Nodes.JsonArray a => new System.Text.Json.Nodes.JsonArray(a.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}

public sealed record DocumentTypePolicy
{
    public double Threshold { get; init; }
    public string ReviewerGroup { get; init; } = "";
    /// <summary>Per-label thresholds that override the document type's threshold.</summary>
    public IReadOnlyDictionary<string, double> LabelThresholds { get; init; } = new Dictionary<string, double>();
    /// <summary>A second, different reviewer must agree.</summary>
    public bool FourEyes { get; init; }
    /// <summary>How long a review task may stay open (none: no SLA timers).</summary>
    public TimeSpan? Sla { get; init; }
    /// <summary>Per-priority SLAs (low, normal, high, urgent) that override Sla.</summary>
    public IReadOnlyDictionary<string, TimeSpan> PrioritySla { get; init; } = new Dictionary<string, TimeSpan>();
    /// <summary>The reminder goes out this long before the due time (default: a quarter of the SLA).</summary>
    public TimeSpan? ReminderBefore { get; init; }
    /// <summary>This type's kill switch: every document of it goes to review (set by an admin, or by a quality alarm's fallback).</summary>
    public bool KillSwitch { get; init; }
    /// <summary>Why the type's kill switch is on, shown on its review tasks (e.g. the quality alarm that set it).</summary>
    public string? KillSwitchReason { get; init; }
    /// <summary>Share (0..1) of this type's human decisions drawn (keyed hash) for a blind QA re-check by another reviewer of the group.</summary>
    public double ReviewQaRate { get; init; }
    /// <summary>The quality limits a recurring job checks for this type (<see cref="QualityLimits"/>).</summary>
    public QualityLimits Alarms { get; init; } = new();
    /// <summary>The labels a reviewer may correct to (the picker offers them after the model's alternatives); empty: any valid label.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
    /// <summary>The reason codes reviewers choose from to correct, reject or escalate; empty: any code they type.</summary>
    public IReadOnlyList<ReasonCodeOption> ReasonCodes { get; init; } = [];

    /// <summary>The due and reminder times of a review task opened at requestedAt, or nulls without an SLA.</summary>
    public (DateTimeOffset? DueAt, DateTimeOffset? RemindAt) SlaFor(string? priority, DateTimeOffset requestedAt)
    {
        var sla = priority is not null && PrioritySla.TryGetValue(priority, out var p) ? p : Sla;
        if (sla is not { } s || s <= TimeSpan.Zero) return (null, null);
        var before = ReminderBefore is { } r && r > TimeSpan.Zero && r < s ? r : s / 4;
        return (requestedAt + s, requestedAt + s - before);
    }
}

/// <summary>A reason code of a document type's list, with what it means (shown to reviewers as they choose).</summary>
public sealed record ReasonCodeOption
{
    public string Code { get; init; } = "";
    public string Description { get; init; } = "";
}

/// <summary>
/// A document type's quality limits (docs/operations.md, "Quality alarms"), checked over the recent window by a recurring job:
/// crossing one raises ModelQualityAlertRaised; with <see cref="FallbackOnAlert"/> the type's kill switch is switched on by a
/// new policy version (actor system). A null limit is not checked.
/// </summary>
public sealed record QualityLimits
{
    /// <summary>Population stability index of the confidence distribution (recent against the reference window).</summary>
    public double? MaxPsi { get; init; } = 0.25;
    /// <summary>The lowest acceptable lower bound (95 %) of the estimated accuracy of what is auto-routed, e.g. 0.97.</summary>
    public double? MinAutoAccuracy { get; init; }
    /// <summary>The highest acceptable share of human decisions that changed the label, among documents confident enough to be auto-routed.</summary>
    public double? MaxOverrideRate { get; init; }
    /// <summary>No limit is judged on fewer decisions (QA samples, human decisions in the band): too little evidence says nothing.</summary>
    public int MinSamples { get; init; } = 30;
    /// <summary>An alarm switches the type's kill switch on (its documents go to review) until an admin restores auto-routing.</summary>
    public bool FallbackOnAlert { get; init; }
    /// <summary>A pinned reference window for drift; by default the first days of the model version.</summary>
    public DateTimeOffset? ReferenceFrom { get; init; }
    public DateTimeOffset? ReferenceTo { get; init; }

    /// <summary>The pinned reference window, when both ends are set.</summary>
    public (DateTimeOffset From, DateTimeOffset To)? PinnedReference() =>
        ReferenceFrom is { } from && ReferenceTo is { } to ? (from, to) : null;
}

public enum Route { Auto, Review }

/// <summary>Why a document went where it went: stored in RoutingDecided so an auditor can reconstruct it.</summary>
public sealed record RoutingDecision(Route Route, string Rule, double? Threshold, int PolicyVersion, string ReviewerGroup, string? Detail = null);

public static class RoutingRules
{
    public const string KillSwitch = "kill-switch";
    public const string TypeKillSwitch = "type-kill-switch";
    public const string AlwaysReviewLabel = "always-review-label";
    public const string BelowThreshold = "below-threshold";
    public const string LabelBelowThreshold = "label-below-threshold";
    public const string QaSample = "qa-sample";
    public const string AboveThreshold = "above-threshold";
    public const string LabelAboveThreshold = "label-above-threshold";

    /// <summary>
    /// Pure routing decision. The QA sample is drawn from the document id, not a random source, so a redelivery
    /// or a replay decides the same way; keyed with the server's secret, so an upstream cannot pick ids that are never sampled.
    /// </summary>
    public static RoutingDecision Decide(RoutingPolicy policy, DocumentClassified c)
    {
        var type = policy.DocumentTypes[c.DocumentType];
        var labelSpecific = type.LabelThresholds.TryGetValue(c.Label, out var labelThreshold);
        var threshold = labelSpecific ? labelThreshold : type.Threshold;

        RoutingDecision Review(string rule) => new(Route.Review, rule, threshold, policy.Version, type.ReviewerGroup);

        if (policy.KillSwitch) return Review(KillSwitch);
        if (type.KillSwitch) return Review(TypeKillSwitch) with { Detail = type.KillSwitchReason };
        if (policy.AlwaysReviewLabels.Contains(c.Label, StringComparer.OrdinalIgnoreCase)) return Review(AlwaysReviewLabel);
        if (c.Confidence < threshold) return Review(labelSpecific ? LabelBelowThreshold : BelowThreshold);
        if (policy.QaSampleRate > 0 && SampleFraction(c.DocumentId, policy.SamplingKey) < policy.QaSampleRate) return Review(QaSample);
        return new(Route.Auto, labelSpecific ? LabelAboveThreshold : AboveThreshold, threshold, policy.Version, type.ReviewerGroup);
    }

    /// <summary>Why a document went to review, in words a reviewer reads ("below the threshold: 0.576 &lt; 0.90").</summary>
    public static string Explain(string rule, double confidence, double? threshold, string? detail) => rule switch
    {
        KillSwitch => "Every document goes to review: the model is switched off",
        TypeKillSwitch => "Every document of this type goes to review" + (string.IsNullOrWhiteSpace(detail) ? "" : ": " + detail),
        AlwaysReviewLabel => "This label always goes to review",
        BelowThreshold or LabelBelowThreshold => threshold is { } t
            ? $"Below the {(rule == LabelBelowThreshold ? "label's " : "")}threshold: {confidence.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} < {t.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}"
            : "Below the threshold",
        QaSample => "Quality check: a random sample of confident documents is reviewed",
        _ => rule,
    };

    /// <summary>
    /// A stable number in [0, 1) drawn from the document id: HMAC-SHA256 under the server's key (without one, as in unit
    /// tests, a plain SHA-256, which anyone can compute ahead and so game).
    /// </summary>
    public static double SampleFraction(string documentId, byte[]? key = null)
    {
        var id = System.Text.Encoding.UTF8.GetBytes(documentId);
        var hash = key is { Length: > 0 }
            ? System.Security.Cryptography.HMACSHA256.HashData(key, id)
            : System.Security.Cryptography.SHA256.HashData(id);
        return BitConverter.ToUInt32(hash, 0) / (uint.MaxValue + 1.0);
    }
}
