using System.Text.Json.Nodes;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Tests.TestSupport;

/// <summary>Shared inputs: the documented example result, a routing policy and builders for messages.</summary>
public static class TestData
{
    public static readonly string[] KnownTypes = ["invoice", "contract", "claim"];

    public const string ExampleJson =
        """{"documentId":"INV-2026-000123","sourceSystem":"ap-inbox","documentType":"invoice","label":"utilities","confidence":0.62,"alternatives":[{"label":"telecom","confidence":0.30}],"model":{"name":"doc-classifier","version":"2026.11.1"},"contentUri":"https://example.test/doc/1","excerpt":"…","metadata":{"amount":"1200.00"},"correlationId":"c-1","classifiedAt":"2026-11-22T10:00:00Z"}""";

    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The example as a mutable JSON object.</summary>
    public static JsonObject ExampleObject() => JsonNode.Parse(ExampleJson)!.AsObject();

    /// <summary>The example with one change applied, as UTF-8 bytes.</summary>
    public static byte[] Example(Action<JsonObject> change)
    {
        var obj = ExampleObject();
        change(obj);
        return System.Text.Encoding.UTF8.GetBytes(obj.ToJsonString());
    }

    public static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    /// <summary>
    /// The test routing policy (ReviewFlow.Testing's, as the worker binds it: no QA sampling, so tests are not at the
    /// mercy of the sample; invoice 0.90, contract 0.95, claim 0.85; legal-hold always reviewed) as version 3, with what
    /// the decider's tests exercise and the systems leave out: invoice label thresholds utilities 0.70 and legal-fees
    /// 0.99, and a claim SLA of 4 h (reminder 1 h before, urgent 1 h).
    /// </summary>
    public static RoutingPolicy TestPolicy(double qaSampleRate = 0, bool killSwitch = false)
    {
        var policy = ReviewFlow.Testing.TestPolicy.Policy();
        return policy with
        {
            Version = 3,
            KillSwitch = killSwitch,
            QaSampleRate = qaSampleRate,
            DocumentTypes = new Dictionary<string, DocumentTypePolicy>(policy.DocumentTypes)
            {
                ["invoice"] = policy.DocumentTypes["invoice"] with
                {
                    LabelThresholds = new Dictionary<string, double> { ["utilities"] = 0.70, ["legal-fees"] = 0.99 },
                },
                ["claim"] = policy.DocumentTypes["claim"] with
                {
                    Sla = TimeSpan.FromHours(4),
                    ReminderBefore = TimeSpan.FromHours(1),
                    PrioritySla = new Dictionary<string, TimeSpan> { ["urgent"] = TimeSpan.FromHours(1) },
                },
            },
        };
    }

    public static DocumentClassified Classified(string documentId = "INV-1", string label = "telecom", double confidence = 0.5,
        string documentType = "invoice", string modelVersion = "2026.11.1", string? correlationId = "c-1", string? priority = null) =>
        new(documentId, documentType, label, confidence, new ModelInfo(modelVersion, "doc-classifier"), "ap-inbox",
            CorrelationId: correlationId, Priority: priority);

    public static ClassificationAccepted Accepted(DocumentClassified c, DateTimeOffset? at = null) =>
        new(c, Channels.Amqp, at ?? T0);
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class FakeClock(DateTimeOffset start) : TimeProvider
{
    readonly Lock _gate = new();
    DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate) _now += by;
    }
}

/// <summary>The active policy, fixed for the test.</summary>
public sealed class FixedPolicySource(RoutingPolicy policy) : IRoutingPolicySource
{
    public ValueTask<RoutingPolicy> CurrentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(policy);
}
