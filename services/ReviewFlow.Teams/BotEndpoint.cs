using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ReviewFlow.Teams;

/// <summary>
/// POST /api/teams/messages, where Teams (the Bot Connector) sends the bot its activities. Authenticated by a scheme of its
/// own, not the page's Entra sign-in: the connector's JWT — issuer https://api.botframework.com, audience the bot's app id,
/// signed by a key of the connector's OpenID metadata, in its lifetime — whose <c>serviceUrl</c> claim is the activity's.
/// Anything else is 401 before the activity is read (docs/adr/0021, docs/security.md). Activities: <c>invoke</c>
/// <c>adaptiveCard/action</c> (a card's Action.Execute: answered with the refreshed card) and <c>message</c> ("next",
/// "my next task": the next task's card, as a reply); others are acknowledged and ignored.
/// </summary>
public static class BotEndpoint
{
    public const string Path = "/api/teams/messages";
    public const string Scheme = "BotConnector";
    public const string Policy = "teams-bot";
    const string ServiceUrlClaim = "serviceUrl";

    internal static void AddScheme(IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication().AddJwtBearer(Scheme, _ => { });
        builder.Services.AddOptions<JwtBearerOptions>(Scheme).Configure<IHttpClientFactory, IOptions<TeamsOptions>>((o, http, teams) =>
        {
            var t = teams.Value;
            o.MapInboundClaims = false;
            // The connector's keys, fetched (and refreshed daily) through the bot's own HttpClient: HTTPS only.
            o.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(t.OpenIdMetadataUrl, new OpenIdConnectConfigurationRetriever(),
                new HttpDocumentRetriever(http.CreateClient(BotConnector.HttpClientName)) { RequireHttps = true });
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = t.TokenIssuer,
                ValidAudience = t.BotAppId,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
                ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                ClockSkew = TimeSpan.FromMinutes(5), // the connector's own allowance
            };
            o.Events = new JwtBearerEvents
            {
                // A bot that is not configured trusts nobody, and fetches nothing.
                OnMessageReceived = ctx =>
                {
                    if (!t.IsOn) ctx.NoResult();
                    return Task.CompletedTask;
                },
            };
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
            .RequireClaim(ServiceUrlClaim));
    }

    internal static async Task<IResult> HandleAsync(HttpContext http, ClaimsPrincipal caller, TeamsUsers users, CardActions actions,
        BotConnector connector, IDocumentSession session, ILoggerFactory logs, CancellationToken ct)
    {
        JsonObject? activity;
        try { activity = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: ct) as JsonObject; }
        catch (JsonException) { activity = null; }
        if (activity is null) return TypedResults.BadRequest();
        // The token names the service it came from; the activity must not point the bot's answers anywhere else.
        var serviceUrl = Text(activity, "serviceUrl");
        if (serviceUrl is null || !SameUrl(serviceUrl, caller.FindFirstValue(ServiceUrlClaim))) return TypedResults.Unauthorized();

        var type = Text(activity, "type");
        // What an admin needs to configure a group's channel (docs/teams.md): Teams names it in every activity, the
        // installation's conversationUpdate included.
        logs.CreateLogger(typeof(BotEndpoint)).LogInformation("Teams {ActivityType} in conversation {ConversationId} ({ConversationType}) via {ServiceUrl}",
            type, activity["conversation"]?["id"]?.GetValue<string>(), activity["conversation"]?["conversationType"]?.GetValue<string>(), serviceUrl);
        var from = activity["from"] as JsonObject;
        if (type is not ("invoke" or "message")) return TypedResults.Ok();
        if (from is null || Text(from, "aadObjectId") is not { } aadObjectId)
            return type == "invoke" ? CardResponse(TaskCard.Notice("Teams did not say who you are: sign in to Teams with your work account.")) : TypedResults.Ok();
        var user = users.PrincipalFor(aadObjectId, Text(from, "name"));
        await RememberAsync(session, aadObjectId, Text(from, "id"), users.UserIdOf(aadObjectId), serviceUrl, ct);

        if (type == "invoke")
        {
            if (Text(activity, "name") != "adaptiveCard/action") return TypedResults.Ok();
            var action = activity["value"]?["action"] as JsonObject;
            var card = await actions.ExecuteAsync(user, action is null ? "" : Text(action, "verb") ?? "", action?["data"] as JsonObject ?? [], ct);
            return CardResponse(card);
        }

        if (!AsksForNext(Text(activity, "text"))) return TypedResults.Ok();
        var next = await actions.NextAsync(user, ct);
        var conversation = activity["conversation"]?["id"]?.GetValue<string>();
        if (conversation is null) return TypedResults.Ok();
        var reply = BotConnector.CardActivity(next);
        reply["replyToId"] = Text(activity, "id");
        try
        {
            await connector.ReplyAsync(serviceUrl, conversation, Text(activity, "id") ?? "", reply, ct);
        }
        catch (Exception ex) when (ex is ConnectorException or HttpRequestException)
        {
            logs.CreateLogger(typeof(BotEndpoint)).LogWarning("The bot could not reply in {Conversation}: {Reason}", conversation, ex.Message);
        }
        return TypedResults.Ok();
    }

    /// <summary>"next", "my next task", "next task please" …: one short message asking for work.</summary>
    internal static bool AsksForNext(string? text)
    {
        if (text is null) return false;
        // A channel mention arrives as "<at>ReviewFlow</at> next": the mention is not part of the request.
        var words = System.Text.RegularExpressions.Regex.Replace(text, "<at>.*?</at>", " ").ToLowerInvariant()
            .Split([' ', '\t', '\n', '\r', '.', '!', '?', ','], StringSplitOptions.RemoveEmptyEntries);
        return words.Contains("next") && words.Length <= 5;
    }

    /// <summary>The invoke response Universal Actions expect: HTTP 200 with the card for this user.</summary>
    static IResult CardResponse(JsonObject card) => TypedResults.Json(new JsonObject
    {
        ["statusCode"] = 200,
        ["type"] = TaskCard.ContentType,
        ["value"] = card,
    });

    static async Task RememberAsync(IDocumentSession session, string aadObjectId, string? teamsId, string userId, string serviceUrl, CancellationToken ct)
    {
        if (teamsId is null) return;
        var known = await session.LoadAsync<TeamsMember>(aadObjectId, ct);
        if (known is not null && known.TeamsId == teamsId && known.UserId == userId && known.ServiceUrl == serviceUrl) return;
        session.Store(new TeamsMember { Id = aadObjectId, TeamsId = teamsId, UserId = userId, ServiceUrl = serviceUrl });
        await session.SaveChangesAsync(ct);
    }

    static bool SameUrl(string a, string? b) => b is not null && string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    static string? Text(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
