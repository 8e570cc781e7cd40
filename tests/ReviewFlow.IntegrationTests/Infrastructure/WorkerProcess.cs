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
    }

    static string WorkerDll()
    {
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

    public void Dispose()
    {
        KillHard();
        _process?.Dispose();
    }
}
