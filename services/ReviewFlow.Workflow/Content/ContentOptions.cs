namespace ReviewFlow.Workflow.Content;

/// <summary>
/// Where the web host may fetch a document's content from (<c>Content</c> in configuration, docs/operations.md): per
/// source system the origins allowed and the headers to send (credentials: from the secret store, never the repo),
/// and the limits every fetch keeps.
/// </summary>
public sealed class ContentOptions
{
    public const string Section = "Content";

    /// <summary>The source system whose entry a document without a <c>sourceSystem</c> uses.</summary>
    public const string DefaultSource = "default";

    public long MaxBytes { get; set; } = 20 * 1024 * 1024;
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    public Dictionary<string, ContentSource> Sources { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The types the viewer renders; anything else (HTML, SVG, scripts) is refused.</summary>
    public static readonly IReadOnlySet<string> AllowedTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain",
    };
}

/// <summary>One source system's origins (<c>https://files.example.com</c>, <c>http://127.0.0.1:5080</c>) and headers.</summary>
public sealed class ContentSource
{
    /// <summary>Scheme, host and port each: plain http only where an entry says so; a bare host means https on 443.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public bool Allows(Uri uri) => uri.Scheme is "https" or "http" && string.IsNullOrEmpty(uri.UserInfo)
        && AllowedOrigins.Any(entry => Origin(entry) is { } allowed && allowed == ContentOrigin.Of(uri));

    static string? Origin(string entry) =>
        Uri.TryCreate(entry.Contains("://", StringComparison.Ordinal) ? entry : "https://" + entry, UriKind.Absolute, out var uri)
            ? ContentOrigin.Of(uri) : null;
}

public static class ContentOrigin
{
    /// <summary>scheme://host:port, lower case, the port always written: what an allow-list entry is compared by.</summary>
    public static string Of(Uri uri) => $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}".ToLowerInvariant();
}
