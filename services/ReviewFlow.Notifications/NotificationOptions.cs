namespace ReviewFlow.Notifications;

/// <summary>The "Notifications" configuration section (docs/operations.md, "Notifications").</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>Where reviewers open ReviewFlow; deep links are <c>{PublicBaseUrl}/?document={id}</c>.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The mailbox mails are sent from (POST /users/{ServiceMailbox}/sendMail). Outlook is off without it.</summary>
    public string? ServiceMailbox { get; set; }

    /// <summary>Microsoft Graph application credentials; Teams and Outlook are off without them.</summary>
    public GraphOptions? Graph { get; set; }

    /// <summary>How long a person's automatic-replies (out-of-office) setting is trusted.</summary>
    public TimeSpan OutOfOfficeCache { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the worker reads the out-of-office of the members of groups with open tasks, for the supervisor's picker.</summary>
    public string PresenceCron { get; set; } = "*/5 * * * *";

    public RetryOptions Retry { get; set; } = new();

    /// <summary>Reviewer id → mail address. Ids containing '@' are addresses already.</summary>
    public Dictionary<string, string> People { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Mail address (or reviewer id) → the delegate's address (or id) who gets their mail while they are out of office.</summary>
    public Dictionary<string, string> Delegates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Admin ids (or addresses): quality alarms, beside the group's supervisors.</summary>
    public List<string> Admins { get; set; } = [];

    /// <summary>Reviewer group → its channels and people.</summary>
    public Dictionary<string, GroupNotificationOptions> Groups { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A person's mail address: the id itself when it is one, else <see cref="People"/>; null when neither is a valid address.</summary>
    internal string? AddressOf(string person)
    {
        var candidate = person.Contains('@') ? person : People.GetValueOrDefault(person);
        return candidate is not null && System.Net.Mail.MailAddress.TryCreate(candidate.Trim(), out var parsed) ? parsed.Address : null;
    }
}

public sealed class GraphOptions
{
    public string? TenantId { get; set; }
    public string? ClientId { get; set; }

    /// <summary>Never in the repository: set it from the environment (Notifications__Graph__ClientSecret) or a secret store.</summary>
    public string? ClientSecret { get; set; }

    public string BaseUrl { get; set; } = "https://graph.microsoft.com/v1.0";
    public string AuthorityHost { get; set; } = "https://login.microsoftonline.com/";

    /// <summary>Skip MSAL's instance discovery (needed for an authority it does not know, e.g. a test endpoint).</summary>
    public bool DisableInstanceDiscovery { get; set; }

    internal IEnumerable<string> Missing()
    {
        if (string.IsNullOrWhiteSpace(TenantId)) yield return "TenantId";
        if (string.IsNullOrWhiteSpace(ClientId)) yield return "ClientId";
        if (string.IsNullOrWhiteSpace(ClientSecret)) yield return "ClientSecret";
    }
}

/// <summary>The attempt loop around every Graph send (docs/adr/0006).</summary>
public sealed class RetryOptions
{
    /// <summary>Attempts per notification and recipient, the first included.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Back-off before attempt n+1 is BaseDelay · 2^(n-1) (+ up to 20 % jitter), at most MaxDelay.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between attempts. A Retry-After longer than this ends the attempts (failed) rather than retrying early.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>One attempt's time limit (token and Graph call).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class GroupNotificationOptions
{
    /// <summary>The group's Teams channel; no Teams cards without it.</summary>
    public TeamsChannelOptions? Teams { get; set; }

    /// <summary>Reminder, breach, escalation and digest mails for this group.</summary>
    public bool Outlook { get; set; }

    /// <summary>Reviewer ids (or addresses): reminders for unclaimed tasks, digests.</summary>
    public List<string> Reviewers { get; set; } = [];

    /// <summary>Supervisor ids (or addresses): breach and escalation mails.</summary>
    public List<string> Supervisors { get; set; } = [];
}

/// <summary>
/// Where the group's task cards go. Through the bot (docs/teams.md, "The bot"): ServiceUrl and ConversationId of the channel
/// the bot was installed in. Through Graph (TeamId, ChannelId): import-only — Graph accepts app-only channel posts only
/// for migrations, so a real tenant refuses them (docs/operations.md); used only when no ConversationId is set.
/// </summary>
public sealed class TeamsChannelOptions
{
    public string? TeamId { get; set; }
    public string? ChannelId { get; set; }

    /// <summary>The Bot Connector's service URL for the tenant's region, e.g. https://smba.trafficmanager.net/emea/.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The channel's conversation id, "19:…@thread.tacv2".</summary>
    public string? ConversationId { get; set; }

    internal bool IsSet => !string.IsNullOrWhiteSpace(TeamId) && !string.IsNullOrWhiteSpace(ChannelId) && !IsBotSet;

    internal bool IsBotSet => !string.IsNullOrWhiteSpace(ServiceUrl) && !string.IsNullOrWhiteSpace(ConversationId);
}
