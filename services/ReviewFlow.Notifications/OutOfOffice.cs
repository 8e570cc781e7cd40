using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using NodaTime;
using NodaTime.TimeZones;

namespace ReviewFlow.Notifications;

/// <summary>
/// Known is false when the lookup failed (then Away is false: notify anyway). The setting itself, for the supervisor's
/// picker: automatic replies Always on, or Scheduled From–Until (Away says whether now is inside).
/// </summary>
internal sealed record Presence(bool Away, string Detail, bool Known = true, bool Always = false, bool Scheduled = false,
    DateTimeOffset? From = null, DateTimeOffset? Until = null);

/// <summary>
/// Reads GET /users/{address}/mailboxSettings/automaticRepliesSetting and caches the answer for Notifications:OutOfOfficeCache.
/// A lookup that fails (no permission, Graph down) counts as "not away" and is not cached: a notification is never
/// lost because the out-of-office check could not be made.
/// </summary>
internal sealed class OutOfOfficeLookup(GraphClientHolder graph, IOptions<NotificationOptions> options, TimeProvider time, ILogger<OutOfOfficeLookup> logger)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, AutomaticRepliesSetting Setting)> _cache = new(StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, ParsableFactory<IParsable>> Errors = new() { ["XXX"] = ODataError.CreateFromDiscriminatorValue };

    public async Task<Presence> CheckAsync(string address, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!_cache.TryGetValue(address, out var hit) || hit.Until <= now)
        {
            AutomaticRepliesSetting? setting;
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(options.Value.Retry.AttemptTimeout);
                var request = graph.Client.Users[address].MailboxSettings.ToGetRequestInformation();
                request.UrlTemplate = "{+baseurl}/users/{user%2Did}/mailboxSettings/automaticRepliesSetting";
                setting = await graph.Client.RequestAdapter.SendAsync(request, AutomaticRepliesSetting.CreateFromDiscriminatorValue, Errors, cts.Token);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                var failure = AttemptLoop.Classify(ex);
                logger.LogWarning("Out-of-office status of {Address} unknown, notifying anyway: {Detail}", address, failure.Detail);
                return new Presence(false, "out-of-office status unknown: " + failure.Detail, Known: false);
            }
            hit = (now + options.Value.OutOfOfficeCache, setting ?? new AutomaticRepliesSetting { Status = AutomaticRepliesStatus.Disabled });
            if (options.Value.OutOfOfficeCache > TimeSpan.Zero) _cache[address] = hit;
        }
        return Evaluate(hit.Setting, now);
    }

    internal static Presence Evaluate(AutomaticRepliesSetting setting, DateTimeOffset now)
    {
        switch (setting.Status)
        {
            case AutomaticRepliesStatus.AlwaysEnabled:
                return new Presence(true, "out of office (automatic replies always on)", Always: true);
            case AutomaticRepliesStatus.Scheduled:
                var start = ToUtc(setting.ScheduledStartDateTime);
                var end = ToUtc(setting.ScheduledEndDateTime);
                var away = (start is null || start <= now) && (end is null || now < end);
                return away
                    ? new Presence(true, $"out of office (automatic replies scheduled {Format(start)} to {Format(end)})", Scheduled: true, From: start, Until: end)
                    : new Presence(false, "automatic replies scheduled outside now", Scheduled: true, From: start, Until: end);
            default:
                return new Presence(false, "automatic replies off");
        }
    }

    private static string Format(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "open";

    /// <summary>
    /// Graph's dateTimeTimeZone: a local date-time and a zone name, Windows ("W. Europe Standard Time", Exchange's
    /// default) or IANA. Mapped with NodaTime's TZDB and CLDR Windows mapping (no ICU needed); unknown zones are taken as UTC.
    /// </summary>
    internal static DateTimeOffset? ToUtc(DateTimeTimeZone? value)
    {
        if (value?.DateTime is not { Length: > 0 } text ||
            !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            return null;
        var hasOffset = text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T');
        if (hasOffset) return parsed.ToUniversalTime();
        var local = LocalDateTime.FromDateTime(DateTime.SpecifyKind(parsed.DateTime, DateTimeKind.Unspecified));
        var zone = FindZone(value.TimeZone);
        return zone is null ? new DateTimeOffset(parsed.DateTime, TimeSpan.Zero) : local.InZoneLeniently(zone).ToDateTimeOffset().ToUniversalTime();
    }

    private static DateTimeZone? FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        var tzdb = TzdbDateTimeZoneSource.Default;
        if (tzdb.WindowsMapping.PrimaryMapping.TryGetValue(id, out var iana)) id = iana;
        return DateTimeZoneProviders.Tzdb.GetZoneOrNull(id);
    }
}
