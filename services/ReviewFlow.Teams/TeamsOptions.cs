namespace ReviewFlow.Teams;

/// <summary>
/// The "Teams" configuration section: the bot's Azure registration (docs/teams.md, "The bot"). The bot is off — every
/// request to /api/teams/messages answers 401, no card is posted through the connector — until BotAppId, TenantId and
/// BotAppSecret are all set. Which channel each reviewer group's cards go to is Notifications:Groups:{group}:Teams
/// (ServiceUrl, ConversationId), beside the group's other notification settings.
/// </summary>
public sealed class TeamsOptions
{
    public const string Section = "Teams";

    /// <summary>The bot's Microsoft App ID (the Azure Bot's app registration): the audience of the tokens Teams sends.</summary>
    public string? BotAppId { get; set; }

    /// <summary>The tenant of the single-tenant app registration: where the bot gets its own token.</summary>
    public string? TenantId { get; set; }

    /// <summary>The app registration's client secret. Never in the repository: Teams__BotAppSecret from a secret store.</summary>
    public string? BotAppSecret { get; set; }

    /// <summary>Where the Bot Connector's signing keys are published.</summary>
    public string OpenIdMetadataUrl { get; set; } = "https://login.botframework.com/v1/.well-known/openidconfiguration";

    /// <summary>The issuer of the tokens the Bot Connector sends.</summary>
    public string TokenIssuer { get; set; } = "https://api.botframework.com";

    /// <summary>Where the bot signs in (client credentials) for its outbound calls.</summary>
    public string AuthorityHost { get; set; } = "https://login.microsoftonline.com/";

    public string Scope { get; set; } = "https://api.botframework.com/.default";

    /// <summary>
    /// Teams user (aadObjectId) → ReviewFlow user id, where they differ. In production the page's user id is the Entra
    /// object id, which is the aadObjectId Teams sends, so no entry is needed; the development users (alice, bob, sam …)
    /// need one each.
    /// </summary>
    public Dictionary<string, string> Users { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public bool IsOn => !string.IsNullOrWhiteSpace(BotAppId) && !string.IsNullOrWhiteSpace(TenantId) && !string.IsNullOrWhiteSpace(BotAppSecret);
}
