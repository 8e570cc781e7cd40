using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace ReviewFlow.Teams;

/// <summary>
/// The Bot Connector's REST API, the few calls ReviewFlow makes (docs/adr/0021): send an activity to a conversation (a
/// channel post, a chat reply, a personal chat it opened) and replace one (a card updated for everyone). Authenticated by the bot's own token, from
/// MSAL by client credentials for https://api.botframework.com/.default (cached by MSAL until shortly before it expires).
/// A refusal throws <see cref="ConnectorException"/> with the status and Retry-After, for the caller's attempt loop.
/// </summary>
public sealed class BotConnector(IHttpClientFactory http, IOptions<TeamsOptions> options)
{
    /// <summary>The named HttpClient of every call to the connector, its token endpoint and its OpenID metadata: the test seam.</summary>
    public const string HttpClientName = "ReviewFlow.Teams.Connector";

    readonly Lazy<IConfidentialClientApplication> _app = new(() => Create(http, options.Value));

    public bool IsOn => options.Value.IsOn;

    /// <summary>POST {serviceUrl}/v3/conversations/{conversationId}/activities (a new post in a channel): the new activity's id.</summary>
    public Task<string> SendAsync(string serviceUrl, string conversationId, JsonObject activity, CancellationToken ct) =>
        CallAsync(HttpMethod.Post, serviceUrl, $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities", activity, ct);

    /// <summary>POST …/activities/{replyToId}: a reply to the user's message in their conversation.</summary>
    public Task<string> ReplyAsync(string serviceUrl, string conversationId, string replyToId, JsonObject activity, CancellationToken ct) =>
        CallAsync(HttpMethod.Post, serviceUrl,
            $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities/{Uri.EscapeDataString(replyToId)}", activity, ct);

    /// <summary>PUT …/activities/{activityId}: the posted card replaced, for everyone in the conversation.</summary>
    public Task<string> UpdateAsync(string serviceUrl, string conversationId, string activityId, JsonObject activity, CancellationToken ct) =>
        CallAsync(HttpMethod.Put, serviceUrl,
            $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities/{Uri.EscapeDataString(activityId)}", activity, ct);

    /// <summary>
    /// POST {serviceUrl}/v3/conversations: the bot's one-to-one chat with the Teams user <paramref name="teamsUserId"/> ("29:…"),
    /// created or, when it exists, found (Teams answers the same conversation id); the user must have the app installed.
    /// </summary>
    public Task<string> CreatePersonalChatAsync(string serviceUrl, string teamsUserId, CancellationToken ct) =>
        CallAsync(HttpMethod.Post, serviceUrl, "v3/conversations", new JsonObject
        {
            ["bot"] = new JsonObject { ["id"] = "28:" + options.Value.BotAppId },
            ["members"] = new JsonArray(new JsonObject { ["id"] = teamsUserId }),
            ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = options.Value.TenantId } },
            ["isGroup"] = false,
        }, ct);

    /// <summary>A message activity carrying one Adaptive Card.</summary>
    public static JsonObject CardActivity(JsonObject card) => new()
    {
        ["type"] = "message",
        ["attachments"] = new JsonArray(new JsonObject { ["contentType"] = TaskCard.ContentType, ["content"] = card }),
    };

    async Task<string> CallAsync(HttpMethod method, string serviceUrl, string path, JsonObject activity, CancellationToken ct)
    {
        string token;
        try
        {
            token = (await _app.Value.AcquireTokenForClient([options.Value.Scope]).ExecuteAsync(ct)).AccessToken;
        }
        catch (MsalServiceException ex)
        {
            throw new ConnectorException(ex.StatusCode, ex.Headers?.RetryAfter?.Delta, Retryable(ex.StatusCode),
                $"the bot could not sign in (check Teams:BotAppId, TenantId, BotAppSecret): {ex.ErrorCode}: {FirstLine(ex.Message)}");
        }
        var client = http.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(method, new Uri(new Uri(serviceUrl.TrimEnd('/') + "/"), path))
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
            throw new ConnectorException(status, RetryAfter(response), Retryable(status), $"the Bot Connector answered {status}: {FirstLine(body)}");
        return (JsonNode.Parse(body.Length == 0 ? "{}" : body) as JsonObject)?["id"]?.GetValue<string>() ?? "";
    }

    static bool Retryable(int status) => status is 0 or 408 or 429 or 500 or 502 or 503 or 504;

    static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero,
        _ => null,
    };

    static string FirstLine(string s)
    {
        var line = s.Split('\n', 2)[0].Trim();
        return line.Length <= 300 ? line : line[..300] + "…";
    }

    static IConfidentialClientApplication Create(IHttpClientFactory http, TeamsOptions o) =>
        ConfidentialClientApplicationBuilder.Create(o.BotAppId)
            .WithClientSecret(o.BotAppSecret)
            .WithAuthority(new Uri(new Uri(o.AuthorityHost.TrimEnd('/') + "/"), o.TenantId).ToString(), validateAuthority: false)
            // Single tenant, a known authority: nothing to discover (and a test authority is not one MSAL knows).
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new MsalHttp(http))
            .Build();

    sealed class MsalHttp(IHttpClientFactory http) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => http.CreateClient(HttpClientName);
    }
}

/// <summary>The connector (or the bot's sign-in) refused a call: Status (null: no answer), Retry-After when it said one.</summary>
public sealed class ConnectorException(int? status, TimeSpan? retryAfter, bool retryable, string message) : Exception(message)
{
    public int? Status { get; } = status;
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public bool Retryable { get; } = retryable;
}
