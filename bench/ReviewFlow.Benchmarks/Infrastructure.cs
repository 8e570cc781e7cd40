using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ReviewFlow.Testing;
using ReviewFlow.Testing.Processes;

namespace ReviewFlow.Benchmarks;

public sealed class BenchmarkException(string message) : Exception(message)
{
    /// <summary>What ends a run with exit code 2 and one line: no servers, no build, a host that would not start or answer.</summary>
    public static bool IsSetupFailure(Exception ex) =>
        ex is BenchmarkException or TimeoutException or InvalidOperationException or HttpRequestException or FileNotFoundException;
}

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
/// ReviewFlow as deployed, from the Release build (ReviewFlow.Testing's processes: configured by environment only, each
/// on a free port of its own, output counted): the migrate step as the schema's owner, then hosts that do not migrate.
/// </summary>
public static class Deployment
{
    /// <summary>`ReviewFlow.Worker --migrate` on <paramref name="environment"/>, then <paramref name="count"/> worker processes with Database__Migrate=false.</summary>
    public static async Task<List<HostProcess>> MigrateAndStartWorkersAsync(Dictionary<string, string> environment, int count,
        CancellationToken cancellationToken)
    {
        await WorkerProcess.MigrateAsync(environment, TimeSpan.FromSeconds(120), cancellationToken);
        environment["Database__Migrate"] = "false";
        return StartWorkers(environment, count);
    }

    /// <summary>N worker processes on a migrated schema.</summary>
    public static List<HostProcess> StartWorkers(Dictionary<string, string> environment, int count)
    {
        var workers = Enumerable.Range(1, count).Select(i => (HostProcess)new WorkerProcess($"worker{i}", environment)).ToList();
        foreach (var worker in workers) worker.Start();
        return workers;
    }

    /// <summary>Waits until each answers GET /health/ready with 200.</summary>
    public static async Task WaitReadyAsync(IEnumerable<HostProcess> hosts, CancellationToken cancellationToken)
    {
        foreach (var host in hosts) await host.WaitUntilAnswersAsync("/health/ready", TimeSpan.FromSeconds(90), cancellationToken);
    }

    /// <summary>The last lines of each one's output, for a failure's report.</summary>
    public static string Tails(IEnumerable<HostProcess> hosts) => string.Join("\n", hosts.Select(h => h.Tail()));

    /// <summary>SIGTERM as an orchestrator stops them, SIGKILL after 20 s.</summary>
    public static async Task StopAsync(IEnumerable<HostProcess> hosts)
    {
        foreach (var host in hosts)
        {
            try { await host.StopAsync(TimeSpan.FromSeconds(20)); }
            catch (TimeoutException) { } // Dispose kills it
            host.Dispose();
        }
    }
}

/// <summary>The run's own database (Servers.IsolatedAsync: the daemon's gap checks are database-wide), dropped after it.</summary>
public static class BenchDatabase
{
    public static async Task DropAsync(string name)
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection((await Servers.GetAsync()).Postgres);
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

/// <summary>
/// What the run asked of PostgreSQL, from pg_stat_statements (loaded by infra/servers.sh on a new server; elsewhere add
/// it to shared_preload_libraries): top-level statements per document — each one a round trip or part of a batch —
/// and the statements that took the most time, per document. Reset right before the measured documents, read after.
/// Execution time is wall time inside the server, so on a busy machine it includes waiting for a core.
/// </summary>
public sealed class PgStatements
{
    readonly string _connectionString;

    PgStatements(string connectionString) => _connectionString = connectionString;

    /// <summary>Null when pg_stat_statements is not loaded on this server.</summary>
    public static async Task<PgStatements?> ResetAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var loaded = new NpgsqlCommand("SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'", connection))
            if (await loaded.ExecuteScalarAsync() is not true) return null;
        await using var reset = new NpgsqlCommand("""
            CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
            SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0);
            """, connection);
        await reset.ExecuteNonQueryAsync();
        return new PgStatements(connectionString);
    }

    /// <summary>"N statements per document (…)" and the top statements by time, for this database since the reset.</summary>
    public async Task<IReadOnlyList<string>> DescribeAsync(int documents, int top = 8)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT calls, total_exec_time, regexp_replace(query, '\s+', ' ', 'g')
              FROM pg_stat_statements
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND toplevel
               AND query NOT LIKE '%pg_stat_statements%'
             ORDER BY total_exec_time DESC
            """, connection);
        var rows = new List<(long Calls, double Ms, string Query)>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) rows.Add((reader.GetInt64(0), reader.GetDouble(1), reader.GetString(2)));
        var calls = rows.Sum(r => r.Calls);
        var transactions = rows.Where(r => r.Query.StartsWith("BEGIN", StringComparison.OrdinalIgnoreCase)).Sum(r => r.Calls);
        var lines = new List<string>
        {
            $"{Stats.N1((double)calls / documents)} top-level statements per document ({Stats.N1((double)transactions / documents)} explicit transactions; " +
            $"{Stats.N1(rows.Sum(r => r.Ms) / documents)} ms of statement time per document)",
        };
        string Line((long Calls, double Ms, string Query) r) =>
            $"  {Stats.N1(r.Ms / documents),5} ms  {((double)r.Calls / documents).ToString("0.00", CultureInfo.InvariantCulture),5}x  {(r.Query.Length > 110 ? r.Query[..110] + "…" : r.Query)}";
        lines.AddRange(rows.Take(top).Select(Line));
        // The count per document is what a change of design moves: the most frequent statements beyond those above.
        var frequent = rows.Skip(top).OrderByDescending(r => r.Calls).Take(top).Where(r => r.Calls * 20 >= documents).ToList();
        if (frequent.Count > 0)
        {
            lines.Add("  and the most frequent others:");
            lines.AddRange(frequent.Select(Line));
        }
        return lines;
    }
}
