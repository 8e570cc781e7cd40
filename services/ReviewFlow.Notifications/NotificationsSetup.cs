using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ReviewFlow.Notifications;

public static class NotificationsSetup
{
    /// <summary>
    /// The named HttpClient both Azure.Identity (token requests) and the Graph calls go through. A host or a test can set
    /// its primary handler: <c>services.AddHttpClient(GraphHttpClientName).ConfigurePrimaryHttpMessageHandler(...)</c>.
    /// </summary>
    public const string GraphHttpClientName = "ReviewFlow.Notifications.Graph";

    /// <summary>
    /// Binds the "Notifications" section and registers <see cref="IReviewNotifier"/>: Graph-backed when Notifications:Graph
    /// has TenantId, ClientId and ClientSecret, otherwise a notifier that records "skipped" attempts ("Teams/Outlook are off").
    /// Logs once at start which channels are on. The host must register an <see cref="INotificationLog"/>.
    /// </summary>
    public static IServiceCollection AddReviewFlowNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(NotificationsMarker))) return services;
        services.AddSingleton<NotificationsMarker>();

        var section = configuration.GetSection(NotificationOptions.Section);
        services.AddOptions<NotificationOptions>().Bind(section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(GraphHttpClientName);
        services.AddLogging();

        var graph = section.GetSection("Graph").Get<GraphOptions>();
        var graphOn = graph is not null && !graph.Missing().Any();
        services.AddSingleton(new NotificationsStatus(graphOn, graph?.Missing().ToList() ?? []));
        services.AddSingleton<AttemptRecorder>();
        services.AddSingleton<AttemptLoop>();
        if (graphOn)
        {
            services.AddSingleton<GraphClientHolder>();
            services.AddSingleton<OutOfOfficeLookup>();
            services.AddSingleton<GraphReviewNotifier>();
        }
        else
        {
            services.AddSingleton<DisabledReviewNotifier>();
        }
        // The task cards of groups with a bot channel go through the Bot Connector, where the host runs the Teams slice.
        services.AddSingleton<IReviewNotifier>(sp =>
        {
            IReviewNotifier inner = graphOn ? sp.GetRequiredService<GraphReviewNotifier>() : sp.GetRequiredService<DisabledReviewNotifier>();
            return sp.GetService<ReviewFlow.Teams.BotConnector>() is null ? inner : ActivatorUtilities.CreateInstance<BotChannelCards>(sp, inner);
        });
        services.AddHostedService<NotificationsStartupReport>();
        return services;
    }

    private sealed class NotificationsMarker;
}

internal sealed record NotificationsStatus(bool GraphOn, IReadOnlyList<string> MissingGraphKeys);

/// <summary>Says once, at start, whether Teams/Outlook are on and for which groups.</summary>
internal sealed class NotificationsStartupReport(NotificationsStatus status, IOptions<NotificationOptions> options, ILogger<NotificationsStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("{Message}", Describe(status, options.Value));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static string Describe(NotificationsStatus status, NotificationOptions o)
    {
        if (!status.GraphOn)
            return status.MissingGraphKeys.Count is 0 or 3
                ? "Teams/Outlook notifications are off: no Notifications:Graph configuration"
                : $"Teams/Outlook notifications are off: Notifications:Graph lacks {string.Join(", ", status.MissingGraphKeys)}";

        var teams = o.Groups.Where(g => g.Value.Teams is { IsSet: true }).Select(g => g.Key).ToList();
        var outlook = string.IsNullOrWhiteSpace(o.ServiceMailbox) ? [] : o.Groups.Where(g => g.Value.Outlook).Select(g => g.Key).ToList();
        var text = $"Notifications through Microsoft Graph ({o.Graph!.BaseUrl}): Teams {On(teams)}; Outlook {On(outlook)}";
        if (!string.IsNullOrWhiteSpace(o.ServiceMailbox) && outlook.Count > 0) text += $" from {o.ServiceMailbox}";
        if (string.IsNullOrWhiteSpace(o.ServiceMailbox)) text += " (no Notifications:ServiceMailbox)";
        if (string.IsNullOrWhiteSpace(o.PublicBaseUrl)) text += "; Notifications:PublicBaseUrl is not set, deep links will be relative";
        return text;

        static string On(List<string> groups) => groups.Count == 0 ? "off" : $"on for {string.Join(", ", groups)}";
    }
}

/// <summary>No Graph configuration: every notification is recorded as skipped, nothing is sent.</summary>
internal sealed class DisabledReviewNotifier(AttemptRecorder recorder, IOptions<NotificationOptions> options) : IReviewNotifier
{
    internal const string Off = "Teams/Outlook are off";

    public Task NewTaskAsync(ReviewTask task, CancellationToken ct) =>
        SkipAsync(NotificationNames.NewTask, task.DocumentId, task.DocumentId, $"group:{task.ReviewerGroup}", ct, NotificationNames.Teams);

    public Task ReminderAsync(ReviewTask task, CancellationToken ct) =>
        SkipAsync(NotificationNames.Reminder, task.DocumentId, task.DocumentId, task.ClaimedBy ?? $"group:{task.ReviewerGroup}", ct, NotificationNames.Outlook);

    public Task BreachAsync(ReviewTask task, CancellationToken ct) =>
        SkipAsync(NotificationNames.Breach, task.DocumentId, task.DocumentId, $"group:{task.ReviewerGroup}", ct, NotificationNames.Outlook, NotificationNames.Teams);

    public Task EscalatedAsync(ReviewTask task, string reason, CancellationToken ct) =>
        SkipAsync(NotificationNames.Escalated, task.DocumentId, task.DocumentId, $"group:{task.ReviewerGroup}", ct, NotificationNames.Outlook);

    public Task ReassignedAsync(Reassignment r, CancellationToken ct) =>
        SkipAsync(NotificationNames.Reassigned, r.Subject, r.Task.DocumentId, r.AssigneeId, ct, NotificationNames.Outlook);

    public Task DigestAsync(ReviewerDigest digest, CancellationToken ct) =>
        SkipAsync(NotificationNames.Digest, NotificationNames.DigestSubject(digest.ReviewerId, digest.Day), null, digest.ReviewerId, ct, NotificationNames.Outlook);

    public Task QualityAlertAsync(QualityAlertNotice notice, CancellationToken ct) =>
        SkipAsync(notice.Raised ? NotificationNames.QualityAlert : NotificationNames.QualityAlertCleared, notice.AlertId.ToString(), null,
            $"group:{notice.ReviewerGroup}", ct, NotificationNames.Outlook, NotificationNames.Teams);

    private async Task SkipAsync(string kind, string subject, string? documentId, string recipient, CancellationToken ct, params string[] channels)
    {
        // A group whose cards go through the bot gets them (BotChannelCards) whatever Graph's state.
        var bot = recipient.StartsWith("group:", StringComparison.Ordinal)
                  && options.Value.Groups.GetValueOrDefault(recipient["group:".Length..])?.Teams is { IsBotSet: true };
        foreach (var channel in channels.Where(c => !(bot && c == NotificationNames.Teams)))
            await recorder.SkippedAsync(new Delivery(NotificationNames.Id(kind, subject, recipient), documentId, kind, channel, recipient), Off, ct);
    }
}
