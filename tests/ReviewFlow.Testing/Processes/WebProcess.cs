namespace ReviewFlow.Testing.Processes;

/// <summary>
/// The real web host executable (page, API, SignalR hub) in its own process, so a test can kill a web node with
/// SIGKILL while pages are connected to it. Development environment and DevSignIn:Enabled: the seeded users and the development sign-in.
/// </summary>
public sealed class WebProcess(string name, IReadOnlyDictionary<string, string> environment) : HostProcess(name, environment, [])
{
    // Every web node of a test run signs development tokens with this key, so a page's token is good on any node
    // (as Entra ID's are in production); by default each node makes its own key.
    static readonly string DevSigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    protected override string Kind => "web";

    protected override string Dll() => BuiltDll("web", "ReviewFlow.Web", "REVIEWFLOW_WEB_DLL");

    /// <summary>
    /// A web node on a schema another host has migrated already (Database__Migrate=false, as a deployment's web nodes
    /// run); <paramref name="settings"/> (the system's, "Section:Key" or "Section__Key") become environment variables.
    /// </summary>
    public static WebProcess For(string name, string postgres, string rabbitMq, string schema, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var env = EnvironmentFor(postgres, rabbitMq, schema, TestPolicy.Settings.Concat(settings ?? []));
        env["ASPNETCORE_ENVIRONMENT"] = "Development";
        env["Database__Migrate"] = "false";
        env["DevSignIn__Enabled"] = "true"; // with Development: both switches of the development sign-in
        env["DevSignIn__SigningKey"] = DevSigningKey;
        env["RateLimits__PermitLimit"] = "1000000"; // the tests and the benchmark poll as one user far faster than a person
        return new WebProcess(name, env);
    }

    /// <summary>Starts the node and waits until it serves requests (/health/ready: its database and broker reachable).</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        Start();
        await WaitUntilAnswersAsync("/health/ready", timeout ?? StartTimeout);
    }
}
