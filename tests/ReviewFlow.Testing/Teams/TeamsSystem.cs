using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Teams;

namespace ReviewFlow.Testing.Teams;

/// <summary>
/// A <see cref="TestSystem"/> whose bot talks to a fake Bot Connector (<see cref="Connector"/>): both hosts trust its
/// certificate, the web host its token issuer, the worker posts the groups' cards to it. The development users are Teams
/// users with made-up object ids (<see cref="AadOf"/>).
/// </summary>
public class TeamsSystem : TestSystem
{
    public TeamsSystem() : this(new SystemOptions()) { }

    protected TeamsSystem(SystemOptions options) : base(options) { }

    public static readonly IReadOnlyDictionary<string, string> Users = new Dictionary<string, string>
    {
        ["aad-alice"] = "alice", ["aad-bob"] = "bob", ["aad-sam"] = "sam", ["aad-sue"] = "sue",
    };

    public BotConnectorFake Connector { get; private set; } = null!;

    public static string AadOf(string user) => "aad-" + user;

    public override async Task InitializeAsync()
    {
        Connector = await BotConnectorFake.StartAsync();
        await base.InitializeAsync();
    }

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings() => Connector.ConfigurationFor(
        [new BotChannel("ap-reviewers"), new BotChannel("legal-reviewers"), new BotChannel("claims-reviewers")], Users);

    protected override void ConfigureWorker(IServiceCollection services) => Trust(services);

    protected override void ConfigureWeb(IServiceCollection services) => Trust(services);

    void Trust(IServiceCollection services) =>
        services.AddHttpClient(BotConnector.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Connector.CreateHandler());

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Connector.DisposeAsync();
    }
}
