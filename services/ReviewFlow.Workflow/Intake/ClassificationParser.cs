using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Unicode;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReviewFlow.Contracts;

namespace ReviewFlow.Workflow.Intake;

/// <summary>
/// Reads a classification result from raw JSON bytes (AMQP or HTTP) or checks a typed one, and names every bad
/// field with a reason. One set of rules for every way in; field names are the JSON paths a publisher sent.
/// </summary>
public sealed partial class ClassificationParser(IntakeLimits limits)
{
    static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>
    /// The refusals of the whole payload, before any field is read: too large, empty, not JSON, not an object. One
    /// pass of a reader that allocates nothing, so the AMQP intake can refuse such a body before MassTransit's raw
    /// JSON deserializer copies it (and fails with a stack trace). Null when the body is a well-formed JSON object.
    /// </summary>
    public FieldErrors? CheckSyntax(ReadOnlySpan<byte> json)
    {
        if (CheckSize(json.Length) is { } tooLarge) return tooLarge;
        if (json.Trim(" \t\r\n"u8).IsEmpty) return Whole("the body is empty");
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth });
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                return Whole($"expected a JSON object, got {Describe(reader.TokenType)}");
            while (reader.Read()) { } // throws on anything malformed, trailing content included
            return null;
        }
        catch (JsonException ex)
        {
            return Whole($"not valid JSON: {ex.Message}");
        }

    }

    public int MaxPayloadBytes => limits.MaxPayloadBytes;

    /// <summary>The size check alone, for a body whose length is known before its bytes are looked at.</summary>
    public FieldErrors? CheckSize(long length) =>
        length > limits.MaxPayloadBytes ? Whole($"payload is {length} bytes; the limit is {limits.MaxPayloadBytes}") : null;

    static FieldErrors Whole(string reason)
    {
        var errors = new FieldErrors();
        errors.Add("$", reason);
        return errors;
    }

    public ParsedClassification Parse(ReadOnlyMemory<byte> json, IReadOnlyCollection<string> knownTypes)
    {
        if (CheckSyntax(json.Span) is { } refused) return new(null, null, null, refused);

        var errors = new FieldErrors();
        // Parsed in place: no copy of the body (a 5 MB excerpt is refused without ever becoming a string).
        using (var doc = JsonDocument.Parse(json, DocumentOptions))
        {
            var root = doc.RootElement;
            var documentId = ReadString(root, "documentId", errors, required: true);
            var documentType = ReadString(root, "documentType", errors, required: true);
            var label = ReadString(root, "label", errors, required: true);
            var confidence = ReadNumber(root, "confidence", "confidence", errors, required: true);
            var sourceSystem = ReadString(root, "sourceSystem", errors);
            var contentUri = ReadString(root, "contentUri", errors);
            var excerpt = ReadString(root, "excerpt", errors, maxChars: limits.MaxExcerptChars);
            var correlationId = ReadString(root, "correlationId", errors);
            var classifiedAt = ReadTimestamp(root, "classifiedAt", errors);
            var priority = ReadString(root, "priority", errors);

            string? modelVersion = null, modelName = null;
            if (Property(root, "model", errors, JsonValueKind.Object, required: true) is { } model)
            {
                modelVersion = ReadString(model, "version", errors, required: true, path: "model.version");
                modelName = ReadString(model, "name", errors, path: "model.name");
            }

            List<LabelScore>? alternatives = null;
            if (Property(root, "alternatives", errors, JsonValueKind.Array) is { } alts)
            {
                alternatives = [];
                var i = 0;
                foreach (var alt in alts.EnumerateArray())
                {
                    var path = $"alternatives[{i++}]";
                    if (alt.ValueKind != JsonValueKind.Object)
                    {
                        errors.Add(path, "expected an object with label and confidence");
                        alternatives.Add(new LabelScore("", double.NaN)); // keeps later alternatives at their own index
                        continue;
                    }
                    var altLabel = ReadString(alt, "label", errors, required: true, path: path + ".label");
                    var altConfidence = ReadNumber(alt, "confidence", path + ".confidence", errors, required: true);
                    alternatives.Add(new LabelScore(altLabel ?? "", altConfidence ?? double.NaN));
                }
            }

            Dictionary<string, string>? metadata = null;
            if (Property(root, "metadata", errors, JsonValueKind.Object) is { } meta)
            {
                metadata = [];
                foreach (var p in meta.EnumerateObject())
                {
                    if (Text(JsonMarshal.GetRawUtf8PropertyName(p), () => p.Name, "metadata", errors, int.MaxValue) is not { } key) continue;
                    // Messy upstream data: scalars of any JSON type are kept as their text; nesting is refused.
                    switch (p.Value.ValueKind)
                    {
                        case JsonValueKind.String:
                            if (Text(p.Value, $"metadata.{Clip(key)}", errors, int.MaxValue) is { } text) metadata[key] = text;
                            break;
                        case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False: metadata[key] = p.Value.GetRawText(); break;
                        case JsonValueKind.Null: break;
                        default: errors.Add($"metadata.{Clip(key)}", "expected a string, number or boolean"); break;
                    }
                }
            }

            var classification = new DocumentClassified(
                documentId ?? "", documentType ?? "", label ?? "", confidence ?? double.NaN,
                new ModelInfo(modelVersion ?? "", modelName), sourceSystem, alternatives, contentUri, excerpt, metadata,
                correlationId, classifiedAt, priority);

            Check(classification, knownTypes, errors);
            var readableId = documentId is not null && !errors.Has("documentId") ? documentId : null;
            return new(errors.Count == 0 ? classification : null, readableId,
                errors.Has("model.version") ? null : modelVersion, errors, errors.Has("sourceSystem") ? null : sourceSystem);
        }
    }

    /// <summary>The priorities a result may carry; each may have its own SLA in the routing policy.</summary>
    public static readonly IReadOnlyList<string> Priorities = ["low", "normal", "high", "urgent"];

    /// <summary>Checks a typed result (published by .NET code); the same rules as for JSON.</summary>
    public FieldErrors Check(DocumentClassified c, IReadOnlyCollection<string> knownTypes, FieldErrors? errors = null)
    {
        errors ??= new FieldErrors();
        if (!errors.Has("documentId"))
        {
            if (string.IsNullOrEmpty(c.DocumentId)) errors.Add("documentId", "is required");
            else if (c.DocumentId.Length > 128 || !IdPattern().IsMatch(c.DocumentId))
                errors.Add("documentId", "must be 1-128 characters: letters, digits and . _ : / - (starting with a letter or digit)");
        }
        if (!errors.Has("documentType"))
        {
            if (string.IsNullOrEmpty(c.DocumentType)) errors.Add("documentType", "is required");
            else if (!knownTypes.Contains(c.DocumentType))
                errors.Add("documentType", $"unknown document type '{Clip(c.DocumentType)}'; known: {string.Join(", ", knownTypes.Order())}");
        }
        CheckLabel(c.Label, "label", errors);
        CheckConfidence(c.Confidence, "confidence", errors);
        if (!errors.Has("model.version") && string.IsNullOrWhiteSpace(c.Model?.Version)) errors.Add("model.version", "is required");
        else if (c.Model?.Version is { Length: > 64 }) errors.Add("model.version", "must be at most 64 characters");
        CheckLength(c.SourceSystem, "sourceSystem", 128, errors);
        CheckLength(c.CorrelationId, "correlationId", 128, errors);
        CheckLength(c.Model?.Name, "model.name", 128, errors);
        if (c.Priority is { } priority && !errors.Has("priority") && !Priorities.Contains(priority))
            errors.Add("priority", $"must be one of {string.Join(", ", Priorities)}");
        if (c.Excerpt is { } excerpt && excerpt.Length > limits.MaxExcerptChars)
            errors.Add("excerpt", $"is {excerpt.Length} characters; the limit is {limits.MaxExcerptChars}");
        if (c.ContentUri is { } uri && !errors.Has("contentUri") &&
            (uri.Length > 2048 || !Uri.TryCreate(uri, UriKind.Absolute, out var u) || (u.Scheme != "https" && u.Scheme != "http")))
            errors.Add("contentUri", "must be an absolute http(s) URI of at most 2048 characters");
        if (c.Alternatives is { } alternatives)
        {
            if (alternatives.Count > 20) errors.Add("alternatives", "at most 20 alternatives");
            for (var i = 0; i < alternatives.Count; i++)
            {
                if (errors.Has($"alternatives[{i}]")) continue;
                CheckLabel(alternatives[i].Label, $"alternatives[{i}].label", errors);
                CheckConfidence(alternatives[i].Confidence, $"alternatives[{i}].confidence", errors);
            }
        }
        if (c.Metadata is { } metadata)
        {
            if (metadata.Count > 50) errors.Add("metadata", "at most 50 entries");
            foreach (var (key, value) in metadata)
                if (key.Length > 64 || value.Length > 1024) errors.Add($"metadata.{Clip(key)}", "keys are at most 64 and values at most 1024 characters");
        }
        return errors;
    }

    public static bool IsValidLabel(string label) => label.Length <= 64 && LabelPattern().IsMatch(label);

    static void CheckLabel(string? label, string path, FieldErrors errors)
    {
        if (errors.Has(path)) return;
        if (string.IsNullOrEmpty(label)) errors.Add(path, "is required");
        // Labels end up in the decision's routing key, so '.', '*', '#' and spaces are refused.
        else if (!IsValidLabel(label))
            errors.Add(path, "must be 1-64 characters: letters, digits, '_' and '-'");
    }

    static void CheckConfidence(double confidence, string path, FieldErrors errors)
    {
        if (errors.Has(path)) return;
        if (double.IsNaN(confidence) || double.IsInfinity(confidence)) errors.Add(path, "must be a finite number");
        else if (confidence is < 0 or > 1) errors.Add(path, $"must be between 0 and 1, got {confidence.ToString(CultureInfo.InvariantCulture)}");
    }

    static void CheckLength(string? value, string path, int max, FieldErrors errors)
    {
        if (value is { } v && v.Length > max && !errors.Has(path)) errors.Add(path, $"must be at most {max} characters");
    }

    static JsonElement? Property(JsonElement obj, string name, FieldErrors errors, JsonValueKind kind, bool required = false, string? path = null)
    {
        path ??= name;
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required) errors.Add(path, "is required");
            return null;
        }
        if (value.ValueKind != kind)
        {
            errors.Add(path, $"expected {Describe(kind)}, got {Describe(value.ValueKind)}");
            return null;
        }
        return value;
    }

    static string? ReadString(JsonElement obj, string name, FieldErrors errors, bool required = false, string? path = null,
        int maxChars = int.MaxValue) =>
        Property(obj, name, errors, JsonValueKind.String, required, path) is { } value ? Text(value, path ?? name, errors, maxChars) : null;

    static string? Text(JsonElement value, string path, FieldErrors errors, int maxChars) =>
        Text(JsonMarshal.GetRawUtf8Value(value), value.GetString, path, errors, maxChars);

    /// <summary>
    /// A string's text, or a field error. The reader does not check the bytes inside strings: GetString would throw
    /// InvalidOperationException on bytes that are not UTF-8 and on an escaped lone surrogate, both the publisher's
    /// mistakes. <paramref name="raw"/> is the JSON text as sent (quotes and escapes included).
    /// </summary>
    static string? Text(ReadOnlySpan<byte> raw, Func<string?> read, string path, FieldErrors errors, int maxChars)
    {
        if (!Utf8.IsValid(raw)) { errors.Add(path, "not valid UTF-8"); return null; }
        // A character takes 1 to 6 bytes of JSON text ("\uXXXX"): far too long is refused before it is copied.
        if ((raw.Length - 2) / 6 > maxChars) { errors.Add(path, $"is over {maxChars} characters; the limit is {maxChars}"); return null; }
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            errors.Add(path, "not valid UTF-16: an escaped lone surrogate such as \\ud800");
            return null;
        }
    }

    static double? ReadNumber(JsonElement obj, string name, string path, FieldErrors errors, bool required)
    {
        if (Property(obj, name, errors, JsonValueKind.Number, required, path) is not { } value) return null;
        if (!value.TryGetDouble(out var d) || double.IsInfinity(d)) { errors.Add(path, "must be a finite number"); return null; }
        return d;
    }

    static DateTimeOffset? ReadTimestamp(JsonElement obj, string name, FieldErrors errors)
    {
        if (Property(obj, name, errors, JsonValueKind.String) is not { } value) return null;
        if (value.TryGetDateTimeOffset(out var at)) return at;
        errors.Add(name, "expected an ISO 8601 date-time such as 2026-11-22T10:00:00Z");
        return null;
    }

    static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => Describe(JsonValueKind.Object),
        JsonTokenType.StartArray => Describe(JsonValueKind.Array),
        JsonTokenType.String => Describe(JsonValueKind.String),
        JsonTokenType.Number => Describe(JsonValueKind.Number),
        JsonTokenType.True or JsonTokenType.False => Describe(JsonValueKind.True),
        _ => Describe(JsonValueKind.Null),
    };

    static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => kind.ToString().ToLowerInvariant(),
    };

    static string Clip(string s) => s.Length <= 64 ? s : s[..64] + "…";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:/-]*\z")] // \z: "$" would let a trailing newline through
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]*\z")]
    private static partial Regex LabelPattern();
}

/// <param name="SourceSystem">When readable, also for an invalid result: the upstream team's view of what they sent wrong.</param>
public sealed record ParsedClassification(DocumentClassified? Classification, string? DocumentId, string? ModelVersion, FieldErrors Errors,
    string? SourceSystem = null)
{
    public bool IsValid => Classification is not null;
}

/// <summary>Bad fields by JSON path, in the shape of RFC 9457 validation problem details' <c>errors</c>.</summary>
public sealed class FieldErrors
{
    readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public int Count => _errors.Count;
    public bool Has(string path) => _errors.ContainsKey(path);
    public void Add(string path, string reason)
    {
        if (!_errors.TryGetValue(path, out var list)) _errors[path] = list = [];
        list.Add(reason);
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    /// <summary>One line per field, for the error queue's fault header and the Invalid document's reasons.</summary>
    public IReadOnlyList<string> ToReasons() => _errors.SelectMany(e => e.Value.Select(r => $"{e.Key}: {r}")).ToList();

    public override string ToString() => string.Join("; ", ToReasons());
}

public sealed record IntakeLimits
{
    /// <summary>Larger payloads are refused before parsing. Big enough that an oversized excerpt is named as such.</summary>
    public int MaxPayloadBytes { get; init; } = 8 * 1024 * 1024;
    public int MaxExcerptChars { get; init; } = 64 * 1024;

    /// <summary>
    /// How long bad input's send to the _error queue may take (<see cref="BadInput"/>). A send on a channel that died
    /// with the broker can wait forever (RabbitMQ.Client 7.2, rabbitmq-dotnet-client#1930); past this it fails and the
    /// message is delivered again.
    /// </summary>
    public TimeSpan ErrorSendTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
