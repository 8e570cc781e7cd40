using ReviewFlow.Contracts;

namespace ReviewFlow.Workflow.Intake;

// What the intake (AMQP consumers, HTTP endpoint) sends to a document's saga after checking the input.

/// <summary>A valid result, checked against the policy's document types. Channel: amqp, http or bus; SubmittedBy: the http caller.</summary>
public sealed record ClassificationAccepted(DocumentClassified Classification, string Channel, DateTimeOffset ReceivedAt,
    string? SubmittedBy = null);

/// <summary>An invalid result whose document id could be read: the document shows status Invalid with these reasons.</summary>
public sealed record ClassificationRefused(
    string DocumentId, IReadOnlyList<string> Reasons, string? ModelVersion, string Channel, DateTimeOffset ReceivedAt,
    string? SourceSystem = null);

public static class Channels
{
    public const string Amqp = "amqp";
    public const string Http = "http";
    public const string Bus = "bus";
}
