using ReviewFlow.Worker;
using ReviewFlow.Testing;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using ReviewFlow.Audit;
using ReviewFlow.Workflow.Hosting;

namespace ReviewFlow.UiTests.Infrastructure;

/// <summary>
/// A whole ReviewFlow for a browser: the worker in this process and the web host on Kestrel at a free 127.0.0.1 port,
/// with a fresh database and virtual host, and a plain AMQP client beside them.
/// </summary>
public sealed class UiSystem : IAsyncLifetime
{
    public string Schema { get; } = "u" + Guid.NewGuid().ToString("N")[..10];
    public string PostgresConnection { get; private set; } = "";
    public string RabbitMqUri { get; private set; } = "";
    public IHost Worker { get; private set; } = null!;
    public WebApplicationFactory<ReviewFlow.Web.WebHost> Web { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public AmqpProbe Amqp { get; private set; } = null!;

    public Dictionary<string, string?> Settings => new(TestPolicy.Settings)
    {
        // SLAs the page can show: claims are due 8 s after they open (reminder lead 7 s: amber after 1 s; breached during a
        // test), invoices in 2 h.
        ["Routing:DocumentTypes:claim:Sla"] = "00:00:08",
        ["Routing:DocumentTypes:claim:ReminderBefore"] = "00:00:07",
        ["Routing:DocumentTypes:invoice:Sla"] = "02:00:00",
        ["Timers:SchedulePollingInterval"] = "00:00:00.500",
        ["Timers:QueuePollInterval"] = "00:00:00.500",
        ["ConnectionStrings:Postgres"] = PostgresConnection,
        ["ConnectionStrings:RabbitMq"] = RabbitMqUri,
        ["Marten:Schema"] = Schema,
    };

    public async Task InitializeAsync()
    {
        var (pg, amqp) = await Servers.GetAsync();
        PostgresConnection = await Servers.IsolatedPostgresAsync(pg, Schema);
        RabbitMqUri = await Servers.IsolatedRabbitMqAsync(amqp, "rf-" + Schema);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.AddWorkerSlices();
        Worker = builder.Build();
        await Worker.StartAsync();

        var port = FreePort();
        Web = new WebApplicationFactory<ReviewFlow.Web.WebHost>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development"); // seeded users and the development token issuer
            foreach (var (key, value) in Settings) web.UseSetting(key, value);
        });
        Web.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        Web.StartServer();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");

        Amqp = await AmqpProbe.ConnectAsync(RabbitMqUri);
        await Amqp.WaitForQueueAsync("reviewflow-classifications", TimeSpan.FromSeconds(60));
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
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
