using System.Diagnostics;

namespace ReviewFlow.Testing;

/// <summary>
/// A PostgreSQL and a RabbitMQ of a fault test's own, started by infra/servers.sh in a throw-away folder, so that the
/// test can stop and restart them (as an operator would) without disturbing the other tests on the shared servers.
/// Needs what the scripts need: root, to run the servers as their system users.
/// </summary>
public sealed class PrivateServers : IAsyncDisposable
{
    // One start at a time in this process: the scripts pick the first free ports, and two starts could pick the same.
    static readonly SemaphoreSlim StartGate = new(1, 1);
    readonly string _state;

    PrivateServers(string state, string postgres, string rabbitMq)
    {
        _state = state;
        Postgres = postgres;
        RabbitMq = rabbitMq;
    }

    public string Postgres { get; }
    public string RabbitMq { get; }

    public static async Task<PrivateServers> StartAsync()
    {
        string state;
        await StartGate.WaitAsync();
        try
        {
            // Another test run on this machine may take the free port servers.sh picked before its server binds it
            // (seen: "could not bind ... Address already in use"): start again on fresh ports.
            for (var attempt = 1; ; attempt++)
            {
                state = Path.Combine(Path.GetTempPath(), "reviewflow-private-" + Guid.NewGuid().ToString("N")[..8]);
                try
                {
                    await RunAsync(state, "start");
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    try { await RunAsync(state, "stop"); } catch (InvalidOperationException) { }
                }
            }
        }
        finally
        {
            StartGate.Release();
        }
        var env = File.ReadAllLines(Path.Combine(state, "env.sh"))
            .Where(l => l.StartsWith("export "))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1].Trim('"'));
        return new PrivateServers(state, env["ConnectionStrings__Postgres"], env["ConnectionStrings__RabbitMq"]);
    }

    /// <summary>A clean stop (RabbitMQ closes its connections; PostgreSQL ends its sessions with 57P01), data kept.</summary>
    public Task StopAsync(string server) => RunAsync(_state, "down", server);

    /// <summary>SIGKILL: the server dies without closing its connections (data kept; PostgreSQL recovers at start).</summary>
    public Task KillAsync(string server) => RunAsync(_state, "down", server, "--kill");

    /// <summary>Starts it again on the same port with the same data; returns once it accepts connections.</summary>
    public Task StartAsync(string server) => RunAsync(_state, "up", server);

    public async Task RestartAsync(string server, TimeSpan down, bool kill = false)
    {
        await (kill ? KillAsync(server) : StopAsync(server));
        await Task.Delay(down);
        await StartAsync(server);
    }

    public async ValueTask DisposeAsync()
    {
        // The next test's servers may get the same ports, hence the same connection string and this process's Npgsql
        // pool: idle connections to these servers would meet it with 57P01 (seen: BrokerRestartTests after DatabaseRestartTests).
        using (var connection = new Npgsql.NpgsqlConnection(Postgres)) Npgsql.NpgsqlConnection.ClearPool(connection);
        await RunAsync(_state, "stop");
    }

    static async Task RunAsync(string state, params string[] args)
    {
        // Output to a file, not a pipe: a server started by the script may inherit the pipe and hold it open.
        Directory.CreateDirectory(Path.GetTempPath());
        var log = Path.Combine(Path.GetTempPath(), $"reviewflow-servers-{Guid.NewGuid():N}.log");
        var script = Path.Combine(Servers.RepoRoot, "infra", "servers.sh");
        var psi = new ProcessStartInfo("bash") { RedirectStandardInput = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("\"$0\" \"$@\" >\"$LOG\" 2>&1 </dev/null");
        psi.ArgumentList.Add(script);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        psi.Environment["LOG"] = log;
        psi.Environment["REVIEWFLOW_STATE"] = state;
        psi.Environment.Remove("PG_PORT");
        psi.Environment.Remove("AMQP_PORT");
        // Below the ephemeral port range: a restarted server must get its port back (a client socket can hold one above).
        psi.Environment["PG_PORT_FROM"] = "23432";
        psi.Environment["AMQP_PORT_FROM"] = "24720";
        using var process = Process.Start(psi)!;
        await process.WaitForExitAsync();
        var output = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
        File.Delete(log);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"infra/servers.sh {string.Join(' ', args)} failed: {output}");
    }
}

/// <summary>The names <see cref="PrivateServers"/> takes.</summary>
public static class Server
{
    public const string RabbitMq = "rabbitmq";
    public const string Postgres = "postgres";
}
