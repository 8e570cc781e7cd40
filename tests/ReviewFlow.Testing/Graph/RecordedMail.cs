using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ReviewFlow.Testing.Graph;

/// <summary>A sendMail request as a reader would see it: the mailbox in the URL, and From/To/Subject/plain text/HTML.</summary>
public sealed record RecordedMail(string Mailbox, string? From, IReadOnlyList<string> To, string Subject, string? Text, string? Html,
    string? Authorization, DateTimeOffset At)
{
    /// <summary>Parses Graph's MIME form (base64 MIME, Content-Type text/plain) and its JSON form ({"message": …}).</summary>
    public static RecordedMail Parse(RecordedRequest request)
    {
        var mailbox = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries)[2];
        var auth = request.Header("Authorization");
        if (request.Header("Content-Type")?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            var message = JsonNode.Parse(request.Body)!["message"]!;
            var to = message["toRecipients"]?.AsArray().Select(r => (string)r!["emailAddress"]!["address"]!).ToList() ?? [];
            var type = (string?)message["body"]?["contentType"];
            var content = (string?)message["body"]?["content"];
            var isHtml = string.Equals(type, "html", StringComparison.OrdinalIgnoreCase);
            return new RecordedMail(mailbox, (string?)message["from"]?["emailAddress"]?["address"], to, (string?)message["subject"] ?? "",
                isHtml ? null : content, isHtml ? content : null, auth, request.At);
        }

        var mime = Encoding.UTF8.GetString(Convert.FromBase64String(request.Body.Trim()));
        var (headers, body) = Split(mime);
        string? text = null, html = null;
        var contentType = headers.GetValueOrDefault("Content-Type") ?? "text/plain";
        var boundary = Regex.Match(contentType, "boundary=\"?([^\";]+)\"?").Groups[1].Value;
        var parts = boundary.Length == 0 ? [(headers, body)]
            : body.Split("--" + boundary).Skip(1).TakeWhile(p => !p.StartsWith("--", StringComparison.Ordinal)).Select(p => Split(p.TrimStart('\r', '\n'))).ToList();
        foreach (var (h, b) in parts)
        {
            var decoded = h.GetValueOrDefault("Content-Transfer-Encoding")?.Trim().Equals("base64", StringComparison.OrdinalIgnoreCase) == true
                ? Encoding.UTF8.GetString(Convert.FromBase64String(Regex.Replace(b, @"\s", "")))
                : b;
            var type = h.GetValueOrDefault("Content-Type") ?? "text/plain";
            if (type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase)) html = decoded;
            else if (type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase)) text = decoded;
        }
        var recipients = (headers.GetValueOrDefault("To") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return new RecordedMail(mailbox, headers.GetValueOrDefault("From"), recipients, DecodeWords(headers.GetValueOrDefault("Subject") ?? ""),
            text, html, auth, request.At);
    }

    private static (Dictionary<string, string> Headers, string Body) Split(string entity)
    {
        var end = entity.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end < 0 ? entity : entity[..end];
        var body = end < 0 ? "" : entity[(end + 4)..];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && last is not null) { headers[last] += line; continue; }
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            last = line[..colon].Trim();
            headers[last] = line[(colon + 1)..].Trim();
        }
        return (headers, body);
    }

    private static string DecodeWords(string value) =>
        Regex.Replace(Regex.Replace(value, @"\?=\s+=\?", "?==?"), @"=\?utf-8\?B\?([^?]*)\?=",
            m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[1].Value)), RegexOptions.IgnoreCase);
}
