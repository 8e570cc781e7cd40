using System.Diagnostics;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace ReviewFlow.Testing;

/// <summary>
/// The real PostgreSQL and RabbitMQ for the tests: the ones infra/servers.sh started (connection strings in the
/// environment), or, where a Docker engine runs, containers from Testcontainers. Each test system gets its own
/// Marten schema and RabbitMQ virtual host, so systems never consume each other's messages.
/// </summary>
public static class Servers
{
    static readonly SemaphoreSlim Gate = new(1, 1);
    static (string Postgres, string RabbitMq)? _servers;

    public static string RepoRoot { get; } = FindRepoRoot();

    public static async Task<(string Postgres, string RabbitMq)> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_servers is { } s) return s;
            var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
            var amqp = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
            if (!string.IsNullOrEmpty(pg) && !string.IsNullOrEmpty(amqp)) return (_servers = (pg, amqp)).Value;
            if (!DockerAvailable())
                throw new InvalidOperationException(
                    "No servers: run `infra/servers.sh start` and source .local/servers/env.sh (or use infra/test.sh), or run a Docker engine for Testcontainers.");
            var postgres = new PostgreSqlBuilder("postgres:15").Build();
            var rabbit = new RabbitMqBuilder("rabbitmq:3.10-management").Build();
            await Task.WhenAll(postgres.StartAsync(), rabbit.StartAsync());
            return (_servers = (postgres.GetConnectionString(), rabbit.GetConnectionString())).Value;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A database <paramref name="name"/> and a virtual host "rf-<paramref name="name"/>" of their own on the servers.</summary>
    public static async Task<(string Postgres, string RabbitMq)> IsolatedAsync(string name)
    {
        var (pg, amqp) = await GetAsync();
        return (await IsolatedPostgresAsync(pg, name), await IsolatedRabbitMqAsync(amqp, "rf-" + name));
    }

    /// <summary>
    /// A fresh database per test system: the async daemon's leader lock and its look at open transactions (before it
    /// skips a sequence gap) are database-wide, so systems sharing one would slow each other down.
    /// </summary>
    public static async Task<string> IsolatedPostgresAsync(string baseConnection, string name)
    {
        await using var connection = new Npgsql.NpgsqlConnection(baseConnection);
        await connection.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new Npgsql.NpgsqlConnectionStringBuilder(baseConnection) { Database = name }.ConnectionString;
    }

    /// <summary>A fresh virtual host on the scripts' broker; the broker in a container is private already.</summary>
    public static async Task<string> IsolatedRabbitMqAsync(string baseUri, string name)
    {
        if (Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq") is null) return baseUri;
        await ScriptAsync("vhost", name);
        return new UriBuilder(baseUri) { Path = "/" + name }.Uri.ToString();
    }

    /// <summary>
    /// Another party's address on the virtual host of <paramref name="systemUri"/>: "upstream" (may only publish
    /// classifications) or "downstream" (may only read decisions), as infra/rabbitmq/parties.sh sets them up.
    /// </summary>
    public static string PartyUri(string party, string systemUri)
    {
        var variable = "REVIEWFLOW_AMQP_" + party.ToUpperInvariant();
        var uri = Environment.GetEnvironmentVariable(variable)
            ?? throw new InvalidOperationException($"{variable} is not set: the broker's parties come from infra/servers.sh start.");
        return new UriBuilder(uri) { Path = new Uri(systemUri).AbsolutePath }.Uri.ToString();
    }

    /// <summary>The queues of a virtual host on the scripts' broker and their type (classic, quorum).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> QueueTypesAsync(string vhost) =>
        (await ScriptAsync("queues", vhost))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => l.Split('\t'))
        .Where(p => p.Length == 2)
        .ToDictionary(p => p[0], p => p[1]);

    static async Task<string> ScriptAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(RepoRoot, "infra", "servers.sh"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        if (Environment.GetEnvironmentVariable("REVIEWFLOW_STATE") is { } state) psi.Environment["REVIEWFLOW_STATE"] = state;
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"infra/servers.sh {string.Join(' ', args)} failed: {error}");
        return await output;
    }

    static bool DockerAvailable() => File.Exists("/var/run/docker.sock") || Environment.GetEnvironmentVariable("DOCKER_HOST") is not null;

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ReviewFlow.sln"))) return dir.FullName;
        throw new InvalidOperationException("ReviewFlow.sln not found above " + AppContext.BaseDirectory);
    }
}
