using System.Diagnostics;
using System.Globalization;

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
/// CPU use over an interval from /proc (Linux): the whole machine, and per process name (this process, postgres,
/// the RabbitMQ VM), so a run shows whether the cores were saturated and by whom. Empty elsewhere.
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

    public static CpuSnapshot Take()
    {
        long busy = 0, total = 0;
        var processes = new Dictionary<int, (string, long)>();
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = fields.Skip(1).Take(8).Select(long.Parse).ToArray(); // user nice system idle iowait irq softirq steal
            total = values.Sum();
            busy = total - values[3] - values[4];
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var open = stat.IndexOf('(');
                    var close = stat.LastIndexOf(')');
                    var name = stat[(open + 1)..close];
                    var rest = stat[(close + 2)..].Split(' ');
                    // After "pid (comm) ": state is rest[0]; utime and stime are fields 14 and 15 of the line.
                    processes[pid] = (pid == Environment.ProcessId ? "benchmark+worker" : Group(name),
                        long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture));
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
        catch (IOException) { }
        return new CpuSnapshot(busy, total, processes);
    }

    static string Group(string name) => name switch
    {
        "postgres" => "postgres",
        "beam.smp" or "erl_child_setup" or "epmd" or "inet_gethost" => "rabbitmq",
        _ => "other",
    };

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
        var groups = Groups(later).Where(g => g.Name != "other").ToList();
        var total = groups.Sum(g => g.Seconds) * 1000 / documents;
        var parts = string.Join(" + ", groups.Select(g => $"{g.Name} {Stats.N1(g.Seconds * 1000 / documents)}"));
        return $"{Stats.N1(total)} ms ({parts}) => at most ~{Stats.N0(Environment.ProcessorCount * 1000 / total)} docs/s on {Environment.ProcessorCount} cores";
    }

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
