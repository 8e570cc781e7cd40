using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReviewFlow.Testing.Graph;

/// <summary>One request the recorder received, as it arrived.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>A group for <see cref="GraphRecorder.ConfigurationFor"/>: its channel is team-{Name} / channel-{Name}.</summary>
public sealed record RecorderGroup(string Name, bool Teams = true, bool Outlook = true, string[]? Reviewers = null, string[]? Supervisors = null)
{
    public string TeamId => $"team-{Name}";
    public string ChannelId => $"channel-{Name}";
}

/// <summary>
/// A recording fake of Microsoft Graph and of the Entra ID token endpoint: an in-process Kestrel app on 127.0.0.1 (a free
/// port) serving HTTPS with a self-signed certificate made at start. <see cref="CreateHandler"/> gives a handler that
/// trusts exactly that certificate; give it to the code under test (for ReviewFlow.Notifications:
/// <c>services.AddHttpClient(NotificationsSetup.GraphHttpClientName).ConfigurePrimaryHttpMessageHandler(recorder.CreateHandler)</c>)
/// and point its configuration here with <see cref="ConfigurationFor"/>.
/// Answers: POST /{tenant}/oauth2/v2.0/token (a bearer token, or an error after <see cref="RejectCredentials"/>),
/// POST /v1.0/users/{id}/sendMail (202), POST /v1.0/teams/{team}/channels/{channel}/messages (201 and a chatMessage),
/// GET /v1.0/users/{id}/mailboxSettings/automaticRepliesSetting (per <see cref="SetOutOfOffice"/>, else disabled),
/// and programmed failures (<see cref="FailNext"/>, <see cref="FailAlways"/>) before any of those.
/// </summary>
public sealed class GraphRecorder : IAsyncDisposable
{
    public const string TenantId = "reviewflow-test-tenant";
    public const string ClientId = "reviewflow-test-client";
    public const string ClientSecret = "recorder-secret";
    public const string ServiceMailbox = "reviewflow@reviewflow.test";
    public const string PublicBaseUrl = "https://reviewflow.test";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, JsonObject> _outOfOffice = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<FailureRule> _failures = [];
    private readonly Lock _gate = new();
    private (int Status, string Error, string Description)? _credentialError;
    private int _messageIds;

    /// <summary>The access token the recorder hands out: Graph calls should carry "Bearer {AccessToken}".</summary>
    public string AccessToken { get; } = "recorder-token-" + Guid.NewGuid().ToString("N");

    public Uri BaseAddress { get; }
    public string GraphBaseUrl => new Uri(BaseAddress, "v1.0").ToString();
    public string AuthorityHost => BaseAddress.ToString();

    private GraphRecorder(WebApplication app, X509Certificate2 certificate, Uri baseAddress)
    {
        _app = app;
        _certificate = certificate;
        BaseAddress = baseAddress;
    }

    public static async Task<GraphRecorder> StartAsync()
    {
        var certificate = LoopbackHttps.CreateCertificate("ReviewFlow GraphRecorder");
        GraphRecorder? recorder = null;
        var (app, address) = await LoopbackHttps.StartAsync(certificate, ctx => recorder!.HandleAsync(ctx));
        recorder = new GraphRecorder(app, certificate, address);
        return recorder;
    }

    /// <summary>Every request so far, in arrival order (token requests included).</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>Requests to Graph (/v1.0/…), in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> GraphRequests => Requests.Where(r => r.Path.StartsWith("/v1.0/", StringComparison.Ordinal)).ToList();

    /// <summary>Requests to the token endpoint.</summary>
    public IReadOnlyList<RecordedRequest> TokenRequests => Requests.Where(r => r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal)).ToList();

    /// <summary>sendMail requests, parsed (MIME or JSON form).</summary>
    public IReadOnlyList<RecordedMail> Mails => GraphRequests.Where(r => r.Method == "POST" && r.Path.EndsWith("/sendMail", StringComparison.Ordinal))
        .Select(RecordedMail.Parse).ToList();

    /// <summary>Channel message requests (POST /teams/{team}/channels/{channel}/messages).</summary>
    public IReadOnlyList<RecordedRequest> ChannelPosts => GraphRequests.Where(r => r.Method == "POST" && r.Path.Contains("/channels/", StringComparison.Ordinal)
        && r.Path.EndsWith("/messages", StringComparison.Ordinal)).ToList();

    /// <summary>A handler that trusts exactly this recorder's certificate (and nothing else).</summary>
    public HttpMessageHandler CreateHandler() => LoopbackHttps.TrustingOnly(_certificate);

    /// <summary>
    /// The "Notifications" section pointing at this recorder (keys "Notifications:…"), with small retry delays
    /// (MaxAttempts 3, BaseDelay 50 ms, MaxDelay 5 s, AttemptTimeout 10 s). Add or override keys as a test needs.
    /// </summary>
    public Dictionary<string, string?> ConfigurationFor(IEnumerable<RecorderGroup> groups, IReadOnlyDictionary<string, string>? people = null,
        IReadOnlyDictionary<string, string>? delegates = null)
    {
        var c = new Dictionary<string, string?>
        {
            ["Notifications:PublicBaseUrl"] = PublicBaseUrl,
            ["Notifications:ServiceMailbox"] = ServiceMailbox,
            ["Notifications:Graph:TenantId"] = TenantId,
            ["Notifications:Graph:ClientId"] = ClientId,
            ["Notifications:Graph:ClientSecret"] = ClientSecret,
            ["Notifications:Graph:BaseUrl"] = GraphBaseUrl,
            ["Notifications:Graph:AuthorityHost"] = AuthorityHost,
            ["Notifications:Graph:DisableInstanceDiscovery"] = "true",
            ["Notifications:OutOfOfficeCache"] = "00:05:00",
            ["Notifications:Retry:MaxAttempts"] = "3",
            ["Notifications:Retry:BaseDelay"] = "00:00:00.050",
            ["Notifications:Retry:MaxDelay"] = "00:00:05",
            ["Notifications:Retry:AttemptTimeout"] = "00:00:10",
        };
        foreach (var g in groups)
        {
            var prefix = $"Notifications:Groups:{g.Name}:";
            if (g.Teams)
            {
                c[prefix + "Teams:TeamId"] = g.TeamId;
                c[prefix + "Teams:ChannelId"] = g.ChannelId;
            }
            c[prefix + "Outlook"] = g.Outlook ? "true" : "false";
            for (var i = 0; i < (g.Reviewers?.Length ?? 0); i++) c[$"{prefix}Reviewers:{i}"] = g.Reviewers![i];
            for (var i = 0; i < (g.Supervisors?.Length ?? 0); i++) c[$"{prefix}Supervisors:{i}"] = g.Supervisors![i];
        }
        foreach (var (id, address) in people ?? new Dictionary<string, string>()) c[$"Notifications:People:{id}"] = address;
        foreach (var (who, stand) in delegates ?? new Dictionary<string, string>()) c[$"Notifications:Delegates:{who}"] = stand;
        return c;
    }

    /// <summary>Sets a user's automatic-replies status: "disabled", "alwaysEnabled" or "scheduled" (with a window, UTC unless timeZone says otherwise).</summary>
    public void SetOutOfOffice(string user, string status, DateTimeOffset? start = null, DateTimeOffset? end = null, string timeZone = "UTC")
    {
        var zone = timeZone == "UTC" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        JsonObject When(DateTimeOffset t) => new()
        {
            ["dateTime"] = TimeZoneInfo.ConvertTime(t, zone).DateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
            ["timeZone"] = timeZone,
        };
        var now = DateTimeOffset.UtcNow;
        _outOfOffice[user] = new JsonObject
        {
            ["status"] = status,
            ["externalAudience"] = "none",
            ["internalReplyMessage"] = "I am away.",
            ["externalReplyMessage"] = "",
            ["scheduledStartDateTime"] = When(start ?? now.AddDays(-1)),
            ["scheduledEndDateTime"] = When(end ?? now.AddDays(1)),
        };
    }

    /// <summary>The next <paramref name="count"/> requests whose path contains <paramref name="pathContains"/> answer <paramref name="status"/>.</summary>
    public void FailNext(string pathContains, int count, int status, TimeSpan? retryAfter = null)
    {
        lock (_gate) _failures.Add(new FailureRule(pathContains, count, status, retryAfter));
    }

    /// <summary>Requests whose path contains <paramref name="pathContains"/> are answered normally again (programmed failures left are dropped).</summary>
    public void StopFailing(string pathContains)
    {
        lock (_gate) _failures.RemoveAll(f => f.PathContains == pathContains);
    }

    /// <summary>Every request whose path contains <paramref name="pathContains"/> answers <paramref name="status"/>.</summary>
    public void FailAlways(string pathContains, int status, TimeSpan? retryAfter = null) => FailNext(pathContains, int.MaxValue, status, retryAfter);

    /// <summary>The token endpoint refuses the client credentials (like Entra ID for a wrong secret: 401 invalid_client).</summary>
    public void RejectCredentials(int status = 401, string error = "invalid_client",
        string description = "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.")
    {
        lock (_gate) _credentialError = (status, error, description);
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8)) body = await reader.ReadToEndAsync();
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var path = request.Path.Value ?? "/";
        _requests.Enqueue(new RecordedRequest(request.Method, path, request.QueryString.Value ?? "", headers, body, DateTimeOffset.UtcNow));

        if (path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal) && request.Method == "POST")
        {
            await TokenAsync(ctx);
            return;
        }
        if (TakeFailure(path) is { } failure)
        {
            ctx.Response.StatusCode = failure.Status;
            if (failure.RetryAfter is { } ra) ctx.Response.Headers.RetryAfter = ((int)Math.Ceiling(ra.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await Error(ctx, failure.Status == 429 ? "TooManyRequests" : failure.Status >= 500 ? "InternalServerError" : "BadRequest",
                $"Programmed failure {failure.Status} for {path}");
            return;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (request.Method, segments)
        {
            case ("POST", ["v1.0", "users", _, "sendMail"]):
                ctx.Response.StatusCode = StatusCodes.Status202Accepted;
                return;
            case ("POST", ["v1.0", "teams", _, "channels", _, "messages"]):
                var id = Interlocked.Increment(ref _messageIds).ToString(CultureInfo.InvariantCulture);
                var posted = JsonNode.Parse(body) as JsonObject ?? [];
                posted["id"] = id;
                posted["messageType"] = "message";
                posted["createdDateTime"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
                posted["webUrl"] = $"https://teams.example/l/message/{segments[4]}/{id}";
                ctx.Response.StatusCode = StatusCodes.Status201Created;
                await Json(ctx, posted);
                return;
            case ("GET", ["v1.0", "users", var user, "mailboxSettings", "automaticRepliesSetting"]):
                var setting = _outOfOffice.TryGetValue(user, out var s) ? s : new JsonObject { ["status"] = "disabled", ["externalAudience"] = "none" };
                await Json(ctx, setting);
                return;
            default:
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                await Error(ctx, "ResourceNotFound", $"The recorder does not serve {request.Method} {path}");
                return;
        }
    }

    private async Task TokenAsync(HttpContext ctx)
    {
        (int Status, string Error, string Description)? refuse;
        lock (_gate) refuse = _credentialError;
        if (refuse is { } r)
        {
            ctx.Response.StatusCode = r.Status;
            await Json(ctx, new JsonObject
            {
                ["error"] = r.Error, ["error_description"] = r.Description, ["error_codes"] = new JsonArray(7000215),
                ["timestamp"] = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture), ["trace_id"] = Guid.NewGuid().ToString(),
                ["correlation_id"] = Guid.NewGuid().ToString(),
            });
            return;
        }
        await Json(ctx, new JsonObject { ["token_type"] = "Bearer", ["expires_in"] = 3600, ["ext_expires_in"] = 3600, ["access_token"] = AccessToken });
    }

    private FailureRule? TakeFailure(string path)
    {
        lock (_gate)
        {
            var rule = _failures.FirstOrDefault(f => f.Remaining > 0 && path.Contains(f.PathContains, StringComparison.OrdinalIgnoreCase));
            if (rule is null) return null;
            if (rule.Remaining != int.MaxValue) rule.Remaining--;
            return rule;
        }
    }

    private static Task Error(HttpContext ctx, string code, string message) =>
        Json(ctx, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private static async Task Json(HttpContext ctx, JsonNode node)
    {
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(node.ToJsonString(JsonSerializerOptions.Default));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    private sealed class FailureRule(string pathContains, int remaining, int status, TimeSpan? retryAfter)
    {
        public string PathContains { get; } = pathContains;
        public int Remaining { get; set; } = remaining;
        public int Status { get; } = status;
        public TimeSpan? RetryAfter { get; } = retryAfter;
    }
}
