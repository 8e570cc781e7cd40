using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace ReviewFlow.Benchmarks;

/// <summary>The servers of infra/servers.sh: connection strings from the environment, a fresh virtual host per run.</summary>
public static class Servers
{
    public static string Postgres => Required("ConnectionStrings__Postgres");
    public static string RabbitMq => Required("ConnectionStrings__RabbitMq");

    static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new BenchmarkException(
                $"{name} is not set: run `infra/servers.sh start` and `source .local/servers/env.sh` first.");

    /// <summary>Adds a virtual host with `infra/servers.sh vhost NAME` and returns the broker URI pointing at it.</summary>
    public static async Task<string> FreshVirtualHostAsync(string name)
    {
        var script = Path.Combine(RepoRoot(), "infra", "servers.sh");
        var psi = new ProcessStartInfo(script, ["vhost", name]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(psi) ?? throw new BenchmarkException($"could not start {script}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new BenchmarkException($"`infra/servers.sh vhost {name}` failed ({process.ExitCode}): {await stderr}{await stdout}");
        return new UriBuilder(RabbitMq) { Path = "/" + name }.Uri.ToString();
    }

    public static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "ReviewFlow.sln"))) return dir.FullName;
        throw new BenchmarkException("ReviewFlow.sln not found above the current directory: run from the repository.");
    }
}

public sealed class BenchmarkException(string message) : Exception(message);

/// <summary>Milliseconds between Stopwatch timestamps, and percentiles of a sample.</summary>
public static class Stats
{
    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static string N0(double value) => double.IsNaN(value) ? "n/a" : value.ToString("N0", CultureInfo.InvariantCulture);
    public static string N1(double value) => double.IsNaN(value) ? "n/a" : value.ToString("N1", CultureInfo.InvariantCulture);
}

/// <summary>
/// CPU use over an interval from /proc (Linux): the whole machine, and per process — this process, the processes the
/// benchmark started (named by pid), and this run's own PostgreSQL and RabbitMQ (found by the port in env.sh, with
/// their child processes; other engineers' servers on the same machine count as "other"). Empty elsewhere.
/// </summary>
public sealed class CpuSnapshot
{
    readonly long _busy, _total;
    readonly Dictionary<int, (string Name, long Jiffies)> _processes;

    CpuSnapshot(long busy, long total, Dictionary<int, (string, long)> processes)
    {
        _busy = busy;
        _total = total;
        _processes = processes;
    }

    /// <param name="named">Processes the benchmark started, by pid (e.g. "worker1"); their children count with them.</param>
    /// <param name="self">What this process is called in the figures.</param>
    public static CpuSnapshot Take(IReadOnlyDictionary<int, string>? named = null, string self = "benchmark+worker")
    {
        long busy = 0, total = 0;
        var processes = new Dictionary<int, (string, long)>();
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = fields.Skip(1).Take(8).Select(long.Parse).ToArray(); // user nice system idle iowait irq softirq steal
            total = values.Sum();
            busy = total - values[3] - values[4];
            var all = new Dictionary<int, (int Parent, long Jiffies)>();
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    // After "pid (comm) ": state is rest[0], the parent rest[1]; utime and stime are fields 14 and 15 of the line.
                    all[pid] = (int.Parse(rest[1], CultureInfo.InvariantCulture),
                        long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture));
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
                catch (FormatException) { }
            }
            var roots = new Dictionary<int, string>(OwnServers.Value) { [Environment.ProcessId] = self };
            foreach (var (pid, name) in named ?? new Dictionary<int, string>()) roots[pid] = name;
            foreach (var (pid, p) in all) processes[pid] = (GroupOf(pid, all, roots), p.Jiffies);
        }
        catch (IOException) { }
        return new CpuSnapshot(busy, total, processes);
    }

    static string GroupOf(int pid, Dictionary<int, (int Parent, long Jiffies)> all, Dictionary<int, string> roots)
    {
        for (var depth = 0; depth < 16 && pid > 1; depth++)
        {
            if (roots.TryGetValue(pid, out var name)) return name;
            if (!all.TryGetValue(pid, out var p)) break;
            pid = p.Parent;
        }
        return "other";
    }

    /// <summary>
    /// The postmaster listening on REVIEWFLOW_PG_PORT, and the RabbitMQ VM started from the same state folder
    /// (infra/servers.sh puts both under it): several engineers' servers may run on one machine.
    /// </summary>
    static readonly Lazy<Dictionary<int, string>> OwnServers = new(() =>
    {
        var found = new Dictionary<int, string>();
        var port = Environment.GetEnvironmentVariable("REVIEWFLOW_PG_PORT");
        if (port is null) return found;
        var commands = new Dictionary<int, string[]>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try { commands[pid] = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0'); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        string? state = null;
        foreach (var (pid, args) in commands)
        {
            var p = Array.IndexOf(args, "-p");
            var d = Array.IndexOf(args, "-D");
            if (args[0].EndsWith("/postgres", StringComparison.Ordinal) && p > 0 && p + 1 < args.Length && args[p + 1] == port && d > 0)
            {
                found[pid] = "postgres";
                state = args[d + 1].Replace("/pg/data", "", StringComparison.Ordinal);
            }
        }
        if (state is not null)
            foreach (var (pid, args) in commands)
                if (args[0].EndsWith("beam.smp", StringComparison.Ordinal) && args.Contains(state + "/rabbit"))
                    found[pid] = "rabbitmq";
        return found;
    });

    /// <summary>"machine 97% busy of 2 cores; benchmark+worker 110%, postgres 45%, rabbitmq 30%, other 5%" (100% = one core).</summary>
    public string Describe(CpuSnapshot later, TimeSpan elapsed)
    {
        if (_total == 0 || later._total == _total) return "n/a (no /proc)";
        var machine = 100.0 * (later._busy - _busy) / (later._total - _total);
        var byGroup = Groups(later).Select(g => $"{g.Name} {Stats.N0(100.0 * g.Seconds / elapsed.TotalSeconds)}%");
        return $"machine {Stats.N0(machine)}% busy of {Environment.ProcessorCount} cores; {string.Join(", ", byGroup)} (100% = one core)";
    }

    /// <summary>
    /// CPU milliseconds per document spent by this process (worker and benchmark client), PostgreSQL and RabbitMQ,
    /// and the throughput that cost allows when those three have every core: less sensitive than docs/s to other
    /// work on the machine.
    /// </summary>
    public string PerDocument(CpuSnapshot later, int documents)
    {
        if (_total == 0 || later._total == _total) return "n/a (no /proc)";
        var groups = MsPerDocument(later, documents);
        var total = groups.Sum(g => g.Ms);
        var parts = string.Join(" + ", groups.Select(g => $"{g.Name} {Stats.N1(g.Ms)}"));
        return $"{Stats.N1(total)} ms ({parts}) => at most ~{Stats.N0(Environment.ProcessorCount * 1000 / total)} docs/s on {Environment.ProcessorCount} cores";
    }

    /// <summary>CPU milliseconds per document of each named group (not "other"), most first.</summary>
    public IReadOnlyList<(string Name, double Ms)> MsPerDocument(CpuSnapshot later, int documents) =>
        Groups(later).Where(g => g.Name != "other").Select(g => (g.Name, g.Seconds * 1000 / documents)).ToList();

    IEnumerable<(string Name, double Seconds)> Groups(CpuSnapshot later)
    {
        const double ticksPerSecond = 100.0; // USER_HZ on Linux
        return later._processes
            .GroupBy(p => p.Value.Name)
            .Select(g => (Name: g.Key, Seconds: g.Sum(p => p.Value.Jiffies - (_processes.TryGetValue(p.Key, out var before) ? before.Jiffies : 0)) / ticksPerSecond))
            .OrderBy(g => g.Name == "other")
            .ThenByDescending(g => g.Seconds);
    }
}

/// <summary>
/// A Release build of a ReviewFlow executable (the worker, the web host) as its own process, as deployed: configured
/// by environment only, listening on a free port of its own, its output drained and counted, its last lines kept for
/// a failure's report, its RSS read from /proc.
/// </summary>
public sealed class HostProcess : IDisposable
{
    public const string Worker = "services/ReviewFlow.Worker/bin/Release/net10.0/ReviewFlow.Worker.dll";
    public const string Web = "web/ReviewFlow.Web/bin/Release/net10.0/ReviewFlow.Web.dll";

    readonly Process _process;
    readonly Queue<string> _tail = new();
    long _logBytes;

    HostProcess(string name, Process process, string url)
    {
        Name = name;
        _process = process;
        Url = url;
    }

    public string Name { get; }
    public string Url { get; }
    public int Pid => _process.Id;
    public long LogBytes => Interlocked.Read(ref _logBytes);

    /// <summary>Starts <paramref name="dll"/> (relative to the repository) from its output folder, where its appsettings are.</summary>
    public static HostProcess Start(string name, string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var path = Path.Combine(Servers.RepoRoot(), dll);
        if (!File.Exists(path)) throw new BenchmarkException($"{path} not found: build the solution in Release first");
        var url = $"http://127.0.0.1:{FreePort()}";
        var psi = new ProcessStartInfo("dotnet", [path, .. args])
        {
            WorkingDirectory = Path.GetDirectoryName(path)!, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        psi.Environment["Urls"] = url;
        var process = Process.Start(psi) ?? throw new BenchmarkException($"could not start {dll}");
        var host = new HostProcess(name, process, url);
        process.OutputDataReceived += (_, e) => host.Count(e.Data);
        process.ErrorDataReceived += (_, e) => host.Count(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>`ReviewFlow.Worker --migrate` as the schema's owner, as the deployment's migrate job does; throws on failure.</summary>
    public static async Task MigrateAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        using var migrate = Start("migrate", Worker, environment, "--migrate");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(120));
        try { await migrate._process.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException) { throw new BenchmarkException($"the migration did not finish in 120 s:\n{migrate.Tail()}"); }
        if (migrate._process.ExitCode != 0) throw new BenchmarkException($"the migration failed ({migrate._process.ExitCode}):\n{migrate.Tail()}");
    }

    /// <summary>Waits until GET {Url}/health/ready answers 200.</summary>
    public async Task WaitReadyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (_process.HasExited) throw new BenchmarkException($"{Name} exited ({_process.ExitCode}):\n{Tail()}");
            try
            {
                using var response = await http.GetAsync($"{Url}/health/ready", cancellationToken);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            if (Stopwatch.GetTimestamp() > deadline) throw new BenchmarkException($"{Name} was not ready within {limit.TotalSeconds:N0} s:\n{Tail()}");
            await Task.Delay(250, cancellationToken);
        }
    }

    void Count(string? line)
    {
        if (line is null) return;
        Interlocked.Add(ref _logBytes, System.Text.Encoding.UTF8.GetByteCount(line) + 1);
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > 40) _tail.Dequeue();
        }
    }

    /// <summary>The last lines of its output.</summary>
    public string Tail()
    {
        lock (_tail) return string.Join("\n", _tail.Select(l => $"  [{Name}] {l}"));
    }

    public double RssMb()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException) { }
        return double.NaN;
    }

    /// <summary>SIGTERM as an orchestrator stops it, SIGKILL after 20 s.</summary>
    public void Stop()
    {
        if (_process.HasExited) return;
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) term?.WaitForExit();
        if (!_process.WaitForExit(20_000)) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A database of the run's own on the servers' PostgreSQL (the daemon's gap checks are database-wide).</summary>
public static class BenchDatabase
{
    /// <summary>Creates it and returns its connection string; <paramref name="options"/> ("K=V;...") are appended.</summary>
    public static async Task<string> CreateAsync(string name, string? options = null)
    {
        await using (var connection = new NpgsqlConnection(Servers.Postgres))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(Servers.Postgres) { Database = name };
        if (options is { Length: > 0 }) builder.ConnectionString += ";" + options;
        return builder.ConnectionString;
    }

    public static async Task DropAsync(string name)
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(Servers.Postgres);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"[bench] could not drop database {name}: {ex.Message}");
        }
    }
}
