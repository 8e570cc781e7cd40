using System.Diagnostics;

namespace ReviewFlow.Testing.Processes;

/// <summary>
/// One of our executables (the worker, the web host) in its own process, as deployed: started from its build output
/// with settings as environment variables, listening on a free port of its own, its output in a log file (and its
/// size counted), so that a test can kill it with SIGKILL, freeze or stop it, and the benchmark can read its CPU and RSS.
/// </summary>
public abstract class HostProcess : IDisposable
{
    readonly Dictionary<string, string> _environment;
    readonly string[] _arguments;
    readonly string _name;
    Process? _process;
    long _logBytes;
    public string Log { get; }

    protected HostProcess(string name, IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        _name = name;
        _arguments = arguments;
        Log = Path.Combine(Path.GetTempPath(), $"reviewflow-{Kind}-{Guid.NewGuid():N}.log");
        // Each process answers on a port of its own.
        Url = $"http://127.0.0.1:{FreePort()}";
        _environment = new Dictionary<string, string>(environment) { ["Urls"] = Url };
    }

    public string Name => _name;

    /// <summary>The process id once started (the benchmark's CPU figures name it).</summary>
    public int Pid => _process?.Id ?? 0;

    /// <summary>Bytes the process has written to its standard output and error so far.</summary>
    public long LogBytes => Interlocked.Read(ref _logBytes);

    /// <summary>"worker" or "web": the log file's name and the error messages.</summary>
    protected abstract string Kind { get; }

    /// <summary>The host's built assembly (see <see cref="BuiltDll"/>).</summary>
    protected abstract string Dll();

    /// <summary>Where the host listens (health probes; the web host's page, API and hub).</summary>
    public string Url { get; }

    /// <summary>
    /// How long a test waits for a freshly started process to be up (queues declared, health answering): a worker that
    /// creates a new schema took over 60 s in CI, where three test assemblies share the two cores (load average ~28).
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary><see cref="TestSystem.SettingsFor"/> as environment variables ("Section__Key"; <paramref name="settings"/> may use either form).</summary>
    public static Dictionary<string, string> EnvironmentFor(string postgres, string rabbitMq, string schema,
        IEnumerable<KeyValuePair<string, string?>>? settings = null) =>
        TestSystem.SettingsFor(postgres, rabbitMq, schema, settings?.Select(p => KeyValuePair.Create(p.Key.Replace("__", ":"), p.Value)))
            .Where(p => p.Value is not null)
            .ToDictionary(p => p.Key.Replace(":", "__"), p => p.Value!);

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
        var psi = new ProcessStartInfo("dotnet", [dll, .. _arguments])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _environment) psi.Environment[key] = value;
        _process = Process.Start(psi)!;
        var log = new StreamWriter(Log, append: true) { AutoFlush = true };
        _process.OutputDataReceived += (_, e) => Write(log, e.Data);
        _process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    void Write(StreamWriter log, string? line)
    {
        if (line is null) return;
        Interlocked.Add(ref _logBytes, System.Text.Encoding.UTF8.GetByteCount(line) + 1);
        lock (log) log.WriteLine($"[{_name}] {line}");
    }

    /// <summary>Polls <paramref name="path"/> until it answers 2xx; throws with the log's tail if the process exits or time runs out.</summary>
    public async Task WaitUntilAnswersAsync(string path, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Waiting.UntilAsync(async () =>
            {
                if (_process is { HasExited: true }) throw new InvalidOperationException($"{Kind} {_name} exited:\n{Tail()}");
                try
                {
                    using var response = await http.GetAsync(path, cancellationToken);
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException) { return false; } // not listening yet
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { return false; }
            }, timeout, $"{Kind} {_name}: {path} answering", interval: TimeSpan.FromMilliseconds(200));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Kind} {_name}: {path} did not answer in {timeout.TotalSeconds:0} s:\n{Tail()}");
        }
    }

    /// <summary>Starts the process and waits for it to exit by itself (e.g. `--migrate`); returns its exit code.</summary>
    public async Task<int> RunToExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Start();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _process!.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Kind} {_name} did not finish in {timeout.TotalSeconds:0} s:\n{Tail()}");
        }
        return _process.ExitCode;
    }

    /// <summary>Resident memory in MB, from /proc (NaN elsewhere or once it exited).</summary>
    public double RssMb()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException) { }
        return double.NaN;
    }

    /// <summary>
    /// When REVIEWFLOW_FAULT_DUMPS names a folder: a full dump of the process there (`dotnet-dump collect`, which must
    /// be installed), taken when a fault test fails with its processes still running, so a wedge can be read afterwards
    /// (`dotnet-dump analyze FILE`, then `dumpasync`). Returns a line for the test output; empty when not asked for.
    /// </summary>
    public async Task<string> DumpIfAskedAsync()
    {
        var folder = Environment.GetEnvironmentVariable("REVIEWFLOW_FAULT_DUMPS");
        if (string.IsNullOrEmpty(folder) || _process is not { HasExited: false } process) return "";
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{Kind}-{_name}-{process.Id}-{DateTime.UtcNow:HHmmss}.dmp");
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-dump");
        try
        {
            using var dump = Process.Start(File.Exists(tool) ? tool : "dotnet-dump", ["collect", "-p", process.Id.ToString(), "-o", file])!;
            await dump.WaitForExitAsync();
            return $"{Kind} {_name}: dump {file} (exit {dump.ExitCode})";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"{Kind} {_name}: no dump ({ex.Message})";
        }
    }

    /// <summary>What the process's /health/ready answers right now (status and body), for a failed test's output.</summary>
    public async Task<string> ReadinessAsync()
    {
        if (_process is not { HasExited: false }) return $"{Kind} {_name}: not running";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(Url + "/health/ready");
            return $"{Kind} {_name} /health/ready: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return $"{Kind} {_name} /health/ready: no answer ({ex.Message})";
        }
    }

    /// <summary>The process was started and has ended (crashed, or stopped).</summary>
    public bool Exited => _process is { HasExited: true };

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
