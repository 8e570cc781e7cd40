using System.Diagnostics;

namespace ReviewFlow.UiTests.Infrastructure;

/// <summary>
/// The real PostgreSQL and RabbitMQ that infra/servers.sh started (connection strings in the environment: source
/// .local/servers/env.sh). Each system gets a fresh database and virtual host. (Adapted from the integration tests.)
/// </summary>
public static class Servers
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static (string Postgres, string RabbitMq) FromEnvironment()
    {
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        var amqp = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (string.IsNullOrEmpty(pg) || string.IsNullOrEmpty(amqp))
            throw new InvalidOperationException("No servers: run `infra/servers.sh start` and source .local/servers/env.sh.");
        return (pg, amqp);
    }

    public static async Task<string> IsolatedPostgresAsync(string baseConnection, string name)
    {
        await using var connection = new Npgsql.NpgsqlConnection(baseConnection);
        await connection.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new Npgsql.NpgsqlConnectionStringBuilder(baseConnection) { Database = name }.ConnectionString;
    }

    public static async Task<string> IsolatedRabbitMqAsync(string baseUri, string name)
    {
        var psi = new ProcessStartInfo(Path.Combine(RepoRoot, "infra", "servers.sh"), $"vhost {name}")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        if (Environment.GetEnvironmentVariable("REVIEWFLOW_STATE") is { } state) psi.Environment["REVIEWFLOW_STATE"] = state;
        using var process = Process.Start(psi)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"could not add vhost {name}: {error}");
        return new UriBuilder(baseUri) { Path = "/" + name }.Uri.ToString();
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ReviewFlow.sln"))) return dir.FullName;
        throw new InvalidOperationException("ReviewFlow.sln not found above " + AppContext.BaseDirectory);
    }
}
