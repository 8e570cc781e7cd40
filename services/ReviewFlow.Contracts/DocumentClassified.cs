namespace ReviewFlow.Contracts;

/// <summary>
/// One classification result from an upstream model. The same shape arrives as raw JSON (camelCase) on the
/// <c>reviewflow.classifications</c> exchange, over <c>POST /api/v1/documents</c>, or published by .NET code.
/// Required: DocumentId, DocumentType, Label, Confidence, Model.Version. Priority (low, normal, high, urgent; default
/// normal) selects the SLA of a review task. See docs/contracts.md.
/// </summary>
public sealed record DocumentClassified(
    string DocumentId,
    string DocumentType,
    string Label,
    double Confidence,
    ModelInfo Model,
    string? SourceSystem = null,
    IReadOnlyList<LabelScore>? Alternatives = null,
    string? ContentUri = null,
    string? Excerpt = null,
    IReadOnlyDictionary<string, string>? Metadata = null,
    string? CorrelationId = null,
    DateTimeOffset? ClassifiedAt = null,
    string? Priority = null);

public sealed record ModelInfo(string Version, string? Name = null);

public sealed record LabelScore(string Label, double Confidence);
