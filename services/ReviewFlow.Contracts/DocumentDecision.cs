namespace ReviewFlow.Contracts;

/// <summary>
/// The final decision for one document, published as raw JSON on the durable topic exchange
/// <c>reviewflow.decisions</c> with routing key <c>{documentType}.{finalLabel}</c>. The AMQP message id is the id
/// of the stored <c>DocumentRouted</c> event, so a consumer can drop a redelivery by message id. Channel: where a person
/// decided ("web" or "teams"); absent for automatic decisions and before 2026-12.
/// </summary>
public sealed record DocumentDecision(
    string DocumentId,
    string DocumentType,
    string PredictedLabel,
    string FinalLabel,
    double Confidence,
    string Outcome,
    string DecidedBy,
    DateTimeOffset DecidedAt,
    int PolicyVersion,
    string ModelVersion,
    string? CorrelationId,
    string? Channel = null);

public static class DecisionOutcomes
{
    public const string Auto = "auto";
    public const string Confirmed = "confirmed";
    public const string Corrected = "corrected";
    public const string Rejected = "rejected";
}
