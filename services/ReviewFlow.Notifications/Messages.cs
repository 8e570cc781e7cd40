using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReviewFlow.Notifications;

/// <summary>
/// Deep links only open the page (GET); claiming and deciding happen after sign-in, never by a link being fetched.
/// A mail links to the web page; a message read in Teams links into the app's personal tab (docs/teams.md).
/// </summary>
public static class DeepLinks
{
    /// <summary>The app manifest's staticTabs entityId of the reviewer tab (infra/teams/manifest.template.json).</summary>
    public const string TabEntityId = "review";

    public static string ForDocument(string? publicBaseUrl, string documentId) =>
        $"{(publicBaseUrl ?? "").TrimEnd('/')}/?document={Uri.EscapeDataString(documentId)}";

    /// <summary>
    /// The document in the Teams tab of app <paramref name="teamsAppId"/> (the manifest's id, configuration Teams:AppId):
    /// Teams opens the tab with the document id as subEntityId, which the page opens (js/teams.js); webUrl is where a
    /// client without the app goes. Without an app id, the web link.
    /// </summary>
    public static string ForDocumentInTeams(string? teamsAppId, string? publicBaseUrl, string documentId)
    {
        var web = ForDocument(publicBaseUrl, documentId);
        if (string.IsNullOrWhiteSpace(teamsAppId)) return web;
        var context = JsonSerializer.Serialize(new { subEntityId = documentId });
        return $"https://teams.microsoft.com/l/entity/{Uri.EscapeDataString(teamsAppId)}/{TabEntityId}" +
            $"?webUrl={Uri.EscapeDataString(web)}&label={Uri.EscapeDataString(documentId)}&context={Uri.EscapeDataString(context)}";
    }
}

/// <summary>Plain text made safe to show: no control characters, bounded length.</summary>
internal static class PlainText
{
    public static string Clean(string? text, int maxChars)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(Math.Min(text.Length, maxChars + 1));
        var lastWasSpace = false;
        foreach (var c in text)
        {
            var space = char.IsWhiteSpace(c) || char.IsControl(c);
            if (space) { if (!lastWasSpace && sb.Length > 0) sb.Append(' '); lastWasSpace = true; continue; }
            if (char.GetUnicodeCategory(c) == UnicodeCategory.Format) continue; // zero-width and bidi controls
            sb.Append(c);
            lastWasSpace = false;
            if (sb.Length > maxChars) break;
        }
        var s = sb.ToString().TrimEnd();
        return s.Length > maxChars ? s[..maxChars].TrimEnd() + "…" : s;
    }

    public static string Confidence(double confidence) =>
        (confidence * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    public static string Due(DateTimeOffset? due) =>
        due is { } d ? d.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "no deadline";
}

/// <summary>
/// Adaptive Card 1.4 JSON built with System.Text.Json (no AdaptiveCards package is served). Every untrusted string goes
/// into a plain TextBlock/Fact as text: cards render no HTML; markdown link and emphasis characters are escaped.
/// </summary>
internal static class AdaptiveCards
{
    public const string ContentType = "application/vnd.microsoft.card.adaptive";
    private const int MaxExcerpt = 400;

    public static string ForTask(string title, ReviewTask task, string deepLink, string? note = null)
    {
        var facts = new JsonArray
        {
            Fact("Document", task.DocumentId),
            Fact("Type", task.DocumentType),
            Fact("Predicted label", task.PredictedLabel),
            Fact("Confidence", PlainText.Confidence(task.Confidence)),
            Fact("SLA due", PlainText.Due(task.DueAt)),
            Fact("Group", task.ReviewerGroup),
        };
        if (!string.IsNullOrWhiteSpace(task.ClaimedBy)) facts.Add(Fact("Claimed by", task.ClaimedBy));

        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = Text(title, 120), ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
            new JsonObject { ["type"] = "FactSet", ["facts"] = facts },
        };
        if (!string.IsNullOrWhiteSpace(note))
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = Text(note, 300), ["wrap"] = true });
        if (!string.IsNullOrWhiteSpace(task.Excerpt))
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = Text(task.Excerpt, MaxExcerpt), ["wrap"] = true, ["isSubtle"] = true, ["maxLines"] = 6 });

        return Card(body, deepLink);
    }

    /// <summary>A quality alarm raised or cleared: what crossed which limit, and whether the type now goes to review.</summary>
    public static string ForAlert(string title, QualityAlertNotice notice, string link)
    {
        var facts = new JsonArray
        {
            Fact("Document type", notice.DocumentType),
            Fact("Model version", notice.ModelVersion),
            Fact("Group", notice.ReviewerGroup),
            Fact("At", PlainText.Due(notice.At)),
        };
        if (notice.FallbackPolicyVersion is { } v) facts.Add(Fact("Fallback", $"every {notice.DocumentType} goes to review (policy version {v})"));
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = Text(title, 120), ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
            new JsonObject { ["type"] = "TextBlock", ["text"] = Text(notice.Message, 400), ["wrap"] = true },
            new JsonObject { ["type"] = "FactSet", ["facts"] = facts },
        };
        return Card(body, link);
    }

    private static string Card(JsonArray body, string link) => new JsonObject
    {
        ["type"] = "AdaptiveCard",
        ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
        ["version"] = "1.4",
        ["body"] = body,
        ["actions"] = new JsonArray
        {
            new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open in ReviewFlow", ["url"] = link },
        },
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    private static JsonObject Fact(string title, string? value) => new() { ["title"] = title, ["value"] = Text(value, 200) };

    /// <summary>Plain text for a TextBlock: cleaned, bounded, markdown link/emphasis characters escaped.</summary>
    internal static string Text(string? value, int maxChars)
    {
        var clean = PlainText.Clean(value, maxChars);
        var sb = new StringBuilder(clean.Length + 8);
        foreach (var c in clean)
        {
            if (c is '\\' or '[' or ']' or '*' or '_' or '`' or '~') sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}

/// <summary>A mail as ReviewFlow writes it: subject, plain text and HTML (every untrusted string HTML-encoded).</summary>
internal sealed record MailContent(string Subject, string Text, string Html);

internal static class Mails
{
    private static string H(string? s) => WebUtility.HtmlEncode(s ?? "");

    public static MailContent ReminderMail(ReviewTask task, string deepLink) => TaskMail(
        $"Reminder: {task.DocumentType} {task.DocumentId} is waiting for review (due {PlainText.Due(task.DueAt)})",
        task.ClaimedBy is null ? "This document is waiting for a reviewer in your group." : "You hold the claim on this document and it is not decided yet.",
        task, deepLink);

    public static MailContent BreachMail(ReviewTask task, string deepLink) => TaskMail(
        $"SLA breached: {task.DocumentType} {task.DocumentId} (was due {PlainText.Due(task.DueAt)})",
        "The review deadline for this document has passed.", task, deepLink);

    public static MailContent EscalatedMail(ReviewTask task, string reason, string deepLink) => TaskMail(
        $"Escalated: {task.DocumentType} {task.DocumentId} needs a supervisor",
        "This document was escalated: " + PlainText.Clean(reason, 500), task, deepLink);

    public static MailContent ReassignedMail(Reassignment r, string deepLink) => TaskMail(
        $"Reassigned to you: {r.Task.DocumentType} {r.Task.DocumentId} (due {PlainText.Due(r.Task.DueAt)})",
        $"{PlainText.Clean(r.ReassignedBy, 100)} reassigned this document to you: it is yours now, held for you until " +
        $"{PlainText.Due(r.HeldUntil)}. Open it before then (your open page keeps it yours), or it goes back to the group's queue.",
        r.Task, deepLink);

    private static MailContent TaskMail(string subject, string lead, ReviewTask task, string deepLink)
    {
        var rows = new List<(string, string)>
        {
            ("Document", task.DocumentId), ("Type", task.DocumentType), ("Predicted label", task.PredictedLabel),
            ("Confidence", PlainText.Confidence(task.Confidence)), ("SLA due", PlainText.Due(task.DueAt)),
            ("Group", task.ReviewerGroup), ("Status", task.Status),
        };
        if (!string.IsNullOrWhiteSpace(task.ClaimedBy)) rows.Add(("Claimed by", task.ClaimedBy));
        var excerpt = PlainText.Clean(task.Excerpt, 1000);

        var text = new StringBuilder()
            .AppendLine(lead).AppendLine();
        foreach (var (k, v) in rows) text.Append(k).Append(": ").AppendLine(PlainText.Clean(v, 300));
        if (excerpt.Length > 0) text.AppendLine().AppendLine("Excerpt:").AppendLine(excerpt);
        text.AppendLine().Append("Open in ReviewFlow: ").AppendLine(deepLink)
            .AppendLine().AppendLine(Footer);

        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family:Segoe UI,Arial,sans-serif\">")
            .Append("<p>").Append(H(lead)).Append("</p><table>");
        foreach (var (k, v) in rows)
            html.Append("<tr><th align=\"left\">").Append(H(k)).Append("</th><td>").Append(H(PlainText.Clean(v, 300))).Append("</td></tr>");
        html.Append("</table>");
        if (excerpt.Length > 0) html.Append("<p><em>Excerpt:</em><br>").Append(H(excerpt)).Append("</p>");
        html.Append("<p><a href=\"").Append(H(deepLink)).Append("\">Open in ReviewFlow</a></p>")
            .Append("<p style=\"color:#666\">").Append(H(Footer)).Append("</p></body></html>");

        return new MailContent(PlainText.Clean(subject, 250), text.ToString(), html.ToString());
    }

    public static MailContent QualityAlertMail(QualityAlertNotice notice, string link)
    {
        var subject = notice.Raised
            ? $"Quality alarm: {notice.DocumentType} ({notice.ModelVersion}), {notice.What}"
            : $"Quality alarm cleared: {notice.DocumentType} ({notice.ModelVersion}), {notice.What}";
        var lines = new List<string> { PlainText.Clean(notice.Message, 500) };
        if (notice.FallbackPolicyVersion is { } v)
            lines.Add($"Fallback: every {notice.DocumentType} document goes to review (policy version {v}) until an admin restores auto-routing.");
        else if (!notice.Raised)
            lines.Add("Auto-routing does not come back by itself: an admin restores it on the policy page, with a reason.");
        var text = new StringBuilder();
        foreach (var line in lines) text.AppendLine(line).AppendLine();
        text.Append("Quality page: ").AppendLine(link).AppendLine().AppendLine(Footer);
        var html = new StringBuilder().Append("<!DOCTYPE html><html><body style=\"font-family:Segoe UI,Arial,sans-serif\">");
        foreach (var line in lines) html.Append("<p>").Append(H(line)).Append("</p>");
        html.Append("<p><a href=\"").Append(H(link)).Append("\">Open the quality page</a></p>")
            .Append("<p style=\"color:#666\">").Append(H(Footer)).Append("</p></body></html>");
        return new MailContent(PlainText.Clean(subject, 250), text.ToString(), html.ToString());
    }

    public static MailContent DigestMail(ReviewerDigest digest, Func<string, string> deepLink)
    {
        var subject = $"ReviewFlow digest {digest.Day:yyyy-MM-dd}: {digest.OpenTasks.Count} open, {digest.BreachesToday} breached, {digest.DecidedToday} decided";
        var summary = $"{digest.OpenTasks.Count} open task(s); {digest.BreachesToday} SLA breach(es) today; {digest.DecidedToday} decided today.";
        var ordered = digest.OpenTasks.OrderByDescending(t => t.Breached).ThenBy(t => t.DueAt ?? DateTimeOffset.MaxValue).ToList();

        var text = new StringBuilder().AppendLine(summary).AppendLine();
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family:Segoe UI,Arial,sans-serif\">")
            .Append("<p>").Append(H(summary)).Append("</p>");
        if (ordered.Count == 0)
        {
            text.AppendLine("No open tasks.");
            html.Append("<p>No open tasks.</p>");
        }
        else
        {
            html.Append("<table><tr><th align=\"left\">Document</th><th align=\"left\">Type</th><th align=\"left\">Predicted label</th>")
                .Append("<th align=\"left\">Confidence</th><th align=\"left\">SLA due</th><th align=\"left\">Status</th></tr>");
            foreach (var t in ordered)
            {
                var link = deepLink(t.DocumentId);
                var breached = t.Breached ? " (SLA BREACHED)" : "";
                text.Append("- ").Append(PlainText.Clean(t.DocumentId, 200)).Append(' ').Append(PlainText.Clean(t.DocumentType, 100))
                    .Append(", ").Append(PlainText.Clean(t.PredictedLabel, 100)).Append(' ').Append(PlainText.Confidence(t.Confidence))
                    .Append(", due ").Append(PlainText.Due(t.DueAt)).Append(breached).Append(", ").AppendLine(PlainText.Clean(t.Status, 50))
                    .Append("  ").AppendLine(link);
                html.Append("<tr><td><a href=\"").Append(H(link)).Append("\">").Append(H(PlainText.Clean(t.DocumentId, 200))).Append("</a></td>")
                    .Append("<td>").Append(H(PlainText.Clean(t.DocumentType, 100))).Append("</td>")
                    .Append("<td>").Append(H(PlainText.Clean(t.PredictedLabel, 100))).Append("</td>")
                    .Append("<td>").Append(H(PlainText.Confidence(t.Confidence))).Append("</td>")
                    .Append("<td>").Append(H(PlainText.Due(t.DueAt))).Append(t.Breached ? " <strong>SLA breached</strong>" : "").Append("</td>")
                    .Append("<td>").Append(H(PlainText.Clean(t.Status, 50))).Append("</td></tr>");
            }
            html.Append("</table>");
        }
        text.AppendLine().AppendLine(Footer);
        html.Append("<p style=\"color:#666\">").Append(H(Footer)).Append("</p></body></html>");
        return new MailContent(subject, text.ToString(), html.ToString());
    }

    private const string Footer = "Links open ReviewFlow after sign-in; claiming and deciding happen there, never by opening a link.";
}

/// <summary>
/// A multipart/alternative MIME message (text/plain first, text/html second), everything base64 so no untrusted string
/// can end a header or a part. Graph's sendMail takes it base64-encoded with Content-Type text/plain.
/// </summary>
internal static class Mime
{
    public static byte[] Build(string from, string to, MailContent mail, DateTimeOffset date)
    {
        var boundary = "=_rf_" + Guid.NewGuid().ToString("N");
        var sb = new StringBuilder();
        sb.Append("MIME-Version: 1.0\r\n");
        sb.Append("Date: ").Append(date.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("From: ").Append(from).Append("\r\n");
        sb.Append("To: ").Append(to).Append("\r\n");
        sb.Append("Subject: ").Append(EncodedWord(mail.Subject)).Append("\r\n");
        sb.Append("Content-Type: multipart/alternative; boundary=\"").Append(boundary).Append("\"\r\n\r\n");
        Part(sb, boundary, "text/plain; charset=utf-8", mail.Text);
        Part(sb, boundary, "text/html; charset=utf-8", mail.Html);
        sb.Append("--").Append(boundary).Append("--\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static void Part(StringBuilder sb, string boundary, string contentType, string content)
    {
        sb.Append("--").Append(boundary).Append("\r\n");
        sb.Append("Content-Type: ").Append(contentType).Append("\r\n");
        sb.Append("Content-Transfer-Encoding: base64\r\n\r\n");
        var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(content));
        for (var i = 0; i < b64.Length; i += 76) sb.Append(b64, i, Math.Min(76, b64.Length - i)).Append("\r\n");
    }

    /// <summary>RFC 2047 B-encoding in chunks short enough for one header line each.</summary>
    private static string EncodedWord(string text)
    {
        var words = new List<string>();
        var bytes = new List<byte>();
        foreach (var rune in text.EnumerateRunes())
        {
            var buf = new byte[4];
            var n = rune.EncodeToUtf8(buf);
            if (bytes.Count + n > 45) { words.Add(Word(bytes)); bytes.Clear(); }
            bytes.AddRange(buf.AsSpan(0, n).ToArray());
        }
        if (bytes.Count > 0 || words.Count == 0) words.Add(Word(bytes));
        return string.Join("\r\n ", words);

        static string Word(List<byte> b) => "=?utf-8?B?" + Convert.ToBase64String(b.ToArray()) + "?=";
    }
}
