using System.Diagnostics;

namespace ReviewFlow.IntegrationTests.Infrastructure;

/// <summary>The real worker executable in its own process, so a test can kill it with SIGKILL mid-flight.</summary>
public sealed class WorkerProcess : IDisposable
{
    readonly Dictionary<string, string> _environment;
    readonly string _name;
    Process? _process;
    public string Log { get; } = Path.Combine(Path.GetTempPath(), $"reviewflow-worker-{Guid.NewGuid():N}.log");

    public WorkerProcess(string name, Dictionary<string, string> environment)
    {
        _name = name;
        _environment = environment;
        // The worker listens for its health checks only; each test worker on a port of its own.
        Url = $"http://127.0.0.1:{FreePort()}";
        _environment["Urls"] = Url;
    }

    /// <summary>Where the worker answers /health/live and /health/ready.</summary>
    public string Url { get; }

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A worker under the test routing policy on the given servers and schema; extra settings as environment variables.</summary>
    public static WorkerProcess For(string name, string postgres, string rabbitMq, string schema, Dictionary<string, string>? extra = null)
    {
        var env = TestPolicy.Settings.ToDictionary(p => p.Key.Replace(":", "__"), p => p.Value!);
        foreach (var (key, value) in extra ?? []) env[key] = value;
        env["ConnectionStrings__Postgres"] = postgres;
        env["ConnectionStrings__RabbitMq"] = rabbitMq;
        env["Marten__Schema"] = schema;
        env["DOTNET_ENVIRONMENT"] = "Testing";
        env["Logging__LogLevel__Marten"] = "Information"; // the daemon's leadership and progress, in the test output on failure
        env["Logging__LogLevel__JasperFx"] = "Information";
        return new WorkerProcess(name, env);
    }

    /// <summary>The last lines of the worker's output, for a failing test's report.</summary>
    public string Tail(int lines = 40) =>
        File.Exists(Log) ? string.Join("\n", File.ReadLines(Log).TakeLast(lines)) : $"(no log for {_name})";

    static string WorkerDll()
    {
        // Another build of the worker (e.g. an older one, to show a fault test failing on it).
        if (Environment.GetEnvironmentVariable("REVIEWFLOW_WORKER_DLL") is { Length: > 0 } other) return other;
        // Built by the same `dotnet build` as the tests (project reference), in the same configuration.
        var configuration = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
        var dll = Path.Combine(Servers.RepoRoot, "services", "ReviewFlow.Worker", "bin", configuration, "net10.0", "ReviewFlow.Worker.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build the solution first", dll);
    }

    public void Start()
    {
        var dll = WorkerDll();
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\"")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _environment) psi.Environment[key] = value;
        _process = Process.Start(psi)!;
        var log = new StreamWriter(Log, append: true) { AutoFlush = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine($"[{_name}] {e.Data}"); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine($"[{_name}] {e.Data}"); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, in-flight messages unacknowledged.</summary>
    public void KillHard()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.WaitForExit(10_000);
    }

    /// <summary>SIGSTOP: the process freezes mid-whatever (a stalled node), its sockets and transactions left open.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>SIGCONT after <see cref="PauseAsync"/>.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    async Task SignalAsync(string signal)
    {
        if (_process is not { HasExited: false } process) return;
        using var kill = Process.Start("kill", [signal, process.Id.ToString()]);
        await kill.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as an orchestrator stops a process; returns how long it took to exit (or throws after the timeout).</summary>
    public async Task<TimeSpan> StopAsync(TimeSpan timeout)
    {
        if (_process is not { HasExited: false } process) return TimeSpan.Zero;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await SignalAsync("-TERM");
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"worker {_name} ignored SIGTERM for {timeout.TotalSeconds:0} s");
        }
        return clock.Elapsed;
    }

    public void Dispose()
    {
        KillHard();
        _process?.Dispose();
    }
}
