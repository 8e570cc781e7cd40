using System.Diagnostics;

namespace ReviewFlow.Testing.Processes;

/// <summary>
/// One of our executables (the worker, the web host) in its own process, started from its build output with settings
/// as environment variables, its output in a log file, so that a test can kill it with SIGKILL, freeze or stop it.
/// </summary>
public abstract class HostProcess : IDisposable
{
    readonly Dictionary<string, string> _environment;
    readonly string _name;
    Process? _process;
    public string Log { get; }

    protected HostProcess(string name, Dictionary<string, string> environment)
    {
        _name = name;
        _environment = environment;
        Log = Path.Combine(Path.GetTempPath(), $"reviewflow-{Kind}-{Guid.NewGuid():N}.log");
        // Each test process answers on a port of its own.
        Url = $"http://127.0.0.1:{FreePort()}";
        _environment["Urls"] = Url;
    }

    /// <summary>"worker" or "web": the log file's name and the error messages.</summary>
    protected abstract string Kind { get; }

    /// <summary>The host's built assembly (see <see cref="BuiltDll"/>).</summary>
    protected abstract string Dll();

    /// <summary>Where the host listens (health probes; the web host's page, API and hub).</summary>
    public string Url { get; }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The test routing policy, the servers and the schema as environment variables, then <paramref name="extra"/>.</summary>
    protected static Dictionary<string, string> EnvironmentFor(string postgres, string rabbitMq, string schema, IEnumerable<KeyValuePair<string, string?>>? extra)
    {
        var env = TestPolicy.Settings.ToDictionary(p => p.Key.Replace(":", "__"), p => p.Value!);
        env["ConnectionStrings__Postgres"] = postgres;
        env["ConnectionStrings__RabbitMq"] = rabbitMq;
        env["Marten__Schema"] = schema;
        foreach (var (key, value) in extra ?? []) if (value is not null) env[key.Replace(":", "__")] = value;
        return env;
    }

    /// <summary>
    /// A host built by the same `dotnet build` as the tests (project reference), in the same configuration, e.g.
    /// ("services", "ReviewFlow.Worker"). <paramref name="overrideVariable"/> names another build (e.g. an older one, to
    /// show a fault test failing on it).
    /// </summary>
    protected static string BuiltDll(string folder, string project, string overrideVariable)
    {
        if (Environment.GetEnvironmentVariable(overrideVariable) is { Length: > 0 } other) return other;
        var configuration = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
        var dll = Path.Combine(Servers.RepoRoot, folder, project, "bin", configuration, "net10.0", project + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build the solution first", dll);
    }

    /// <summary>The last lines of the host's output, for a failing test's report.</summary>
    public string Tail(int lines = 40) =>
        File.Exists(Log) ? string.Join("\n", File.ReadLines(Log).TakeLast(lines)) : $"(no log for {_name})";

    public void Start()
    {
        var dll = Dll();
        // From its output folder: that is where its appsettings*.json are (and, in Development, the static web assets' manifest).
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

    /// <summary>Polls <paramref name="path"/> until it answers 2xx; throws with the log's tail if the process exits or time runs out.</summary>
    public async Task WaitUntilAnswersAsync(string path, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process is { HasExited: true }) throw new InvalidOperationException($"{Kind} {_name} exited:\n{Tail()}");
            try
            {
                if ((await http.GetAsync(path)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { } // not listening yet
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Kind} {_name}: {path} did not answer in {timeout.TotalSeconds:0} s:\n{Tail()}");
            await Task.Delay(200);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, in-flight messages unacknowledged, sockets reset by the kernel.</summary>
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
        var clock = Stopwatch.StartNew();
        await SignalAsync("-TERM");
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Kind} {_name} ignored SIGTERM for {timeout.TotalSeconds:0} s");
        }
        return clock.Elapsed;
    }

    public void Dispose()
    {
        KillHard();
        _process?.Dispose();
        GC.SuppressFinalize(this);
    }
}
