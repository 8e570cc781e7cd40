using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Graph.Users.Item.SendMail;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using static ReviewFlow.Notifications.NotificationNames;

namespace ReviewFlow.Notifications;

/// <summary>
/// Teams cards (POST /teams/{team}/channels/{channel}/messages) and Outlook mails (POST /users/{ServiceMailbox}/sendMail,
/// MIME multipart/alternative) through Microsoft Graph, per the group's configuration.
/// </summary>
internal sealed class GraphReviewNotifier(
    IOptions<NotificationOptions> options, GraphClientHolder graph, OutOfOfficeLookup outOfOffice,
    AttemptLoop attempts, AttemptRecorder recorder, TimeProvider time) : IReviewNotifier
{
    private static readonly Dictionary<string, ParsableFactory<IParsable>> Errors = new() { ["XXX"] = ODataError.CreateFromDiscriminatorValue };

    private NotificationOptions Options => options.Value;

    public async Task NewTaskAsync(ReviewTask task, CancellationToken ct) =>
        await CardAsync(NewTask, task, "New review task", null, ct);

    public async Task ReminderAsync(ReviewTask task, CancellationToken ct)
    {
        var group = Group(task.ReviewerGroup);
        IReadOnlyList<string> people = !string.IsNullOrWhiteSpace(task.ClaimedBy) ? [task.ClaimedBy] : group?.Reviewers ?? [];
        await MailAsync(NotificationNames.Reminder, task.DocumentId, task.DocumentId, group, task.ReviewerGroup, people, "reviewers",
            Mails.ReminderMail(task, Link(task.DocumentId)), ct);
    }

    public async Task BreachAsync(ReviewTask task, CancellationToken ct)
    {
        var group = Group(task.ReviewerGroup);
        await MailAsync(Breach, task.DocumentId, task.DocumentId, group, task.ReviewerGroup, group?.Supervisors ?? [], "supervisors",
            Mails.BreachMail(task, Link(task.DocumentId)), ct);
        await CardAsync(Breach, task, "SLA breached", $"The review deadline ({PlainText.Due(task.DueAt)}) has passed.", ct);
    }

    public async Task EscalatedAsync(ReviewTask task, string reason, CancellationToken ct)
    {
        var group = Group(task.ReviewerGroup);
        await MailAsync(Escalated, task.DocumentId, task.DocumentId, group, task.ReviewerGroup, group?.Supervisors ?? [], "supervisors",
            Mails.EscalatedMail(task, reason, Link(task.DocumentId)), ct);
    }

    public async Task ReassignedAsync(Reassignment r, CancellationToken ct)
    {
        var task = r.Task;
        await MailAsync(Reassigned, r.Subject, task.DocumentId, Group(task.ReviewerGroup), task.ReviewerGroup, [r.AssigneeId], "assignee",
            Mails.ReassignedMail(r, Link(task.DocumentId)), ct);
    }

    public async Task DigestAsync(ReviewerDigest digest, CancellationToken ct)
    {
        var subject = DigestSubject(digest.ReviewerId, digest.Day);
        var groups = Options.Groups.Where(g => g.Value.Reviewers.Contains(digest.ReviewerId, StringComparer.OrdinalIgnoreCase)
                                               || g.Value.Supervisors.Contains(digest.ReviewerId, StringComparer.OrdinalIgnoreCase)).ToList();
        var outlookGroup = groups.FirstOrDefault(g => g.Value.Outlook);
        var mail = Mails.DigestMail(digest, Link);
        if (outlookGroup.Value is null)
        {
            var detail = groups.Count == 0
                ? $"'{digest.ReviewerId}' is in no configured group (Notifications:Groups)"
                : $"Outlook is off for all of '{digest.ReviewerId}''s groups";
            await recorder.SkippedAsync(new Delivery(Id(Digest, subject, digest.ReviewerId), null, Digest, Outlook, digest.ReviewerId), detail, ct);
            return;
        }
        await MailAsync(Digest, subject, null, outlookGroup.Value, outlookGroup.Key, [digest.ReviewerId], "reviewers", mail, ct);
    }

    public async Task QualityAlertAsync(QualityAlertNotice notice, CancellationToken ct)
    {
        var kind = notice.Raised ? QualityAlert : QualityAlertCleared;
        var subject = notice.AlertId.ToString();
        var link = $"{(Options.PublicBaseUrl ?? "").TrimEnd('/')}/quality.html?documentType={Uri.EscapeDataString(notice.DocumentType)}";
        var mail = Mails.QualityAlertMail(notice, link);
        var group = Group(notice.ReviewerGroup);
        var supervisors = group?.Supervisors ?? [];
        await MailAsync(kind, subject, null, group, notice.ReviewerGroup, supervisors, "supervisors", mail, ct);
        var admins = Options.Admins.Where(a => group is not { Outlook: true } || !supervisors.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList();
        await MailAsync(kind, subject, null, new GroupNotificationOptions { Outlook = true }, "admins", admins, "admins", mail, ct);
        await PostCardAsync(kind, subject, null, notice.ReviewerGroup, AdaptiveCards.ForAlert(mail.Subject, notice, link), ct);
    }

    private GroupNotificationOptions? Group(string name) => Options.Groups.GetValueOrDefault(name);

    private string Link(string documentId) => DeepLinks.ForDocument(Options.PublicBaseUrl, documentId);

    private Task CardAsync(string kind, ReviewTask task, string title, string? note, CancellationToken ct) =>
        PostCardAsync(kind, task.DocumentId, task.DocumentId, task.ReviewerGroup, AdaptiveCards.ForTask(title, task, Link(task.DocumentId), note), ct);

    private async Task PostCardAsync(string kind, string subject, string? documentId, string groupName, string card, CancellationToken ct)
    {
        var teams = Group(groupName)?.Teams;
        var recipient = teams is { IsSet: true } ? $"teams:{teams.TeamId}/{teams.ChannelId}" : $"group:{groupName}";
        var delivery = new Delivery(Id(kind, subject, recipient), documentId, kind, NotificationNames.Teams, recipient);
        if (teams is not { IsSet: true })
        {
            await recorder.SkippedAsync(delivery, $"no Teams channel configured for group '{groupName}'", ct);
            return;
        }

        var attachmentId = Guid.NewGuid().ToString("N");
        var message = new ChatMessage
        {
            Body = new ItemBody { ContentType = BodyType.Html, Content = $"<attachment id=\"{attachmentId}\"></attachment>" },
            Attachments = [new ChatMessageAttachment { Id = attachmentId, ContentType = AdaptiveCards.ContentType, Content = card }],
        };
        await attempts.RunAsync(delivery, 201,
            async token => await graph.Client.Teams[teams.TeamId].Channels[teams.ChannelId].Messages.PostAsync(message, cancellationToken: token),
            null, ct);
    }

    private async Task MailAsync(string kind, string subject, string? documentId, GroupNotificationOptions? group, string groupName,
        IReadOnlyList<string> people, string role, MailContent mail, CancellationToken ct)
    {
        var groupRecipient = $"group:{groupName}";
        var groupDelivery = new Delivery(Id(kind, subject, groupRecipient), documentId, kind, Outlook, groupRecipient);
        if (group is null)
        {
            await recorder.SkippedAsync(groupDelivery, $"group '{groupName}' has no notification configuration (Notifications:Groups)", ct);
            return;
        }
        if (!group.Outlook || string.IsNullOrWhiteSpace(Options.ServiceMailbox))
        {
            await recorder.SkippedAsync(groupDelivery, !group.Outlook
                ? $"Outlook is off for group '{groupName}'"
                : "Outlook is off: no Notifications:ServiceMailbox", ct);
            return;
        }
        if (people.Count == 0)
        {
            await recorder.SkippedAsync(groupDelivery, $"no {role} configured for group '{groupName}'", ct);
            return;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var person in people)
        {
            var address = Address(person);
            var delivery = new Delivery(Id(kind, subject, address ?? person), documentId, kind, Outlook, address ?? person);
            if (address is null)
            {
                await recorder.SkippedAsync(delivery, $"no mail address for '{person}' (Notifications:People)", ct);
                continue;
            }
            if (!seen.Add(address)) continue;

            var presence = await outOfOffice.CheckAsync(address, ct);
            var target = address;
            var detail = presence.Known ? null : presence.Detail;
            if (presence.Away)
            {
                var stand = Delegate(person, address);
                if (stand is null)
                {
                    await recorder.SkippedAsync(delivery, presence.Detail, ct);
                    continue;
                }
                var standPresence = await outOfOffice.CheckAsync(stand, ct);
                if (standPresence.Away)
                {
                    await recorder.SkippedAsync(delivery with { Recipient = stand }, $"{presence.Detail}; delegate {stand} is {standPresence.Detail}", ct);
                    continue;
                }
                target = stand;
                detail = $"to delegate of {address}: {presence.Detail}";
            }

            var mime = Mime.Build(Options.ServiceMailbox!, target, mail, time.GetUtcNow());
            await attempts.RunAsync(delivery with { Recipient = target }, 202, token => SendMimeAsync(mime, token), detail, ct);
        }
    }

    private string? Address(string person) => Options.AddressOf(person);

    private string? Delegate(string person, string address)
    {
        var stand = Options.Delegates.GetValueOrDefault(address) ?? Options.Delegates.GetValueOrDefault(person);
        return stand is null ? null : Address(stand);
    }

    /// <summary>POST /users/{ServiceMailbox}/sendMail with the MIME message base64-encoded as text/plain (Graph's MIME form).</summary>
    private async Task SendMimeAsync(byte[] mime, CancellationToken ct)
    {
        var client = graph.Client;
        var request = client.Users[Options.ServiceMailbox].SendMail.ToPostRequestInformation(new SendMailPostRequestBody());
        request.Headers.Remove("Content-Type");
        request.SetStreamContent(new MemoryStream(Encoding.ASCII.GetBytes(Convert.ToBase64String(mime))), "text/plain");
        await client.RequestAdapter.SendNoContentAsync(request, Errors, ct);
    }
}
