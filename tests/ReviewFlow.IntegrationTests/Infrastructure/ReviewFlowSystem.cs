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
public sealed class ReviewFlowSystem : IAsyncLifetime
{
    /// <summary>Short, so that a test can watch a lease lapse; long enough for every other test's claim to hold.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(8);

    public string Schema { get; } = "t" + Guid.NewGuid().ToString("N")[..10];
    public string PostgresConnection { get; private set; } = "";
    public string RabbitMqUri { get; private set; } = "";
    public IHost Worker { get; private set; } = null!;
    public WebApplicationFactory<ReviewFlow.Web.Documents.DocumentView> Web { get; private set; } = null!;
    public AmqpProbe Amqp { get; private set; } = null!;
    public IDocumentStore Store => Worker.Services.GetRequiredService<IDocumentStore>();
    public IBus Bus => Worker.Services.GetRequiredService<IBus>();

    /// <summary>Settings a test class adds to both hosts (e.g. extra development users).</summary>
    public Dictionary<string, string?> ExtraSettings { get; init; } = [];

    public Dictionary<string, string?> Settings => new(TestPolicy.Settings.Concat(ExtraSettings))
    {
        ["ConnectionStrings:Postgres"] = PostgresConnection,
        ["ConnectionStrings:RabbitMq"] = RabbitMqUri,
        ["Marten:Schema"] = Schema,
        ["Review:ClaimLease"] = ClaimLease.ToString(),
    };

    public async Task InitializeAsync()
    {
        var (pg, amqp) = await Servers.GetAsync();
        PostgresConnection = await Servers.IsolatedPostgresAsync(pg, Schema);
        RabbitMqUri = await Servers.IsolatedRabbitMqAsync(amqp, "rf-" + Schema);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.AddReviewFlow(HostRole.Worker);
        builder.AddReviewFlowAudit(HostRole.Worker);
        Worker = builder.Build();
        await Worker.StartAsync();

        Web = new WebApplicationFactory<ReviewFlow.Web.Documents.DocumentView>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development"); // seeded users and the development token issuer
            foreach (var (key, value) in Settings) web.UseSetting(key, value);
        });
        _ = Web.Server; // start it now, not in the first test
        Amqp = await AmqpProbe.ConnectAsync(RabbitMqUri);
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

    public async Task DisposeAsync()
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
