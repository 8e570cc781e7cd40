using System.Globalization;
using System.Text.Json;

namespace ReviewFlow.Testing;

/// <summary>Classification results as upstream systems send them (raw camelCase JSON).</summary>
public static class Documents
{
    public static string NewId(string prefix = "INV") => $"{prefix}-{Guid.NewGuid():N}"[..24];

    public static string Json(string documentId, string documentType = "invoice", string label = "utilities",
        double confidence = 0.97, string modelVersion = "2026.11.1") =>
        JsonSerializer.Serialize(new
        {
            documentId,
            sourceSystem = "ap-inbox",
            documentType,
            label,
            confidence,
            alternatives = new[] { new { label = "telecom", confidence = Math.Round(1 - confidence, 2) } },
            model = new { name = "doc-classifier", version = modelVersion },
            contentUri = $"https://dms.example.test/{documentId}",
            excerpt = "Invoice for electricity, November 2026",
            metadata = new { amount = "1200.00" },
            correlationId = "corr-" + documentId,
            classifiedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        });
}
