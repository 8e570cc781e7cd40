using System.Globalization;
using System.Text.Json;

namespace ReviewFlow.Testing;

/// <summary>Classification results as upstream systems send them (raw camelCase JSON): the tests', the pages' and the benchmark's.</summary>
public static class Documents
{
    public static string NewId(string prefix = "INV") => $"{prefix}-{Guid.NewGuid():N}"[..24];

    /// <param name="alternatives">The runners-up; by default one, telecom, with the rest of the confidence.</param>
    /// <param name="contentUri">Where the document's content is; by default a link on a host nothing serves.</param>
    public static string Json(string documentId, string documentType = "invoice", string label = "utilities",
        double confidence = 0.97, string modelVersion = "2026.11.1", string? excerpt = null,
        IEnumerable<(string Label, double Confidence)>? alternatives = null, string sourceSystem = "ap-inbox", string? contentUri = null) =>
        JsonSerializer.Serialize(new
        {
            documentId,
            sourceSystem,
            documentType,
            label,
            confidence,
            alternatives = (alternatives ?? [("telecom", Math.Round(1 - confidence, 2))]).Select(a => new { label = a.Label, confidence = a.Confidence }),
            model = new { name = "doc-classifier", version = modelVersion },
            contentUri = contentUri ?? $"https://dms.example.test/{documentId}",
            excerpt = excerpt ?? "Invoice for electricity, November 2026",
            metadata = new { amount = "1200.00" },
            correlationId = "corr-" + documentId,
            classifiedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        });

    /// <summary>
    /// Bad input as upstream systems send it, carrying <paramref name="marker"/> to find it on the error queue: text that
    /// is not JSON, or (<paramref name="readableId"/>) a result without a label whose document id is the marker.
    /// </summary>
    public static string Hostile(string marker, bool readableId)
    {
        if (!readableId) return "not json " + marker;
        var doc = System.Text.Json.Nodes.JsonNode.Parse(Json(marker))!.AsObject();
        doc.Remove("label");
        return doc.ToJsonString();
    }
}
