using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReviewFlow.Testing.Graph;

namespace ReviewFlow.Testing.Teams;

/// <summary>A reviewer group's channel as the fake connector knows it: conversation "19:{Name}@thread.tacv2".</summary>
public sealed record BotChannel(string Group)
{
    public string ConversationId => $"19:{Group}@thread.tacv2";
}

/// <summary>
/// A recording fake of the Bot Connector and of the Bot Framework's token issuer, in one in-process Kestrel app on
/// 127.0.0.1 over HTTPS (a self-signed certificate made at start; <see cref="CreateHandler"/> trusts exactly it). It
/// serves the OpenID metadata and keys the bot validates inbound tokens with (and <see cref="Token"/> signs tokens with
/// that key, or any other for forgeries), the Entra token endpoint the bot's MSAL client signs in at, and the connector's
/// conversation API: POST /v3/conversations (a personal chat: 201 {id "a:personal-{member}"}), POST …/activities (a channel
/// post or a reply: 201 {id}), PUT …/activities/{id} (an update), each
/// recorded, with programmed failures (<see cref="FailNext"/>) before any of them.
/// </summary>
public sealed class BotConnectorFake : IAsyncDisposable
{
    public const string BotAppId = "00000000-0000-0000-0000-00000000b07a";
    public const string TenantId = "reviewflow-test-tenant";
    public const string BotAppSecret = "bot-secret";
    public const string Issuer = "https://api.botframework.com";

    readonly WebApplication _app;
    readonly X509Certificate2 _certificate;
    readonly RSA _key = RSA.Create(2048);
    readonly ConcurrentQueue<RecordedRequest> _requests = new();
    readonly Lock _gate = new();
    readonly List<(string PathContains, string? BodyContains, int Remaining, int Status, TimeSpan? RetryAfter)> _failures = [];
    int _ids;

    public Uri BaseAddress { get; }
    /// <summary>The serviceUrl of every activity and token: the connector's own address.</summary>
    public string ServiceUrl => BaseAddress.ToString();
    public string OpenIdMetadataUrl => new Uri(BaseAddress, "v1/.well-known/openidconfiguration").ToString();

    BotConnectorFake(WebApplication app, X509Certificate2 certificate, Uri baseAddress)
    {
        _app = app;
        _certificate = certificate;
        BaseAddress = baseAddress;
    }

    public static async Task<BotConnectorFake> StartAsync()
    {
        var certificate = LoopbackHttps.CreateCertificate("ReviewFlow BotConnectorFake");
        BotConnectorFake? fake = null;
        var (app, address) = await LoopbackHttps.StartAsync(certificate, ctx => fake!.HandleAsync(ctx));
        fake = new BotConnectorFake(app, certificate, address);
        return fake;
    }

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>New posts to a conversation (POST /v3/conversations/{id}/activities).</summary>
    public IReadOnlyList<RecordedRequest> Posts => Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/activities", StringComparison.Ordinal)).ToList();

    /// <summary>Personal chats the bot opened (POST /v3/conversations).</summary>
    public IReadOnlyList<RecordedRequest> ChatsOpened => Requests.Where(r => r.Method == "POST" && r.Path.TrimEnd('/') == "/v3/conversations").ToList();

    /// <summary>Replies (POST …/activities/{replyToId}).</summary>
    public IReadOnlyList<RecordedRequest> Replies => Requests.Where(r => r.Method == "POST" && r.Path.Contains("/activities/", StringComparison.Ordinal)).ToList();

    /// <summary>Updates of posted activities (PUT …/activities/{id}).</summary>
    public IReadOnlyList<RecordedRequest> Updates => Requests.Where(r => r.Method == "PUT").ToList();

    public HttpMessageHandler CreateHandler() => LoopbackHttps.TrustingOnly(_certificate);

    /// <summary>
    /// The "Teams" section and the groups' channels pointing here, small retry delays, and <paramref name="users"/>
    /// (aadObjectId → ReviewFlow user) for Teams:Users.
    /// </summary>
    public Dictionary<string, string?> ConfigurationFor(IEnumerable<BotChannel> channels, IReadOnlyDictionary<string, string> users)
    {
        var c = new Dictionary<string, string?>
        {
            ["Teams:BotAppId"] = BotAppId,
            ["Teams:TenantId"] = TenantId,
            ["Teams:BotAppSecret"] = BotAppSecret,
            ["Teams:OpenIdMetadataUrl"] = OpenIdMetadataUrl,
            ["Teams:AuthorityHost"] = BaseAddress.ToString(),
            ["Notifications:PublicBaseUrl"] = "https://reviewflow.test",
            ["Notifications:Retry:MaxAttempts"] = "3",
            ["Notifications:Retry:BaseDelay"] = "00:00:00.050",
            ["Notifications:Retry:MaxDelay"] = "00:00:05",
            ["Notifications:Retry:AttemptTimeout"] = "00:00:10",
        };
        foreach (var channel in channels)
        {
            c[$"Notifications:Groups:{channel.Group}:Teams:ServiceUrl"] = ServiceUrl;
            c[$"Notifications:Groups:{channel.Group}:Teams:ConversationId"] = channel.ConversationId;
        }
        foreach (var (aad, user) in users) c[$"Teams:Users:{aad}"] = user;
        return c;
    }

    /// <summary>A Bot Connector token: by default as the connector signs one for this bot and this service URL.</summary>
    public string Token(string? audience = BotAppId, string issuer = Issuer, string? serviceUrl = null, TimeSpan? lifetime = null, RSA? key = null,
        DateTime? notBefore = null)
    {
        var claims = new List<Claim> { new("serviceUrl", serviceUrl ?? ServiceUrl) };
        var now = DateTime.UtcNow;
        var expires = now.Add(lifetime ?? TimeSpan.FromMinutes(10));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = notBefore ?? (expires < now ? expires.AddMinutes(-10) : now),
            NotBefore = notBefore ?? (expires < now ? expires.AddMinutes(-10) : now),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? _key) { KeyId = "connector-key" }, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>
    /// The next <paramref name="count"/> requests whose path contains <paramref name="pathContains"/> (and whose body
    /// <paramref name="bodyContains"/>, e.g. a document id, so that other tests' posts pass) answer <paramref name="status"/>.
    /// </summary>
    public void FailNext(string pathContains, int count, int status, TimeSpan? retryAfter = null, string? bodyContains = null)
    {
        lock (_gate) _failures.Add((pathContains, bodyContains, count, status, retryAfter));
    }

    async Task HandleAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8)) body = await reader.ReadToEndAsync();
        var path = request.Path.Value ?? "/";
        _requests.Enqueue(new RecordedRequest(request.Method, path, request.QueryString.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, DateTimeOffset.UtcNow));

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (request.Method, segments)
        {
            case ("GET", ["v1", ".well-known", "openidconfiguration"]):
                await Json(ctx, new JsonObject
                {
                    ["issuer"] = Issuer,
                    ["authorization_endpoint"] = "https://invalid.botframework.com",
                    ["jwks_uri"] = new Uri(BaseAddress, "v1/.well-known/keys").ToString(),
                    ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                    ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt"),
                });
                return;
            case ("GET", ["v1", ".well-known", "keys"]):
                var p = _key.ExportParameters(false);
                await Json(ctx, new JsonObject
                {
                    ["keys"] = new JsonArray(new JsonObject
                    {
                        ["kty"] = "RSA", ["use"] = "sig", ["kid"] = "connector-key",
                        ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
                        ["endorsements"] = new JsonArray("msteams"),
                    }),
                });
                return;
            case ("POST", [_, "oauth2", "v2.0", "token"]):
                await Json(ctx, new JsonObject { ["token_type"] = "Bearer", ["expires_in"] = 3600, ["ext_expires_in"] = 3600, ["access_token"] = "bot-token" });
                return;
        }
        if (TakeFailure(path, body) is { } failure)
        {
            ctx.Response.StatusCode = failure.Status;
            if (failure.RetryAfter is { } ra) ctx.Response.Headers.RetryAfter = ((int)Math.Ceiling(ra.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await Json(ctx, new JsonObject { ["error"] = new JsonObject { ["code"] = "Throttled", ["message"] = $"Programmed failure {failure.Status}" } });
            return;
        }
        switch (request.Method, segments)
        {
            case ("POST", ["v3", "conversations"]):
                // A personal chat opened (or found) with the one member named: Teams answers the same id each time.
                var member = (JsonNode.Parse(body)?["members"] as JsonArray)?.FirstOrDefault()?["id"]?.GetValue<string>() ?? "nobody";
                ctx.Response.StatusCode = StatusCodes.Status201Created;
                await Json(ctx, new JsonObject { ["id"] = "a:personal-" + member });
                return;
            case ("POST", ["v3", "conversations", _, "activities"]):
                ctx.Response.StatusCode = StatusCodes.Status201Created;
                await Json(ctx, new JsonObject { ["id"] = "activity-" + Interlocked.Increment(ref _ids).ToString(CultureInfo.InvariantCulture) });
                return;
            case ("POST", ["v3", "conversations", _, "activities", _]):
                ctx.Response.StatusCode = StatusCodes.Status201Created;
                await Json(ctx, new JsonObject { ["id"] = "reply-" + Interlocked.Increment(ref _ids).ToString(CultureInfo.InvariantCulture) });
                return;
            case ("PUT", ["v3", "conversations", _, "activities", var id]):
                await Json(ctx, new JsonObject { ["id"] = Uri.UnescapeDataString(id) });
                return;
            default:
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
        }
    }

    (int Status, TimeSpan? RetryAfter)? TakeFailure(string path, string body)
    {
        lock (_gate)
        {
            var i = _failures.FindIndex(f => f.Remaining > 0 && path.Contains(f.PathContains, StringComparison.OrdinalIgnoreCase)
                                             && (f.BodyContains is null || body.Contains(f.BodyContains, StringComparison.Ordinal)));
            if (i < 0) return null;
            var f = _failures[i];
            _failures[i] = f with { Remaining = f.Remaining - 1 };
            return (f.Status, f.RetryAfter);
        }
    }

    static async Task Json(HttpContext ctx, JsonNode node)
    {
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(node.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
        _key.Dispose();
    }
}
