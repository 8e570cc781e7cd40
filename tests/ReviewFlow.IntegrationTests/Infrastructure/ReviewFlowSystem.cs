using ReviewFlow.Worker;
using System.Net.Http.Json;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReviewFlow.Audit;
using ReviewFlow.Testing;
using ReviewFlow.Workflow.Hosting;

namespace ReviewFlow.IntegrationTests.Infrastructure;

/// <summary>
/// A whole ReviewFlow on the real servers: the worker and the web host in this process, with their own schema and
/// virtual host, and a plain AMQP client beside them.
/// </summary>
public class ReviewFlowSystem : IAsyncLifetime
{
    readonly Dictionary<string, string?> _extra;

    public ReviewFlowSystem() : this([]) { }

    /// <summary>A system of its own for a test class (xunit's fixtures take one public constructor: this one is a factory).</summary>
    public static ReviewFlowSystem WithSettings(Dictionary<string, string?> extra) => new(extra);

    /// <param name="extra">Settings of a system with a purpose (short SLAs, extra development users), over the defaults below.</param>
    protected ReviewFlowSystem(Dictionary<string, string?> extra) => _extra = extra;

    /// <summary>Short, so that a test can watch a lease lapse; long enough for every other test's claim to hold.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(8);

    public string Schema { get; } = "t" + Guid.NewGuid().ToString("N")[..10];
    public string PostgresConnection { get; private set; } = "";
    public string RabbitMqUri { get; private set; } = "";
    public IHost Worker { get; private set; } = null!;
    public WebApplicationFactory<ReviewFlow.Web.WebHost> Web { get; private set; } = null!;
    public AmqpProbe Amqp { get; private set; } = null!;
    public IDocumentStore Store => Worker.Services.GetRequiredService<IDocumentStore>();
    public IBus Bus => Worker.Services.GetRequiredService<IBus>();

    public Dictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>(TestPolicy.Settings)
            {
                ["ConnectionStrings:Postgres"] = PostgresConnection,
                ["ConnectionStrings:RabbitMq"] = RabbitMqUri,
                ["Marten:Schema"] = Schema,
                ["Review:ClaimLease"] = ClaimLease.ToString(),
                // Timers fire within about a second of their time (production: 5 s, docs/operations.md).
                ["Timers:SchedulePollingInterval"] = "00:00:00.500",
                ["Timers:QueuePollInterval"] = "00:00:00.500",
                // Late decisions (committed after the relay passed their gap) published within a second or two.
                ["Relay:ReconcileInterval"] = "00:00:01",
            };
            foreach (var (key, value) in _extra.Concat(ExtraSettings())) settings[key] = value;
            return settings;
        }
    }

    public virtual async Task InitializeAsync()
    {
        (PostgresConnection, RabbitMqUri) = await ServersAsync();
        await BeforeHostsStartAsync();

        Worker = await StartWorkerAsync();

        Web = new WebApplicationFactory<ReviewFlow.Web.WebHost>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development"); // seeded users and the development token issuer
            foreach (var (key, value) in Settings) web.UseSetting(key, value);
        });
        _ = Web.Server; // start it now, not in the first test
        Amqp = await AmqpProbe.ConnectAsync(RabbitMqUri);
    }

    /// <summary>Where this system runs: by default a database and a virtual host of its own on the shared servers.</summary>
    protected virtual async Task<(string Postgres, string RabbitMq)> ServersAsync()
    {
        var (pg, amqp) = await Servers.GetAsync();
        return (await Servers.IsolatedPostgresAsync(pg, Schema), await Servers.IsolatedRabbitMqAsync(amqp, "rf-" + Schema));
    }

    /// <summary>Runs once the database and the virtual host exist, before the worker and the web host start.</summary>
    protected virtual Task BeforeHostsStartAsync() => Task.CompletedTask;

    /// <summary>Settings known only once the system starts (e.g. the address of a fake Graph).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings() => [];

    /// <summary>Services the worker of this system needs beside its own (e.g. the fake Graph's TLS trust).</summary>
    protected virtual void ConfigureWorker(IServiceCollection services) { }

    async Task<IHost> StartWorkerAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.AddWorkerSlices();
        ConfigureWorker(builder.Services);
        var worker = builder.Build();
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

    /// <summary>An HTTP client signed in as a seeded user (alice, bob: reviewers; sam: supervisor; audrey: auditor; ada: admin; ap-inbox: upstream).</summary>
    public async Task<HttpClient> ClientAsync(string user = "sam")
    {
        var http = Web.CreateClient();
        var response = await http.PostAsJsonAsync("/api/v1/dev/token", new { user });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>An unsure invoice (0.5 against 0.90) claimed by <paramref name="reviewer"/>, with their client (lease: <see cref="ClaimLease"/>).</summary>
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
        await Amqp.DisposeAsync();
        await Web.DisposeAsync();
        await Worker.StopAsync();
        Worker.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<ReviewFlowSystem>
{
    public const string Name = "ReviewFlow system";
}
