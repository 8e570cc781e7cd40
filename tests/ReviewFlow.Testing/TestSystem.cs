using System.Net;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReviewFlow.Testing.Processes;
using ReviewFlow.Worker;
using Xunit;

namespace ReviewFlow.Testing;

/// <summary>What a <see cref="TestSystem"/> runs beside the defaults.</summary>
public sealed record SystemOptions
{
    /// <summary>Settings of a system with a purpose (short SLAs, extra development users), over the defaults.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Whether the worker runs in this process; without it nothing routes (e.g. a web host over seeded data).</summary>
    public bool Worker { get; init; } = true;

    /// <summary>The web host on Kestrel at a free 127.0.0.1 port (<see cref="TestSystem.BaseAddress"/>), for a browser or a process.</summary>
    public bool Kestrel { get; init; }

    /// <summary>The Kestrel port, when a setting must name the host's own address (e.g. an allowed content origin); null: a free one.</summary>
    public int? Port { get; init; }

    /// <summary>Short, so that a test can watch a lease lapse; null: the product's (a page test takes longer than 8 s).</summary>
    public TimeSpan? ClaimLease { get; init; } = TestSystem.ShortClaimLease;
}

/// <summary>
/// A whole ReviewFlow on the real servers, the one way the tests boot one: a database and a virtual host of its own on
/// the shared servers, the worker in this process (its own composition, <see cref="WorkerSlices.AddWorkerSlices"/>),
/// the web host by <see cref="WebApplicationFactory{TEntryPoint}"/> (in memory, or on Kestrel), a plain AMQP client
/// beside them, and HTTP clients signed in as seeded users.
/// </summary>
public class TestSystem : IAsyncLifetime
{
    readonly SystemOptions _options;

    public TestSystem() : this(new SystemOptions()) { }

    /// <summary>A system of its own for a test class (xunit's fixtures take one public constructor: this one is a factory).</summary>
    public static TestSystem With(SystemOptions options) => new(options);

    protected TestSystem(SystemOptions options) => _options = options;

    /// <summary>Short, so that a test can watch a lease lapse; long enough for every other test's claim to hold.</summary>
    public static readonly TimeSpan ShortClaimLease = TimeSpan.FromSeconds(8);

    /// <summary>An ECDSA P-256 private key (PKCS#8, base64) made for this test run: Audit:CheckpointKey of every system.</summary>
    public static readonly string CheckpointKey =
        Convert.ToBase64String(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKey());

    public string Schema { get; } = "t" + Guid.NewGuid().ToString("N")[..10];
    public string PostgresConnection { get; private set; } = "";
    public string RabbitMqUri { get; private set; } = "";
    public IHost Worker { get; private set; } = null!;
    public WebApplicationFactory<ReviewFlow.Web.WebHost> Web { get; private set; } = null!;
    /// <summary>Where the web host listens when it runs on Kestrel (<see cref="SystemOptions.Kestrel"/>).</summary>
    public Uri BaseAddress { get; private set; } = null!;
    public AmqpProbe Amqp { get; private set; } = null!;
    public IDocumentStore Store => Worker.Services.GetRequiredService<IDocumentStore>();
    public IBus Bus => Worker.Services.GetRequiredService<IBus>();

    public Dictionary<string, string?> Settings
    {
        get
        {
            var settings = SettingsFor(PostgresConnection, RabbitMqUri, Schema, TestPolicy.Settings);
            // Timers fire within about a second of their time (production: 5 s, docs/operations.md).
            settings["Timers:SchedulePollingInterval"] = "00:00:00.500";
            settings["Timers:QueuePollInterval"] = "00:00:00.500";
            // Late decisions (committed after the relay passed their gap) published within a second or two.
            settings["Relay:ReconcileInterval"] = "00:00:01";
            // Development sign-in's second switch (the first: the web host's Development environment); TestServer and
            // Kestrel on 127.0.0.1 listen on loopback only, as it requires.
            settings["DevSignIn:Enabled"] = "true";
            // Tests poll a document every 50 ms as one user; the rate limit's own tests set small budgets.
            settings["RateLimits:PermitLimit"] = "1000000";
            if (_options.ClaimLease is { } lease) settings["Review:ClaimLease"] = lease.ToString();
            // The audit checkpoints' signing key: made per test run, never committed (docs/adr/0013).
            settings["Audit:CheckpointKey"] = CheckpointKey;
            foreach (var (key, value) in _options.Settings.Concat(ExtraSettings())) settings[key] = value;
            return settings;
        }
    }

    public virtual async Task InitializeAsync()
    {
        (PostgresConnection, RabbitMqUri) = await ServersAsync();
        await BeforeHostsStartAsync();

        if (_options.Worker) Worker = await StartWorkerAsync();

        Web = new WebApplicationFactory<ReviewFlow.Web.WebHost>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development"); // seeded users and the development token issuer (with DevSignIn:Enabled)
            foreach (var (key, value) in Settings) web.UseSetting(key, value);
            web.ConfigureServices(ConfigureWeb);
        });
        if (_options.Kestrel)
        {
            var port = _options.Port ?? HostProcess.FreePort();
            Web.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
            Web.StartServer();
            BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        }
        else _ = Web.Server; // start it now (schema, chain trigger and indexes installed), not in the first test

        Amqp = await AmqpProbe.ConnectAsync(RabbitMqUri);
        if (_options.Worker) await Amqp.WaitForQueueAsync("reviewflow-classifications", TimeSpan.FromSeconds(60));
    }

    /// <summary>Where this system runs: by default a database and a virtual host of its own on the shared servers.</summary>
    protected virtual Task<(string Postgres, string RabbitMq)> ServersAsync() => Servers.IsolatedAsync(Schema);

    /// <summary>Runs once the database and the virtual host exist, before the worker and the web host start.</summary>
    protected virtual Task BeforeHostsStartAsync() => Task.CompletedTask;

    /// <summary>Settings known only once the system starts (e.g. the address of a fake Graph).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings() => [];

    /// <summary>Services the worker of this system needs beside its own (e.g. the fake Graph's TLS trust).</summary>
    protected virtual void ConfigureWorker(IServiceCollection services) { }

    /// <summary>Services the web host of this system needs beside its own (e.g. the fake Bot Connector's TLS trust).</summary>
    protected virtual void ConfigureWeb(IServiceCollection services) { }

    /// <summary>The servers and the schema as settings, then <paramref name="settings"/> over them: what a host of a test runs on.</summary>
    public static Dictionary<string, string?> SettingsFor(string postgres, string rabbitMq, string schema,
        IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = postgres,
            ["ConnectionStrings:RabbitMq"] = rabbitMq,
            ["Marten:Schema"] = schema,
        };
        foreach (var (key, value) in settings ?? []) all[key] = value;
        return all;
    }

    /// <summary>
    /// The worker as its Program.cs composes it (every slice), on <paramref name="settings"/>, built but not started:
    /// a system's worker, a migration, a store to write to, the benchmark's in-process worker.
    /// </summary>
    public static IHost BuildWorker(IEnumerable<KeyValuePair<string, string?>> settings, string environment = "Testing",
        Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddWorkerSlices();
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    async Task<IHost> StartWorkerAsync()
    {
        var worker = BuildWorker(Settings, configure: ConfigureWorker);
        await worker.StartAsync();
        return worker;
    }

    /// <summary>Stops the worker (saga, relay, timers), keeps it down for <paramref name="downtime"/>, and starts a new one.</summary>
    public async Task RestartWorkerAsync(TimeSpan downtime)
    {
        await Worker.StopAsync();
        Worker.Dispose();
        await Task.Delay(downtime);
        Worker = await StartWorkerAsync();
    }

    /// <summary>An HTTP client of the web host signed in as a seeded user (see <see cref="DevTokens"/>).</summary>
    public async Task<HttpClient> ClientAsync(string user = "sam", TimeSpan? timeout = null)
    {
        var http = _options.Kestrel ? new HttpClient { BaseAddress = BaseAddress } : Web.CreateClient();
        if (timeout is { } t) http.Timeout = t;
        return await http.SignedInAsAsync(user);
    }

    /// <summary>An unsure invoice (0.5 against 0.90) claimed by <paramref name="reviewer"/>, with their client (lease: <see cref="SystemOptions.ClaimLease"/>).</summary>
    public async Task<(string Id, HttpClient Client)> ClaimedByAsync(string reviewer)
    {
        var id = Documents.NewId();
        await Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.5));
        var http = await ClientAsync(reviewer);
        await http.ForStatusAsync(id, "AwaitingReview");
        var claim = await http.PostAsync($"/api/v1/reviews/{id}/claim", null);
        if (!claim.IsSuccessStatusCode) throw new InvalidOperationException($"{reviewer} could not claim {id}: {(int)claim.StatusCode}");
        return (id, http);
    }

    public virtual async Task DisposeAsync()
    {
        if (Amqp is not null) await Amqp.DisposeAsync();
        if (Web is not null) await Web.DisposeAsync();
        if (Worker is not null)
        {
            await Worker.StopAsync();
            Worker.Dispose();
        }
    }
}
